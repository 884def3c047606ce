// The fuzz tier: values files generated from a chart's values.schema.json (corpus.ts), rendered with
// every Helm at one Kubernetes version (render.ts), and judged. A file must either be refused on
// purpose (classify.ts) or render objects that pass the Kubernetes schemas and the invariants the
// matrix runs (scripts/matrix/run.ts checkCell) and, when an API server is the judge
// (apiserver.ts), its server-side dry run. Each kind of failure is shrunk to a minimal values file
// (shrink.ts), printed and saved.
import { availableParallelism, tmpdir } from "node:os";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import type fc from "fast-check";
import { helms as allHelms, type Helm } from "../lib/helm.ts";
import { readChartMeta, type ChartMeta } from "../lib/chart.ts";
import type { KubeObject } from "../lib/manifests.ts";
import { kubeVersions } from "../kubernetes/validate.ts";
import type { Case } from "../matrix/cases.ts";
import type { ParseCache } from "../matrix/batch.ts";
import { invariantsFor } from "../matrix/invariants/index.ts";
import { kubeTarget, renderSingle, type KubeTarget, type RenderResult } from "../matrix/render.ts";
import { pool } from "../lib/pool.ts";
import { checkCell, context, type ValidationCache } from "../matrix/check.ts";
import { classifyRenderError, hideSecrets, secretValues, unnamedKey } from "./classify.ts";
import { corpus, deepMerge, valuesArbitrary, valuesYaml, type FuzzValues } from "./corpus.ts";
import { coalesce } from "./schema-arbitrary.ts";
import { renderCorpus, scratch } from "./render.ts";
import { shrinkFailure } from "./shrink.ts";

/** A judge beyond the schemas: the API server's server-side dry run (apiserver.ts). */
export interface Judge {
  name: string;
  /** Problems the judge found with these objects, one line each ("Kind/name: message"). */
  check(objects: KubeObject[]): Promise<{ object: string; path?: string; message: string }[]>;
}

export interface FuzzOptions {
  chartDir: string;
  seed: number;
  count: number;
  /**
   * Values every generated file is written over (`npm run fuzz -- --values base.yaml`), for a chart
   * that needs some set to render at all (the OpenTelemetry Collector's `mode`). Files and minimal
   * files hold the merge, so each replays with `helm template -f` alone.
   */
  baseValues?: Record<string, unknown>;
  /** Draw only these keys (dotted, and what they nest); empty = every key of the schema. */
  keys?: string[];
  /** Helm majors to keep; empty = every Helm the toolkit runs (helms()). */
  helm?: number[];
  /** Kubernetes minor to validate against; default the newest with schemas. */
  kube?: string;
  judge?: Judge;
  /** Where minimal failing files are saved (a folder per chart and seed under it); undefined: not saved. */
  outDir?: string;
  /** Failure kinds to shrink (the rest are listed as found); default 8. */
  maxShrinks?: number;
  /** Time fast-check may spend shrinking one failure; default 30 s. */
  shrinkMs?: number;
  batchSize?: number;
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface Finding {
  /** File index in the corpus (fast-check's run index for the seed). */
  index: number;
  how: string;
  helm: string;
  /** "template-error", "refusal-without-key", "secret-in-refusal", "kubernetes-schema", an invariant's name, or "api-server". */
  rule: string;
  object?: string;
  path?: string;
  message: string;
}

export interface MinimalFile {
  finding: Finding;
  /** The minimal file's YAML (a first-line comment says what fails), secrets redacted. */
  yaml: string;
  file?: string;
  steps: number;
  reproduced: boolean;
}

export interface FuzzResult {
  chart: ChartMeta;
  seed: number;
  kube: { minor: string; version: string };
  helms: { id: string; version: string }[];
  judge?: string;
  files: { total: number; perKey: number; acrossKeys: number };
  renders: { total: number; rendered: number; refusedBySchema: number; refusedByChart: number; failed: number };
  /** Refusals by the first key they name (this chart's `[ERROR] <key>`, Helm's schema path), most first. */
  refusedKeys: [string, number][];
  findings: Finding[];
  minimal: MinimalFile[];
  processes: number;
  wallMs: number;
  ok: boolean;
}

/** Failures of one kind: same Helm, rule, kind of object and field path (list indexes dropped). */
export function signature(f: Pick<Finding, "helm" | "rule" | "object" | "path">): string {
  return [f.helm, f.rule, f.object?.split("/")[0] ?? "", (f.path ?? "").replace(/\[\d+\]/g, "[]")].join("|");
}

/** The key a refusal names, for the summary: `[ERROR] profiler.x ...`, `- at '/a/b'`, `- a.b: ...`. */
function refusedKey(message: string): string {
  const m = /\[ERROR\] ([A-Za-z][\w.\[\]-]*)/.exec(message) ?? /- at '\/([^']*)'/.exec(message) ?? /^- ([\w.\[\]-]+):/m.exec(message);
  if (m) return m[1].replace(/\//g, ".").replace(/\[\d+\]/g, "[]").replace(/\.\d+(?=\.|$)/g, "[]");
  // Helm 3 cannot check values holding control characters at all ("yaml: control characters are not allowed").
  const line = message.split("\n").map((l) => l.trim()).find((l) => l && !/^Use --debug/.test(l) && !/^values don't meet/.test(l) && !/:$/.test(l)) ?? "";
  return `(no key: ${line.slice(0, 60)})`;
}

export function readValuesSchema(chartDir: string): { schema: Record<string, any>; defaults: Record<string, unknown> } {
  const file = join(chartDir, "values.schema.json");
  if (!existsSync(file)) throw new Error(`${chartDir} has no values.schema.json: the fuzz tier generates values files from it`);
  const schema = JSON.parse(readFileSync(file, "utf8"));
  const valuesFile = join(chartDir, "values.yaml");
  const defaults = existsSync(valuesFile) ? ((load(readFileSync(valuesFile, "utf8")) ?? {}) as Record<string, unknown>) : {};
  return { schema, defaults };
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzResult> {
  const started = performance.now();
  const chart = readChartMeta(o.chartDir);
  const { schema, defaults } = readValuesSchema(o.chartDir);
  const topKeys = Object.keys(schema.properties ?? {});
  const base = o.baseValues ?? {};
  // Generated over the defaults and the base: Helm checks the schema on defaults <- base <- file.
  const arb: fc.Arbitrary<FuzzValues> = valuesArbitrary(schema, coalesce(defaults, base) as Record<string, unknown>, { keys: o.keys });
  const withBase = (v: FuzzValues): FuzzValues => (o.baseValues ? { how: v.how, values: deepMerge(base, v.values) } : v);
  const helmList = (await allHelms()).filter((h) => !o.helm?.length || o.helm.includes(h.major));
  if (helmList.length === 0) throw new Error(`no Helm ${o.helm?.join("/")} available`);
  const known = kubeVersions();
  const minor = o.kube ? o.kube.replace(/^v/, "").split(".").slice(0, 2).join(".") : known[known.length - 1];
  if (!known.includes(minor)) throw new Error(`no Kubernetes schemas for ${minor}: available ${known.join(", ")}`);
  const target = kubeTarget(minor);
  const rules = invariantsFor(chart);
  const validations: ValidationCache = new Map();
  const parsed: ParseCache = new Map();
  const run = pool(o.concurrency ?? Math.max(2, 2 * availableParallelism()));
  const work = scratch("fuzz-", tmpdir());

  const files = corpus(arb, o.seed, o.count).map(withBase);
  const cases: Case[] = files.map((v, i) => {
    const file = join(work, `${String(i).padStart(5, "0")}.yaml`);
    writeFileSync(file, valuesYaml(v, `fuzz seed ${o.seed} file ${i}: ${v.how}`));
    return { name: `fuzz-${i}`, file, description: v.how, values: v.values };
  });

  const renders = { total: 0, rendered: 0, refusedBySchema: 0, refusedByChart: 0, failed: 0 };
  const refused = new Map<string, number>();
  const findings: Finding[] = [];
  let processes = 0;

  /** Everything wrong with one render of `v` by `helm` (empty: it is fine). */
  const judgeRender = async (v: FuzzValues, index: number, helm: Helm, r: RenderResult, count: boolean): Promise<Finding[]> => {
    const where = { index, how: v.how, helm: helm.id };
    const secrets = secretValues(v.values);
    if (!r.ok) {
      const verdict = classifyRenderError(r.error);
      // The template and line it broke at make template errors of different places different kinds.
      if (verdict.kind === "template-error") return [{ ...where, rule: "template-error", path: /templates\/[^\s:]+(:\d+)?/.exec(verdict.message)?.[0], message: hideSecrets(verdict.message, secrets) }];
      const out: Finding[] = [];
      if (secrets.some((s) => verdict.message.includes(s))) out.push({ ...where, rule: "secret-in-refusal", message: hideSecrets(verdict.message, secrets) });
      const unnamed = verdict.by === "chart" ? unnamedKey(chart.name, verdict.message, topKeys) : undefined;
      if (unnamed) out.push({ ...where, rule: "refusal-without-key", message: `${unnamed}: ${hideSecrets(verdict.message, secrets)}` });
      if (count) {
        renders[verdict.by === "schema" ? "refusedBySchema" : "refusedByChart"]++;
        const key = refusedKey(verdict.message);
        refused.set(key, (refused.get(key) ?? 0) + 1);
      }
      return out;
    }
    if (count) renders.rendered++;
    const ctx = context({ name: `fuzz-${index}`, file: "", description: v.how, values: v.values }, r.docs, chart, target);
    const out: Finding[] = checkCell(ctx, rules.cell, validations).map((f) => ({ ...where, ...f, message: hideSecrets(f.message, secrets) }));
    if (o.judge && out.length === 0) {
      for (const p of await o.judge.check(ctx.objects)) out.push({ ...where, rule: "api-server", object: p.object, path: p.path, message: hideSecrets(p.message, secrets) });
    }
    return out;
  };

  try {
    const total = cases.length * helmList.length;
    let done = 0;
    const pending: Promise<void>[] = [];
    for (const helm of helmList) {
      const r = await renderCorpus(helm, o.chartDir, cases, target, run, {
        batchSize: o.batchSize ?? 4,
        workDir: join(work, "wrappers"),
        cache: parsed,
        onRendered: (c, result) => {
          const index = Number(c.name.slice("fuzz-".length));
          pending.push(
            (async () => {
              renders.total++;
              const fs = await judgeRender(files[index], index, helm, result, true);
              if (fs.length) renders.failed++;
              findings.push(...fs);
              o.onProgress?.(++done, total);
            })(),
          );
        },
      });
      processes += r.processes;
    }
    await Promise.all(pending);
    findings.sort((a, b) => a.index - b.index || (a.helm < b.helm ? -1 : a.helm > b.helm ? 1 : 0));

    // One minimal file per kind of failure, checked step by step with single renders. Every candidate
    // keeps the keys the root requires and neither the defaults nor the base set, as every file does
    // (valuesArbitrary draws them always).
    const underneath = coalesce(defaults, base) as Record<string, unknown>;
    const required: string[] = (schema.required ?? []).filter((k: string) => underneath[k] === undefined);
    const minimal: MinimalFile[] = [];
    const kinds = new Map<string, Finding>();
    for (const f of findings) if (!kinds.has(signature(f))) kinds.set(signature(f), f);
    const outDir = o.outDir ? join(o.outDir, chart.name, `seed-${o.seed}`) : undefined;
    if (outDir) rmSync(outDir, { recursive: true, force: true });
    // The worst kinds first: a broken template, then what a cluster refuses, then the rest.
    const severity = (f: Finding): number => ["template-error", "api-server", "kubernetes-schema", "secret-in-refusal", "refusal-without-key"].indexOf(f.rule) >>> 0;
    for (const f of [...kinds.values()].sort((a, b) => severity(a) - severity(b) || a.index - b.index).slice(0, o.maxShrinks ?? 8)) {
      const helm = helmList.find((h) => h.id === f.helm)!;
      let n = 0;
      const stillFails = async (v: FuzzValues): Promise<boolean> => {
        const file = join(work, `shrink-${f.index}-${n++}.yaml`);
        const merged = withBase(v);
        writeFileSync(file, valuesYaml(merged, "shrinking"));
        processes++;
        const r = await renderSingle(helm, o.chartDir, { name: "shrink", file, description: "", values: merged.values }, target, parsed);
        return (await judgeRender(merged, f.index, helm, r, false)).some((x) => signature(x) === signature(f));
      };
      const s = await shrinkFailure(arb, o.seed, f.index, files[f.index], stillFails, o.shrinkMs ?? 30_000, { keep: required });
      const secrets = secretValues(files[f.index].values);
      const header = `fuzz seed ${o.seed} file ${f.index} (${f.how}), ${f.helm} at Kubernetes ${target.version}: ${f.rule}${f.object ? ` ${f.object}` : ""}${f.path ? ` ${f.path}` : ""}${s.reproduced ? `; shrunk in ${s.steps} steps` : "; did not fail again alone, so not shrunk"}`;
      const yaml = hideSecrets(valuesYaml(withBase(s.values), header), secrets);
      let saved: string | undefined;
      if (outDir) {
        mkdirSync(outDir, { recursive: true });
        saved = join(outDir, `${String(f.index).padStart(5, "0")}-${f.helm}-${f.rule}.yaml`);
        writeFileSync(saved, yaml);
      }
      minimal.push({ finding: f, yaml, file: saved, steps: s.steps, reproduced: s.reproduced });
    }

    const perKey = files.filter((f) => f.how.startsWith("key ")).length;
    return {
      chart,
      seed: o.seed,
      kube: { minor: target.minor, version: target.version },
      helms: helmList.map((h) => ({ id: h.id, version: h.version })),
      judge: o.judge?.name,
      files: { total: files.length, perKey, acrossKeys: files.length - perKey },
      renders,
      refusedKeys: [...refused].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
      findings,
      minimal,
      processes,
      wallMs: performance.now() - started,
      ok: findings.length === 0,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export type { KubeTarget };
