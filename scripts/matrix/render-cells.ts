// The render stage: every cell of a plan rendered, batched per (Helm, Kubernetes version) where that
// pays (batch-plan.ts measures it), later versions rendering only what can see the version
// (kube-dependence.ts), and each cell handed on as soon as it is rendered. With verifyBatching every
// batched or reused cell is also rendered on its own and compared (verify-batching.ts).
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import type { Helm } from "../lib/helm.ts";
import { pool } from "../lib/pool.ts";
import { writeWrapper, type Doc, type ParseCache, type Wrapper } from "./batch.ts";
import { planFromProbes, type BatchPlan, type Probe } from "./batch-plan.ts";
import type { Case } from "./cases.ts";
import { kubeDependence, mergeRerendered, type KubeDependence, type Reuse } from "./kube-dependence.ts";
import type { MatrixPlan } from "./plan.ts";
import { renderBatch, renderSingle, type KubeTarget, type RenderResult } from "./render.ts";
import { cellKey, type CellResult, type Failure } from "./results.ts";
import { compareRenders } from "./verify-batching.ts";

export interface RenderOptions {
  verifyBatching?: boolean;
  /** Reuse what cannot see the Kubernetes version from the first version (default true). */
  reuse?: boolean;
  /** Cases per batch (0: one process per cell); unset: measured per Helm. */
  batchSize?: number;
  concurrency?: number;
}

/** One rendered cell, before any check: its render, how it was obtained, and verification failures. */
export interface RenderedCell {
  case: Case;
  helm: Helm;
  target: KubeTarget;
  result: RenderResult;
  rendering: CellResult["rendering"];
  /** batching-equivalence failures (verifyBatching), or a batch that rendered nothing for the case. */
  extra: Failure[];
}

/** A render's outcome and how long Helm took for it. */
type Timed = { ok: boolean; ms: number };

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, k) => from + k);
/** `list` cut into runs of `size` (at least 1). */
const chunks = (list: number[], size: number): number[][] => {
  const n = Math.max(1, size);
  return Array.from({ length: Math.ceil(list.length / n) }, (_, k) => list.slice(k * n, (k + 1) * n));
};

class CellRenderer {
  processes = 0;
  readonly plans: BatchPlan[] = [];
  reuse: KubeDependence = { reuse: false, reason: "one process per cell" };
  // Twice the cores: a Helm process spends part of its short life starting up and writing output.
  private readonly run: ReturnType<typeof pool>;
  private readonly parsed: ParseCache = new Map();
  private readonly wrappers = new Map<string, Wrapper>();
  /** Each successful first-version render, by cell: what later versions reuse. */
  private readonly firstDocs = new Map<string, Doc[]>();

  private readonly plan: MatrixPlan;
  private readonly o: RenderOptions;
  private readonly emit: (cell: RenderedCell) => void;
  private readonly workDir: string;

  constructor(plan: MatrixPlan, o: RenderOptions, emit: (cell: RenderedCell) => void, workDir: string) {
    this.plan = plan;
    this.o = o;
    this.emit = emit;
    this.workDir = workDir;
    this.run = pool(o.concurrency ?? Math.max(2, 2 * availableParallelism()));
  }

  private done(c: Case, helm: Helm, target: KubeTarget, result: RenderResult, rendering: CellResult["rendering"], extra: Failure[] = []): void {
    if (result.ok && target === this.plan.targets[0]) this.firstDocs.set(cellKey({ case: c.name, helm: helm.id, kube: target.minor }), result.docs);
    this.emit({ case: c, helm, target, result, rendering, extra });
  }

  private single(helm: Helm, c: Case, t: KubeTarget): Promise<RenderResult> {
    this.processes++;
    return renderSingle(helm, this.plan.chartDir, c, t, this.parsed);
  }

  /** One wrapper chart per set of cases (and templates left out), shared by every Helm and version. */
  private wrapperFor(idx: number[], omit: string[] = []): Wrapper {
    const key = `${idx.join(",")}|${omit.join(",")}`;
    let w = this.wrappers.get(key);
    if (!w) {
      const dir = join(this.workDir, `w${this.wrappers.size}`);
      mkdirSync(dir);
      w = writeWrapper(this.plan.chartDir, idx.map((i) => this.plan.cases[i]), dir, omit);
      this.wrappers.set(key, w);
    }
    return w;
  }

  /** One case in its own process; a single render is its own reference. */
  async alone(h: Helm, t: KubeTarget, i: number): Promise<Timed> {
    const started = performance.now();
    const r = await this.single(h, this.plan.cases[i], t);
    const ms = performance.now() - started;
    this.done(this.plan.cases[i], h, t, r, "single");
    return { ok: r.ok, ms };
  }

  /** One batch over the cases `idx`: whether Helm rendered it whole, and how long Helm took. */
  async batch(h: Helm, t: KubeTarget, idx: number[], skipSchema: boolean): Promise<Timed> {
    this.processes++;
    const started = performance.now();
    const r = await renderBatch(h, this.wrapperFor(idx), t, skipSchema, this.parsed);
    const ms = performance.now() - started; // Helm alone: not the fallbacks or verification below
    const byCase = r.ok ? r.byCase : new Map<string, Doc[]>();
    // A failing batch, or a case missing from it, is rendered on its own: that names the case and
    // gives exactly the error a single render gives.
    for (const c of idx.map((i) => this.plan.cases[i])) {
      const docs = byCase.get(c.name);
      let result: RenderResult = docs ? { ok: true, docs } : await this.single(h, c, t);
      const rendering = docs ? "batch" : "single";
      let extra: Failure[] = [];
      if (this.o.verifyBatching) {
        const reference = rendering === "single" ? result : await this.single(h, c, t);
        extra = compareRenders(result, reference);
        if (!docs && reference.ok && r.ok) extra.push({ rule: "batching-equivalence", message: "the batch rendered nothing for this case" });
      }
      if (docs === undefined && r.ok && result.ok) result = { ok: false, error: "the batch rendered nothing for this case, although it rendered on its own" };
      this.done(c, h, t, result, rendering, extra);
    }
    return { ok: r.ok, ms };
  }

  /**
   * Cases (by index) at a later version `t`, in one batch of a wrapper holding only the templates
   * that can see the Kubernetes version; each case's other documents come from its render at the
   * first version. Only for cases whose first-version render succeeded.
   */
  async reducedBatch(h: Helm, t: KubeTarget, idx: number[], skipSchema: boolean, reuse: Reuse): Promise<Timed> {
    this.processes++;
    const started = performance.now();
    const r = await renderBatch(h, this.wrapperFor(idx, reuse.reused), t, skipSchema, this.parsed);
    const ms = performance.now() - started;
    for (const i of idx) {
      const c = this.plan.cases[i];
      const first = this.firstDocs.get(cellKey({ case: c.name, helm: h.id, kube: this.plan.targets[0].minor }))!;
      // A failed batch (a version the chart refuses, say): each case alone gives Helm's own error.
      const result: RenderResult = r.ok ? { ok: true, docs: mergeRerendered(first, r.byCase.get(c.name) ?? [], this.plan.chart.name, reuse.rerender) } : await this.single(h, c, t);
      const extra = this.o.verifyBatching && r.ok ? compareRenders(result, await this.single(h, c, t)) : [];
      this.done(c, h, t, result, r.ok ? "reused" : "single", extra);
    }
    return { ok: r.ok, ms };
  }

  /** The cases `idx` at `t` in batches of `size` (0: one process per cell), concurrently. */
  async renderCases(h: Helm, t: KubeTarget, idx: number[], size: number, skipSchema: boolean): Promise<boolean> {
    const tasks = chunks(idx, size).map((part) => this.run(() => (size === 0 ? this.alone(h, t, part[0]) : this.batch(h, t, part, skipSchema))));
    return (await Promise.all(tasks)).every((x) => x.ok);
  }

  /**
   * The batch size for Helm `h`, measured with renders the matrix needs anyway (one at a time so
   * their timings are clean): one or two cases alone, then the rest of the first version in one batch
   * (where batching pays at all, one batch of everything pays most). Returns the plan, how many cases
   * the probes rendered, and whether every one of them rendered.
   */
  private async probe(h: Helm): Promise<{ plan: BatchPlan; next: number; ok: boolean }> {
    const { cases, targets } = this.plan;
    if (this.o.batchSize !== undefined) {
      const size = this.o.batchSize;
      return { plan: { helm: h.id, size, reason: `fixed: ${size === 0 ? "one process per cell" : `batches of ${size}`}`, probes: [] }, next: 0, ok: true };
    }
    const probes: Probe[] = [];
    let next = 0;
    let ok = true;
    for (const _ of cases.length >= 12 ? [0, 1] : [0]) {
      const r = await this.run(() => this.alone(h, targets[0], next++));
      probes.push({ cases: 1, batch: false, ms: r.ms });
      ok &&= r.ok;
    }
    if (cases.length - next >= 2) {
      const from = next;
      next = cases.length;
      const r = await this.run(() => this.batch(h, targets[0], range(from, next), false));
      probes.push({ cases: next - from, batch: true, ms: r.ms });
      ok &&= r.ok;
    }
    return { plan: planFromProbes(h.id, cases.length, probes), next, ok };
  }

  /**
   * Every cell of Helm `h`. The first Kubernetes version validates every case's values against
   * values.schema.json; later versions skip that (it does not depend on the version) only if every
   * render there passed.
   */
  async renderHelm(h: Helm): Promise<void> {
    const { cases, targets } = this.plan;
    const first = targets[0];
    const probed = await this.probe(h);
    this.plans.push(probed.plan);
    const size = probed.plan.size;
    const validated = (await this.renderCases(h, first, range(probed.next, cases.length), size, false)) && probed.ok;
    const dependence = this.reuse;
    if (!dependence.reuse) {
      await Promise.all(targets.slice(1).map((t) => this.renderCases(h, t, range(0, cases.length), size, validated)));
      return;
    }
    // Later versions render only what can see the version; cases that failed at the first version
    // have nothing to reuse and are rendered whole, batched the same way.
    const ok = range(0, cases.length).filter((i) => this.firstDocs.has(cellKey({ case: cases[i].name, helm: h.id, kube: first.minor })));
    const failed = range(0, cases.length).filter((i) => !ok.includes(i));
    await Promise.all(
      targets.slice(1).flatMap((t) => [
        ...chunks(ok, size).map((idx) => this.run(() => this.reducedBatch(h, t, idx, validated, dependence))),
        this.renderCases(h, t, failed, size, validated),
      ]),
    );
  }

  async renderAllSingly(): Promise<void> {
    const { helms, targets, cases } = this.plan;
    await Promise.all(helms.flatMap((h) => targets.flatMap((t) => cases.map((c) => this.run(async () => this.done(c, h, t, await this.single(h, c, t), "single"))))));
  }

  /** What later versions reuse, from the chart's templates (kube-dependence.ts), or why nothing. */
  decideReuse(): void {
    const { targets, chartDir } = this.plan;
    this.reuse =
      targets.length < 2
        ? { reuse: false, reason: "one Kubernetes version: nothing to reuse" }
        : this.o.reuse === false
          ? { reuse: false, reason: "off: every template rendered at every version" }
          : kubeDependence(chartDir, targets.map((t) => t.apiVersions));
  }
}

/** Renders every cell of `plan`, calling `emit` for each as soon as it is rendered. */
export async function renderCells(plan: MatrixPlan, o: RenderOptions, emit: (cell: RenderedCell) => void): Promise<{ processes: number; plans: BatchPlan[]; reuse: KubeDependence }> {
  const workDir = mkdtempSync(join(tmpdir(), "matrix-"));
  const r = new CellRenderer(plan, o, emit, workDir);
  try {
    if (plan.mode === "single") await r.renderAllSingly();
    else {
      r.decideReuse();
      await Promise.all(plan.helms.map((h) => r.renderHelm(h)));
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  return { processes: r.processes, plans: r.plans.sort((a, b) => (a.helm < b.helm ? -1 : 1)), reuse: r.reuse };
}
