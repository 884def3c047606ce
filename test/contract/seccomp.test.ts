// The seccomp allowlist's list (scripts/contract/seccomp.ts) and the profile generated from it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { allowedSyscalls, measuredSyscalls, refusedSyscalls, seccompAllowlistPath, seccompProfile, seccompProfileText, syscallGroups } from "../../scripts/contract/seccomp.ts";
import { repoRoot } from "../../scripts/lib/paths.ts";

it("holds the 63 system calls measured for v0.4.0, each once", () => {
  expect(measuredSyscalls).toHaveLength(63);
  expect(new Set(measuredSyscalls).size).toBe(63);
  // The by-count leaders of the measurement (profiler-facts.md) are there.
  for (const s of ["bpf", "nanosleep", "process_vm_readv", "futex", "perf_event_open"]) expect(measuredSyscalls).toContain(s);
});

it("adds what the measured run could not see: Go's other paths, objcopy's child and the node tier's own", () => {
  const all = allowedSyscalls();
  for (const s of ["sched_setaffinity", "mincore", "membarrier", "exit_group", "exit", "sigaltstack", "execve", "wait4", "rename", "unlink", "mlock", "close_range"]) expect(all).toContain(s);
});

it("every name is a system call name, listed once within its group", () => {
  for (const g of syscallGroups) {
    expect(g.source.length).toBeGreaterThan(10);
    for (const n of g.names) expect(n).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(new Set(g.names).size, g.source).toBe(g.names.length);
  }
});

it("leaves out the calls it must refuse, the stand-in's getcpu probe included", () => {
  const all = new Set(allowedSyscalls());
  const allowed = Object.keys(refusedSyscalls).filter((s) => all.has(s));
  expect(allowed).toEqual([]);
  expect(Object.keys(refusedSyscalls)).toContain("getcpu");
});

it("is a Docker/OCI seccomp profile: SCMP_ACT_ERRNO by default, one SCMP_ACT_ALLOW entry of sorted names", () => {
  const p = seccompProfile();
  expect(Object.keys(p)).toEqual(["defaultAction", "syscalls"]);
  expect(p.defaultAction).toBe("SCMP_ACT_ERRNO");
  expect(p.syscalls).toHaveLength(1);
  expect(p.syscalls[0].action).toBe("SCMP_ACT_ALLOW");
  const names = p.syscalls[0].names;
  expect(names).toEqual([...names].sort());
  expect(new Set(names).size).toBe(names.length);
});

it("the committed chart/files/seccomp-allowlist.json is the generated one", () => {
  expect(readFileSync(join(repoRoot, seccompAllowlistPath), "utf8")).toBe(seccompProfileText());
});
