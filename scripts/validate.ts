// `npm run validate -- a.yaml [b.yaml ...] [--json]`: checks a user's values files against the schema
// and the chart's own rules, with every Helm the toolkit runs, and prints every problem at once with
// the file(s) that set the key, the key and a fix. Several files are merged in the order given, as
// `helm -f a.yaml -f b.yaml` merges them (scripts/lib/values-schema.ts mergeValuesFiles), so a setting
// split across files is judged as Helm will render it. Exit 1 when there is any problem, 2 on a usage
// error.
//
// --json prints { ok, problems, files }:
//   problems  every problem once: { key, message, fix, source, files } where files are the values
//             files that set the key (or the map holding it), in the order given; all the files when
//             none set it (a rule broken by the merged values as a whole);
//   files     one { file, problems } per file given, listing the problems whose `files` name it (a
//             problem two files share is under both). A file that cannot be read or parsed has its
//             problem here with key "(file)", and the values are then not checked.
import { readFileSync, statSync } from "node:fs";
import { loadAll, YAML11_SCHEMA } from "js-yaml";
import { helms, helmTemplate, type Helm } from "./lib/helm.ts";
import { chartDir } from "./lib/paths.ts";
import { filesSetting, mergeValuesFiles, patternText, redact, schemaProblems, secretsIn, type ValuesProblem } from "./lib/values-schema.ts";
import { patternWords } from "./contract/dsl.ts";

export interface Problem extends ValuesProblem {
  source: string;
  /** The values files that set the key (or the map holding it), in the order given. */
  files: string[];
}

export interface FileReport {
  file: string;
  problems: Problem[];
}

export interface ValidationReport {
  ok: boolean;
  problems: Problem[];
  files: FileReport[];
}

/** `[ERROR] datadog.apiKey is not ...` lines from the chart's _validate.tpl. */
function templateRuleProblems(stderr: string): ValuesProblem[] {
  return [...stderr.matchAll(/^\[ERROR\] (\S+) (.*?)(?: Allowed: (.*))?$/gm)].map((m) => ({
    key: m[1],
    message: m[2].trim(),
    fix: m[3] ? `allowed: ${m[3]}` : "see the values reference in README.md.",
  }));
}

/** Helm's own schema messages quote the pattern (`... pattern '^[a-z]...$'`): say its words instead. */
export function withoutPatterns(text: string): string {
  return text.replace(/(?:does not match |match(?:es)? )?pattern ['"]([^'"\n]*)['"]/gi, (_, p: string) => `is not ${patternWords.has(p) ? patternText(p) : "of the expected form (see the values reference in README.md)"}`);
}

async function helmProblems(helm: Helm, files: string[], schemaOk: boolean): Promise<ValuesProblem[]> {
  // Schema problems are already listed (ajv reports all of them, Helm stops early); skip the schema
  // here so the chart's template rules are reported in the same run.
  const rules = await helmTemplate(helm, chartDir, { valuesFiles: files, extraArgs: ["--skip-schema-validation"] });
  const problems = rules.ok ? [] : templateRuleProblems(rules.stderr);
  // A render that breaks without a rule's message is reported only when the schema found nothing:
  // values the schema refuses (e.g. a nulled updateStrategy) may crash templates that rely on them.
  if (!rules.ok && problems.length === 0 && schemaOk) problems.push({ key: "(chart)", message: withoutPatterns(rules.stderr.trim().split("\n")[0]), fix: "see the error above." });
  if (schemaOk) {
    // Helm's own schema check must agree with ours; if it does not, its word wins.
    const full = await helmTemplate(helm, chartDir, { valuesFiles: files });
    if (!full.ok && rules.ok) problems.push({ key: "(schema)", message: withoutPatterns(full.stderr.trim()), fix: "see Helm's message." });
  }
  return problems;
}

/** One values file read as Helm reads it, or the problem that stops Helm at it. */
export function readValuesFile(file: string): { values: Record<string, unknown> } | { problem: Problem } {
  const fail = (message: string, fix: string): { problem: Problem } => ({ problem: { key: "(file)", message, fix, source: "file", files: [file] } });
  let text: string;
  try {
    if (statSync(file).isDirectory()) return fail("is a directory, not a values file", "give the path of a YAML file.");
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return fail("not found", `check the path (relative to ${process.cwd()}).`);
    if (code === "EACCES" || code === "EPERM") return fail("cannot be read: permission denied", "make the file readable to you (e.g. chmod u+r).");
    return fail(`cannot be read (${code ?? "unknown error"})`, "check the path and that the file is readable.");
  }
  let docs: unknown[];
  try {
    // YAML 1.1, as Helm's sigs.k8s.io/yaml (go-yaml v2) reads it: `yes`, `on` are true, `017` is octal.
    docs = loadAll(text, { schema: YAML11_SCHEMA });
  } catch (e) {
    // The first line only: js-yaml's further lines quote the file, which may hold a secret.
    return fail(`is not readable YAML: ${(e as Error).message.split("\n")[0]}`, "fix the YAML syntax at that line and column.");
  }
  // An empty or comment-only file, or an empty document (`---`, `~`), is {} to Helm.
  const maps = docs.filter((d) => d !== null && d !== undefined);
  if (maps.length > 1) {
    return fail(
      `holds ${maps.length} YAML documents (separated by ---): Helm 3 reads only the first, Helm 4 merges them all`,
      "keep one document per file; to split values, give several files in order (npm run validate -- a.yaml b.yaml, helm -f a.yaml -f b.yaml).",
    );
  }
  const values = maps[0] ?? {};
  if (typeof values !== "object" || Array.isArray(values)) {
    return fail(`is ${Array.isArray(values) ? "a list" : "a single value"}, not a map of keys and values (Helm refuses it)`, "write the values as keys, e.g. `securityMode: leastPrivilege`.");
  }
  // A timestamp-like plain scalar (2024-01-01) stays a string in Helm (go-yaml v2 into interface{}).
  return { values: JSON.parse(JSON.stringify(values)) as Record<string, unknown> };
}

/** Checks values files merged in the order given, as `helm -f a -f b ...` would render them. */
export async function validateFiles(files: string[]): Promise<ValidationReport> {
  const read = files.map((file) => ({ file, r: readValuesFile(file) }));
  let problems: Problem[] = read.flatMap(({ r }) => ("problem" in r ? [r.problem] : []));
  if (problems.length === 0) {
    const parsed = read.map(({ file, r }) => ({ file, values: (r as { values: Record<string, unknown> }).values }));
    const merged = mergeValuesFiles(parsed);
    const attribute = (p: ValuesProblem, source: string): Problem => {
      const by = filesSetting(p.key, merged.setBy);
      return { ...p, source, files: by.length ? by : [...files] };
    };
    problems = schemaProblems(merged.values).map((p) => attribute(p, "schema"));
    const seen = new Set(problems.map((p) => p.message));
    for (const helm of await helms()) {
      for (const p of await helmProblems(helm, files, problems.length === 0)) {
        if (seen.has(p.message)) continue; // the same rule, reported by the other Helm
        seen.add(p.message);
        problems.push(attribute(p, `chart rules, ${helm.id}`));
      }
    }
    // Belt and braces: no secret value leaves this function, whatever a Helm version prints; a
    // secret a later file overrides is scrubbed too.
    const secrets = [...new Set([...secretsIn(merged.values), ...parsed.flatMap((f) => secretsIn(f.values))])];
    problems = problems.map((p) => ({ ...p, message: redact(p.message, secrets), fix: redact(p.fix, secrets) }));
  }
  return {
    ok: problems.length === 0,
    problems,
    files: files.map((file) => ({ file, problems: problems.filter((p) => p.files.includes(file)) })),
  };
}

/** One file alone (the same as validateFiles([file]) for that file). */
export async function validateFile(file: string): Promise<FileReport> {
  return (await validateFiles([file])).files[0];
}

export function formatReport(r: ValidationReport, files: string[] = r.files.map((f) => f.file)): string {
  const label = files.length === 1 ? files[0] : `${files.join(" + ")} (merged in this order)`;
  if (r.problems.length === 0) return `${label}: OK`;
  const lines = r.problems.map((p) => `${p.files.join(", ")}: ${p.key}: ${p.message}\n    fix: ${p.fix}  [${p.source}]`);
  return `${lines.join("\n")}\n${label}: ${r.problems.length} problem${r.problems.length === 1 ? "" : "s"}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const usage = "usage: npm run validate -- <values.yaml> [more.yaml ...] [--json]\n  several files are merged in the order given, as helm -f a.yaml -f b.yaml merges them";
  const args = process.argv.slice(2);
  const json = args.includes("--json");
  const unknown = args.filter((a) => a.startsWith("-") && a !== "--json");
  const files = args.filter((a) => !a.startsWith("-"));
  if (unknown.length || files.length === 0) {
    console.error(unknown.length ? `unknown option${unknown.length > 1 ? "s" : ""}: ${unknown.join(" ")}\n${usage}` : usage);
    process.exit(2);
  }
  const report = await validateFiles(files);
  console.log(json ? JSON.stringify(report, null, 2) : formatReport(report));
  process.exit(report.ok ? 0 : 1);
}
