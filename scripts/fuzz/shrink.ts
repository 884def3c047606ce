// Shrinking a failing fuzz file to the smallest values file that still fails the same way. File i
// of a seed is fast-check's run i (corpus.ts), so fast-check replays exactly that run (`path`) and
// shrinks it with its own shrinkers: keys drop out, strings shorten, numbers move towards zero.
// Each step is checked for real (a single render, and the API server when it is the judge), so the
// minimal file is one that fails, not one a model predicts to fail.
import fc from "fast-check";
import type { FuzzValues } from "./corpus.ts";

export interface Shrunk {
  values: FuzzValues;
  /** Candidates fast-check kept because they still failed. */
  steps: number;
  /** false: the file did not fail again on replay (nothing was shrunk). */
  reproduced: boolean;
}

export async function shrinkFailure(
  arb: fc.Arbitrary<FuzzValues>,
  seed: number,
  index: number,
  original: FuzzValues,
  stillFails: (v: FuzzValues) => Promise<boolean>,
  timeLimitMs: number,
): Promise<Shrunk> {
  // Every candidate fast-check tries is checked once, however often it comes back.
  const seen = new Map<string, boolean>();
  const fails = async (v: FuzzValues): Promise<boolean> => {
    const key = JSON.stringify(v.values);
    let r = seen.get(key);
    if (r === undefined) seen.set(key, (r = await stillFails(v)));
    return r;
  };
  const out = await fc.check(
    fc.asyncProperty(arb, async (v) => !(await fails(v))),
    { seed, path: String(index), numRuns: index + 1, interruptAfterTimeLimit: timeLimitMs, markInterruptAsFailure: false },
  );
  if (!out.failed || !out.counterexample) return { values: original, steps: 0, reproduced: false };
  return { values: out.counterexample[0], steps: out.numShrinks, reproduced: true };
}
