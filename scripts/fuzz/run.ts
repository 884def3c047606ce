// The fuzz tier: values files generated from a chart's values.schema.json (corpus.ts), rendered with
// every Helm at one Kubernetes version (render.ts), and judged. A file must either be refused on
// purpose (classify.ts) or render objects that pass the Kubernetes schemas and the invariants the
// matrix runs (scripts/matrix/run.ts checkCell) and, when an API server is the judge
// (apiserver.ts), its server-side dry run. Each kind of failure is shrunk to a minimal values file
// (shrink.ts), printed and saved.
import { availableParallelism, tmpdir } from "node:os";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type fc from "fast-check";
import { helms as allHelms, type Helm } from "../lib/helm.ts";
import { readChartMeta, type ChartMeta } from "../lib/chart.ts";
import type { KubeObject } from "../lib/manifests.ts";
import { kubeVersions } from "../kubernetes/validate.ts";
import type { Case } from "../matrix/cases.ts";
import type { ParseCache } from "../matrix/batch.ts";
import { invariantsFor, type InvariantSet } from "../matrix/invariants/index.ts";
import { kubeTarget, renderSingle, type KubeTarget, type RenderResult } from "../matrix/render.ts";
import { pool } from "../lib/pool.ts";
import { checkCell, context, defaultsOf, type ValidationCache } from "../matrix/check.ts";
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
  return { schema, defaults: defaultsOf(chartDir) };
}

/** What one fuzz run works with: the chart, its schema, the Helms and Kubernetes it runs, shared caches. */
interface FuzzRun {
  o: FuzzOptions;
  chart: ChartMeta;
  schema: Record<string, any>;
  /** What every file is rendered over: the chart's defaults with the --values base on them, as Helm coalesces them. */
  underneath: Record<string, unknown>;
  topKeys: string[];
  base: Record<string, unknown>;
  arb: fc.Arbitrary<FuzzValues>;
  helms: Helm[];
  target: KubeTarget;
  rules: InvariantSet;
  validations: ValidationCache;
  parsed: ParseCache;
  run: <T>(task: () => Promise<T>) => Promise<T>;
  /** The scratch folder the values files and Helm wrappers live in (removed at the end). */
  work: string;
  /** Helm processes started so far (renders and shrink steps). */
  processes: number;
}

/** What the corpus's renders came to, for the summary (shrink steps are not counted). */
interface Tally {
  renders: FuzzResult["renders"];
  /** Refusals by the key they name. */
  refused: Map<string, number>;
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzResult> {
  const started = performance.now();
  const run = await prepare(o);
  const files = corpus(run.arb, o.seed, o.count).map((v) => withBase(run, v));
  const cases = writeCorpus(run, files);
  const tally: Tally = { renders: { total: 0, rendered: 0, refusedBySchema: 0, refusedByChart: 0, failed: 0 }, refused: new Map() };
  try {
    const findings = await renderAndJudge(run, files, cases, tally);
    const minimal = await shrinkEachKind(run, files, findings);
    return summary(run, files, tally, findings, minimal, started);
  } finally {
    rmSync(run.work, { recursive: true, force: true });
  }
}

/** Reads the chart and its schema, picks the Helms and the Kubernetes version, and makes the scratch folder. */
async function prepare(o: FuzzOptions): Promise<FuzzRun> {
  const chart = readChartMeta(o.chartDir);
  const { schema, defaults } = readValuesSchema(o.chartDir);
  const topKeys = Object.keys(schema.properties ?? {});
  const base = o.baseValues ?? {};
  // Generated over the defaults and the base: Helm checks the schema on defaults <- base <- file.
  const underneath = coalesce(defaults, base) as Record<string, unknown>;
  const arb: fc.Arbitrary<FuzzValues> = valuesArbitrary(schema, underneath, { keys: o.keys });
  const helmList = (await allHelms()).filter((h) => !o.helm?.length || o.helm.includes(h.major));
  if (helmList.length === 0) throw new Error(`no Helm ${o.helm?.join("/")} available`);
  const known = kubeVersions();
  const minor = o.kube ? o.kube.replace(/^v/, "").split(".").slice(0, 2).join(".") : known[known.length - 1];
  if (!known.includes(minor)) throw new Error(`no Kubernetes schemas for ${minor}: available ${known.join(", ")}`);
  const target = kubeTarget(minor);
  const rules = invariantsFor(chart);
  const run = pool(o.concurrency ?? Math.max(2, 2 * availableParallelism()));
  const work = scratch("fuzz-", tmpdir());
  return { o, chart, schema, underneath, topKeys, base, arb, helms: helmList, target, rules, validations: new Map(), parsed: new Map(), run, work, processes: 0 };
}

/** A generated file written over the base values, as Helm gets it (and as it is saved). */
function withBase(run: FuzzRun, v: FuzzValues): FuzzValues {
  return run.o.baseValues ? { how: v.how, values: deepMerge(run.base, v.values) } : v;
}

/** Writes each file of the corpus to the scratch folder, as a case named by its index. */
function writeCorpus(run: FuzzRun, files: FuzzValues[]): Case[] {
  return files.map((v, i) => {
    const file = join(run.work, `${String(i).padStart(5, "0")}.yaml`);
    writeFileSync(file, valuesYaml(v, `fuzz seed ${run.o.seed} file ${i}: ${v.how}`));
    return { name: `fuzz-${i}`, file, description: v.how, values: v.values };
  });
}

/** Renders the corpus with each Helm in turn, judging each render as it arrives; the findings by file, then Helm. */
async function renderAndJudge(run: FuzzRun, files: FuzzValues[], cases: Case[], tally: Tally): Promise<Finding[]> {
  const findings: Finding[] = [];
  const total = cases.length * run.helms.length;
  let done = 0;
  const pending: Promise<void>[] = [];
  for (const helm of run.helms) {
    const r = await renderCorpus(helm, run.o.chartDir, cases, run.target, run.run, {
      batchSize: run.o.batchSize ?? 4,
      workDir: join(run.work, "wrappers"),
      cache: run.parsed,
      onRendered: (c, result) => {
        const index = Number(c.name.slice("fuzz-".length));
        pending.push(
          (async () => {
            tally.renders.total++;
            const fs = await judgeRender(run, files[index], index, helm, result, tally);
            if (fs.length) tally.renders.failed++;
            findings.push(...fs);
            run.o.onProgress?.(++done, total);
          })(),
        );
      },
    });
    run.processes += r.processes;
  }
  await Promise.all(pending);
  return findings.sort((a, b) => a.index - b.index || (a.helm < b.helm ? -1 : a.helm > b.helm ? 1 : 0));
}

/** Everything wrong with one render of `v` by `helm` (empty: it is fine); counted in `tally` when given. */
async function judgeRender(run: FuzzRun, v: FuzzValues, index: number, helm: Helm, r: RenderResult, tally?: Tally): Promise<Finding[]> {
  const where = { index, how: v.how, helm: helm.id };
  const secrets = secretValues(v.values);
  if (!r.ok) return judgeRefusal(run, where, secrets, r.error, tally);
  if (tally) tally.renders.rendered++;
  const ctx = context({ name: `fuzz-${index}`, file: "", description: v.how, values: v.values }, r.docs, run.chart, run.target, run.underneath);
  const out: Finding[] = checkCell(ctx, run.rules.cell, run.validations).map((f) => ({ ...where, ...f, message: hideSecrets(f.message, secrets) }));
  if (run.o.judge && out.length === 0) {
    for (const p of await run.o.judge.check(ctx.objects)) out.push({ ...where, rule: "api-server", object: p.object, path: p.path, message: hideSecrets(p.message, secrets) });
  }
  return out;
}

/** A render that failed: a template error is a finding; a refusal is fine if it names its key and shows no secret. */
function judgeRefusal(run: FuzzRun, where: Pick<Finding, "index" | "how" | "helm">, secrets: string[], error: string, tally?: Tally): Finding[] {
  const verdict = classifyRenderError(error);
  // The template and line it broke at make template errors of different places different kinds.
  if (verdict.kind === "template-error") return [{ ...where, rule: "template-error", path: /templates\/[^\s:]+(:\d+)?/.exec(verdict.message)?.[0], message: hideSecrets(verdict.message, secrets) }];
  const out: Finding[] = [];
  if (secrets.some((s) => verdict.message.includes(s))) out.push({ ...where, rule: "secret-in-refusal", message: hideSecrets(verdict.message, secrets) });
  const unnamed = verdict.by === "chart" ? unnamedKey(run.chart.name, verdict.message, run.topKeys) : undefined;
  if (unnamed) out.push({ ...where, rule: "refusal-without-key", message: `${unnamed}: ${hideSecrets(verdict.message, secrets)}` });
  if (tally) {
    tally.renders[verdict.by === "schema" ? "refusedBySchema" : "refusedByChart"]++;
    const key = refusedKey(verdict.message);
    tally.refused.set(key, (tally.refused.get(key) ?? 0) + 1);
  }
  return out;
}

/**
 * One minimal file per kind of failure, the worst kinds first, checked step by step with single
 * renders. Every candidate keeps the keys the root requires and neither the defaults nor the base
 * set, as every file does (valuesArbitrary draws them always).
 */
async function shrinkEachKind(run: FuzzRun, files: FuzzValues[], findings: Finding[]): Promise<MinimalFile[]> {
  const required: string[] = (run.schema.required ?? []).filter((k: string) => run.underneath[k] === undefined);
  const minimal: MinimalFile[] = [];
  const kinds = new Map<string, Finding>();
  for (const f of findings) if (!kinds.has(signature(f))) kinds.set(signature(f), f);
  const outDir = run.o.outDir ? join(run.o.outDir, run.chart.name, `seed-${run.o.seed}`) : undefined;
  if (outDir) rmSync(outDir, { recursive: true, force: true });
  // The worst kinds first: a broken template, then what a cluster refuses, then the rest.
  const severity = (f: Finding): number => ["template-error", "api-server", "kubernetes-schema", "secret-in-refusal", "refusal-without-key"].indexOf(f.rule) >>> 0;
  for (const f of [...kinds.values()].sort((a, b) => severity(a) - severity(b) || a.index - b.index).slice(0, run.o.maxShrinks ?? 8)) {
    minimal.push(await shrinkOne(run, files[f.index], f, required, outDir));
  }
  return minimal;
}

/** Shrinks the file behind finding `f` to one that still fails the same way; saved in `outDir` when given. */
async function shrinkOne(run: FuzzRun, file: FuzzValues, f: Finding, required: string[], outDir: string | undefined): Promise<MinimalFile> {
  const helm = run.helms.find((h) => h.id === f.helm)!;
  let n = 0;
  const stillFails = async (v: FuzzValues): Promise<boolean> => {
    const candidate = join(run.work, `shrink-${f.index}-${n++}.yaml`);
    const merged = withBase(run, v);
    writeFileSync(candidate, valuesYaml(merged, "shrinking"));
    run.processes++;
    const r = await renderSingle(helm, run.o.chartDir, { name: "shrink", file: candidate, description: "", values: merged.values }, run.target, run.parsed);
    return (await judgeRender(run, merged, f.index, helm, r)).some((x) => signature(x) === signature(f));
  };
  const s = await shrinkFailure(run.arb, run.o.seed, f.index, file, stillFails, run.o.shrinkMs ?? 30_000, { keep: required });
  const secrets = secretValues(file.values);
  const header = `fuzz seed ${run.o.seed} file ${f.index} (${f.how}), ${f.helm} at Kubernetes ${run.target.version}: ${f.rule}${f.object ? ` ${f.object}` : ""}${f.path ? ` ${f.path}` : ""}${s.reproduced ? `; shrunk in ${s.steps} steps` : "; did not fail again alone, so not shrunk"}`;
  const yaml = hideSecrets(valuesYaml(withBase(run, s.values), header), secrets);
  let saved: string | undefined;
  if (outDir) {
    mkdirSync(outDir, { recursive: true });
    saved = join(outDir, `${String(f.index).padStart(5, "0")}-${f.helm}-${f.rule}.yaml`);
    writeFileSync(saved, yaml);
  }
  return { finding: f, yaml, file: saved, steps: s.steps, reproduced: s.reproduced };
}

function summary(run: FuzzRun, files: FuzzValues[], tally: Tally, findings: Finding[], minimal: MinimalFile[], started: number): FuzzResult {
  const perKey = files.filter((f) => f.how.startsWith("key ")).length;
  return {
    chart: run.chart,
    seed: run.o.seed,
    kube: { minor: run.target.minor, version: run.target.version },
    helms: run.helms.map((h) => ({ id: h.id, version: h.version })),
    judge: run.o.judge?.name,
    files: { total: files.length, perKey, acrossKeys: files.length - perKey },
    renders: tally.renders,
    refusedKeys: [...tally.refused].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
    findings,
    minimal,
    processes: run.processes,
    wallMs: performance.now() - started,
    ok: findings.length === 0,
  };
}

export type { KubeTarget };
