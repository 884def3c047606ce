// Seccomp on a real containerd: what NOTES.txt warns about a RuntimeDefault profile in leastPrivilege,
// checked on this runtime, and a Localhost profile that is on the node applied to the profiler.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { expectAllOpsSucceed, failedOps, install, podsOf, report, runningPod, ungrantable, uninstall, until, useNode, whyNotRunning } from "./lib.ts";

const env = useNode();
const helm = (await helms()).at(-1)!;
const leastPrivilege = (seccompProfile: object) => ({
  securityMode: "leastPrivilege",
  leastPrivilege: { omitCapabilities: ungrantable(env.node), seccompProfile },
});

test("RuntimeDefault: containerd's default profile filters, and allows bpf() and perf_event_open() to a container holding CAP_BPF and CAP_PERFMON", async () => {
  const i = await install(env, helm, leastPrivilege({ type: "RuntimeDefault" }));
  const pod = await runningPod(env, i.ns);
  const { report: r } = await report(env, i.ns, pod);
  expect(r.seccomp, "seccomp mode (2: filter)").toBe("2");
  // What NOTES.txt and README say was seen on this runtime: nothing the profiler does is refused.
  expectAllOpsSucceed(r);
  await uninstall(env, helm, i);
});

test("Localhost: a profile file on the node is applied to the profiler container", async () => {
  // Everything allowed but mlock: the one failing operation shows this file, not another profile, is in force.
  const profile = { defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["mlock", "mlock2"], action: "SCMP_ACT_ERRNO" }] };
  mkdirSync(join(env.node.seccompDir, "profiles"), { recursive: true });
  writeFileSync(join(env.node.seccompDir, "profiles", "dd-otel-host-profiler.json"), JSON.stringify(profile));
  const i = await install(env, helm, leastPrivilege({ type: "Localhost", localhostProfile: "profiles/dd-otel-host-profiler.json" }));
  const pod = await runningPod(env, i.ns);
  const { report: r } = await report(env, i.ns, pod);
  expect(r.seccomp, "seccomp mode (2: filter)").toBe("2");
  expect(failedOps(r)).toEqual([expect.stringMatching(/^mlock_over_rlimit: .*operation not permitted/)]);
  await uninstall(env, helm, i);

  // The same profile without the mlock rule: every operation succeeds under a Localhost profile.
  writeFileSync(join(env.node.seccompDir, "profiles", "dd-otel-host-profiler.json"), JSON.stringify({ defaultAction: "SCMP_ACT_ALLOW" }));
  const j = await install(env, helm, leastPrivilege({ type: "Localhost", localhostProfile: "profiles/dd-otel-host-profiler.json" }));
  const { report: all } = await report(env, j.ns, await runningPod(env, j.ns));
  expect(all.seccomp).toBe("2");
  expectAllOpsSucceed(all);
  await uninstall(env, helm, j);
});

test("Localhost: a profile missing from the node keeps the container from starting, naming the file", async () => {
  const i = await install(env, helm, leastPrivilege({ type: "Localhost", localhostProfile: "profiles/absent.json" }));
  const why = await until("the kubelet to refuse the missing profile", 60_000, async () => {
    const [pod] = await podsOf(env, i.ns);
    if (!pod) return undefined;
    const text = await whyNotRunning(env, i.ns, pod);
    return /profiles\/absent\.json/.test(text) && /CreateContainerError/.test(text) ? text : undefined;
  }, 1000);
  expect(why).not.toMatch(/"running"/);
  // What README's troubleshooting section tells users they will see.
  expect(why).toMatch(/CreateContainerError/);
  expect(why).toMatch(/cannot load seccomp profile ".*profiles\/absent\.json": open .*: no such file or directory/);
  await uninstall(env, helm, i);
});
