// How big the matrix's batches are, decided per Helm on the chart at hand rather than assumed.
//
// A batch only pays when one process over k aliased copies of the chart costs less than k processes;
// how much less depends on the chart (start-up dominates a small chart; a chart whose work grows
// with the templates around it, or that drags files along, can make each copy dearer than a single
// render). So the runner measures, once per run and per Helm, on the first Kubernetes version, with
// renders it needs anyway: two single renders, then the rest of that version in one batch (run.ts).
// This module turns those timings into a plan, and also judges ladders of batch sizes (8, 32, ...):
// timings on a shared machine are noisy, so a larger batch is kept unless a smaller one is clearly
// (NOISE) cheaper per case, and batching must beat the cheapest single render.

/** What one probe render cost. */
export interface Probe {
  /** Cases in the render: 1 for a single render (its own process, no wrapper). */
  cases: number;
  batch: boolean;
  ms: number;
}

export interface BatchPlan {
  helm: string;
  /** Cases per batch from here on; 0 = one process per cell (batching would lose). */
  size: number;
  /** The timings behind the choice and the choice, in one line for people and CI logs. */
  reason: string;
  probes: Probe[];
}

/** How much cheaper per case a size must be to count as cheaper: below this, it is noise. */
export const NOISE = 1.25;

const perCase = (p: Probe): number => p.ms / p.cases;
const fmt = (ms: number): string => (ms >= 10 ? ms.toFixed(0) : ms.toFixed(1));

/** After a probe batch: keep growing unless the last batch cost clearly more per case than the one before. */
export function keepProbing(batches: Probe[]): boolean {
  if (batches.length < 2) return true;
  return perCase(batches[batches.length - 1]) < NOISE * perCase(batches[batches.length - 2]);
}

/**
 * The plan from the probes of one Helm. `total` is the number of cases. Singles: the cheapest single
 * render is the reference (the first process of a run may pay for a cold cache).
 */
export function planFromProbes(helm: string, total: number, probes: Probe[]): BatchPlan {
  const singles = probes.filter((p) => !p.batch);
  const batches = probes.filter((p) => p.batch).sort((a, b) => a.cases - b.cases);
  const single = Math.min(...singles.map((p) => p.ms));
  const said = [`single render ${fmt(single)} ms/case`, ...batches.map((b) => `batch of ${b.cases} ${fmt(perCase(b))} ms/case`)].join(", ");
  if (batches.length === 0) return { helm, size: 0, reason: `${said}: too few cases to batch, one process per cell`, probes };
  const cheapest = Math.min(...batches.map(perCase));
  if (cheapest >= single) return { helm, size: 0, reason: `${said}: no batch beats a single render, so one process per cell`, probes };
  // The largest size within noise of the cheapest: fewer processes, and timings this close are noise.
  const best = [...batches].reverse().find((b) => perCase(b) <= NOISE * cheapest && perCase(b) < single)!;
  // Not clearly dearer at the largest size tried: nothing says a larger batch would lose.
  const last = batches[batches.length - 1];
  if (best === last && keepProbing(batches)) {
    return { helm, size: total, reason: `${said}: still cheaper per case at the largest batch, so all ${total} cases in one batch (${fmt(single / perCase(best))}x cheaper per case than single)`, probes };
  }
  return { helm, size: best.cases, reason: `${said}: batches of ${best.cases} are cheapest (${fmt(single / perCase(best))}x cheaper per case than single)`, probes };
}
