// Orchestrates the matrix: cases x Helm binaries x Kubernetes versions. Renders (batched per
// (Helm, Kubernetes) pair, or one process per cell), validates every object against the API schema
// of the cell's Kubernetes version, applies the invariants, and returns one result per cell.
import { availableParallelism, tmpdir } from "node:os";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { helms as allHelms, type Helm } from "../lib/helm.ts";
import { chartDir as defaultChartDir } from "../lib/paths.ts";
import { isCustomResource, kubeVersions, validateManifest } from "../kubernetes/validate.ts";
import { readChartMeta, type ChartMeta } from "../lib/chart.ts";
import { writeWrapper, type Doc, type ParseCache, type Wrapper } from "./batch.ts";
import { planFromProbes, type BatchPlan, type Probe } from "./batch-plan.ts";
import { casesDir as defaultCasesDir, discoverCases, type Case } from "./cases.ts";
import { kubeDependence, mergeRerendered, type KubeDependence, type Reuse } from "./kube-dependence.ts";
import { invariantsFor, type CellContext, type Invariant, type Scope, type Violation } from "./invariants/index.ts";
import { kubeTarget, NAMESPACE, RELEASE, renderBatch, renderSingle, type KubeTarget, type RenderResult } from "./render.ts";
import { pool } from "../lib/pool.ts";

export type Mode = "batched" | "single";
/** A render's outcome and how long Helm took for it. */
type Timed = { ok: boolean; ms: number };

export interface MatrixOptions {
  chartDir?: string;
  casesDir?: string;
  /** Case name globs (any matches); empty = all. */
  cases?: string[];
  /** Helm majors to keep (3, 4); empty = all of helms(). */
  helm?: number[];
  /** Kubernetes minors to keep ("1.30"); empty = every version with schemas. */
  kube?: string[];
  mode?: Mode;
  /** Also render every cell singly and compare object by object with the batched result. */
  verifyBatching?: boolean;
  /**
   * After the first Kubernetes version, render only the templates that can see the version and reuse
   * the rest of each case's first render (kube-dependence.ts). Default true; batched mode only.
   */
  reuse?: boolean;
  /** Cases per batch (0: one process per cell); unset: measured per Helm on the chart (batch-plan.ts). */
  batchSize?: number;
  concurrency?: number;
  onProgress?: (done: number, total: number, cell: CellResult) => void;
}

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

/** What the checks see of one render of case `c` at `target`. */
export function context(c: Case, docs: Doc[], chart: ChartMeta, target: KubeTarget): CellContext {
  return { case: c, docs, objects: docs.flatMap((d) => (d.object ? [d.object] : [])), chart, release: RELEASE, namespace: NAMESPACE, kube: target.minor };
}

/** Object-by-object comparison of a batched and a single render of the same cell. */
export function compareRenders(batched: RenderResult, single: RenderResult): Failure[] {
  const rule = "batching-equivalence";
  if (!batched.ok || !single.ok) {
    if (batched.ok !== single.ok) return [{ rule, message: `batched render ${batched.ok ? "succeeded" : "failed"} but the single render ${single.ok ? "succeeded" : "failed"}` }];
    return [];
  }
  const id = (d: Doc): string => `${d.object?.apiVersion}/${d.object?.kind}/${d.object?.metadata?.namespace ?? ""}/${d.object?.metadata?.name}`;
  const out: Failure[] = [];
  const singles = new Map(single.docs.filter((d) => d.object).map((d) => [id(d), d]));
  const batcheds = new Map(batched.docs.filter((d) => d.object).map((d) => [id(d), d]));
  for (const [k, s] of singles) {
    const b = batcheds.get(k);
    const object = `${s.object!.kind}/${s.object!.metadata?.name}`;
    if (!b) out.push({ rule, object, message: "rendered singly but missing from the batch" });
    else if (b.source !== s.source) out.push({ rule, object, message: `comes from ${b.source} in the batch, ${s.source} singly` });
    else if (!isDeepStrictEqual(b.object, s.object)) out.push({ rule, object, path: firstDifference(b.object, s.object), message: "differs between the batched and the single render" });
  }
  for (const [k, b] of batcheds) if (!singles.has(k)) out.push({ rule, object: `${b.object!.kind}/${b.object!.metadata?.name}`, message: "in the batch but not rendered singly" });
  return out;
}

export function firstDifference(a: unknown, b: unknown, at = ""): string {
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const x = (a as Record<string, unknown>)[k];
      const y = (b as Record<string, unknown>)[k];
      if (!isDeepStrictEqual(x, y)) return firstDifference(x, y, Array.isArray(a) ? `${at}[${k}]` : at ? `${at}.${k}` : k);
    }
  }
  return at || "(root)";
}

export async function runMatrix(o: MatrixOptions = {}): Promise<MatrixResult> {
  const started = performance.now();
  const chartDir = o.chartDir ?? defaultChartDir;
  const mode = o.mode ?? "batched";
  const chart = readChartMeta(chartDir);
  const rules = invariantsFor(chart);
  const validations: ValidationCache = new Map();
  const parsed: ParseCache = new Map();
  const cases = discoverCases(o.casesDir ?? defaultCasesDir, o.cases ?? []);
  if (cases.length === 0) throw new Error(`no case matches ${(o.cases ?? []).join(", ")}`);
  const helmList = (await allHelms()).filter((h) => !o.helm?.length || o.helm.includes(h.major));
  if (helmList.length === 0) throw new Error(`no Helm ${o.helm?.join("/")} available (${(await allHelms()).map((h) => h.id).join(", ")})`);
  const known = kubeVersions();
  const wanted = o.kube?.length ? o.kube.map((k) => k.replace(/^v/, "").split(".").slice(0, 2).join(".")) : known;
  for (const k of wanted) if (!known.includes(k)) throw new Error(`no Kubernetes schemas for ${k}: available ${known.join(", ")}`);
  const targets = known.filter((k) => wanted.includes(k)).map(kubeTarget);

  // Twice the cores: a Helm process spends part of its short life starting up and writing output.
  const run = pool(o.concurrency ?? Math.max(2, 2 * availableParallelism()));
  const total = cases.length * helmList.length * targets.length;
  const cells: CellResult[] = [];
  const contexts = new Map<string, CellContext>();
  let processes = 0;

  const finish = (c: Case, helm: Helm, target: KubeTarget, r: RenderResult, rendering: CellResult["rendering"], extra: Failure[] = []): void => {
    const base = { case: c.name, helm: helm.id, helmVersion: helm.version, kube: target.minor, kubeVersion: target.version, rendering };
    let failures: Failure[];
    let objects = 0;
    let skipped: string[] = [];
    if (!r.ok) failures = [{ rule: "render", message: r.error }];
    else {
      const ctx = context(c, r.docs, chart, target);
      contexts.set(cellKey(base), ctx);
      objects = ctx.objects.length;
      failures = checkCell(ctx, rules.cell, validations);
      skipped = notValidated(ctx);
    }
    failures.push(...extra);
    const cell: CellResult = { ...base, ok: failures.length === 0, failures, objects, notValidated: skipped };
    cells.push(cell);
    o.onProgress?.(cells.length, total, cell);
  };

  const single = (helm: Helm, c: Case, t: KubeTarget): Promise<RenderResult> => {
    processes++;
    return renderSingle(helm, chartDir, c, t, parsed);
  };

  let workDir: string | undefined;
  const plans: BatchPlan[] = [];
  let reuse: KubeDependence = { reuse: false, reason: "one process per cell" };
  try {
    if (mode === "single") {
      await Promise.all(helmList.flatMap((h) => targets.flatMap((t) => cases.map((c) => run(async () => finish(c, h, t, await single(h, c, t), "single"))))));
    } else {
      const work = (workDir = mkdtempSync(join(tmpdir(), "matrix-")));
      reuse = targets.length < 2 ? { reuse: false, reason: "one Kubernetes version: nothing to reuse" } : o.reuse === false ? { reuse: false, reason: "off: every template rendered at every version" } : kubeDependence(chartDir, targets.map((t) => t.apiVersions));
      // One wrapper chart per set of cases (and templates left out), shared by every Helm and version.
      const wrappers = new Map<string, Wrapper>();
      const wrapperFor = (idx: number[], omit: string[] = []): Wrapper => {
        const key = `${idx.join(",")}|${omit.join(",")}`;
        let w = wrappers.get(key);
        if (!w) {
          const dir = join(work, `w${wrappers.size}`);
          mkdirSync(dir);
          w = writeWrapper(chartDir, idx.map((i) => cases[i]), dir, omit);
          wrappers.set(key, w);
        }
        return w;
      };
      const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, k) => from + k);
      /** `list` cut into runs of `size` (at least 1). */
      const chunks = (list: number[], size: number): number[][] => {
        const n = Math.max(1, size);
        return Array.from({ length: Math.ceil(list.length / n) }, (_, k) => list.slice(k * n, (k + 1) * n));
      };
      /** One batch over the cases `idx`: whether Helm rendered it whole, and how long Helm took. */
      const batch = async (h: Helm, t: KubeTarget, idx: number[], skipSchema: boolean): Promise<Timed> => {
        processes++;
        const started = performance.now();
        const r = await renderBatch(h, wrapperFor(idx), t, skipSchema, parsed);
        const ms = performance.now() - started; // Helm alone: not the fallbacks or verification below
        const byCase = r.ok ? r.byCase : new Map<string, Doc[]>();
        // A failing batch, or a case missing from it, is rendered on its own: that names the case
        // and gives exactly the error a single render gives.
        for (const c of idx.map((i) => cases[i])) {
          const docs = byCase.get(c.name);
          let result: RenderResult = docs ? { ok: true, docs } : await single(h, c, t);
          const rendering = docs ? "batch" : "single";
          let extra: Failure[] = [];
          if (o.verifyBatching) {
            const reference = rendering === "single" ? result : await single(h, c, t);
            extra = compareRenders(result, reference);
            if (!docs && reference.ok && r.ok) extra.push({ rule: "batching-equivalence", message: "the batch rendered nothing for this case" });
          }
          if (docs === undefined && r.ok && result.ok) result = { ok: false, error: "the batch rendered nothing for this case, although it rendered on its own" };
          finish(c, h, t, result, rendering, extra);
        }
        return { ok: r.ok, ms };
      };
      /**
       * Cases (by index) at a later version `t`, in one batch of a wrapper holding only the templates
       * that can see the Kubernetes version; each case's other documents come from its render at the
       * first version (kube-dependence.ts). Only for cases whose first-version render succeeded.
       */
      const reducedBatch = async (h: Helm, t: KubeTarget, idx: number[], skipSchema: boolean, reuse: Reuse): Promise<Timed> => {
        processes++;
        const started = performance.now();
        const r = await renderBatch(h, wrapperFor(idx, reuse.reused), t, skipSchema, parsed);
        const ms = performance.now() - started;
        for (const i of idx) {
          const c = cases[i];
          const firstDocs = contexts.get(cellKey({ case: c.name, helm: h.id, kube: targets[0].minor }))!.docs;
          // A failed batch (a version the chart refuses, say): each case alone gives Helm's own error.
          const result: RenderResult = r.ok ? { ok: true, docs: mergeRerendered(firstDocs, r.byCase.get(c.name) ?? [], chart.name, reuse.rerender) } : await single(h, c, t);
          const extra = o.verifyBatching && r.ok ? compareRenders(result, await single(h, c, t)) : [];
          finish(c, h, t, result, r.ok ? "reused" : "single", extra);
        }
        return { ok: r.ok, ms };
      };
      const alone = async (h: Helm, t: KubeTarget, i: number): Promise<Timed> => {
        const started = performance.now();
        const r = await single(h, cases[i], t);
        const ms = performance.now() - started;
        finish(cases[i], h, t, r, "single"); // a single render is its own reference
        return { ok: r.ok, ms };
      };
      /** The cases `idx` at `t` in batches of `size` (0: one process per cell), concurrently. */
      const renderCases = async (h: Helm, t: KubeTarget, idx: number[], size: number, skipSchema: boolean): Promise<boolean> => {
        const tasks = chunks(idx, size).map((part) => run(() => (size === 0 ? alone(h, t, part[0]) : batch(h, t, part, skipSchema))));
        return (await Promise.all(tasks)).every((x) => x.ok);
      };
      await Promise.all(
        helmList.map(async (h) => {
          // The first Kubernetes version of each Helm validates every case's values against
          // values.schema.json; later batches skip that (it does not depend on the Kubernetes
          // version) only if every render there passed.
          const first = targets[0];
          let validated = true;
          let next = 0;
          let plan: BatchPlan;
          if (o.batchSize !== undefined) {
            plan = { helm: h.id, size: o.batchSize, reason: `fixed: ${o.batchSize === 0 ? "one process per cell" : `batches of ${o.batchSize}`}`, probes: [] };
          } else {
            // Probe with renders the matrix needs anyway, one at a time so their timings are clean.
            const probes: Probe[] = [];
            for (const _ of cases.length >= 12 ? [0, 1] : [0]) {
              const i = next++;
              const r = await run(() => alone(h, first, i));
              probes.push({ cases: 1, batch: false, ms: r.ms });
              validated &&= r.ok;
            }
            // The rest of the first version in one batch: where batching pays at all, one batch of
            // everything pays most, and measuring it costs no extra process. If it does not beat the
            // single renders, the rest of the matrix is rendered one process per cell.
            if (cases.length - next >= 2) {
              const from = next;
              next = cases.length;
              const r = await run(() => batch(h, first, range(from, next), false));
              probes.push({ cases: next - from, batch: true, ms: r.ms });
              validated &&= r.ok;
            }
            plan = planFromProbes(h.id, cases.length, probes);
          }
          plans.push(plan);
          validated = (await renderCases(h, first, range(next, cases.length), plan.size, false)) && validated;
          const dependence = reuse;
          if (dependence.reuse) {
            // Later versions render only what can see the version, in batches (of one where batching
            // loses); cases that failed at the first version have nothing to reuse and are rendered
            // whole, batched the same way.
            const ok = range(0, cases.length).filter((i) => contexts.has(cellKey({ case: cases[i].name, helm: h.id, kube: first.minor })));
            const failed = range(0, cases.length).filter((i) => !ok.includes(i));
            await Promise.all(
              targets.slice(1).flatMap((t) => [
                ...chunks(ok, plan.size).map((idx) => run(() => reducedBatch(h, t, idx, validated, dependence))),
                renderCases(h, t, failed, plan.size, validated),
              ]),
            );
          } else await Promise.all(targets.slice(1).map((t) => renderCases(h, t, range(0, cases.length), plan.size, validated)));
        }),
      );
    }
  } finally {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  }

  // Rules across cells.
  const entries = [...contexts].map(([key, ctx]) => ({ key, ctx }));
  for (const inv of rules.matrix) {
    for (const [key, vs] of inv.check(entries)) {
      const cell = cells.find((c) => cellKey(c) === key)!;
      cell.failures.push(...vs.map((x) => ({ rule: inv.name, ...x })));
      cell.ok = false;
    }
  }

  const order = (c: CellResult): string => `${c.case}|${c.helm}|${targets.findIndex((t) => t.minor === c.kube).toString().padStart(3, "0")}`;
  cells.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  return {
    chart,
    mode,
    verifyBatching: o.verifyBatching ?? false,
    cases: cases.map((c) => ({ name: c.name, description: c.description })),
    helms: helmList.map((h) => ({ id: h.id, version: h.version })),
    kubes: targets.map((t) => ({ minor: t.minor, version: t.version })),
    cells,
    processes,
    invariants: { scopes: rules.scopes, names: [...rules.cell, ...rules.matrix].map((i) => i.name) },
    batching: plans.sort((a, b) => (a.helm < b.helm ? -1 : 1)),
    reuse,
    wallMs: performance.now() - started,
    ok: cells.every((c) => c.ok),
  };
}
