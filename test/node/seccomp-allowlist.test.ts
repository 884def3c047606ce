// The chart's own seccomp allowlist (leastPrivilege.seccompAllowlist) on a real kubelet + containerd +
// runc: the init container writes chart/files/seccomp-allowlist.json into the kubelet's seccomp
// directory, the profiler stand-in runs under it (seccomp mode 2) and starts as before, and a system
// call outside the list (getcpu, the stand-in's probe) is refused with EPERM under it and allowed
// without it. The stand-in replays v0.4.0's start-up, so this is the allowlist's check against what the
// profiler does at start; the list itself comes from scripts/contract/seccomp.ts.
// Also GOMEMLIMIT: the chart's value, as Go's own runtime (the stand-in's) parses it.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { seccompAllowlistPath } from "../../scripts/contract/seccomp.ts";
import { repoRoot } from "../../scripts/lib/paths.ts";
import { expectLeastPrivilegeContainer, expectStartup, install, podsOf, report, runningPod, ungrantable, uninstall, useNode, type StandinReport } from "./lib.ts";

const env = useNode();
const helm = (await helms()).at(-1)!;

/** The stand-in's report with the probes of scripts/standin/binary/seccompprobe.go. */
type Report = StandinReport & {
  syscallProbe?: { syscall: string; ok: boolean; errno: number; error?: string };
  goMemLimit?: { env: string; set: boolean; bytes: number };
};

const EPERM = 1;
const profile = readFileSync(join(repoRoot, seccompAllowlistPath), "utf8");

const leastPrivilege = (extra: object = {}) => ({
  securityMode: "leastPrivilege",
  leastPrivilege: { omitCapabilities: ungrantable(env.node), ...extra },
});

test("allowlist on: the init container writes the profile, the stand-in starts under it, and getcpu is refused with EPERM", async () => {
  const i = await install(env, helm, leastPrivilege({ seccompAllowlist: { enabled: true, kubeletSeccompDir: env.node.seccompDir } }));
  const pod = await runningPod(env, i.ns);
  const localhostProfile: string = pod.spec.containers[0].securityContext.seccompProfile.localhostProfile;
  expect(localhostProfile).toMatch(/^dd-otel-host-profiler\/allowlist-[0-9a-f]{16}\.json$/);
  // The file the kubelet reads is the chart's, byte for byte, where the kubelet looks (<root-dir>/seccomp).
  const onNode = join(env.node.seccompDir, localhostProfile);
  expect(existsSync(onNode), `${onNode} on the node`).toBe(true);
  expect(readFileSync(onNode, "utf8")).toBe(profile);
  const init = pod.status.initContainerStatuses?.[0];
  expect(init?.name).toBe("seccomp-allowlist");
  expect(init?.state?.terminated?.exitCode, JSON.stringify(init)).toBe(0);

  const { report: r } = (await report(env, i.ns, pod)) as { report: Report };
  expect(r.seccomp, "seccomp mode (2: filter)").toBe("2");
  expectStartup(r, i.known);
  // Everything else leastPrivilege promises still holds under the filter, every probe operation included.
  expectLeastPrivilegeContainer(r, ungrantable(env.node), "2");
  expect(r.syscallProbe, "the stand-in's getcpu probe").toEqual({ syscall: "getcpu", ok: false, errno: EPERM, error: "operation not permitted" });
  // The chart's GOMEMLIMIT for the default 1Gi limit (0.8, rounded down), as Go's runtime took it.
  expect(r.goMemLimit).toEqual({ env: "858993459B", set: true, bytes: 858993459 });
  await uninstall(env, helm, i);

  // A second install finds the identical file and leaves it be.
  const j = await install(env, helm, leastPrivilege({ seccompAllowlist: { enabled: true, kubeletSeccompDir: env.node.seccompDir } }));
  const pod2 = await runningPod(env, j.ns);
  const logs = await env.cp.kubectl(["logs", "-n", j.ns, pod2.metadata.name, "-c", "seccomp-allowlist"]);
  expect(logs.stdout).toContain(`seccomp allowlist already on the node: /seccomp/${localhostProfile.split("/")[1]}`);
  await uninstall(env, helm, j);
});

test("allowlist off (Unconfined, the default): the same getcpu call succeeds, so the refusal above is the allowlist's", async () => {
  const i = await install(env, helm, { ...leastPrivilege(), resources: { limits: { memory: "512Mi" }, requests: { memory: "256Mi" } } });
  const pod = await runningPod(env, i.ns);
  expect(pod.spec.initContainers, "no init container without the allowlist").toBeUndefined();
  const { report: r } = (await report(env, i.ns, pod)) as { report: Report };
  expect(r.seccomp).toBe("0");
  expectStartup(r, i.known);
  expect(r.syscallProbe).toEqual({ syscall: "getcpu", ok: true, errno: 0 });
  expect(r.goMemLimit).toEqual({ env: "429496729B", set: true, bytes: 429496729 });
  await uninstall(env, helm, i);
});

test("containerd's RuntimeDefault allows getcpu: the allowlist is narrower than the runtime's default profile there", async () => {
  const i = await install(env, helm, { ...leastPrivilege({ seccompProfile: { type: "RuntimeDefault" } }), goMemLimitRatio: null });
  const { report: r } = (await report(env, i.ns, await runningPod(env, i.ns))) as { report: Report };
  expect(r.seccomp).toBe("2");
  expect(r.syscallProbe?.ok, JSON.stringify(r.syscallProbe)).toBe(true);
  // goMemLimitRatio: null renders no GOMEMLIMIT: the runtime has no soft limit (math.MaxInt64).
  expect(r.goMemLimit).toEqual({ env: "", set: false, bytes: 2 ** 63 - 1 }); // math.MaxInt64 (a JSON number, read as the nearest double)
  expect((await podsOf(env, i.ns)).length).toBe(1);
  await uninstall(env, helm, i);
});
