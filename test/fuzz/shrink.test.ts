// The shrinker's order, with a fake judge instead of Helm: the original is replayed, then the empty
// file, then each top-level key alone (smallest first), then fast-check; the smallest file that
// still fails wins. A chart broken whatever the values must end on `{}`, not on an innocent key.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { corpus, type FuzzValues } from "../../scripts/fuzz/corpus.ts";
import { shrinkFailure, valuesSize } from "../../scripts/fuzz/shrink.ts";

const SEED = 42;
const asFile = (how: string) => (values: Record<string, unknown>): FuzzValues => ({ how, values });

/** A fake judge that records every file it is asked about. */
function judge(failing: (v: Record<string, unknown>) => boolean) {
  const calls: Record<string, unknown>[] = [];
  return { calls, stillFails: async (v: FuzzValues) => (calls.push(v.values), failing(v.values)) };
}

// Like the corpus's one-key files: fast-check can shrink the value, never drop the key.
const oneKey = fc.record({ terminationGracePeriodSeconds: fc.integer({ min: 0, max: 10_000 }) }).map(asFile("key terminationGracePeriodSeconds"));
// Like the corpus's several-key files: each top-level key may be absent.
const severalKeys = fc
  .record({ a: fc.integer(), b: fc.string({ minLength: 1 }), c: fc.array(fc.integer(), { minLength: 1 }), r: fc.constant("needed") }, { requiredKeys: ["r"] })
  .map(asFile("keys"));
const firstWith = (arb: fc.Arbitrary<FuzzValues>, ok: (v: Record<string, unknown>) => boolean): number => {
  const i = corpus(arb, SEED, 200).findIndex((f) => ok(f.values));
  expect(i, "a corpus file of the wanted shape").toBeGreaterThanOrEqual(0);
  return i;
};

describe("shrinking a failing fuzz file", () => {
  it("ends on {} when every file fails, not on the one key fast-check can only shrink to 0", async () => {
    const i = firstWith(oneKey, (v) => (v.terminationGracePeriodSeconds as number) > 0);
    const original = corpus(oneKey, SEED, i + 1)[i];
    const j = judge(() => true);
    const s = await shrinkFailure(oneKey, SEED, i, original, j.stillFails, 10_000);
    expect(s).toEqual({ values: { how: original.how, values: {} }, steps: 1, reproduced: true });
    expect(j.calls).toEqual([original.values, {}]);
  });

  it("tries {} first, then each top-level key alone, smallest first, and keeps the required keys", async () => {
    const i = firstWith(severalKeys, (v) => Object.keys(v).length === 4 && (v.c as number[]).length > 1);
    const original = corpus(severalKeys, SEED, i + 1)[i];
    // Fails whenever c is set: the single-key candidates are tried until {c} alone, then fast-check shrinks c.
    const j = judge((v) => Array.isArray(v.c));
    const s = await shrinkFailure(severalKeys, SEED, i, original, j.stillFails, 10_000, { keep: ["r"] });
    expect(j.calls[0]).toEqual(original.values);
    expect(j.calls[1]).toEqual({ r: "needed" });
    // c (a list of several numbers) is the largest key, so a and b alone come before it.
    const singles = j.calls.slice(2, 5);
    expect(singles.map((v) => Object.keys(v).filter((k) => k !== "r")).sort()).toEqual([["a"], ["b"], ["c"]]);
    for (const v of singles) expect(v.r).toBe("needed");
    const sizes = singles.map((v) => valuesSize(v));
    expect(sizes, "smallest first").toEqual([...sizes].sort((x, y) => x[0] - y[0] || x[1] - y[1]));
    expect(singles[2]).toEqual({ r: "needed", c: original.values.c });
    // fast-check went on from the file and shrank c to one number, smaller than {c} alone.
    expect(s.reproduced).toBe(true);
    expect(Object.keys(s.values.values).sort()).toEqual(["c", "r"]);
    expect(s.values.values.c).toHaveLength(1);
  });

  it("keeps a single key when it is smaller than what fast-check ends on", async () => {
    const i = firstWith(severalKeys, (v) => Object.keys(v).length === 4);
    const original = corpus(severalKeys, SEED, i + 1)[i];
    // Fails for b alone, or whenever a is set: fast-check can only drop keys it finds unneeded, so
    // the file's b alone must be at least as small as its answer.
    const j = judge((v) => "b" in v && (Object.keys(v).length === 2 || "a" in v));
    const s = await shrinkFailure(severalKeys, SEED, i, original, j.stillFails, 10_000, { keep: ["r"] });
    expect(Object.keys(s.values.values).sort()).toEqual(["b", "r"]);
    expect(j.calls).toContainEqual({ r: "needed", b: original.values.b });
  });

  it("several keys needed together: no first candidate fails, fast-check's answer keeps them", async () => {
    const i = firstWith(severalKeys, (v) => Object.keys(v).length === 4);
    const original = corpus(severalKeys, SEED, i + 1)[i];
    const j = judge((v) => "a" in v && "b" in v);
    const s = await shrinkFailure(severalKeys, SEED, i, original, j.stillFails, 10_000, { keep: ["r"] });
    expect(Object.keys(s.values.values).sort()).toEqual(["a", "b", "r"]);
    expect(s.values.values).toEqual({ r: "needed", a: 0, b: expect.any(String) });
    expect(s.steps).toBeGreaterThan(0);
  });

  it("a file that does not fail again is not shrunk: one check, nothing else", async () => {
    const original = corpus(severalKeys, SEED, 1)[0];
    const j = judge(() => false);
    const s = await shrinkFailure(severalKeys, SEED, 0, original, j.stillFails, 10_000);
    expect(s).toEqual({ values: original, steps: 0, reproduced: false });
    expect(j.calls).toHaveLength(1);
  });
});
