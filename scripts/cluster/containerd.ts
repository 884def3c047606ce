// The node's container runtime: a containerd of its own (Debian's package) with runc, everything
// under the node's folder, its CRI plugin pointed at the node's CNI configuration, and ghcr.io
// mirrored by a registry on loopback so that a pod pulls as the chart says, with nothing leaving the
// machine. Images come from OCI archives (`ctr images import`): no registry can be reached here.
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { execa } from "execa";
import { cniBinDir } from "./cni.ts";
import { startProcess, type Supervised, waitReady } from "./process.ts";

export interface Containerd extends Supervised {
  sock: string;
  /** `ctr -n k8s.io ARGS` against this containerd; never throws. */
  ctr(args: string[], timeoutMs?: number): Promise<{ ok: boolean; stdout: string; stderr: string; timedOut: boolean; exitCode?: number }>;
  /** Imports an OCI archive, then pushes each ghcr.io reference in it to the mirror, so pods pull it. */
  importArchive(archive: string, refs: string[]): Promise<void>;
  /** IDs of the running containers (containerd tasks), pause containers included. */
  runningTasks(): Promise<string[]>;
}

function config(dir: string, sock: string, sandboxImage: string, mirror: string): string {
  return `# Written by scripts/cluster/containerd.ts: a containerd of the node's own, everything under ${dir}.
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
  sandbox_image = "${sandboxImage}"
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
  # ghcr.io is served by the node's own registry on loopback, so a pull policy of Always really
  # pulls, with nothing leaving the machine.
  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."ghcr.io"]
    endpoint = ["http://${mirror}"]
`;
}

export async function startContainerd(o: { dir: string; sandboxImage: string; mirror: string }): Promise<Containerd> {
  // A short path: containerd's socket path must fit in 108 bytes.
  const sock = join(o.dir, "containerd.sock");
  writeFileSync(join(o.dir, "containerd.toml"), config(o.dir, sock, o.sandboxImage, o.mirror));
  const proc = startProcess("containerd", "containerd", ["--config", join(o.dir, "containerd.toml"), "--log-level", "warn"], { logFile: join(o.dir, "containerd.log") });
  const ctr = async (args: string[], timeoutMs?: number) => {
    const r = await execa("ctr", ["--address", sock, "-n", "k8s.io", ...args], { reject: false, timeout: timeoutMs });
    return { ok: r.exitCode === 0, stdout: String(r.stdout), stderr: String(r.stderr), timedOut: Boolean(r.timedOut), exitCode: r.exitCode };
  };
  await waitReady(proc, "containerd", 30_000, async () => (await ctr(["version"])).ok);
  return {
    ...proc,
    sock,
    ctr,
    async importArchive(archive, refs) {
      const r = await ctr(["images", "import", archive]);
      if (!r.ok) throw new Error(`ctr images import ${archive}: ${r.stderr}`);
      for (const ref of refs.filter((x) => x.startsWith("ghcr.io/"))) {
        const pushed = await ctr(["images", "push", "--plain-http", ref.replace(/^ghcr\.io\//, `${o.mirror}/`), ref]);
        if (!pushed.ok) throw new Error(`ctr images push of ${ref} to the mirror ${o.mirror}: ${pushed.stderr}`);
      }
    },
    async runningTasks() {
      const r = await ctr(["tasks", "ls"]);
      return r.stdout
        .split("\n")
        .slice(1)
        .filter((l) => /\bRUNNING\b/.test(l))
        .map((l) => l.split(/\s+/)[0]);
    },
  };
}
