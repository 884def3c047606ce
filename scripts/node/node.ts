// A real Kubernetes node for the node tier, joined to the e2e control plane (scripts/e2e/control-plane.ts):
// containerd + runc + the CNI bridge plugin from Debian's packages, a kubelet and kube-scheduler built
// from the control plane's Kubernetes module, on a bridge and pod network of its own.
//
// Traps met on these machines (see shared/toolchain-facts.md, "A real node"):
// - root here lacks CAP_SYS_RESOURCE, so containerd must not write negative oom_score_adj
//   (restrict_oom_score_adj), and no container can be granted SYS_RESOURCE;
// - the kubelet needs a node IP that is not loopback, or status.hostIP stays unknown: the node IP is
//   the address of a bridge this file creates, on a private /24 nothing else uses; pods get addresses
//   on it from host-local IPAM and no default route, so nothing is routed off the machine;
// - cgroup v1 (hybrid): KubeletConfiguration failCgroupV1 false and the cgroupfs driver.
//
// Images: the profiler stand-in is imported and also pushed to a registry of the node's own on loopback
// that containerd uses as the mirror of ghcr.io, so pods pull it as the chart says (pullPolicy Always).
//
// Everything it starts it stops, on stop(), on exit and on SIGINT/SIGTERM: processes (containerd,
// its shims, every container in the kubepods cgroups, kubelet, kube-scheduler, the registry, the probe target),
// mounts under its folder, network namespaces, the bridge, cgroups, and the host settings it changed
// (kernel.kptr_restrict, the tracefs mount). leftovers() lists anything that survived.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import { execa } from "execa";
import { type Binaries, ensureBinaries } from "../e2e/binaries.ts";
import { type ControlPlane, diedCheck, freePort, waitFor } from "../e2e/control-plane.ts";
import { registryBinary, startRegistry } from "../lib/registry.ts";
import { buildStandin, type ImageSpec, profilerImage, writeImageArchive } from "./image.ts";
import { cniBinDir, missingPrerequisites } from "./prerequisites.ts";

/** The pod sandbox image: the stand-in called as /pause (no registry to pull the real one from). */
export const PAUSE_IMAGE = "localhost/dd-prof-node/pause:1";
/** Command name of the probe target (see scripts/node/standin: the ddprof-target mode). */
export const TARGET_COMM = "ddprof-target";

const NETNS_DIR = "/run/netns";
const SHIM_SOCKETS = "/run/containerd/s";
const CGROUP_ROOT = "/sys/fs/cgroup";
const KPTR = "/proc/sys/kernel/kptr_restrict";
const TRACEFS = "/sys/kernel/tracing";

export interface NodeOptions {
  cp: ControlPlane;
  /** Profiler images to import beside the pause image (the stand-in under each reference; a bare reference has v0.4.0's entrypoint). */
  images: (string | ImageSpec)[];
  name?: string;
  log?: (line: string) => void;
}

export interface KubeNode {
  name: string;
  /** The node's InternalIP: the bridge's address, what status.hostIP gives pods. */
  ip: string;
  dir: string;
  /** The kubelet's seccomp profile root: a Localhost profile "profiles/x.json" is <this>/profiles/x.json. */
  seccompDir: string;
  /** Capabilities the node's runtime can grant at all (its bounding set, names without CAP_). */
  boundingSet: string[];
  /** The kernel release (uname -r). */
  kernel: string;
  /** The hard RLIMIT_MEMLOCK containers inherit from containerd, in bytes, or "unlimited". */
  memlockHard: number | "unlimited";
  logs: { containerd: string; kubelet: string; scheduler: string };
  /** Imports more profiler images (e.g. a new tag for an upgrade, or another entrypoint). */
  importImages(images: (string | ImageSpec)[]): Promise<void>;
  /** IDs of the containers running on the node (containerd tasks), pause containers included. */
  runningTasks(): Promise<string[]>;
  /** Pulls an image from its own registry (not the node's mirror), within `timeoutMs`. */
  pull(ref: string, timeoutMs?: number): Promise<{ ok: true } | { ok: false; error: string }>;
  stop(): Promise<void>;
  /** What survived stop(): processes, mounts, network namespaces, the bridge, cgroups, host settings. */
  leftovers(): string[];
  /** The host changes leftovers() checks, as plain data. */
  hostState(): Omit<HostState, "procs">;
}

// ---------------------------------------------------------------------------------------------
// Host state this file changes, with its undo, for stop() and for the emergency handler alike.

/** What the node changed on the host, enough to tell afterwards whether all of it was undone. */
export interface HostState {
  dir: string;
  bridge?: string;
  kptrWas?: string;
  tracefsMounted?: boolean;
  netnsBefore: Set<string>;
  shimSocketsBefore: Set<string>;
  procs: ChildProcess[];
}

const liveStates = new Set<HostState>();
let handlersInstalled = false;

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", () => {
    for (const s of liveStates) sweep(s);
  });
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      for (const s of liveStates) sweep(s);
      process.kill(process.pid, sig);
    });
  }
}

function quiet(f: () => void): void {
  try {
    f();
  } catch {}
}

function listDir(d: string): string[] {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}

/** PIDs whose command line mentions `needle` (containerd's shims carry the socket path). */
function pidsWithCmdline(needle: string): number[] {
  const out: number[] = [];
  for (const e of listDir("/proc")) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, "utf8").includes(needle)) out.push(Number(e));
    } catch {}
  }
  return out;
}

/** The kubelet's pod cgroups (cgroupfs driver, root "/") in every hierarchy, deepest first. */
function kubepodsCgroups(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of listDir(d)) {
      const p = join(d, e);
      try {
        if (statSync(p).isDirectory()) walk(p);
      } catch {}
    }
    out.push(d);
  };
  // cgroup v1: one hierarchy per controller; cgroup v2 (unified): the root itself.
  for (const root of [join(CGROUP_ROOT, "kubepods"), ...listDir(CGROUP_ROOT).map((h) => join(CGROUP_ROOT, h, "kubepods"))]) {
    if (existsSync(root)) walk(root);
  }
  return out;
}

function cgroupProcs(): number[] {
  const pids = new Set<number>();
  for (const cg of kubepodsCgroups()) {
    try {
      for (const l of readFileSync(join(cg, "cgroup.procs"), "utf8").split("\n")) if (l.trim()) pids.add(Number(l));
    } catch {}
  }
  return [...pids];
}

/** Mount points at or under `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    const mp = line.split(" ")[4];
    if (mp && (mp === dir || mp.startsWith(`${dir}/`))) out.push(mp.replace(/\\040/g, " "));
  }
  return out.sort((a, b) => b.length - a.length);
}

function isMounted(mp: string, fstype: string): boolean {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .some((l) => l.split(" ")[4] === mp && l.includes(` - ${fstype} `));
}

function killAll(pids: number[]): void {
  for (const p of pids) quiet(() => process.kill(p, "SIGKILL"));
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Removes everything the node left, synchronously (it also runs from exit and signal handlers):
 * processes first, then mounts, network namespaces, cgroups, the bridge, the host settings, the folder.
 */
function sweep(s: HostState): void {
  for (const p of s.procs) quiet(() => p.kill("SIGKILL"));
  for (let i = 0; i < 3; i++) {
    const pids = [...pidsWithCmdline(s.dir), ...cgroupProcs()];
    if (pids.length === 0) break;
    killAll(pids);
    sleepSync(300);
  }
  for (const mp of mountsUnder(s.dir)) quiet(() => execFileSync("umount", ["-l", mp], { stdio: "ignore" }));
  for (const ns of listDir(NETNS_DIR)) {
    if (s.netnsBefore.has(ns)) continue;
    quiet(() => execFileSync("umount", ["-l", join(NETNS_DIR, ns)], { stdio: "ignore" }));
    quiet(() => rmSync(join(NETNS_DIR, ns), { force: true }));
  }
  for (const sock of listDir(SHIM_SOCKETS)) if (!s.shimSocketsBefore.has(sock)) quiet(() => rmSync(join(SHIM_SOCKETS, sock), { force: true }));
  for (const cg of kubepodsCgroups()) quiet(() => rmdirSync(cg));
  if (s.bridge) quiet(() => execFileSync("ip", ["link", "del", s.bridge!], { stdio: "ignore" }));
  if (s.tracefsMounted) quiet(() => execFileSync("umount", [TRACEFS], { stdio: "ignore" }));
  if (s.kptrWas !== undefined) quiet(() => writeFileSync(KPTR, s.kptrWas!));
  if (process.env.DD_NODE_KEEP_DIR !== "1") quiet(() => rmSync(s.dir, { recursive: true, force: true }));
  liveStates.delete(s);
}

/** What survived of a node's host changes (any process, even another one, can ask: see the CLI below). */
export function leftoversOf(s: Omit<HostState, "procs">): string[] {
  const out: string[] = [];
  const procs = pidsWithCmdline(s.dir);
  if (procs.length) out.push(`processes mentioning ${s.dir}: ${procs.join(", ")}`);
  const cg = kubepodsCgroups();
  if (cg.length) out.push(`kubepods cgroups: ${cg.slice(0, 5).join(", ")}${cg.length > 5 ? ", ..." : ""}`);
  const inCg = cgroupProcs();
  if (inCg.length) out.push(`processes in kubepods cgroups: ${inCg.join(", ")}`);
  const mounts = mountsUnder(s.dir);
  if (mounts.length) out.push(`mounts under ${s.dir}: ${mounts.join(", ")}`);
  const ns = listDir(NETNS_DIR).filter((n) => !s.netnsBefore.has(n));
  if (ns.length) out.push(`network namespaces: ${ns.join(", ")}`);
  if (s.bridge && existsSync(`/sys/class/net/${s.bridge}`)) out.push(`bridge ${s.bridge}`);
  if (s.tracefsMounted && isMounted(TRACEFS, "tracefs")) out.push(`tracefs still mounted at ${TRACEFS}`);
  if (s.kptrWas !== undefined && readFileSync(KPTR, "utf8").trim() !== s.kptrWas.trim()) out.push(`kernel.kptr_restrict not restored to ${s.kptrWas.trim()}`);
  if (existsSync(s.dir) && process.env.DD_NODE_KEEP_DIR !== "1") out.push(`folder ${s.dir}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Pieces of the node

/** A free /24 in 10.213.0.0/16 (a block picked to stay clear of common pod and service ranges). */
function pickSubnet(): { subnet: string; ip: string } {
  const used = execFileSync("ip", ["-4", "-o", "addr"], { encoding: "utf8" }) + execFileSync("ip", ["-4", "route"], { encoding: "utf8" });
  for (let i = 0; i < 250; i++) {
    const third = (process.pid + i) % 250;
    const prefix = `10.213.${third}.`;
    if (!used.includes(prefix)) return { subnet: `${prefix}0/24`, ip: `${prefix}1` };
  }
  throw new Error("no free /24 in 10.213.0.0/16 for the node's bridge");
}

function startProcess(s: HostState, bin: string, args: string[], logFile: string, o: { uid?: number; gid?: number } = {}): ChildProcess {
  const fd = openSync(logFile, "a");
  const p = spawn(bin, args, { stdio: ["ignore", fd, fd], ...o });
  closeSync(fd);
  s.procs.push(p);
  return p;
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

function containerdConfig(dir: string, sock: string, mirror: string): string {
  return `# Written by scripts/node/node.ts: a containerd of the node tier's own, everything under ${dir}.
version = 2
root = "${dir}/containerd/root"
state = "${dir}/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]

[grpc]
  address = "${sock}"

[ttrpc]
  address = "${sock}.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "${dir}/containerd/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  # Root here lacks CAP_SYS_RESOURCE: a negative oom_score_adj would fail every sandbox.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "${dir}/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${cniBinDir}"
    conf_dir = "${dir}/cni"
  # ghcr.io is served by the node's own registry on loopback, so the chart's default pull policy
  # (Always) really pulls, with nothing leaving the machine.
  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."ghcr.io"]
    endpoint = ["http://${mirror}"]
`;
}

function cniConfig(dir: string, bridge: string, subnet: string, ip: string): string {
  const base = ip.slice(0, ip.lastIndexOf("."));
  return JSON.stringify(
    {
      cniVersion: "0.4.0",
      name: "dd-prof-node",
      plugins: [
        {
          type: "bridge",
          bridge,
          // No gateway and no masquerading: pods reach the node's IP on the bridge and nothing else.
          isGateway: false,
          ipMasq: false,
          ipam: { type: "host-local", ranges: [[{ subnet, rangeStart: `${base}.10`, rangeEnd: `${base}.250` }]], dataDir: join(dir, "cni-ipam") },
        },
      ],
    },
    null,
    2,
  );
}

function kubeletConfig(dir: string, sock: string, ip: string, port: number, healthzPort: number): string {
  return JSON.stringify(
    {
      apiVersion: "kubelet.config.k8s.io/v1beta1",
      kind: "KubeletConfiguration",
      address: ip,
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
      containerRuntimeEndpoint: `unix://${sock}`,
      imageServiceEndpoint: `unix://${sock}`,
      podLogsDir: join(dir, "pod-logs"),
      // A shared machine's disk and memory are whatever they are: never evict the tier's pods.
      evictionHard: { "memory.available": "1Mi", "nodefs.available": "1%", "nodefs.inodesFree": "1%", "imagefs.available": "1%" },
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      serializeImagePulls: false,
      maxPods: 30,
      nodeStatusUpdateFrequency: "4s",
      syncFrequency: "10s",
    },
    null,
    2,
  );
}

/** Capability names in a /proc status mask (CAP_ left off), as the stand-in decodes them. */
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

/** Starts the probe target: the stand-in as ddprof-target, uid 65534, from a folder only that user can read. */
function startTarget(s: HostState, standin: string): { pid: number; proc: ChildProcess } {
  const base = join(s.dir, "target");
  const secret = join(base, "secret");
  const shared = join(base, "shared");
  mkdirSync(secret, { recursive: true });
  mkdirSync(shared, { recursive: true });
  chmodSync(base, 0o755);
  chmodSync(shared, 0o755);
  const exe = join(secret, TARGET_COMM);
  copyFileSync(standin, exe);
  const data = join(shared, "target.shared-data");
  writeFileSync(data, Buffer.alloc(4096, 7));
  chmodSync(data, 0o644);
  for (const p of [secret, exe]) {
    chownSync(p, 65534, 65534);
    chmodSync(p, 0o700);
  }
  const proc = startProcess(s, exe, [data], join(s.dir, "target.log"), { uid: 65534, gid: 65534 });
  return { pid: proc.pid!, proc };
}

// ---------------------------------------------------------------------------------------------

export async function startNode(opts: NodeOptions): Promise<KubeNode> {
  const missing = missingPrerequisites();
  if (missing.length) throw new Error(`the node tier cannot run on this machine:\n  ${missing.join("\n  ")}`);
  installHandlers();
  const log = opts.log ?? (() => {});
  const { cp } = opts;
  const binaries: Binaries = cp.binaries.kubelet && cp.binaries.kubeScheduler ? cp.binaries : await ensureBinaries({ withNode: true });
  const name = opts.name ?? "node-1";
  // A short path: containerd's socket path must fit in 108 bytes. 0711: the target (uid 65534) passes through.
  const dir = mkdtempSync("/tmp/ddn-");
  chmodSync(dir, 0o711);
  mkdirSync(NETNS_DIR, { recursive: true });
  const s: HostState = { dir, netnsBefore: new Set(listDir(NETNS_DIR)), shimSocketsBefore: new Set(listDir(SHIM_SOCKETS)), procs: [] };
  liveStates.add(s);
  const logs = { containerd: join(dir, "containerd.log"), kubelet: join(dir, "kubelet.log"), scheduler: join(dir, "kube-scheduler.log") };
  const sock = join(dir, "containerd.sock");
  const ctr = async (args: string[]) => {
    const r = await execa("ctr", ["--address", sock, "-n", "k8s.io", ...args], { reject: false });
    return { ok: r.exitCode === 0, stdout: String(r.stdout), stderr: String(r.stderr) };
  };
  let standin = "";
  let mirror = "";
  /** Imports the stand-in under each reference and pushes it to the ghcr.io mirror, so pods pull it. */
  const importImages = async (images: (string | ImageSpec)[]) => {
    const specs = images.map((i) => (typeof i === "string" ? profilerImage(i) : i));
    const refs = specs.map((i) => i.ref);
    const archive = await writeImageArchive(standin, specs, join(dir, "images"));
    const r = await ctr(["images", "import", archive]);
    if (!r.ok) throw new Error(`ctr images import ${archive}: ${r.stderr}`);
    for (const ref of refs.filter((x) => x.startsWith("ghcr.io/"))) {
      const pushed = await ctr(["images", "push", "--plain-http", ref.replace(/^ghcr\.io\//, `${mirror}/`), ref]);
      if (!pushed.ok) throw new Error(`ctr images push of ${ref} to the mirror ${mirror}: ${pushed.stderr}`);
    }
  };

  try {
    const t0 = Date.now();
    standin = await buildStandin(log);

    // Host settings the probes depend on, restored by sweep(): kernel addresses hidden from processes
    // without CAP_SYSLOG (as hardened nodes set it), and tracefs mounted for the leastPrivilege hostPath.
    s.kptrWas = readFileSync(KPTR, "utf8");
    writeFileSync(KPTR, "1");
    if (!isMounted(TRACEFS, "tracefs")) {
      execFileSync("mount", ["-t", "tracefs", "nodev", TRACEFS]);
      s.tracefsMounted = true;
    }

    // The node's network: a bridge of its own with the node IP; pods join it through the CNI bridge plugin.
    const { subnet, ip } = pickSubnet();
    const bridge = `ddprof${process.pid % 100000}`;
    execFileSync("ip", ["link", "add", bridge, "type", "bridge"]);
    s.bridge = bridge;
    execFileSync("ip", ["addr", "add", `${ip}/24`, "dev", bridge]);
    execFileSync("ip", ["link", "set", bridge, "up"]);
    mkdirSync(join(dir, "cni"));
    writeFileSync(join(dir, "cni", "10-dd-prof-node.conflist"), cniConfig(dir, bridge, subnet, ip));

    // The registry that stands in for ghcr.io, then containerd.
    const registryBin = await registryBinary();
    if (!registryBin) throw new Error("no docker-registry on PATH: apt-get install docker-registry");
    const registry = await startRegistry(registryBin, join(dir, "registry"));
    s.procs.push(registry.process);
    mirror = registry.host;
    writeFileSync(join(dir, "containerd.toml"), containerdConfig(dir, sock, mirror));
    const containerd = startProcess(s, "containerd", ["--config", join(dir, "containerd.toml"), "--log-level", "warn"], logs.containerd);
    await waitFor("containerd", 30_000, async () => (await ctr(["version"])).ok, diedCheck(containerd, "containerd", logs.containerd), logs.containerd);
    // The pause image, then the profiler images, all from one layer.
    const pause = await writeImageArchive(standin, [{ ref: PAUSE_IMAGE, entrypoint: ["/pause"] }], join(dir, "images"));
    const imported = await ctr(["images", "import", pause]);
    if (!imported.ok) throw new Error(`ctr images import ${pause}: ${imported.stderr}`);
    await importImages(opts.images);
    log(`containerd ready, images imported (${((Date.now() - t0) / 1000).toFixed(1)}s)`);

    // kubelet
    const kubeletPort = await freePort();
    const kubeletHealthz = await freePort();
    writeFileSync(join(dir, "kubelet.json"), kubeletConfig(dir, sock, ip, kubeletPort, kubeletHealthz));
    const kubelet = startProcess(s, binaries.kubelet!, [
      `--config=${join(dir, "kubelet.json")}`,
      `--kubeconfig=${cp.kubeconfig}`,
      `--hostname-override=${name}`,
      `--node-ip=${ip}`,
      `--root-dir=${join(dir, "kubelet")}`,
      `--cert-dir=${join(dir, "kubelet-pki")}`,
      "--v=1",
    ], logs.kubelet);
    await waitFor(
      `kubelet (node ${name} Ready)`,
      90_000,
      async () => {
        const n = (await cp.api("GET", `/api/v1/nodes/${name}`)).body;
        return (n.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");
      },
      diedCheck(kubelet, "kubelet", logs.kubelet),
      logs.kubelet,
    );
    log(`kubelet ready: node ${name} at ${ip} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);

    // kube-scheduler: DaemonSet pods are bound by the scheduler, not the controller.
    const schedPort = await freePort();
    const scheduler = startProcess(s, binaries.kubeScheduler!, [
      `--kubeconfig=${cp.kubeconfig}`,
      "--leader-elect=false",
      `--secure-port=${schedPort}`,
      "--bind-address=127.0.0.1",
      `--cert-dir=${join(dir, "scheduler-pki")}`,
      "--v=1",
    ], logs.scheduler);
    await waitFor("kube-scheduler", 60_000, () => healthz(schedPort), diedCheck(scheduler, "kube-scheduler", logs.scheduler), logs.scheduler);

    const target = startTarget(s, standin);
    await waitFor("probe target", 10_000, async () => readFileSync(join(dir, "target.log"), "utf8").includes("ready"), diedCheck(target.proc, "probe target", join(dir, "target.log")), join(dir, "target.log"));

    const containerdPid = containerd.pid!;
    const status = readFileSync(`/proc/${containerdPid}/status`, "utf8");
    const boundingSet = capabilityNamesOf(/^CapBnd:\s*([0-9a-f]+)/m.exec(status)![1]);
    const kernel = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
    // Containers inherit containerd's limits (the runtime sets no rlimit of its own for memlock).
    const memlock = /^Max locked memory\s+\S+\s+(\S+)/m.exec(readFileSync(`/proc/${containerdPid}/limits`, "utf8"))![1];
    const memlockHard = memlock === "unlimited" ? "unlimited" : Number(memlock);
    log(`node up in ${((Date.now() - t0) / 1000).toFixed(1)}s (kernel ${kernel})`);

    const runningTasks = async () => {
      const r = await ctr(["tasks", "ls"]);
      return r.stdout
        .split("\n")
        .slice(1)
        .filter((l) => /\bRUNNING\b/.test(l))
        .map((l) => l.split(/\s+/)[0]);
    };
    let stopped = false;
    return {
      name,
      ip,
      dir,
      seccompDir: join(dir, "kubelet", "seccomp"),
      boundingSet,
      kernel,
      memlockHard,
      logs,
      importImages,
      runningTasks,
      async pull(ref: string, timeoutMs = 60_000) {
        const r = await execa("ctr", ["--address", sock, "-n", "k8s.io", "images", "pull", ref], { reject: false, timeout: timeoutMs });
        if (r.exitCode === 0) return { ok: true as const };
        const why = r.timedOut ? `no answer within ${timeoutMs / 1000}s` : String(r.stderr).trim().split("\n").pop() || `ctr exited ${r.exitCode}`;
        return { ok: false as const, error: why };
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        // Let the kubelet tear its pods down (CNI DEL removes their network namespaces), then stop
        // everything and sweep what remains.
        // DaemonSets first (a test that failed midway leaves one), or their controller recreates the pods.
        const pods = await cp.api("GET", `/api/v1/pods?fieldSelector=spec.nodeName=${name}`).catch(() => undefined);
        for (const ns of new Set<string>((pods?.body.items ?? []).map((p: any) => p.metadata.namespace))) {
          await cp.api("DELETE", `/apis/apps/v1/namespaces/${ns}/daemonsets`).catch(() => {});
        }
        for (const p of pods?.body.items ?? []) {
          await cp.api("DELETE", `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}?gracePeriodSeconds=0`).catch(() => {});
        }
        const t0 = Date.now();
        const end = t0 + 45_000;
        while (Date.now() < end && (await runningTasks().catch(() => [])).length > 0) await new Promise((r) => setTimeout(r, 500));
        log(`pods gone from the node in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
        await terminate(scheduler);
        await terminate(kubelet);
        await cp.api("DELETE", `/api/v1/nodes/${name}`).catch(() => {});
        await terminate(containerd);
        sweep(s); // SIGKILLs whatever did not exit, then removes the rest
      },
      leftovers: () => leftoversOf(s),
      hostState: () => ({ dir: s.dir, bridge: s.bridge, kptrWas: s.kptrWas, tracefsMounted: s.tracefsMounted, netnsBefore: s.netnsBefore, shimSocketsBefore: s.shimSocketsBefore }),
    };
  } catch (e) {
    sweep(s);
    throw e;
  }
}

/** SIGTERM, then at most 10 s for the process to exit (containerd can linger on its shims). */
async function terminate(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once("exit", () => r()));
  p.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
}

/**
 * A control plane with the controllers a real node needs beside the DaemonSet controller (the root CA
 * publisher for token volumes, node lifecycle to lift the not-ready taint a new node registers with)
 * and one node with the stand-in under `images`. stop() stops both, node first.
 */
export async function startCluster(o: { images: (string | ImageSpec)[]; log?: (line: string) => void }): Promise<{ cp: ControlPlane; node: KubeNode; stop(): Promise<void> }> {
  const { startControlPlane } = await import("../e2e/control-plane.ts");
  const binaries = await ensureBinaries({ withNode: true });
  const cp = await startControlPlane({
    controllerManager: true,
    extraControllers: ["root-ca-certificate-publisher-controller", "node-lifecycle-controller"],
    binaries,
    log: o.log,
  });
  let node: KubeNode;
  try {
    node = await startNode({ cp, images: o.images, log: o.log });
  } catch (e) {
    await cp.stop();
    throw e;
  }
  return {
    cp,
    node,
    async stop() {
      await node.stop();
      await cp.stop();
    },
  };
}

if (import.meta.main) {
  // A live node for a person (or the teardown test): a control plane and one node with the stand-in
  // under the chart's default image, until Ctrl-C. Prints one JSON line: kubeconfig and host state.
  const { readChartMeta } = await import("../lib/chart.ts");
  const log = (l: string) => process.stderr.write(`[node] ${l}\n`);
  const { cp, node } = await startCluster({ images: [`ghcr.io/datadog/dd-otel-host-profiler:v${readChartMeta().appVersion}`], log });
  const st = node.hostState();
  process.stdout.write(`${JSON.stringify({ kubeconfig: cp.kubeconfig, node: node.name, ip: node.ip, logs: node.logs, state: { ...st, netnsBefore: [...st.netnsBefore], shimSocketsBefore: [...st.shimSocketsBefore] } })}\n`);
  log(`ready: KUBECONFIG=${cp.kubeconfig}; Ctrl-C stops and removes everything`);
  await new Promise(() => {});
}
