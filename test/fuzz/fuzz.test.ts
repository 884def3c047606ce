// The fuzz tier's fast run: values files generated from values.schema.json, rendered with Helm 3 and
// Helm 4, checked against the Kubernetes schemas and every invariant. Each must be refused on
// purpose or render objects that pass. FUZZ_SEED and FUZZ_COUNT change the corpus (the seed is in
// the test name, so a failure can be replayed with `npm run fuzz -- --seed N`).
import { describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { chartDir } from "../../scripts/lib/paths.ts";
import { formatFinding, formatSummary } from "../../scripts/fuzz/report.ts";
import { runFuzz } from "../../scripts/fuzz/run.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const COUNT = Number(process.env.FUZZ_COUNT ?? 100);
const HELMS = await helms();

describe("fuzz (fast run)", () => {
  it(`${COUNT} generated values files (seed ${SEED}) are refused on purpose or render objects that pass every check, with ${HELMS.map((h) => h.id).join(" and ")}`, async () => {
    const r = await runFuzz({ chartDir, seed: SEED, count: COUNT, maxShrinks: 3, shrinkMs: 15_000 });
    const report = [...r.findings.slice(0, 20).map(formatFinding), ...r.minimal.map((m) => `minimal file:\n${m.yaml}`), formatSummary(r)].join("\n");
    expect(r.findings, report).toEqual([]);
    expect(r.renders.total).toBe(COUNT * HELMS.length);
    // Both outcomes occur: the corpus reaches the chart's refusals and gets past them.
    expect(r.renders.rendered).toBeGreaterThan(r.renders.total / 3);
    expect(r.renders.refusedByChart).toBeGreaterThan(0);
  }, 120_000);
});
