// The batch size decision, fed timings: batches only when they beat a single render, the largest
// size within noise of the cheapest, all cases in one batch while larger still pays.
import { describe, expect, it } from "vitest";
import { keepProbing, planFromProbes, type Probe } from "../../scripts/matrix/batch-plan.ts";

const single = (ms: number): Probe => ({ cases: 1, batch: false, ms });
const batch = (cases: number, ms: number): Probe => ({ cases, batch: true, ms });

describe("planFromProbes", () => {
  /** [what, probes, total cases, size chosen, the reason says] */
  const table: [string, Probe[], number, number, RegExp][] = [
    ["a small chart: start-up dominates, larger keeps paying", [single(60), single(55), batch(8, 130), batch(32, 300)], 53, 53, /all 53 cases in one batch/],
    ["the cheapest single counts (the first process may be cold)", [single(400), single(55), batch(8, 480)], 20, 0, /no batch beats a single render/],
    ["each copy dearer than a render alone: one process per cell", [single(100), batch(8, 1200), batch(32, 6000)], 40, 0, /one process per cell/],
    ["cheaper up to a size, then dearer: that size", [single(100), batch(8, 400), batch(32, 3200)], 100, 8, /batches of 8 are cheapest/],
    ["within noise of the cheapest at the largest size: all in one batch", [single(100), batch(8, 400), batch(32, 1800)], 100, 100, /all 100 cases in one batch/],
    ["within noise of the cheapest below the largest: that size", [single(100), batch(4, 240), batch(16, 700), batch(64, 6400)], 100, 16, /batches of 16 are cheapest/],
    ["too few cases to probe a batch", [single(50)], 1, 0, /too few cases/],
  ];
  it.each(table)("%s", (_, probes, total, size, reason) => {
    const plan = planFromProbes("helm3", total, probes);
    expect(plan.size).toBe(size);
    expect(plan.reason).toMatch(reason);
    expect(plan.reason).toMatch(/^single render \d+ ms\/case/);
  });

  it("stops growing once a size is clearly dearer per case, not on noise", () => {
    expect(keepProbing([batch(8, 400)])).toBe(true);
    expect(keepProbing([batch(8, 400), batch(32, 1700)])).toBe(true); // 53 vs 50 ms/case: noise
    expect(keepProbing([batch(8, 400), batch(32, 2400)])).toBe(false); // 75 vs 50 ms/case
  });
});
