// A real Kubernetes node joined to a control plane (scripts/cluster/control-plane.ts), in the steps
// a node comes up in: host settings, the pod network (bridge, CNI with portmap), a registry that
// mirrors ghcr.io and containerd, the cluster DNS (CoreDNS behind the kube-dns Service), the kubelet
// and kube-scheduler, and kube-proxy. Each step is a module of its own in this folder.
//
// Everything it starts it stops, on stop(), on exit and on SIGINT/SIGTERM: processes (containerd,
// its shims, every container in the kubepods cgroups, kubelet, kube-scheduler, kube-proxy, CoreDNS,
// the registry), mounts under its folder, network namespaces, the bridge, cgroups, netfilter rules
// and the host settings it changed (scripts/cluster/host-state.ts). leftovers() lists what survived.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { registryBinary, startRegistry } from "../lib/registry.ts";
import { type Binaries, ensureBinaries } from "./binaries.ts";
import { cniConfList, createBridge, type PodNetwork } from "./cni.ts";
import { type Containerd, startContainerd } from "./containerd.ts";
import type { ControlPlane } from "./control-plane.ts";
import { CLUSTER_DNS_IP, CLUSTER_DOMAIN, startNodeDNS } from "./dns.ts";
import { type HostState, isMounted, leftoversOf, newHostState, setSysctl, sweep, TRACEFS, NETNS_DIR } from "./host-state.ts";
import { type KubeProxy, startKubeProxy } from "./kube-proxy.ts";
import { startKubelet, startScheduler } from "./kubelet.ts";
import { saveNetfilter } from "./netfilter.ts";
import { missingPrerequisites } from "./prerequisites.ts";
import { onEarlyExit, secondsSince, type Supervised } from "./process.ts";

/** An OCI archive of images and the references it holds (see scripts/standin/image.ts). */
export interface ImageArchive {
  archive: string;
  refs: string[];
}

export interface NodeOptions {
  cp: ControlPlane;
  /** The pod sandbox image, imported before containerd serves the kubelet. */
  sandbox: ImageArchive;
  /** Images to import before any pod starts. */
  images: ImageArchive[];
  name?: string;
  log?: (line: string) => void;
}

export interface KubeNode {
  name: string;
  /** The node's InternalIP: the bridge's address, what status.hostIP gives pods. */
  ip: string;
  /** The pod network: the bridge, its subnet and the node IP. */
  network: PodNetwork;
  /** The cluster DNS: the kube-dns Service IP pods resolve through, and the cluster domain. */
  dns: { ip: string; domain: string };
  dir: string;
  /** The kubelet's seccomp profile root: a Localhost profile "profiles/x.json" is <this>/profiles/x.json. */
  seccompDir: string;
  /** Capabilities the node's runtime can grant at all (its bounding set, names without CAP_). */
  boundingSet: string[];
  /** The kernel release (uname -r). */
  kernel: string;
  /** The hard RLIMIT_MEMLOCK containers inherit from containerd, in bytes, or "unlimited". */
  memlockHard: number | "unlimited";
  logs: { containerd: string; kubelet: string; scheduler: string; kubeProxy: string; dns: string };
  /** Imports more images (e.g. a new tag for an upgrade, or another entrypoint). */
  importArchive(a: ImageArchive): Promise<void>;
  /** IDs of the containers running on the node (containerd tasks), pause containers included. */
  runningTasks(): Promise<string[]>;
  /** Pulls an image from its own registry (not the node's mirror), within `timeoutMs`. */
  pull(ref: string, timeoutMs?: number): Promise<{ ok: true } | { ok: false; error: string }>;
  /** Stops the node's mirror of ghcr.io for good: from then on no pull of a ghcr.io image can succeed. */
  stopRegistry(): Promise<void>;
  stop(): Promise<void>;
  /** What survived stop(): processes, mounts, network namespaces, the bridge, cgroups, rules, host settings. */
  leftovers(): string[];
  /** The host changes leftovers() checks, as plain data. */
  hostState(): HostState;
}

/** Capability names in a /proc status mask (CAP_ left off). */
export function capabilityNamesOf(hexMask: string): string[] {
  const names = [
    "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT",
    "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE",
    "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ",
    "PERFMON", "BPF", "CHECKPOINT_RESTORE",
  ];
  const mask = BigInt(`0x${hexMask}`);
  return names.filter((_, i) => (mask >> BigInt(i)) & 1n);
}

/** Host settings the node's tests depend on, restored by the sweep. */
function hostSettings(s: HostState): void {
  // Kernel addresses hidden from processes without CAP_SYSLOG, as hardened nodes set it.
  setSysctl(s, "kernel/kptr_restrict", "1");
  // tracefs mounted on the host, for the leastPrivilege hostPath.
  if (!isMounted(TRACEFS, "tracefs")) {
    execFileSync("mount", ["-t", "tracefs", "nodev", TRACEFS]);
    s.tracefsMounted = true;
  }
  // Forwarding on the bridge: a Service or hostPort DNAT sends a pod's packet back out the bridge
  // to another pod. Pods have no default route, so nothing reaches past the node.
  setSysctl(s, "net/ipv4/ip_forward", "1");
}

/** The bridge, the rules as they were, and the CNI configuration containerd reads. */
function podNetwork(s: HostState, dir: string): PodNetwork {
  s.netfilterBefore = saveNetfilter();
  const net = createBridge(s);
  mkdirSync(join(dir, "cni"));
  writeFileSync(join(dir, "cni", "10-dd-prof-node.conflist"), cniConfList(dir, net));
  return net;
}

/** The registry that stands in for ghcr.io, then containerd with the sandbox and the first images. */
async function runtime(s: HostState, procs: Supervised[], dir: string, o: NodeOptions): Promise<Containerd> {
  const registryBin = await registryBinary();
  if (!registryBin) throw new Error("no docker-registry on PATH: apt-get install docker-registry");
  const registry = await startRegistry(registryBin, join(dir, "registry"));
  procs.push({ name: "registry", pid: registry.process.pid ?? 0, logFile: "", proc: registry.process, died: () => undefined, stop: () => registry.stop() });
  const containerd = await startContainerd({ dir, sandboxImage: o.sandbox.refs[0], mirror: registry.host });
  procs.push(containerd);
  for (const a of [o.sandbox, ...o.images]) await containerd.importArchive(a.archive, a.refs);
  return containerd;
}

/** What the runtime hands containers: its capability bounding set and memlock limit, and the kernel. */
function runtimeFacts(containerdPid: number): Pick<KubeNode, "boundingSet" | "kernel" | "memlockHard"> {
  const status = readFileSync(`/proc/${containerdPid}/status`, "utf8");
  const boundingSet = capabilityNamesOf(/^CapBnd:\s*([0-9a-f]+)/m.exec(status)![1]);
  const kernel = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
  // Containers inherit containerd's limits (the runtime sets no rlimit of its own for memlock).
  const memlock = /^Max locked memory\s+\S+\s+(\S+)/m.exec(readFileSync(`/proc/${containerdPid}/limits`, "utf8"))![1];
  return { boundingSet, kernel, memlockHard: memlock === "unlimited" ? "unlimited" : Number(memlock) };
}

/** Deletes the node's pods (DaemonSets first, or their controller recreates them) and waits for their containers to go. */
async function drain(cp: ControlPlane, name: string, containerd: Containerd, log: (l: string) => void): Promise<void> {
  const pods = await cp.api("GET", `/api/v1/pods?fieldSelector=spec.nodeName=${name}`).catch(() => undefined);
  for (const ns of new Set<string>((pods?.body.items ?? []).map((p: any) => p.metadata.namespace))) {
    await cp.api("DELETE", `/apis/apps/v1/namespaces/${ns}/daemonsets`).catch(() => {});
  }
  for (const p of pods?.body.items ?? []) {
    await cp.api("DELETE", `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}?gracePeriodSeconds=0`).catch(() => {});
  }
  const t0 = Date.now();
  while (Date.now() - t0 < 45_000 && (await containerd.runningTasks().catch(() => [])).length > 0) await new Promise((r) => setTimeout(r, 500));
  log(`pods gone from the node in ${secondsSince(t0)}s`);
}

export async function startNode(opts: NodeOptions): Promise<KubeNode> {
  const missing = missingPrerequisites();
  if (missing.length) throw new Error(`the node tier cannot run on this machine:\n  ${missing.join("\n  ")}`);
  const log = opts.log ?? (() => {});
  const { cp } = opts;
  const binaries: Binaries = cp.binaries.kubelet && cp.binaries.kubeProxy ? cp.binaries : await ensureBinaries({ withNode: true });
  const name = opts.name ?? "node-1";
  // A short path (containerd's socket path must fit in 108 bytes); 0711 lets other users pass through.
  const dir = mkdtempSync("/tmp/ddn-");
  chmodSync(dir, 0o711);
  mkdirSync(NETNS_DIR, { recursive: true });
  const s = newHostState(dir);
  const procs: Supervised[] = [];
  const forget = onEarlyExit(() => sweep(s, procs));
  const t0 = Date.now();
  try {
    hostSettings(s);
    const net = podNetwork(s, dir);
    const containerd = await runtime(s, procs, dir, opts);
    log(`containerd ready, images imported (${secondsSince(t0)}s)`);
    const dns = await startNodeDNS({ cp, nodeName: name, ip: net.ip, dir });
    procs.push(dns.proc);
    const kubelet = await startKubelet({ cp, bin: binaries.kubelet!, name, ip: net.ip, dir, sock: containerd.sock, dns: { ip: CLUSTER_DNS_IP, domain: CLUSTER_DOMAIN } });
    procs.push(kubelet);
    log(`kubelet ready: node ${name} at ${net.ip} (${secondsSince(t0)}s)`);
    const scheduler = await startScheduler({ cp, bin: binaries.kubeScheduler!, dir });
    procs.push(scheduler);
    const proxy: KubeProxy = await startKubeProxy({ bin: binaries.kubeProxy!, kubeconfig: cp.kubeconfig, nodeName: name, nodeIP: net.ip, clusterCIDR: net.subnet, dir });
    procs.push(proxy);
    const facts = runtimeFacts(containerd.pid);
    log(`node up in ${secondsSince(t0)}s (kernel ${facts.kernel}; kube-proxy and cluster DNS ${CLUSTER_DNS_IP} ready)`);

    let stopped = false;
    return {
      name,
      ip: net.ip,
      network: net,
      dns: { ip: CLUSTER_DNS_IP, domain: CLUSTER_DOMAIN },
      dir,
      seccompDir: join(dir, "kubelet", "seccomp"),
      ...facts,
      logs: { containerd: containerd.logFile, kubelet: kubelet.logFile, scheduler: scheduler.logFile, kubeProxy: proxy.logFile, dns: dns.proc.logFile },
      importArchive: (a) => containerd.importArchive(a.archive, a.refs),
      runningTasks: () => containerd.runningTasks(),
      async pull(ref: string, timeoutMs = 60_000) {
        const r = await containerd.ctr(["images", "pull", ref], timeoutMs);
        if (r.ok) return { ok: true as const };
        const why = r.timedOut ? `no answer within ${timeoutMs / 1000}s` : r.stderr.trim().split("\n").pop() || `ctr exited ${r.exitCode}`;
        return { ok: false as const, error: why };
      },
      stopRegistry: () => procs.find((p) => p.name === "registry")!.stop(),
      async stop() {
        if (stopped) return;
        stopped = true;
        // Let the kubelet tear its pods down (CNI DEL removes their network namespaces and hostPort
        // rules), then stop everything, newest first, and sweep what remains.
        await drain(cp, name, containerd, log);
        await proxy.stopAndCleanup();
        await scheduler.stop();
        await kubelet.stop();
        await cp.api("DELETE", `/api/v1/nodes/${name}`).catch(() => {});
        for (const p of procs.filter((x) => x !== proxy && x !== scheduler && x !== kubelet).reverse()) await p.stop();
        sweep(s, procs); // SIGKILLs whatever did not exit, then removes the rest
        forget();
      },
      leftovers: () => leftoversOf(s),
      hostState: () => s,
    };
  } catch (e) {
    sweep(s, procs);
    forget();
    throw e;
  }
}
