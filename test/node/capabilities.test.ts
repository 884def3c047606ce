// Each capability of leastPrivilege, removed one at a time with leastPrivilege.omitCapabilities on a
// real node: exactly the operations scripts/contract/capabilities.ts lists under `breaks` fail (the
// README's capability table is generated from that list), and a capability with nothing listed is
// shown not to be needed on this kernel. Runtime behaviour does not depend on Helm, so one Helm installs.
import { expect, test } from "vitest";
import { leastPrivilegeCapabilities, probeOperations, type ProbeOperation } from "../../scripts/contract/capabilities.ts";
import { helms } from "../../scripts/lib/helm.ts";
import { expectCapabilities, failedOps, install, report, runningPod, ungrantable, uninstall, useNode } from "./lib.ts";

const env = useNode();
const helm = (await helms()).at(-1)!;

/** Kernel release as [major, minor]. */
const kernelVersion = (release: string): [number, number] => {
  const [a, b] = release.split(".").map((x) => parseInt(x, 10));
  return [a, b];
};

test.each(leastPrivilegeCapabilities.map((c) => [c.name, c] as const))("without %s", async (name, cap) => {
  const cannot = ungrantable(env.node);
  const omit = [...new Set([name, ...cannot])];
  const i = await install(env, helm, { securityMode: "leastPrivilege", leastPrivilege: { omitCapabilities: omit } });
  const pod = await runningPod(env, i.ns);
  const { report: r } = await report(env, i.ns, pod);
  expectCapabilities(r, leastPrivilegeCapabilities.map((c) => c.name).filter((c) => !omit.includes(c)));

  const failed = failedOps(r);
  const failedNames = failed.map((l) => l.split(":")[0]).sort();
  if (cap.breaks.length > 0) {
    expect(failedNames, `without ${name} exactly its documented operations must fail (${cap.breaks.map((op) => probeOperations[op]).join("; ")}); failed:\n${failed.join("\n")}`).toEqual([...cap.breaks].sort());
    // Each failure is the kernel refusing permission, not something else going wrong.
    for (const line of failed) expect(line, `${name}: ${line}`).toMatch(/operation not permitted|permission denied|cannot allocate memory|every address as 0/);
  } else {
    // Not needed on this kernel: every operation succeeds without it, eBPF maps even with RLIMIT_MEMLOCK 0.
    expect(failed, `${name} is documented as not needed on kernel ${r.kernel}, but without it:\n${failed.join("\n")}`).toEqual([]);
    const [major, minor] = kernelVersion(r.kernel);
    expect(major > 5 || (major === 5 && minor >= 11), `kernel ${r.kernel}: memcg accounting of eBPF memory needs >= 5.11`).toBe(true);
    expect(r.ops.bpf_map_create_memlock0 satisfies { ok: boolean }).toMatchObject({ ok: true });
  }
  await uninstall(env, helm, i);
});

test("the capability table covers every operation at least once, so no probe goes unexplained", () => {
  const covered = new Set<ProbeOperation>(leastPrivilegeCapabilities.flatMap((c) => c.breaks));
  const uncovered = (Object.keys(probeOperations) as ProbeOperation[]).filter((op) => !covered.has(op));
  // tracefs_read and tmp_write need no capability (the host's tracefs is mounted for the pod, /tmp is an emptyDir).
  expect(uncovered.sort()).toEqual(["tmp_write", "tracefs_read"]);
});
