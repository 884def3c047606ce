// GOMEMLIMIT: goMemLimitRatio times resources.limits.memory, whole bytes rounded down, in Go's syntax
// (digits and "B": runtime/string.go parseByteCount). Expected byte counts are worked out here by hand,
// not with the chart's arithmetic, so the test fails when the template computes otherwise.
import { describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { daemonSet, env, render, renderOk } from "../helpers/render.ts";

const goMemLimit = async (helm: Awaited<ReturnType<typeof helms>>[number], values: object) => {
  const { container } = daemonSet(await renderOk(helm, values));
  return container.env?.filter((e) => e.name === "GOMEMLIMIT") ?? [];
};

/** Go's runtime accepts exactly this (parseByteCount): digits, then nothing, B, or KiB..TiB. */
const goSyntax = /^[0-9]+(B|[KMGT]iB)?$/;

describe.each(await helms())("GOMEMLIMIT with $id", (helm) => {
  it.each([
    // 1Gi = 1073741824 bytes; x 0.8 = 858993459.2 -> 858993459 (rounded down).
    { memory: "1Gi", ratio: undefined, want: "858993459B" },
    // 512Mi = 536870912; x 0.8 = 429496729.6 -> 429496729.
    { memory: "512Mi", ratio: undefined, want: "429496729B" },
    // 500M = 500000000 (decimal suffix); x 0.8 = 400000000 exactly.
    { memory: "500M", ratio: undefined, want: "400000000B" },
    // 1.5Gi = 1610612736; x 0.8 = 1288490188.8 -> 1288490188.
    { memory: "1.5Gi", ratio: undefined, want: "1288490188B" },
    // A plain byte count and an exponent form.
    { memory: "1073741824", ratio: undefined, want: "858993459B" },
    { memory: "2e9", ratio: 0.5, want: "1000000000B" },
    // Ratio 1: the limit itself; 0.9 of 1Gi = 966367641.6 -> 966367641.
    { memory: "1Gi", ratio: 1, want: "1073741824B" },
    { memory: "1Gi", ratio: 0.9, want: "966367641B" },
  ])("limit $memory, ratio $ratio: $want", async ({ memory, ratio, want }) => {
    const values = { resources: { requests: { memory: "64Mi" }, limits: { memory } }, ...(ratio === undefined ? {} : { goMemLimitRatio: ratio }) };
    const vars = await goMemLimit(helm, values);
    expect(vars).toEqual([{ name: "GOMEMLIMIT", value: want }]);
    expect(vars[0].value).toMatch(goSyntax);
  });

  it("the chart's defaults (limit 1Gi) give 858993459B", async () => {
    expect(await goMemLimit(helm, {})).toEqual([{ name: "GOMEMLIMIT", value: "858993459B" }]);
  });

  it("no memory limit: no GOMEMLIMIT", async () => {
    expect(await goMemLimit(helm, { resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: null } } })).toEqual([]);
    expect(await goMemLimit(helm, { resources: null })).toEqual([]);
  });

  it("goMemLimitRatio null: no GOMEMLIMIT, and extraEnv may then set its own", async () => {
    expect(await goMemLimit(helm, { goMemLimitRatio: null })).toEqual([]);
    expect(await goMemLimit(helm, { goMemLimitRatio: null, extraEnv: [{ name: "GOMEMLIMIT", value: "700MiB" }] })).toEqual([{ name: "GOMEMLIMIT", value: "700MiB" }]);
  });

  it("refuses GOMEMLIMIT in extraEnv while the chart sets it, naming goMemLimitRatio", async () => {
    const r = await render(helm, { extraEnv: [{ name: "GOMEMLIMIT", value: "1GiB" }] });
    expect(r.ok).toBe(false);
    expect(r.stderr).toContain("extraEnv[0] sets GOMEMLIMIT, which the chart manages. Allowed: set goMemLimitRatio (null leaves GOMEMLIMIT to extraEnv) instead.");
  });

  it("accepts GOMEMLIMIT in extraEnv when there is no memory limit (the chart sets none)", async () => {
    const { container } = daemonSet(await renderOk(helm, { resources: { limits: { memory: null } }, extraEnv: [{ name: "GOMEMLIMIT", value: "300MiB" }] }));
    expect(env(container, "GOMEMLIMIT")).toEqual({ name: "GOMEMLIMIT", value: "300MiB" });
  });

  it.each([
    { ratio: 0, why: "0" },
    { ratio: -0.5, why: "negative" },
    { ratio: 1.2, why: "above 1" },
    { ratio: "0.8", why: "a string" },
    { ratio: "80%", why: "a percentage" },
    { ratio: true, why: "a boolean" },
  ])("refuses goMemLimitRatio $why, naming the key", async ({ ratio }) => {
    const r = await render(helm, { goMemLimitRatio: ratio });
    expect(r.ok, "helm template must fail").toBe(false);
    expect(r.stderr.includes("goMemLimitRatio"), r.stderr).toBe(true);
  });

  it("renders GOMEMLIMIT in both security modes", async () => {
    expect(await goMemLimit(helm, { securityMode: "leastPrivilege" })).toEqual([{ name: "GOMEMLIMIT", value: "858993459B" }]);
  });
});
