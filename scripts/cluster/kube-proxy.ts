// kube-proxy on the node, in iptables mode, so that Services work as on a real cluster: ClusterIPs,
// the cluster DNS Service, and internalTrafficPolicy: Local (the Datadog Agent chart's node-local
// Service routes only to the Agent pod on the caller's own node).
//
// Its configuration leaves the host's settings alone wherever kube-proxy allows it (all read from
// k8s.io/kubernetes v1.35.4):
// - conntrack maxPerCore 0 and min 0: no nf_conntrack_max change (cmd/kube-proxy/app/server_linux.go setupConntrack);
// - the TCP/UDP conntrack timeouts 0: left as they are (same function: only values > 0 are written);
// - iptables.localhostNodePorts false: no route_localnet=1 (pkg/proxy/iptables/proxier.go NewProxier);
// - nodePortAddresses the node IP only, oomScoreAdj 0 (root here may not lower it: no CAP_SYS_RESOURCE).
// Its rules live in the host's network namespace; scripts/cluster/netfilter.ts restores the rules as
// they were before, and `kube-proxy --cleanup` runs first so the tool that wrote them removes them.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, startProcess, type Supervised, waitReady } from "./process.ts";

export interface KubeProxyOptions {
  bin: string;
  kubeconfig: string;
  nodeName: string;
  nodeIP: string;
  /** The pods' addresses: traffic from them to a Service is "local" (detectLocalMode ClusterCIDR). */
  clusterCIDR: string;
  dir: string;
}

export interface KubeProxy extends Supervised {
  /** Stops kube-proxy and removes its rules with `kube-proxy --cleanup`. */
  stopAndCleanup(): Promise<void>;
}

function config(o: KubeProxyOptions, healthz: number, metrics: number): object {
  return {
    apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
    kind: "KubeProxyConfiguration",
    clientConnection: { kubeconfig: o.kubeconfig },
    hostnameOverride: o.nodeName,
    bindAddress: o.nodeIP,
    healthzBindAddress: `127.0.0.1:${healthz}`,
    metricsBindAddress: `127.0.0.1:${metrics}`,
    mode: "iptables",
    clusterCIDR: o.clusterCIDR,
    detectLocalMode: "ClusterCIDR",
    nodePortAddresses: [`${o.nodeIP}/32`],
    oomScoreAdj: 0,
    iptables: { localhostNodePorts: false, syncPeriod: "30s", minSyncPeriod: "0s" },
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: "0s", tcpCloseWaitTimeout: "0s", udpTimeout: "0s", udpStreamTimeout: "0s" },
    configSyncPeriod: "0s",
  };
}

export async function startKubeProxy(o: KubeProxyOptions): Promise<KubeProxy> {
  const healthz = await freePort();
  const file = join(o.dir, "kube-proxy.json");
  writeFileSync(file, JSON.stringify(config(o, healthz, await freePort()), null, 2));
  const proc = startProcess("kube-proxy", o.bin, [`--config=${file}`, "--v=1"], { logFile: join(o.dir, "kube-proxy.log") });
  // /healthz answers 200 once the first sync of the rules is done.
  await waitReady(proc, "kube-proxy (rules synced)", 60_000, async () => (await fetch(`http://127.0.0.1:${healthz}/healthz`)).status === 200);
  return {
    ...proc,
    async stopAndCleanup() {
      await proc.stop();
      try {
        execFileSync(o.bin, [`--config=${file}`, "--cleanup"], { stdio: "ignore", timeout: 30_000 });
      } catch {
        // netfilter.ts restores the saved rules whatever --cleanup managed.
      }
    },
  };
}
