// What an invariant is: a named rule with a reason, checked on one rendered cell (or across all
// cells), returning violations that name the object and field path. Scopes say where a rule applies.
import type { ChartMeta } from "../../lib/chart.ts";
import type { KubeObject } from "../../lib/manifests.ts";
import type { Doc } from "../batch.ts";
import type { Case } from "../cases.ts";

export interface Violation {
  /** "Kind/name" of the object at fault, when there is one. */
  object?: string;
  /** Field path inside that object, e.g. spec.template.spec.hostPID. */
  path?: string;
  message: string;
}

/** What one cell rendered, plus what the checks need to know about the case. */
export interface CellContext {
  case: Case;
  /**
   * The values the chart rendered with: its values.yaml with the case's values over them, as Helm
   * coalesces them (scripts/lib/values-schema.ts mergeOverDefaults), so no check restates a default.
   */
  values: Record<string, unknown>;
  docs: Doc[];
  objects: KubeObject[];
  chart: ChartMeta;
  release: string;
  namespace: string;
  kube: string;
}

export interface Invariant {
  name: string;
  reason: string;
  check(ctx: CellContext): Violation[];
}

/** A rule over all cells at once (e.g. something that must not change between cases). */
export interface MatrixInvariant {
  name: string;
  reason: string;
  check(cells: { key: string; ctx: CellContext }[]): Map<string, Violation[]>;
}

