// Each capability of leastPrivilege, removed one at a time with leastPrivilege.omitCapabilities on a
// real node: what scripts/contract/capabilities.ts says happens, happens (the README's capability table
// is generated from that list). A capability that `stops` the profiler makes the start-up exit at that
// step with the profiler's own line and exit code, and the pod crash-loops; one that `breaks`
// operations lets it start, and exactly those operations of the running profiler fail.
// Runtime behaviour does not depend on Helm, so one Helm installs.
import { expect, test } from "vitest";
import { leastPrivilegeCapabilities, probeOperations } from "../../scripts/contract/capabilities.ts";
import { helms } from "../../scripts/lib/helm.ts";
import { expectCapabilities, expectExitAt, expectStartup, failedOps, install, knownFailures, report, runningPod, ungrantable, uninstall, useNode } from "./lib.ts";

const env = useNode();
const helm = (await helms()).at(-1)!;

test.each(leastPrivilegeCapabilities.map((c) => [c.name, c] as const))("without %s", async (name, cap) => {
  const omit = [...new Set([name, ...ungrantable(env.node)])];
  // The memlock failure is what removing SYS_RESOURCE shows, so it is not skipped then.
  const known = knownFailures(env.node).filter((k) => !(name === "SYS_RESOURCE" && k === "memlock"));
  const i = await install(env, helm, { securityMode: "leastPrivilege", leastPrivilege: { omitCapabilities: omit } }, { known });

  if (cap.stops) {
    const r = await expectExitAt(env, i.ns, { step: cap.stops, message: cap.message! });
    expectCapabilities(r, leastPrivilegeCapabilities.map((c) => c.name).filter((c) => !omit.includes(c)));
  } else {
    const { report: r } = await report(env, i.ns, await runningPod(env, i.ns));
    expectCapabilities(r, leastPrivilegeCapabilities.map((c) => c.name).filter((c) => !omit.includes(c)));
    expectStartup(r, i.known);
    const failed = failedOps(r);
    const failedNames = failed.map((l) => l.split(":")[0]).sort();
    expect(failedNames, `without ${name} exactly its documented operations must fail (${cap.breaks.map((op) => probeOperations[op]).join("; ")}); failed:\n${failed.join("\n")}`).toEqual([...cap.breaks].sort());
    // Each failure is the kernel refusing permission, not something else going wrong.
    for (const line of failed) expect(line, `${name}: ${line}`).toMatch(/operation not permitted|permission denied|cannot allocate memory/);
  }
  await uninstall(env, helm, i);
});

test("the capability table explains every operation: each one is broken by some capability, /tmp by none", () => {
  const covered = new Set(leastPrivilegeCapabilities.flatMap((c) => c.breaks));
  const uncovered = (Object.keys(probeOperations) as (keyof typeof probeOperations)[]).filter((op) => !covered.has(op));
  // /tmp is an emptyDir of the pod's own.
  expect(uncovered).toEqual(["tmp_write"]);
});
