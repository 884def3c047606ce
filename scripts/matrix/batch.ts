// Batched rendering: N cases as N aliased copies of the chart in one generated wrapper chart, so
// one `helm template` renders them all; then the output is split back per case and normalised so
// each case's documents equal what a single `helm template <release> chart -f case.yaml` prints.
//
// Why normalising is needed, and all it does:
// - Helm gives a subchart its alias as .Chart.Name. Names and labels derived through nameOverride
//   come out right because every alias gets nameOverride = the chart's name (unless the case sets
//   its own). Only direct uses of .Chart.Name (the helm.sh/chart label) still carry the alias, so
//   every alias is a token of exactly the chart name's length (truncation cuts at the same place)
//   that is replaced by the chart name in that case's documents.
// - A document that hashes another one (checksum/keys = sha256 of secret.yaml) hashed the text with
//   the alias in it; such a hash is recomputed from the normalised text, and only when it provably
//   was the hash of that document (otherwise it is left alone and verification would notice).
// - `# Source:` paths lose the wrapper prefix.
// Verification mode (run.ts, --verify-batching) renders every case singly and compares.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { readChartMeta, type ChartMeta } from "../lib/chart.ts";
import { copyChartFiles } from "../lib/chart-files.ts";
import type { KubeObject } from "../lib/manifests.ts";
import type { Case } from "./cases.ts";

/** One document of `helm template` output: its template path and text (no `---`/`# Source:` lines). */
export interface Doc {
  source: string;
  content: string;
  object: KubeObject | undefined;
}

const SOURCE_LINE = /^---\n# Source: ([^\n]+)\n/gm;

/** Splits `helm template` output into documents (Helm prints `---\n# Source: <path>\n` before each). */
export function splitDocs(stdout: string): { source: string; content: string }[] {
  if (stdout.trim() === "") return []; // a chart, or a batch, that renders no document
  const text = stdout.startsWith("---") ? stdout : `---\n# Source: (unknown)\n${stdout}`;
  const out: { source: string; content: string }[] = [];
  const marks = [...text.matchAll(SOURCE_LINE)];
  for (let i = 0; i < marks.length; i++) {
    const start = marks[i].index + marks[i][0].length;
    const end = i + 1 < marks.length ? marks[i + 1].index : text.length;
    out.push({ source: marks[i][1], content: text.slice(start, end).trimEnd() });
  }
  return out;
}

/**
 * Parsed documents of one matrix run, by their text: most documents render the same at every
 * Kubernetes version and with both Helms, so each text is parsed once. The objects are frozen, since
 * every cell that rendered that text shares one.
 */
export type ParseCache = Map<string, KubeObject | undefined>;

export function parseDoc(d: { source: string; content: string }, cache?: ParseCache): Doc {
  if (cache?.has(d.content)) return { ...d, object: cache.get(d.content) };
  const o = load(d.content);
  const object = o !== null && typeof o === "object" && !Array.isArray(o) ? (o as KubeObject) : undefined;
  if (cache) cache.set(d.content, object && deepFreeze(object));
  return { ...d, object };
}

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === "object" && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

export interface Wrapper {
  dir: string;
  /** User values files, in order: the cases' own text under their aliases, then the name overrides. */
  valuesFiles: string[];
  meta: ChartMeta;
  aliasOf: Map<string, string>; // case name -> alias
  caseOf: Map<string, string>; // alias -> case name
}

/** An alias of exactly `name`'s length, so any truncation of derived strings cuts at the same place. */
export function aliasFor(index: number, name: string): string {
  const width = Math.max(name.length, 8);
  // Decimal digits padded with "z": no two aliases are equal or contain one another.
  const id = `mx${index}`;
  return `${id}${"z".repeat(width - id.length)}`;
}

/**
 * Writes the wrapper chart into `workDir`: the chart's files as `helm package` would hold them (its
 * .helmignore honoured, since Helm would not apply it to a subchart folder) under charts/, and one aliased
 * dependency per case. Case values are embedded as their own YAML text (indented under the alias),
 * never re-serialised, so Helm parses them exactly as it parses the case file in a single render.
 */
export function writeWrapper(chartDir: string, cases: Case[], workDir: string, omitTemplates: string[] = []): Wrapper {
  const meta = readChartMeta(chartDir);
  const dir = join(workDir, "matrix-batch");
  mkdirSync(join(dir, "charts"), { recursive: true });
  copyChartFiles(chartDir, join(dir, "charts", meta.name));
  // Templates whose documents the caller takes from another render (kube-dependence.ts).
  for (const f of omitTemplates) rmSync(join(dir, "charts", meta.name, f));
  const aliasOf = new Map<string, string>();
  const caseOf = new Map<string, string>();
  const deps: string[] = [];
  const caseValues: string[] = [];
  const names: string[] = [];
  cases.forEach((c, i) => {
    const alias = aliasFor(i, meta.name);
    aliasOf.set(c.name, alias);
    caseOf.set(alias, c.name);
    deps.push(`  - name: ${meta.name}\n    version: "${meta.version}"\n    alias: ${alias}\n`);
    const text = readFileSync(c.file, "utf8");
    if (/^(---|\.\.\.)\s*$/m.test(text)) throw new Error(`case ${c.name}: a values file must be a single YAML document`);
    const empty = Object.keys(c.values).length === 0;
    caseValues.push(empty ? `${alias}: {}\n` : `${alias}:\n${text.replace(/\n+$/, "").replace(/^/gm, "  ")}\n`);
    if (!c.values.nameOverride) names.push(`${alias}:\n  nameOverride: ${JSON.stringify(meta.name)}\n`);
  });
  // Helm checks kubeVersion only on the chart it is given, never on a dependency: the wrapper carries
  // the chart's own, so a batch at a version the chart refuses fails as each single render does.
  const kubeVersion = meta.kubeVersion ? `kubeVersion: ${JSON.stringify(meta.kubeVersion)}\n` : "";
  writeFileSync(
    join(dir, "Chart.yaml"),
    `# Generated by scripts/matrix/batch.ts: ${cases.length} cases as aliases of ${meta.name}.\napiVersion: v2\nname: matrix-batch\nversion: 0.0.0\n${kubeVersion}dependencies:\n${deps.join("")}`,
  );
  const valuesFiles = [join(workDir, "cases.yaml"), join(workDir, "names.yaml")];
  writeFileSync(valuesFiles[0], caseValues.join(""));
  writeFileSync(valuesFiles[1], names.join("") || "{}\n");
  return { dir, valuesFiles, meta, aliasOf, caseOf };
}

const HEX64 = /\b[a-f0-9]{64}\b/;
const HEX64_ALL = /\b[a-f0-9]{64}\b/g;
const sha256 = (s: string): string => createHash("sha256").update(s).digest("hex");
/** The ways a template's text may have been hashed: Helm trims documents when it prints them. */
const hashForms = (t: string): string[] => [`\n${t}\n`, t, `${t}\n`, `\n${t}`];

/**
 * Splits batched output back per case (by the alias in each `# Source:` path) and normalises each
 * case's documents to what a single render prints. Cases absent from the output are absent here.
 */
export function splitBatch(stdout: string, wrapper: Wrapper, cache?: ParseCache): Map<string, Doc[]> {
  const prefix = "matrix-batch/charts/";
  const raw = new Map<string, { source: string; content: string; original: string }[]>();
  for (const d of splitDocs(stdout)) {
    if (!d.source.startsWith(prefix)) throw new Error(`unexpected document from ${d.source} in batched output`);
    const rest = d.source.slice(prefix.length);
    const alias = rest.slice(0, rest.indexOf("/"));
    const caseName = wrapper.caseOf.get(alias);
    if (caseName === undefined) throw new Error(`unknown alias ${alias} in batched output`);
    const list = raw.get(caseName) ?? [];
    list.push({
      source: wrapper.meta.name + rest.slice(alias.length),
      content: d.content.replaceAll(alias, wrapper.meta.name),
      original: d.content,
    });
    raw.set(caseName, list);
  }
  const out = new Map<string, Doc[]>();
  for (const [caseName, docs] of raw) {
    // Only when a document carries something that looks like a sha256 is any hash recomputed.
    const rehash = new Map<string, string>();
    if (docs.some((d) => HEX64.test(d.content))) {
      for (const d of docs) {
        if (d.original === d.content) continue;
        const before = hashForms(d.original);
        const after = hashForms(d.content);
        before.forEach((b, i) => rehash.set(sha256(b), sha256(after[i])));
      }
    }
    out.set(
      caseName,
      docs.map((d) => parseDoc({ source: d.source, content: rehash.size ? d.content.replace(HEX64_ALL, (h) => rehash.get(h) ?? h) : d.content }, cache)),
    );
  }
  return out;
}
