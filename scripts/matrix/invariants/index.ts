// Which invariants run on a chart: the generic ones on any chart, this chart's own only on it
// (recognised by its Chart.yaml name, so a copy of it under test is still this chart).
import type { ChartMeta } from "../../lib/chart.ts";
import { genericInvariants, genericMatrixInvariants } from "./generic.ts";
import { PROFILER_CHART, profilerInvariants } from "./profiler.ts";
import type { Invariant, MatrixInvariant } from "./types.ts";

export type Scope = "generic" | "profiler";

export interface InvariantSet {
  /** Scopes that apply to the chart, for the report: "generic" always, "profiler" on this chart. */
  scopes: Scope[];
  cell: Invariant[];
  matrix: MatrixInvariant[];
}

export function invariantsFor(chart: ChartMeta): InvariantSet {
  const ours = chart.name === PROFILER_CHART;
  return {
    scopes: ours ? ["generic", "profiler"] : ["generic"],
    cell: ours ? [...genericInvariants, ...profilerInvariants] : genericInvariants,
    matrix: genericMatrixInvariants,
  };
}

/** Every cell invariant, this chart's included: what the tests prove to bite. */
export const allInvariants: Invariant[] = [...genericInvariants, ...profilerInvariants];

export type { CellContext, Invariant, MatrixInvariant, Violation } from "./types.ts";
export { expandEnv } from "./profiler.ts";
