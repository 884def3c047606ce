// What the matrix produces: one result per cell (case x Helm x Kubernetes version), its failures, and
// the run as a whole; and the one line every failure is reported as.
import type { ChartMeta } from "../lib/chart.ts";
import type { BatchPlan } from "./batch-plan.ts";
import type { Scope } from "./invariants/index.ts";
import type { KubeDependence } from "./kube-dependence.ts";

export type Mode = "batched" | "single";

export interface Failure {
  /** The invariant name, or "kubernetes-schema", "render", "batching-equivalence". */
  rule: string;
  object?: string;
  path?: string;
  message: string;
}

export interface CellResult {
  case: string;
  helm: string;
  helmVersion: string;
  kube: string;
  kubeVersion: string;
  ok: boolean;
  failures: Failure[];
  objects: number;
  /** Custom resources rendered but not validated (no built-in schema covers their kind). */
  notValidated: string[];
  /**
   * How this cell's manifests were obtained: from a batch, from its own process, or "reused": the
   * templates that can see the Kubernetes version from a batch, the others from the first version.
   */
  rendering: "batch" | "single" | "reused";
}

export interface MatrixResult {
  chart: ChartMeta;
  mode: Mode;
  verifyBatching: boolean;
  cases: { name: string; description: string }[];
  helms: { id: string; version: string }[];
  kubes: { minor: string; version: string }[];
  cells: CellResult[];
  /** Helm processes started. */
  processes: number;
  /** Which invariants ran: generic ones on any chart, this chart's own ("profiler") only on it. */
  invariants: { scopes: Scope[]; names: string[] };
  /** Batched mode: per Helm, the batch size used and why. */
  batching: BatchPlan[];
  /** Batched mode: what later Kubernetes versions rendered again and what they reused, and why. */
  reuse: KubeDependence;
  wallMs: number;
  ok: boolean;
}

export const cellKey = (c: { case: string; helm: string; kube: string }): string => `${c.case}|${c.helm}|${c.kube}`;

/** The one line every failure is reported as: case, cell, rule, object, path, message. */
export function formatFailure(cell: Pick<CellResult, "case" | "helm" | "kube">, f: Failure): string {
  const where = [f.object, f.path].filter(Boolean).join(" ");
  return `${cell.case} [${cell.helm}, Kubernetes ${cell.kube}] ${f.rule}: ${where ? `${where}: ` : ""}${f.message}`;
}
