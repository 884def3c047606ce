// The probe target: the stand-in as ddprof-target, run on the host as uid 65534 from a folder only
// that user can read, for the stand-in's probes (reading another user's process, as the profiler
// does) to look at. It lives in the node's folder, so the node's sweep removes it too.
import { chmodSync, chownSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startProcess, waitReady } from "../cluster/process.ts";

/** Command name of the probe target (see scripts/standin/binary: the ddprof-target mode). */
export const TARGET_COMM = "ddprof-target";

export function startTarget(nodeDir: string, standin: string): { pid: number; ready(): Promise<void>; stop(): Promise<void> } {
  const base = join(nodeDir, "target");
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
  const logFile = join(nodeDir, "target.log");
  const proc = startProcess("probe target", exe, [data], { logFile, uid: 65534, gid: 65534 });
  return {
    pid: proc.pid,
    ready: () => waitReady(proc, "probe target", 10_000, async () => readFileSync(logFile, "utf8").includes("ready")),
    stop: () => proc.stop(),
  };
}
