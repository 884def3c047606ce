// The node's kubelet (built with the control plane's Kubernetes version) and the kube-scheduler that
// binds DaemonSet pods to it (they are bound by the scheduler, not the DaemonSet controller).
//
// Traps met on these machines:
// - the kubelet needs a node IP that is not loopback, or status.hostIP stays unknown: the node IP is
//   the address of the node's bridge (scripts/cluster/cni.ts);
// - cgroup v1 (hybrid): KubeletConfiguration failCgroupV1 false and the cgroupfs driver.
import { writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import type { ControlPlane } from "./control-plane.ts";
import { freePort, startProcess, type Supervised, waitReady } from "./process.ts";

export interface KubeletOptions {
  cp: ControlPlane;
  bin: string;
  name: string;
  ip: string;
  dir: string;
  sock: string;
  /** The cluster DNS Service's IP and domain, written into every pod's resolv.conf. */
  dns: { ip: string; domain: string };
}

function config(o: KubeletOptions, port: number, healthzPort: number, resolvConf: string): object {
  return {
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    address: o.ip,
    port,
    readOnlyPort: 0,
    healthzBindAddress: "127.0.0.1",
    healthzPort,
    // Loopback-only test node: the API server reaches it without credentials (logs, exec).
    authentication: { anonymous: { enabled: true }, webhook: { enabled: false } },
    authorization: { mode: "AlwaysAllow" },
    cgroupDriver: "cgroupfs",
    failCgroupV1: false,
    failSwapOn: false,
    containerRuntimeEndpoint: `unix://${o.sock}`,
    imageServiceEndpoint: `unix://${o.sock}`,
    podLogsDir: join(o.dir, "pod-logs"),
    clusterDNS: [o.dns.ip],
    clusterDomain: o.dns.domain,
    // The host's resolv.conf would hand pods its search domains and resolvers; pods resolve only
    // through the cluster DNS, which forwards nowhere.
    resolvConf,
    // A shared machine's disk and memory are whatever they are: never evict the tier's pods.
    evictionHard: { "memory.available": "1Mi", "nodefs.available": "1%", "nodefs.inodesFree": "1%", "imagefs.available": "1%" },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    serializeImagePulls: false,
    maxPods: 30,
    nodeStatusUpdateFrequency: "4s",
    syncFrequency: "10s",
  };
}

export async function startKubelet(o: KubeletOptions): Promise<Supervised> {
  const resolvConf = join(o.dir, "resolv.conf");
  writeFileSync(resolvConf, "# no upstream resolvers: names outside the cluster do not resolve\n");
  writeFileSync(join(o.dir, "kubelet.json"), JSON.stringify(config(o, await freePort(), await freePort(), resolvConf), null, 2));
  const proc = startProcess("kubelet", o.bin, [
    `--config=${join(o.dir, "kubelet.json")}`,
    `--kubeconfig=${o.cp.kubeconfig}`,
    `--hostname-override=${o.name}`,
    `--node-ip=${o.ip}`,
    `--root-dir=${join(o.dir, "kubelet")}`,
    `--cert-dir=${join(o.dir, "kubelet-pki")}`,
    "--v=1",
  ], { logFile: join(o.dir, "kubelet.log") });
  await waitReady(proc, `kubelet (node ${o.name} Ready)`, 90_000, async () => {
    const n = (await o.cp.api("GET", `/api/v1/nodes/${o.name}`)).body;
    return (n.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");
  });
  return proc;
}

function healthz(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpsRequest({ host: "127.0.0.1", port, path: "/healthz", rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.end();
  });
}

export async function startScheduler(o: { cp: ControlPlane; bin: string; dir: string }): Promise<Supervised> {
  const port = await freePort();
  const proc = startProcess("kube-scheduler", o.bin, [
    `--kubeconfig=${o.cp.kubeconfig}`,
    "--leader-elect=false",
    `--secure-port=${port}`,
    "--bind-address=127.0.0.1",
    `--cert-dir=${join(o.dir, "scheduler-pki")}`,
    "--v=1",
  ], { logFile: join(o.dir, "kube-scheduler.log") });
  await waitReady(proc, "kube-scheduler", 60_000, () => healthz(port));
  return proc;
}
