// Process supervision for the throwaway clusters (control plane, node, network pieces): one way to
// start a long-running process with its log in a file, wait until it is ready, and stop it, and one
// set of exit and signal handlers that stop everything still running and undo every host change when
// the test process ends early (a failed test, Ctrl-C, a CI time-out).
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

/** A process started by startProcess. */
export interface Supervised {
  name: string;
  pid: number;
  logFile: string;
  proc: ChildProcess;
  /** Says so, with the log's tail, once the process has exited; undefined while it runs. */
  died(): string | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();
/** Synchronous undo steps (host state, temp folders) run on an early exit, newest first. */
const emergencyUndo: (() => void)[] = [];
let handlersInstalled = false;

function runEmergency(): void {
  for (const p of live) {
    try {
      p.kill("SIGKILL");
    } catch {}
  }
  live.clear();
  // Newest first: a node registered after its control plane is swept before the control plane's folder goes.
  for (const undo of emergencyUndo.splice(0).reverse()) {
    try {
      undo();
    } catch {}
  }
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", runEmergency);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      runEmergency();
      process.kill(process.pid, sig);
    });
  }
}

/**
 * Registers a synchronous undo step for an early exit (it must not need the event loop). Returns the
 * function that unregisters it, for when the normal stop has done the same work.
 */
export function onEarlyExit(undo: () => void): () => void {
  installHandlers();
  emergencyUndo.push(undo);
  return () => {
    const i = emergencyUndo.indexOf(undo);
    if (i >= 0) emergencyUndo.splice(i, 1);
  };
}

/** The last lines of a log file, for failure messages. */
export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Starts `bin` with stdout and stderr appended to `logFile`; an early exit of the test process kills it. */
export function startProcess(name: string, bin: string, args: string[], o: { logFile: string; uid?: number; gid?: number; env?: Record<string, string> }): Supervised {
  installHandlers();
  const fd = openSync(o.logFile, "a");
  const proc = spawn(bin, args, { stdio: ["ignore", fd, fd], uid: o.uid, gid: o.gid, env: o.env ? { ...process.env, ...o.env } : undefined });
  closeSync(fd);
  live.add(proc);
  proc.on("exit", () => live.delete(proc));
  // A binary that cannot be started at all reports it here instead of crashing the test process.
  let spawnError: Error | undefined;
  proc.on("error", (e) => (spawnError = e));
  const exited = () => proc.exitCode !== null || proc.signalCode !== null;
  return {
    name,
    pid: proc.pid ?? 0,
    logFile: o.logFile,
    proc,
    died: () =>
      spawnError
        ? `${name} could not start (${spawnError.message})`
        : exited()
          ? `${name} exited (${proc.exitCode ?? proc.signalCode}); its log ends with:\n${tail(o.logFile)}`
          : undefined,
    stop: (graceMs = 10_000) => stopProcess(proc, graceMs),
  };
}

/** SIGTERM, then SIGKILL after `graceMs` (containerd can linger on its shims); resolves on exit. */
export async function stopProcess(p: ChildProcess, graceMs = 10_000): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null || p.pid === undefined) return;
  const exited = new Promise<void>((r) => p.once("exit", () => r()));
  p.kill("SIGTERM");
  const t = setTimeout(() => p.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(t);
}

/** Polls `check` until it is true; fails early when `died` reports the process gone, with its log's tail. */
export async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>, died?: () => string | undefined, logFile?: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < end) {
    const d = died?.();
    if (d) throw new Error(`${what}: ${d}`);
    try {
      if (await check()) return;
    } catch (e) {
      lastErr = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `${what}: not ready after ${timeoutMs / 1000}s${lastErr ? ` (last error: ${(lastErr as Error).message})` : ""}` + (logFile ? `; its log ends with:\n${tail(logFile)}` : ""),
  );
}

/** Waits until `p` is ready by `check`, failing with its log as soon as it exits. */
export function waitReady(p: Supervised, what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  return waitFor(what, timeoutMs, check, p.died, p.logFile);
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Milliseconds since `t0`, as seconds with one decimal, for progress lines. */
export const secondsSince = (t0: number): string => ((Date.now() - t0) / 1000).toFixed(1);
