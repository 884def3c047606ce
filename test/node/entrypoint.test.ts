// The image's entrypoint by version, on a real node: v0.4.0's (mounts debugfs unless
// /sys/kernel/debug/tracing is a directory) and main's (mounts tracefs unless it is a mount point),
// both written from scripts/profiler/startup.ts into the stand-in image. leastPrivilege starts the
// binary (leastPrivilege.command) and so runs with either; with `command: []`, which is what the chart
// rendered before it set a command, v0.4.0's entrypoint crash-loops on `mount: permission denied`.
// The kind job's start check (scripts/ci/await-profiler-start.ts) fails on that crash loop at once,
// naming the exit, rather than timing out.
import { expect, test } from "vitest";
import { awaitProfilerStart } from "../../scripts/ci/await-profiler-start.ts";
import { helms } from "../../scripts/lib/helm.ts";
import { profilerImage } from "../../scripts/standin/image.ts";
import { image as releaseImage } from "../../scripts/profiler/startup.ts";
import { chartMeta, DEFAULT_IMAGE, expectStartup, exitedPod, install, report, runningPod, ungrantable, uninstall, useNode, type NodeEnv } from "./lib.ts";

const env = useNode();
const helm = (await helms()).at(-1)!;
const MAIN_TAG = "main-entrypoint";
const leastPrivilege = (extra: object = {}) => ({ securityMode: "leastPrivilege", leastPrivilege: { omitCapabilities: ungrantable(env.node), ...extra } });

/** The kind job's check, on this node: the profiler's own start-up lines, or a named failure. */
const startCheck = (e: NodeEnv, ns: string, timeoutMs: number) =>
  awaitProfilerStart({
    namespace: ns,
    selector: "app.kubernetes.io/instance=prof,app.kubernetes.io/component!=test",
    // "Attached sched monitor" is the kind job's last line; on kernels >= 6.16 v0.4.0 never logs it (known failure).
    expect: [`Starting Datadog OTEL host profiler v${chartMeta.appVersion}`, "Attached tracer program"],
    timeoutMs,
    kubectl: e.cp.binaries.kubectl,
    env: e.cp.env,
  });

test("v0.4.0's entrypoint without SYS_ADMIN (leastPrivilege with command []): the container exits 1 on the debugfs mount, and the kind job's check says so at once", async () => {
  const i = await install(env, helm, leastPrivilege({ command: [] }));
  const { status, log } = await exitedPod(env, i.ns);
  // The stand-in image's busybox mount; the release's util-linux says "mount: /sys/kernel/debug: permission denied." and exits 32.
  expect(log).toContain("mount: permission denied");
  // The profiler never ran: the entrypoint's `set -e` ended the container first.
  expect(log).not.toContain("STANDIN-REPORT");
  expect((status.state?.terminated ?? status.lastState?.terminated).exitCode).toBe(1);
  const t0 = Date.now();
  const check = await startCheck(env, i.ns, 120_000);
  expect(check.ok).toBe(false);
  expect(check.message).toMatch(/^FAIL: pod \S+: container dd-otel-host-profiler exited with code 1/);
  expect(check.message).toContain("mount: permission denied");
  expect(Date.now() - t0, "it must fail on the exit, not wait for the time-out").toBeLessThan(30_000);
  await uninstall(env, helm, i);
});

test("v0.4.0's entrypoint with the chart's leastPrivilege command: the binary starts, and the kind job's check passes", async () => {
  const i = await install(env, helm, leastPrivilege());
  const pod = await runningPod(env, i.ns);
  expect(pod.spec.containers[0].command).toEqual([releaseImage.binary]);
  expectStartup((await report(env, i.ns, pod)).report, i.known);
  const check = await startCheck(env, i.ns, 60_000);
  expect(check, check.message).toMatchObject({ ok: true });
  await uninstall(env, helm, i);
});

test("main's entrypoint: leastPrivilege runs with the chart's command and with the entrypoint itself (tracefs is a mount point), privileged mounts tracefs", async () => {
  const ref = DEFAULT_IMAGE.replace(/:[^:]+$/, `:${MAIN_TAG}`);
  await env.node.importImages([profilerImage(ref, "main")]);
  for (const [values, tracefs] of [
    [leastPrivilege(), "/sys/kernel/tracing"],
    [leastPrivilege({ command: [] }), "/sys/kernel/tracing"],
    [{}, "/sys/kernel/tracing"],
  ] as const) {
    const i = await install(env, helm, { ...values, image: { tag: MAIN_TAG } });
    const { report: r } = await report(env, i.ns, await runningPod(env, i.ns));
    expectStartup(r, i.known);
    expect(r.steps.find((s) => s.id === "sched-monitor")?.detail, JSON.stringify(values)).toBe(`tracefs at ${tracefs}`);
    await uninstall(env, helm, i);
  }
});
