// The check stage: what the checks see of one rendered cell (its context), validated against the
// Kubernetes schemas of the cell's version and judged by the chart's invariants.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { isCustomResource, validateManifest } from "../kubernetes/validate.ts";
import { mergeOverDefaults } from "../lib/values-schema.ts";
import type { ChartMeta } from "../lib/chart.ts";
import type { Doc } from "./batch.ts";
import type { Case } from "./cases.ts";
import { invariantsFor, type CellContext, type Invariant, type Violation } from "./invariants/index.ts";
import { NAMESPACE, RELEASE, type KubeTarget } from "./render.ts";
import type { Failure } from "./results.ts";

/**
 * validateManifest results of one run, by Kubernetes version and object text: most objects of a chart
 * render the same in many cases (a ServiceAccount, a ClusterRole), so each is validated once per version.
 */
export type ValidationCache = Map<string, ReturnType<typeof validateManifest>>;

/** Schema validation and the chart's invariants (see invariants/index.ts) of one rendered cell. */
export function checkCell(ctx: CellContext, invariants: Invariant[] = invariantsFor(ctx.chart).cell, cache: ValidationCache = new Map()): Failure[] {
  const failures: Failure[] = [];
  for (const d of ctx.docs) {
    if (!d.object || isCustomResource(ctx.kube, d.object)) continue; // listed by notValidated()
    const key = `${ctx.kube}\n${d.content}`;
    let errors = cache.get(key);
    if (!errors) cache.set(key, (errors = validateManifest(ctx.kube, d.object)));
    for (const e of errors) {
      failures.push({ rule: "kubernetes-schema", object: `${e.kind || "?"}/${e.name || "?"}`, path: e.path || undefined, message: e.message });
    }
  }
  for (const inv of invariants) {
    let vs: Violation[];
    try {
      vs = inv.check(ctx);
    } catch (e) {
      vs = [{ message: `the check threw: ${(e as Error).message}` }];
    }
    for (const x of vs) failures.push({ rule: inv.name, ...x });
  }
  return failures;
}

/** Custom resources of a cell ("Kind/name (apiVersion)"): no built-in schema covers them. */
export function notValidated(ctx: CellContext): string[] {
  return ctx.objects.filter((o) => isCustomResource(ctx.kube, o)).map((o) => `${o.kind}/${o.metadata?.name} (${o.apiVersion})`);
}

/** A chart's values.yaml, read once per chart folder. */
const chartDefaults = new Map<string, Record<string, unknown>>();
export function defaultsOf(chartDir: string): Record<string, unknown> {
  let d = chartDefaults.get(chartDir);
  if (!d) {
    const file = join(chartDir, "values.yaml");
    chartDefaults.set(chartDir, (d = existsSync(file) ? ((load(readFileSync(file, "utf8")) ?? {}) as Record<string, unknown>) : {}));
  }
  return d;
}

/** What the checks see of one render of case `c` at `target`, with the chart's defaults (`defaults`, its values.yaml) under the case's values. */
export function context(c: Case, docs: Doc[], chart: ChartMeta, target: KubeTarget, defaults: Record<string, unknown>): CellContext {
  const values = mergeOverDefaults(defaults, c.values) as Record<string, unknown>;
  return { case: c, values, docs, objects: docs.flatMap((d) => (d.object ? [d.object] : [])), chart, release: RELEASE, namespace: NAMESPACE, kube: target.minor };
}
