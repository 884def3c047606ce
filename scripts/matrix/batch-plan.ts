// Whether the matrix batches, decided per Helm on the chart at hand rather than assumed.
//
// A batch only pays when one process over k aliased copies of the chart costs less than k processes;
// how much less depends on the chart (start-up dominates a small chart; a chart whose work grows
// with the templates around it, such as heavy `tpl` use, or that drags files along, can make each copy
// dearer than a single render). So the runner measures, once per run and per Helm, on the first
// Kubernetes version, with renders it needs anyway: two single renders, then the rest of that version
// in one batch (run.ts). Where batching pays at all, one batch of everything pays most: it has one
// process start-up and one values-schema pass per case. This module turns those timings into a plan.

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

const perCase = (p: Probe): number => p.ms / p.cases;
const fmt = (ms: number): string => (ms >= 10 ? ms.toFixed(0) : ms.toFixed(1));

/**
 * The plan from the probes of one Helm: single renders and at most one batch. `total` is the number
 * of cases. The cheapest single render is the reference (the first process of a run may pay for a
 * cold cache).
 */
export function planFromProbes(helm: string, total: number, probes: Probe[]): BatchPlan {
  const singles = probes.filter((p) => !p.batch);
  const batches = probes.filter((p) => p.batch);
  if (singles.length === 0 || batches.length > 1) throw new Error(`planFromProbes takes single renders and at most one batch, got ${singles.length} and ${batches.length}`);
  const single = Math.min(...singles.map((p) => p.ms));
  const [batch] = batches;
  const said = `single render ${fmt(single)} ms/case${batch ? `, batch of ${batch.cases} ${fmt(perCase(batch))} ms/case` : ""}`;
  if (!batch) return { helm, size: 0, reason: `${said}: too few cases to batch, one process per cell`, probes };
  if (perCase(batch) >= single) return { helm, size: 0, reason: `${said}: the batch does not beat a single render, so one process per cell`, probes };
  return { helm, size: total, reason: `${said}: all ${total} cases in one batch (${fmt(single / perCase(batch))}x cheaper per case than single)`, probes };
}
