// Shrinking a failing fuzz file to the smallest values file that still fails the same way. Each
// candidate is checked for real (a single render, and the API server when it is the judge), so the
// minimal file is one that fails, not one a model predicts to fail.
//
// First the obvious candidates, smallest first: the empty file (only the keys the file must keep),
// which fails when the chart is broken whatever the values; then, for a file setting several
// top-level keys, each of them alone. fast-check cannot drop the one key of a one-key file, only
// shrink its value, so without this a chart broken for every file ends on an innocent key
// (`terminationGracePeriodSeconds: 0`) rather than on `{}`. Then, unless the empty file failed,
// fast-check: file i of a seed is its run i (corpus.ts), so it replays exactly that run (`path`) and
// shrinks it with its own shrinkers (keys drop out, strings shorten, numbers move towards zero). The
// smallest failing file of the two wins.
import fc from "fast-check";
import type { FuzzValues } from "./corpus.ts";

export interface Shrunk {
  values: FuzzValues;
  /** Smaller files accepted because they still failed: 1 for a first candidate, else fast-check's shrinks. */
  steps: number;
  /** false: the file did not fail again on replay (nothing was shrunk). */
  reproduced: boolean;
}

export interface ShrinkOptions {
  /** Top-level keys every candidate keeps (the ones the schema requires and the defaults lack). */
  keep?: string[];
}

/** How big a values file is: its leaves (scalars and empty containers), then its JSON length. */
export function valuesSize(values: unknown): [number, number] {
  const leaves = (v: unknown): number => {
    if (v === null || typeof v !== "object") return 1;
    const children = Object.values(v as object);
    return children.length ? children.reduce((n: number, c) => n + leaves(c), 0) : 1;
  };
  const top = values && typeof values === "object" ? Object.keys(values).length : 0;
  return [top === 0 ? 0 : leaves(values), JSON.stringify(values).length];
}

const smaller = (a: FuzzValues, b: FuzzValues): boolean => {
  const [x, y] = [valuesSize(a.values), valuesSize(b.values)];
  return x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]);
};

/** The candidates tried before fast-check, smallest first: the empty file, then each top-level key alone. */
export function firstCandidates(original: FuzzValues, keep: string[] = []): FuzzValues[] {
  const pick = (keys: string[]): FuzzValues => ({
    how: original.how,
    values: Object.fromEntries(Object.entries(original.values).filter(([k]) => keep.includes(k) || keys.includes(k))),
  });
  const own = Object.keys(original.values).filter((k) => !keep.includes(k));
  if (own.length === 0) return [];
  const singles = own.length > 1 ? own.map((k) => pick([k])) : [];
  return [pick([]), ...singles.sort((a, b) => (smaller(a, b) ? -1 : smaller(b, a) ? 1 : 0))];
}

export async function shrinkFailure(
  arb: fc.Arbitrary<FuzzValues>,
  seed: number,
  index: number,
  original: FuzzValues,
  stillFails: (v: FuzzValues) => Promise<boolean>,
  timeLimitMs: number,
  o: ShrinkOptions = {},
): Promise<Shrunk> {
  const started = performance.now();
  // Every candidate is checked once, however often it comes back (fast-check replays the original).
  const seen = new Map<string, boolean>();
  const fails = async (v: FuzzValues): Promise<boolean> => {
    const key = JSON.stringify(v.values);
    let r = seen.get(key);
    if (r === undefined) seen.set(key, (r = await stillFails(v)));
    return r;
  };
  if (!(await fails(original))) return { values: original, steps: 0, reproduced: false };

  const [empty, ...singles] = firstCandidates(original, o.keep);
  if (empty && (await fails(empty))) return { values: empty, steps: 1, reproduced: true };
  // Smallest first, so the first single key that fails is the smallest of them.
  let best: FuzzValues | undefined;
  for (const v of singles) {
    if (await fails(v)) {
      best = v;
      break;
    }
  }

  const left = Math.max(1, timeLimitMs - (performance.now() - started));
  const out = await fc.check(
    fc.asyncProperty(arb, async (v) => !(await fails(v))),
    { seed, path: String(index), numRuns: index + 1, interruptAfterTimeLimit: left, markInterruptAsFailure: false },
  );
  const byFastCheck = out.failed && out.counterexample ? out.counterexample[0] : undefined;
  if (best && (!byFastCheck || !smaller(byFastCheck, best))) return { values: best, steps: 1, reproduced: true };
  if (byFastCheck) return { values: byFastCheck, steps: out.numShrinks, reproduced: true };
  // fast-check ran out of time before replaying the file: it did fail above, so it is the answer.
  return { values: original, steps: 0, reproduced: true };
}
