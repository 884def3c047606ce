// The stand-in against the table it replays, without a node: its start-up steps are
// scripts/profiler/startup.ts's, in order, with the same fatality, exit codes and lines; and its copy
// of the profiler's checks (flag parsing, sanityCheck, tracers, the host-service rule) accepts what the
// chart renders for every profiler.* value the chart accepts, and refuses what the chart refuses for
// the profiler's reasons (test/helpers/knob-bounds.ts).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, test } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { chartDir } from "../../scripts/lib/paths.ts";
import { buildStandin } from "../../scripts/standin/image.ts";
import { binarySteps } from "../../scripts/profiler/startup.ts";
import { knobBounds, knobValues, rawEnvOf } from "../helpers/knob-bounds.ts";
import { daemonSet, renderOk } from "../helpers/render.ts";

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

/** profiler.<knob> -> its variable, as chart/templates/_env.tpl maps them. */
const knobEnv = Object.fromEntries(
  [...readFileSync(join(chartDir, "templates", "_env.tpl"), "utf8").matchAll(/^([a-zA-Z]+): (DD_HOST_PROFILING_[A-Z_0-9]+)$/gm)].map((m) => [m[1], m[2]]),
);

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
