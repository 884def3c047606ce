// Building Go programs from the Go module proxy into a cache, the one way the cluster tiers do it
// (Kubernetes binaries, etcd, CoreDNS): `go` with a heartbeat and its timing, and a mkdir lock so
// that two processes (two vitest workers, a test and a CLI run) build once.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";

export type Logger = (line: string) => void;

/** Quiet in CI: only the heartbeat, the timing and failures. */
const quiet = process.env.CI === "true";

export async function go(args: string[], cwd: string, log: Logger, what: string, env: Record<string, string> = {}): Promise<string> {
  const started = Date.now();
  if (!quiet) log(`${what}: go ${args.join(" ")}`);
  // A heartbeat, so a log (CI's included) shows the build is alive.
  const beat = setInterval(() => log(`${what}: still running (${Math.round((Date.now() - started) / 1000)}s)`), 60_000);
  const r = await execa("go", args, { cwd, reject: false, env: { GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? "auto", ...env } }).finally(() => clearInterval(beat));
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.exitCode !== 0) {
    throw new Error(`${what} failed after ${secs}s (go ${args.join(" ")} in ${cwd}, exit ${r.exitCode}):\n${String(r.stderr).slice(-4000)}`);
  }
  log(`${what}: done in ${secs}s`);
  return String(r.stdout);
}

/** A mkdir lock so that two processes (two vitest workers, a test and a CLI run) build once. */
export async function withLock<T>(dir: string, log: Logger, fn: () => Promise<T>): Promise<T> {
  const lock = join(dir, ".build.lock");
  mkdirSync(dir, { recursive: true });
  for (let waited = 0; ; waited++) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      break;
    } catch {
      let holder = NaN;
      try {
        holder = Number(readFileSync(join(lock, "pid"), "utf8"));
      } catch {}
      let alive = false;
      if (Number.isFinite(holder)) {
        try {
          process.kill(holder, 0);
          alive = true;
        } catch {}
      }
      if (!alive && waited > 2) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (waited % 30 === 0) log(`waiting for another build (lock ${lock}, pid ${holder})`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

