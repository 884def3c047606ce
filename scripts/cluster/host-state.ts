// What a node changes on the host, with its undo, for a normal stop and for an early exit alike, and
// the check that all of it was undone: processes, mounts, network namespaces, the bridge, cgroups,
// netfilter rules, and the host settings it changed (sysctls, the tracefs mount).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type NetfilterSnapshot, netfilterLeftovers, restoreNetfilter } from "./netfilter.ts";
import type { Supervised } from "./process.ts";

export const NETNS_DIR = "/run/netns";
const SHIM_SOCKETS = "/run/containerd/s";
const CGROUP_ROOT = "/sys/fs/cgroup";
export const TRACEFS = "/sys/kernel/tracing";

/** What the node changed on the host, enough to tell afterwards whether all of it was undone. */
export interface HostState {
  dir: string;
  bridge?: string;
  tracefsMounted?: boolean;
  /** Host settings under /proc/sys the node changed, each with the value it had before. */
  sysctlsWere: Record<string, string>;
  netnsBefore: Set<string>;
  shimSocketsBefore: Set<string>;
  /** iptables and ip6tables as they were before kube-proxy and the CNI portmap plugin wrote theirs. */
  netfilterBefore?: NetfilterSnapshot;
}

export function newHostState(dir: string): HostState {
  return { dir, sysctlsWere: {}, netnsBefore: new Set(listDir(NETNS_DIR)), shimSocketsBefore: new Set(listDir(SHIM_SOCKETS)) };
}

/** Sets /proc/sys/`key` to `value`, remembering the old value for sweep() to restore. */
export function setSysctl(s: HostState, key: string, value: string): void {
  const file = join("/proc/sys", key);
  if (!(key in s.sysctlsWere)) s.sysctlsWere[key] = readFileSync(file, "utf8").trim();
  writeFileSync(file, value);
}

function quiet(f: () => void): void {
  try {
    f();
  } catch {}
}

export function listDir(d: string): string[] {
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

export function isMounted(mp: string, fstype: string): boolean {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .some((l) => l.split(" ")[4] === mp && l.includes(` - ${fstype} `));
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Removes everything the node left, synchronously (it also runs from exit and signal handlers):
 * processes first, then mounts, network namespaces, cgroups, netfilter rules, the bridge, the host
 * settings, the folder.
 */
export function sweep(s: HostState, procs: Pick<Supervised, "pid">[] = []): void {
  // pid > 0 only: kill(-1) would signal every process on the machine.
  for (const p of procs) if (p.pid > 0) quiet(() => process.kill(p.pid, "SIGKILL"));
  for (let i = 0; i < 3; i++) {
    const pids = [...pidsWithCmdline(s.dir), ...cgroupProcs()];
    if (pids.length === 0) break;
    for (const p of pids) quiet(() => process.kill(p, "SIGKILL"));
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
  if (s.netfilterBefore) quiet(() => restoreNetfilter(s.netfilterBefore!));
  if (s.bridge) quiet(() => execFileSync("ip", ["link", "del", s.bridge!], { stdio: "ignore" }));
  if (s.tracefsMounted) quiet(() => execFileSync("umount", [TRACEFS], { stdio: "ignore" }));
  for (const [key, was] of Object.entries(s.sysctlsWere)) quiet(() => writeFileSync(join("/proc/sys", key), was));
  if (process.env.DD_NODE_KEEP_DIR !== "1") quiet(() => rmSync(s.dir, { recursive: true, force: true }));
}

/** What survived of a node's host changes (any process, even another one, can ask: see the demo). */
export function leftoversOf(s: HostState): string[] {
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
  if (s.netfilterBefore) out.push(...netfilterLeftovers(s.netfilterBefore));
  if (s.tracefsMounted && isMounted(TRACEFS, "tracefs")) out.push(`tracefs still mounted at ${TRACEFS}`);
  for (const [key, was] of Object.entries(s.sysctlsWere)) {
    const now = readFileSync(join("/proc/sys", key), "utf8").trim();
    if (now !== was) out.push(`${key.replaceAll("/", ".")} is ${now}, not restored to ${was}`);
  }
  if (existsSync(s.dir) && process.env.DD_NODE_KEEP_DIR !== "1") out.push(`folder ${s.dir}`);
  return out;
}

/** HostState as JSON (sets as arrays), for a person or another process (the demo's --once line). */
export function hostStateJson(s: HostState): object {
  return { ...s, netnsBefore: [...s.netnsBefore], shimSocketsBefore: [...s.shimSocketsBefore] };
}

/** The inverse of hostStateJson. */
export function hostStateFromJson(j: any): HostState {
  return { ...j, netnsBefore: new Set(j.netnsBefore), shimSocketsBefore: new Set(j.shimSocketsBefore), sysctlsWere: j.sysctlsWere ?? {} };
}
