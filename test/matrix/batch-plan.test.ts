// The batching decision, fed timings: one batch of every case when it beats the cheapest single
// render per case, one process per cell when it does not.
import { describe, expect, it } from "vitest";
import { planFromProbes, type Probe } from "../../scripts/matrix/batch-plan.ts";

const single = (ms: number): Probe => ({ cases: 1, batch: false, ms });
const batch = (cases: number, ms: number): Probe => ({ cases, batch: true, ms });

describe("planFromProbes", () => {
  /** [what, probes, total cases, size chosen, the reason says] */
  const table: [string, Probe[], number, number, RegExp][] = [
    ["a small chart: start-up dominates, so every case in one batch", [single(60), single(55), batch(51, 500)], 53, 53, /batch of 51 9\.8 ms\/case: all 53 cases in one batch \(5\.6x cheaper/],
    ["the cheapest single counts (the first process may be cold)", [single(400), single(55), batch(18, 1080)], 20, 0, /batch of 18 60 ms\/case: the batch does not beat a single render, so one process per cell/],
    ["each copy dearer than a render alone: one process per cell", [single(100), single(100), batch(38, 6000)], 40, 0, /one process per cell/],
    ["a tie is no win", [single(50), single(50), batch(10, 500)], 12, 0, /does not beat/],
    ["too few cases to probe a batch", [single(50)], 1, 0, /too few cases/],
  ];
  it.each(table)("%s", (_, probes, total, size, reason) => {
    const plan = planFromProbes("helm3", total, probes);
    expect(plan.size).toBe(size);
    expect(plan.reason).toMatch(reason);
    expect(plan.reason).toMatch(/^single render \d+ ms\/case/);
    expect(plan.probes).toBe(probes);
  });

  it("refuses what run.ts never measures: no single render, or more than one batch", () => {
    expect(() => planFromProbes("helm3", 10, [batch(10, 100)])).toThrow(/single renders and at most one batch/);
    expect(() => planFromProbes("helm3", 40, [single(50), batch(8, 100), batch(32, 300)])).toThrow(/got 1 and 2/);
  });
});
