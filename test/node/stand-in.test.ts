// The stand-in against the table it replays, without a node: its start-up steps are
// scripts/profiler/startup.ts's, in order, with the same fatality, exit codes and lines; and its copy
// of the profiler's checks (flag parsing, sanityCheck, tracers, the host-service rule) accepts what the
// chart renders for every profiler.* value the chart accepts, and refuses what the chart refuses for
// the profiler's reasons (test/helpers/knob-bounds.ts).
import { execa } from "execa";
import { describe, expect, test } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { buildStandin } from "../../scripts/standin/image.ts";
import { binarySteps, failurePattern } from "../../scripts/profiler/startup.ts";
import { knobBounds, knobValues, rawEnvOf } from "../helpers/knob-bounds.ts";
import { daemonSet, renderOk } from "../helpers/render.ts";
import { profilerKnobEnv } from "../../scripts/contract/knob-env.ts";

const standin = await buildStandin();
const helm = (await helms()).at(-1)!;

/** Runs only the stand-in's configuration steps on `env`: exit code and the line it would log. */
async function checkConfig(env: Record<string, string>): Promise<{ exitCode: number; error?: string; steps: { id: string; ok: boolean }[] }> {
  const r = await execa(standin, ["check-config"], { env, extendEnv: false, reject: false });
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(String(r.stdout));
}

test("performs the table's steps, in its order, fatal where the release's are, with its lines and exit codes", async () => {
  const r = await execa(standin, ["--list-steps"]);
  const listed = JSON.parse(String(r.stdout)) as { id: string; fatal: boolean; exitCode?: number; failure: string; success?: string }[];
  const table = binarySteps.map((s) => ({ id: s.id, fatal: s.fatal, ...(s.exitCode && { exitCode: s.exitCode }), failure: s.failure, ...(s.success && { success: s.success }) }));
  expect(listed).toEqual(table);
});

/** profiler.<knob> -> its variable, as the chart maps them (scripts/contract/knob-env.ts, through _contract.tpl). */
const knobEnv = profilerKnobEnv;

describe("the profiler's checks on the chart's knobs", () => {
  test.each(knobBounds.filter((b) => b.chart === "accepts").map((b) => [`${b.knob}: ${JSON.stringify(b.value)}`, b] as const))("accepted by the chart, accepted by the profiler: %s", async (_n, b) => {
    const { container } = daemonSet(await renderOk(helm, { profiler: knobValues(b) }));
    // The literal variables the profiler gets; $(DD_AGENT_HOST) as the kubelet would expand it.
    const env = Object.fromEntries((container.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!.replace("$(DD_AGENT_HOST)", "10.0.0.1")]));
    expect(env[knobEnv[b.knob]], `the chart renders ${knobEnv[b.knob]}`).toBeDefined();
    const r = await checkConfig(env);
    expect(r, `the profiler refuses what the chart accepted: ${r.error}`).toMatchObject({ exitCode: 0 });
  });

  test.each(knobBounds.filter((b) => b.chart === "refuses").map((b) => [`${b.knob}: ${JSON.stringify(b.value)}`, b] as const))("refused by the chart: %s", async (_n, b) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(knobValues(b))) env[knobEnv[k]] = rawEnvOf(knobEnv[k], v);
    const r = await checkConfig(env);
    if (b.profiler === "refuses") {
      expect(r.exitCode, `the profiler accepts ${JSON.stringify(b.value)}, so the chart's refusal needs a reason`).not.toBe(0);
    } else {
      // The chart is stricter here, for the reason given; the profiler's start-up checks let it through.
      expect(b.profiler?.stricter).toBeTruthy();
      expect(r.exitCode, `${b.knob} ${JSON.stringify(b.value)}: ${r.error}`).toBe(0);
    }
  });
});

/**
 * The stand-in's start-up on this machine (root), in a mount namespace of its own with tracefs mounted,
 * reading `release` as the kernel release (DD_STANDIN_KERNEL_RELEASE, honoured by the stand-in only).
 * This node's known failures (memlock, sched-monitor) are asked to be skipped; they are honoured only where true.
 */
async function startupAs(release: string, env: Record<string, string> = {}) {
  const script = 'mount -t tracefs nodev /sys/kernel/tracing && exec timeout -s TERM 5 "$0" dd-otel-host-profiler';
  const r = await execa("unshare", ["-m", "sh", "-c", script, standin], {
    env: { PATH: process.env.PATH!, DD_STANDIN_KERNEL_RELEASE: release, DD_STANDIN_KNOWN_FAILURES: "memlock,sched-monitor", ...env },
    extendEnv: false,
    reject: false,
  });
  const line = String(r.stdout).split("\n").find((l) => l.startsWith("STANDIN-REPORT "));
  expect(line, `no report; stderr:\n${r.stderr}`).toBeDefined();
  const report = JSON.parse(line!.slice("STANDIN-REPORT ".length)) as { exit?: { code: number; step: string; message: string }; steps: { id: string; ok: boolean; detail?: string; error?: string }[] };
  return { r, report, step: report.steps.find((s) => s.id === "kernel-bug-check") };
}

describe("the kernel bug check (tracer/tracer.go initializeMapsAndPrograms, tracer/maccess.go checkForMaccessPatch)", () => {
  const bug = binarySteps.find((s) => s.id === "kernel-bug-check")!;

  test("on an affected release whose copy_from_user_nofault lacks the call to nmi_uaccess_okay, exits 1 there with the release's line", async () => {
    // DD_STANDIN_KERNEL_CODE=unpatched: the calls to nmi_uaccess_okay are taken out of the code read from this (fixed) kernel.
    const { r, report } = await startupAs("6.1.20", { DD_STANDIN_KERNEL_CODE: "unpatched" });
    expect(report.exit, JSON.stringify(report.steps)).toMatchObject({ code: 1, step: "kernel-bug-check" });
    expect(r.exitCode).toBe(bug.exitCode);
    expect(report.exit!.message).toBe(
      "Failed to load eBPF tracer: failed to load eBPF code: your kernel version 6.1.20 may be affected by a Linux kernel bug that can lead to system freezes, terminating host agent now to avoid triggering this bug.\nIf you are certain your kernel is not affected, you can override this check at your own risk with -no-kernel-version-check.\nError: kernel is not patched",
    );
    expect(report.exit!.message).toMatch(failurePattern(bug.failure));
    expect(String(r.stderr)).toContain(`level=error msg=${JSON.stringify(report.exit!.message)}`);
  });

  test("on an affected release, passes where the running kernel's code calls nmi_uaccess_okay (read with bpf_probe_read_kernel)", async () => {
    const { report, step } = await startupAs("6.3.9");
    expect(report.exit?.step, report.exit?.message).not.toBe("kernel-bug-check");
    expect(step).toMatchObject({ ok: true });
    expect(step!.detail).toContain("patched");
  });

  test("does not run on 6.1.36, 6.3.10 or 6.4, nor with no-kernel-version-check", async () => {
    for (const release of ["6.1.36", "6.3.10", "6.4.0"]) expect((await startupAs(release)).step?.detail, release).toMatch(/is not one the check runs on/);
    const off = await startupAs("6.1.20", { DD_STANDIN_KERNEL_CODE: "unpatched", DD_HOST_PROFILING_NO_KERNEL_VERSION_CHECK: "true" });
    expect(off.step).toMatchObject({ ok: true, detail: "no-kernel-version-check" });
  });
});
