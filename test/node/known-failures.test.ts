// The start-up steps this node cannot pass, shown failing as the released profiler fails there, in
// both security modes: the one place the node tier replays them unskipped. Everywhere else they are
// marked skipped (and printed) only where this node really has the failure, which lib.ts
// expectStartup holds. On a node without a failure, its steps are shown passing instead.
import { describe, test } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { failurePattern, knownNodeFailures, startupSteps, type KnownNodeFailure } from "../../scripts/profiler/startup.ts";
import { expectExitAt, expectStartup, install, knownFailures, report, runningPod, ungrantable, uninstall, useNode } from "./lib.ts";

const env = useNode();
const helm = (await helms()).at(-1)!;

/** What the profiler logs as it exits at each known failure, with the kernel's answer filled in. */
const messages: Record<KnownNodeFailure, { step: string; message: string }> = {
  memlock: { step: "memlock-maps", message: "Failed to load eBPF tracer: failed to load eBPF code: failed to load eBPF maps: failed to adjust rlimit: failed to set temporary rlimit: operation not permitted" },
  "sched-monitor": { step: "sched-monitor", message: 'Failed to attach scheduler monitor: failed to configure tracepoint on tracer.hookPoint{group:"sched", name:"sched_process_free"}: cannot create bpf perf link: permission denied' },
};

const modes = () => ({
  privileged: {},
  leastPrivilege: { securityMode: "leastPrivilege", leastPrivilege: { omitCapabilities: ungrantable(env.node) } },
});

describe.each(Object.keys(knownNodeFailures) as KnownNodeFailure[])("known failure %s", (failure) => {
  test.each(["privileged", "leastPrivilege"] as const)("%s", async (mode) => {
    const all = knownFailures(env.node);
    // Skip the other known failures, so the start-up reaches this one's steps.
    const others = all.filter((k) => k !== failure);
    const i = await install(env, helm, modes()[mode], { known: others });
    if (all.includes(failure)) {
      console.log(`this node has "${failure}" (${knownNodeFailures[failure].when}): the profiler exits at ${messages[failure].step}`);
      await expectExitAt(env, i.ns, messages[failure]);
    } else {
      // Not this node's failure: its steps pass (expectStartup refuses a skip that was not asked for).
      const { report: r } = await report(env, i.ns, await runningPod(env, i.ns));
      expectStartup(r, i.known);
    }
    await uninstall(env, helm, i);
  });
});

test("the messages above are the table's failure lines of those steps", async () => {
  const { expect } = await import("vitest");
  for (const m of Object.values(messages)) {
    const step = startupSteps.find((s) => s.id === m.step)!;
    expect(m.message).toMatch(failurePattern(step.failure));
  }
});
