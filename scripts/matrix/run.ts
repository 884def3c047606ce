// The matrix: cases x Helm binaries x Kubernetes versions, as a pipeline of named stages:
//   plan (plan.ts)            which chart, cases, Helms and versions;
//   render (render-cells.ts)  every cell, batched where that pays, reused across versions where safe,
//                             verified against single renders on request (verify-batching.ts);
//   check (check.ts)          each rendered cell against the Kubernetes schemas and the invariants;
//   matrix rules              the invariants that compare cells with each other;
//   report                    the cells in a fixed order, and the run's figures.
// Each stage hands its output to the next; no stage changes what an earlier one produced.
import { type Helm } from "../lib/helm.ts";
import { checkCell, context, defaultsOf, notValidated, type ValidationCache } from "./check.ts";
import type { CellContext } from "./invariants/index.ts";
import { planMatrix, type MatrixPlan, type PlanOptions } from "./plan.ts";
import { renderCells, type RenderedCell, type RenderOptions } from "./render-cells.ts";
import { cellKey, type CellResult, type Failure, type MatrixResult } from "./results.ts";

export { cellKey, formatFailure, type CellResult, type Failure, type MatrixResult, type Mode } from "./results.ts";

export interface MatrixOptions extends PlanOptions, RenderOptions {
  /** Also render every cell singly and compare object by object with the batched result. */
  verifyBatching?: boolean;
  /** Called as each cell is checked (before the rules across cells, which only the result holds). */
  onProgress?: (done: number, total: number, cell: CellResult) => void;
}

/** A cell as the check stage leaves it: its result, and the context the rules across cells read. */
interface CheckedCell {
  result: CellResult;
  ctx?: CellContext;
}

function checkRendered(plan: MatrixPlan, r: RenderedCell, validations: ValidationCache): CheckedCell {
  const helm: Helm = r.helm;
  const base = { case: r.case.name, helm: helm.id, helmVersion: helm.version, kube: r.target.minor, kubeVersion: r.target.version, rendering: r.rendering };
  if (!r.result.ok) {
    const failures: Failure[] = [{ rule: "render", message: r.result.error }, ...r.extra];
    return { result: { ...base, ok: false, failures, objects: 0, notValidated: [] } };
  }
  const ctx = context(r.case, r.result.docs, plan.chart, r.target, defaultsOf(plan.chartDir));
  const failures = [...checkCell(ctx, plan.rules.cell, validations), ...r.extra];
  return { result: { ...base, ok: failures.length === 0, failures, objects: ctx.objects.length, notValidated: notValidated(ctx) }, ctx };
}

/** The rules across cells, as extra failures by cell key. */
function matrixRuleFailures(plan: MatrixPlan, checked: CheckedCell[]): Map<string, Failure[]> {
  const entries = checked.flatMap((c) => (c.ctx ? [{ key: cellKey(c.result), ctx: c.ctx }] : []));
  const out = new Map<string, Failure[]>();
  for (const inv of plan.rules.matrix) {
    for (const [key, vs] of inv.check(entries)) out.set(key, [...(out.get(key) ?? []), ...vs.map((x) => ({ rule: inv.name, ...x }))]);
  }
  return out;
}

function report(plan: MatrixPlan, o: MatrixOptions, cells: CellResult[], rendered: Awaited<ReturnType<typeof renderCells>>, started: number): MatrixResult {
  const order = (c: CellResult): string => `${c.case}|${c.helm}|${plan.targets.findIndex((t) => t.minor === c.kube).toString().padStart(3, "0")}`;
  const sorted = [...cells].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  return {
    chart: plan.chart,
    mode: plan.mode,
    verifyBatching: o.verifyBatching ?? false,
    cases: plan.cases.map((c) => ({ name: c.name, description: c.description })),
    helms: plan.helms.map((h) => ({ id: h.id, version: h.version })),
    kubes: plan.targets.map((t) => ({ minor: t.minor, version: t.version })),
    cells: sorted,
    processes: rendered.processes,
    invariants: { scopes: plan.rules.scopes, names: [...plan.rules.cell, ...plan.rules.matrix].map((i) => i.name) },
    batching: rendered.plans,
    reuse: rendered.reuse,
    wallMs: performance.now() - started,
    ok: sorted.every((c) => c.ok),
  };
}

export async function runMatrix(o: MatrixOptions = {}): Promise<MatrixResult> {
  const started = performance.now();
  const plan = await planMatrix(o);
  const validations: ValidationCache = new Map();
  const checked: CheckedCell[] = [];
  const rendered = await renderCells(plan, o, (r) => {
    const c = checkRendered(plan, r, validations);
    checked.push(c);
    o.onProgress?.(checked.length, plan.total, c.result);
  });
  const extra = matrixRuleFailures(plan, checked);
  const cells = checked.map(({ result }) => {
    const more = extra.get(cellKey(result));
    return more ? { ...result, ok: false, failures: [...result.failures, ...more] } : result;
  });
  return report(plan, o, cells, rendered, started);
}
