// Which of a chart's templates can see the Kubernetes version, so the matrix renders only those again
// at every version after the first and reuses the rest of each case's first-version render.
//
// A template sees the version only through .Capabilities (KubeVersion, APIVersions), directly or
// through the templates it includes. This module reads the chart's template sources (Go template
// actions, not Helm) and follows `include`/`template` by name, and the checksum idiom
// `include (print $.Template.BasePath "/secret.yaml") .` by file. Also counted as seeing the version:
// `tpl` (its text comes from values) and the whole context handed to what reads every key (toJson $).
// Templates that change shared values are rendered again too. What it cannot follow (an include of
// a computed name, subcharts, ...) turns reuse off. Helm itself still checks the chart's kubeVersion
// at every version: the reduced wrapper carries it (batch.ts). `--verify-batching` compares every
// cell so obtained with a full single render: what no reading of sources can see (the context put
// in a dict and indexed by a built name) is caught there.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { load } from "js-yaml";
import { chartFiles } from "../lib/chart-files.ts";
import type { Doc } from "./batch.ts";

export type KubeDependence =
  /** Render these template files again at each version; reuse the others' documents. */
  | { reuse: true; rerender: string[]; reused: string[]; reason: string }
  | { reuse: false; reason: string };

export type Reuse = Extract<KubeDependence, { reuse: true }>;

/** One define body or a file's top level: what it reads and whom it calls. */
interface Body {
  readsVersion: boolean;
  names: string[]; // named templates it includes
  files: string[]; // template files it includes (chart-relative paths)
  computed: boolean; // an include it cannot follow
  mutates: boolean; // set/unset/merge on the render context itself (.Values, $), which later templates read
}

/**
 * The actions of a Go template (`{{ ... }}`), trim markers and comments dropped. An action ends at the
 * first `}}` outside a quoted ("...", `...`) or character literal, so `printf "{{ x }}"` stays whole.
 */
export function actions(text: string): string[] {
  const out: string[] = [];
  let i = text.indexOf("{{");
  while (i >= 0) {
    let j = i + 2;
    if (text[j] === "-" && /\s/.test(text[j + 1] ?? "")) j++;
    while (/\s/.test(text[j] ?? "")) j++;
    let end: number;
    if (text.startsWith("/*", j)) {
      const close = text.indexOf("*/", j + 2);
      end = close < 0 ? -1 : text.indexOf("}}", close + 2);
      if (end < 0) break;
    } else {
      let quote = "";
      for (end = j; end < text.length; end++) {
        const c = text[end];
        if (quote) {
          if (c === "\\" && quote !== "`") end++;
          else if (c === quote) quote = "";
        } else if (c === '"' || c === "`" || c === "'") quote = c;
        else if (c === "}" && text[end + 1] === "}") break;
      }
      if (end >= text.length) break;
      out.push(text.slice(j, end).replace(/\s+-$/, "").trim());
    }
    i = text.indexOf("{{", end + 2);
  }
  return out;
}

const emptyBody = (): Body => ({ readsVersion: false, names: [], files: [], computed: false, mutates: false });

const OPENS = /^(if|range|with|define|block)\b/;
/** Functions that read or print every key of a map they are given. */
const WHOLE = "toJson|toYaml|toPrettyJson|toRawJson|toToml|mustToJson|mustToPrettyJson|mustToRawJson|omit|pick|keys|values|pluck|dig|get|hasKey|index|deepCopy|mustDeepCopy|toString";
/** Functions that return a new map or list, never one the render context holds. */
const FRESH = /^(dict|list|deepCopy|mustDeepCopy|fromYaml|fromJson|fromYamlArray|fromJsonArray|mustFromJson)$/;
/** The checksum idiom, `include (print $.Template.BasePath "/x.yaml") .` or its printf form: a file by path. */
const BASE_PATH_INCLUDE: [RegExp, RegExp][] = [
  [/\binclude\s+\(\s*print\s+\$?\.Template\.BasePath\s+("[^"]*")\s*\)/dg, /^"\/(.+)"$/],
  [/\binclude\s+\(\s*printf\s+("[^"]*")\s+\$?\.Template\.BasePath\s*\)/dg, /^"%s\/(.+)"$/],
];
/** `a` with the characters inside its string and character literals replaced by spaces. */
function mask(a: string): string {
  let out = "";
  let quote = "";
  for (let i = 0; i < a.length; i++) {
    const c = a[i];
    if (quote) {
      if (c === "\\" && quote !== "`" && i + 1 < a.length) {
        out += "  ";
        i++;
      } else if (c === quote) {
        out += c;
        quote = "";
      } else out += " ";
    } else {
      if (c === '"' || c === "`" || c === "'") quote = c;
      out += c;
    }
  }
  return out;
}

/**
 * Whether an action hands the whole context to what can reach any of its keys, .Capabilities among
 * them without naming it: toJson $, index $ (printf ...), printf "%v" $, a range over it, $ | toYaml.
 * `aliases` (variables bound to the context) grows with what the action binds.
 */
function handsOverContext(code: string, aliases: Set<string>, rebound: boolean): boolean {
  const whole = `(?:\\$${[...aliases].map((v) => `|\\$${v}`).join("")}${rebound ? "" : "|\\."})(?![\\w.$])`;
  for (const m of code.matchAll(new RegExp(`\\$(\\w+)\\s*:?=\\s*${whole}`, "g"))) aliases.add(m[1]);
  // print's arguments: any standalone context, once what include/template are handed is set aside.
  const printed = /(?<![.\w$])(?:print|printf|println)\s/.test(code) && new RegExp(`\\s${whole}`).test(code.replace(/(?<![.\w$])(?:include|template)\s+("[^"]*"|\([^()]*\)|\S+)\s+[$.](?![\w.$])/g, " "));
  return (
    printed ||
    new RegExp(`(?<![.\\w$])(?:${WHOLE}|range(?:\\s+\\$\\w+\\s*(?:,\\s*\\$\\w+\\s*)?:=)?)\\s+${whole}`).test(code) ||
    new RegExp(`(?:^|\\()\\s*${whole}\\s*\\|`).test(code)
  );
}

/**
 * Whether an action changes what every template rendered after it reads: a set/unset/merge whose
 * target is not a fresh map (dict, deepCopy, ...) or a variable the body bound to one (`locals`,
 * which grows with what the action binds).
 */
function changesShared(code: string, locals: Set<string>): boolean {
  for (const m of code.matchAll(/\$(\w+)\s*:=\s*\(?\s*(\w+)/g)) if (FRESH.test(m[2])) locals.add(m[1]);
  for (const m of code.matchAll(/(?<![.\w$])(?:set|unset|merge|mergeOverwrite|mustMerge|mustMergeOverwrite)\s+(\(\s*(\w+)|\$(\w+)(?=[\s)]|$)|\S)/g)) {
    if (!(m[2] !== undefined ? FRESH.test(m[2]) : m[3] !== undefined && locals.has(m[3]))) return true;
  }
  return false;
}

/** The file's top level and each of its defines, keyed "file:<path>" and "define:<name>". */
export function bodiesOf(path: string, text: string, sameAtEveryVersion: (apiVersion: string) => boolean = () => false): Map<string, Body> {
  const bodies = new Map<string, Body>();
  const body = (key: string): Body => {
    let b = bodies.get(key);
    if (!b) bodies.set(key, (b = emptyBody()));
    return b;
  };
  const top = `file:${path}`;
  body(top);
  // Variables a body made itself (dict, deepCopy, ...): changing them changes nothing shared.
  const own = new Map<string, Set<string>>();
  // Variables a body bound to the whole context ($root := .).
  const contextAliases = new Map<string, Set<string>>();
  // A stack of open blocks; a define's actions go to its body until its matching end.
  const stack: string[] = [];
  for (const a of actions(text)) {
    const open = OPENS.exec(a);
    const current = [...stack].reverse().find((k) => k.startsWith("define:")) ?? top;
    if (open && (open[1] === "define" || open[1] === "block")) {
      const name = /^(?:define|block)\s+"([^"]+)"/.exec(a)?.[1];
      if (name === undefined) body(current).computed = true;
      else if (open[1] === "block") body(current).names.push(name);
      stack.push(name === undefined ? "?" : `define:${name}`);
      if (name !== undefined) body(`define:${name}`);
      continue;
    }
    // `.` is the render context unless a with/range of this body rebinds it; `$` always is (in a
    // define, what was passed, usually the context), and so is a variable bound to either.
    const inner = stack.slice(stack.map((k) => k.startsWith("define:")).lastIndexOf(true) + 1);
    const rebound = inner.includes("with") || inner.includes("range");
    if (open) stack.push(open[1]);
    else if (/^end\b/.test(a)) stack.pop();
    const b = body(current);
    // The action with the insides of its string literals blanked (same length), so that words in a
    // message ("(set by the chart)") are not read as calls; names are read back from `a`.
    const code = mask(a);
    // What stays the same at every version is no dependence: the Helm version (reuse is per Helm),
    // and APIVersions.Has of a literal that every version's list holds, or none does.
    const varying = a
      .replace(/\$?\.Capabilities\.HelmVersion\b/g, "")
      .replace(/\$?\.Capabilities\.APIVersions\.Has\s+"([^"]*)"/g, (m, v: string) => (sameAtEveryVersion(v) ? "" : m));
    if (/\bCapabilities\b/.test(varying) || /(^|[\s(|])tpl\s/.test(code)) b.readsVersion = true;
    const aliases = contextAliases.get(current) ?? contextAliases.set(current, new Set()).get(current)!;
    if (handsOverContext(code, aliases, rebound)) b.readsVersion = true;
    const locals = own.get(current) ?? own.set(current, new Set()).get(current)!;
    if (changesShared(code, locals)) b.mutates = true;
    let rest = code;
    for (const [re, literal] of BASE_PATH_INCLUDE) {
      for (const m of code.matchAll(re)) {
        const [from, to] = m.indices![1];
        const file = literal.exec(a.slice(from, to))?.[1];
        if (file === undefined) continue; // another string: read below as a computed include
        b.files.push(`templates/${file}`);
        rest = rest.slice(0, m.index) + " ".repeat(m[0].length) + rest.slice(m.index + m[0].length);
      }
    }
    for (const m of rest.matchAll(/(?<![.\w$])(include|template)\s+("[^"]*"|\S)/g)) {
      if (m[2].startsWith('"')) {
        const at = m.index + m[0].length - m[2].length;
        b.names.push(a.slice(at + 1, at + m[2].length - 1));
      } else b.computed = true;
    }
  }
  return bodies;
}

/**
 * The analysis of the chart in `chartDir` (its files as `helm package` would hold them), for a matrix
 * whose Kubernetes versions serve `apiVersions` (one list per version, as given to Helm).
 */
export function kubeDependence(chartDir: string, apiVersions: string[][]): KubeDependence {
  const sameAtEveryVersion = (v: string): boolean => new Set(apiVersions.map((l) => l.includes(v))).size === 1;
  const chart = load(readFileSync(join(chartDir, "Chart.yaml"), "utf8")) as { name: string; dependencies?: unknown[] };
  const subcharts = existsSync(join(chartDir, "charts")) && readdirSync(join(chartDir, "charts")).length > 0;
  if (subcharts || (chart.dependencies?.length ?? 0) > 0) return { reuse: false, reason: "the chart has subcharts, whose templates are not read here" };
  const templates = chartFiles(chartDir).filter((f) => f.startsWith("templates/"));
  const bodies = new Map<string, Body>();
  const definesIn = new Map<string, string[]>(); // file -> the defines it holds
  for (const f of templates) {
    const own = bodiesOf(f, readFileSync(join(chartDir, f), "utf8"), sameAtEveryVersion);
    definesIn.set(f, [...own.keys()].filter((k) => k.startsWith("define:")));
    for (const [k, b] of own) {
      const seen = bodies.get(k);
      // A name defined twice: the union of both, since which one wins depends on load order.
      if (seen) bodies.set(k, { readsVersion: seen.readsVersion || b.readsVersion, names: [...seen.names, ...b.names], files: [...seen.files, ...b.files], computed: seen.computed || b.computed, mutates: seen.mutates || b.mutates });
      else bodies.set(k, b);
    }
  }
  const where = (k: string): string => k.replace(/^(file|define):/, "");
  for (const [k, b] of bodies) {
    if (b.computed) return { reuse: false, reason: `${where(k)} includes a template by a computed name` };
    // A name no define gives: a template file by its full name ("<chart>/templates/x.yaml"), or
    // something only Helm can resolve (it fails there, maybe not in a reduced render).
    for (const n of b.names) {
      if (bodies.has(`define:${n}`)) continue;
      const file = n.startsWith(`${chart.name}/`) ? n.slice(chart.name.length + 1) : "";
      if (templates.includes(file)) b.files.push(file);
      else return { reuse: false, reason: `${where(k)} includes "${n}", which no template of the chart defines` };
    }
  }
  const edges = (b: Body): string[] => [...b.names.map((n) => `define:${n}`), ...b.files.map((f) => `file:${f}`)];
  // Fixed points: the bodies that read (or change) something themselves or include a body that does.
  const reaching = (own: (b: Body) => boolean): Set<string> => {
    const found = new Set([...bodies].filter(([, b]) => own(b)).map(([k]) => k));
    for (let changed = true; changed; ) {
      changed = false;
      for (const [k, b] of bodies) {
        if (!found.has(k) && edges(b).some((e) => found.has(e))) {
          found.add(k);
          changed = true;
        }
      }
    }
    return found;
  };
  const sees = reaching((b) => b.readsVersion);
  const mutates = reaching((b) => b.mutates);
  // Whether, or how, shared values change may then depend on the version (a caller deciding whether
  // to call a helper that sets them): what other templates read can no longer be reused.
  const both = [...mutates].find((k) => sees.has(k));
  if (both) return { reuse: false, reason: `${where(both)} changes values other templates read and can see the Kubernetes version (itself or through what it includes)` };
  // Rendered files: not partials (`_*`). Kept: those that see the version or change the shared values
  // (the kept ones may read them), those holding defines (the kept ones may call them) and every file
  // a kept body includes by path.
  const rendered = templates.filter((f) => !basename(f).startsWith("_"));
  const keep = new Set(rendered.filter((f) => sees.has(`file:${f}`) || mutates.has(`file:${f}`) || definesIn.get(f)!.length > 0));
  const reach = [...keep].flatMap((f) => [`file:${f}`, ...definesIn.get(f)!]);
  for (const f of templates.filter((t) => basename(t).startsWith("_"))) reach.push(...definesIn.get(f)!);
  for (let i = 0; i < reach.length; i++) {
    for (const e of edges(bodies.get(reach[i]) ?? emptyBody())) {
      if (reach.includes(e)) continue;
      reach.push(e);
      if (e.startsWith("file:") && rendered.includes(e.slice(5))) keep.add(e.slice(5));
    }
  }
  const rerender = rendered.filter((f) => keep.has(f));
  const reused = rendered.filter((f) => !keep.has(f));
  if (reused.length === 0) return { reuse: false, reason: "every rendered template can see the Kubernetes version (through .Capabilities or tpl) or is included by one that can, so all are rendered at every version" };
  const list = (fs: string[]): string => fs.map((f) => f.replace(/^templates\//, "")).join(", ");
  const why = rerender.length
    ? `rendered again at each version: ${list(rerender)} (they can see the Kubernetes version through .Capabilities or tpl, change values other templates read, or are included by one that does); reused from the first version: ${list(reused)}`
    : `no template reads .Capabilities: ${list(reused)} reused from the first version`;
  return { reuse: true, rerender, reused, reason: why };
}

/**
 * A case's documents at a later version: its first-version documents, with those of the re-rendered
 * templates (`rerender`, paths relative to the chart) replaced by this version's, in place (a template
 * that rendered nothing at the first version goes last). Helm's own order of kinds is not redone: the
 * matrix compares and checks documents by identity, never by position.
 */
export function mergeRerendered(first: Doc[], again: Doc[], chartName: string, rerender: string[]): Doc[] {
  const sources = new Set(rerender.map((f) => `${chartName}/${f}`));
  const bySource = new Map<string, Doc[]>();
  for (const d of again) {
    if (!sources.has(d.source)) throw new Error(`${d.source} was rendered again but is not one of the re-rendered templates`);
    bySource.set(d.source, [...(bySource.get(d.source) ?? []), d]);
  }
  const out: Doc[] = [];
  for (const d of first) {
    if (!sources.has(d.source)) out.push(d);
    else if (bySource.has(d.source)) {
      out.push(...bySource.get(d.source)!);
      bySource.delete(d.source);
    }
  }
  for (const docs of bySource.values()) out.push(...docs);
  return out;
}
