// The files Helm loads from a chart directory, which are exactly the files `helm package` puts in
// the archive: everything but what the chart's .helmignore excludes and Helm's default ignore
// (dotfiles in templates/). A port of Helm's pkg/ignore (v3 and v4 alike), checked against
// `helm package` of both in test/lib/chart-files.test.ts.
//
// Why it matters: Helm applies only the TOP chart's .helmignore when it loads a directory, so a copy
// of a chart under another chart's charts/ folder (the matrix's batch wrapper) would otherwise load
// what its own .helmignore leaves out: different .Files than a single render, and slower.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";

export interface IgnoreRule {
  raw: string;
  negate: boolean;
  /** The rule ended in "/": it matches directories only. */
  mustDir: boolean;
  /** Anchored at the chart root ("/x") or holding a "/" anywhere: matched against the whole path. */
  wholePath: boolean;
  re: RegExp;
}

/** Go's filepath.Match pattern as an anchored RegExp ("/" is the separator; `\` escapes). */
export function goGlobToRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else if (ch === "\\") {
      if (i + 1 >= pattern.length) throw new Error(`syntax error in pattern ${JSON.stringify(pattern)}`);
      re += escapeRe(pattern[++i]);
    } else if (ch === "[") {
      const end = classEnd(pattern, i);
      let body = pattern.slice(i + 1, end);
      const negated = body.startsWith("^");
      if (negated) body = body.slice(1);
      if (body === "") throw new Error(`syntax error in pattern ${JSON.stringify(pattern)}`);
      re += `[${negated ? "^" : ""}${body.replace(/\\(.)/g, (_, c: string) => `\\${c}`).replace(/[\]^]/g, "\\$&")}]`;
      i = end;
    } else re += escapeRe(ch);
  }
  return new RegExp(`^${re}$`, "s");
}

const escapeRe = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");

function classEnd(pattern: string, open: number): number {
  for (let j = open + 1; j < pattern.length; j++) {
    if (pattern[j] === "\\") j++;
    else if (pattern[j] === "]" && j > open + 1 + (pattern[open + 1] === "^" ? 1 : 0)) return j;
  }
  throw new Error(`syntax error in pattern ${JSON.stringify(pattern)}`);
}

/** One .helmignore line as Helm parses it; undefined for blank lines and comments. */
export function parseIgnoreRule(line: string): IgnoreRule | undefined {
  let rule = line.trim();
  if (rule === "" || rule.startsWith("#")) return undefined;
  if (rule.includes("**")) throw new Error(`.helmignore: double-star (**) syntax is not supported: ${rule}`);
  const raw = rule;
  const negate = rule.startsWith("!");
  if (negate) rule = rule.slice(1);
  const mustDir = rule.endsWith("/");
  if (mustDir) rule = rule.slice(0, -1);
  const anchored = rule.startsWith("/");
  if (anchored) rule = rule.slice(1);
  return { raw, negate, mustDir, wholePath: anchored || rule.includes("/"), re: goGlobToRegExp(rule) };
}

/** Helm's default rule, added after the chart's own: dotfiles in templates/ are never templates. */
export const DEFAULT_IGNORE = "templates/.?*";

/** The chart's .helmignore rules (if any) followed by Helm's default. */
export function ignoreRules(chartDir: string): IgnoreRule[] {
  const file = join(chartDir, ".helmignore");
  const lines = existsSync(file) ? readFileSync(file, "utf8").split(/\r?\n/) : [];
  return [...lines, DEFAULT_IGNORE].map(parseIgnoreRule).filter((r): r is IgnoreRule => r !== undefined);
}

/**
 * Helm's Rules.Ignore, rule for rule: the first matching rule ignores; a negated rule ignores
 * whatever it does NOT match (Helm's own, surprising, semantics) and lets the rest go on.
 */
export function isIgnored(rules: IgnoreRule[], path: string, isDir: boolean): boolean {
  if (path === "" || path === "." || path === "./") return false;
  for (const r of rules) {
    const subject = r.wholePath ? path : basename(path);
    if (r.negate) {
      if (r.mustDir && !isDir) return true;
      if (!r.re.test(subject)) return true;
      continue;
    }
    if (r.mustDir && !isDir) continue;
    if (r.re.test(subject)) return true;
  }
  return false;
}

/** Paths (relative, "/"-separated, sorted) of every file Helm loads from the chart in `chartDir`. */
export function chartFiles(chartDir: string): string[] {
  const rules = ignoreRules(chartDir);
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(rel ? join(chartDir, rel) : chartDir).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const dir = statSync(join(chartDir, path)).isDirectory(); // follows symlinks, as Helm's walk does
      if (isIgnored(rules, path, dir)) continue; // an ignored directory is never entered
      if (dir) walk(path);
      else out.push(path);
    }
  };
  walk("");
  return out;
}

/** Copies the chart as Helm loads it (see chartFiles) into `dest`; returns the files copied. */
export function copyChartFiles(chartDir: string, dest: string): string[] {
  const files = chartFiles(chartDir);
  for (const f of files) {
    const to = join(dest, f);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(chartDir, f), to);
  }
  return files;
}
