// `npm run validate -- my-values.yaml [more.yaml ...] [--json]`: checks a user's values files
// against the schema and the chart's own rules, with every Helm the toolkit runs, and prints every
// problem at once with the file, key and fix. Exit 1 when there is any problem.
import { readFileSync } from "node:fs";
import { load } from "js-yaml";
import { helms, helmTemplate, type Helm } from "./lib/helm.ts";
import { chartDir } from "./lib/paths.ts";
import { redact, schemaProblems, secretsIn, type ValuesProblem } from "./lib/values-schema.ts";

export interface FileReport {
  file: string;
  problems: (ValuesProblem & { source: string })[];
}

/** `[ERROR] datadog.apiKey is not ...` lines from the chart's _validate.tpl. */
function templateRuleProblems(stderr: string): ValuesProblem[] {
  return [...stderr.matchAll(/^\[ERROR\] (\S+) (.*?)(?: Allowed: (.*))?$/gm)].map((m) => ({
    key: m[1],
    message: m[2].trim(),
    fix: m[3] ? `allowed: ${m[3]}` : "see the values reference in README.md.",
  }));
}

async function helmProblems(helm: Helm, file: string, schemaOk: boolean): Promise<ValuesProblem[]> {
  // Schema problems are already listed (ajv reports all of them, Helm stops early); skip the schema
  // here so the chart's template rules are reported in the same run.
  const rules = await helmTemplate(helm, chartDir, { valuesFiles: [file], extraArgs: ["--skip-schema-validation"] });
  const problems = rules.ok ? [] : templateRuleProblems(rules.stderr);
  // A render that breaks without a rule's message is reported only when the schema found nothing:
  // values the schema refuses (e.g. a nulled updateStrategy) may crash templates that rely on them.
  if (!rules.ok && problems.length === 0 && schemaOk) problems.push({ key: "(chart)", message: rules.stderr.trim().split("\n")[0], fix: "see the error above." });
  if (schemaOk) {
    // Helm's own schema check must agree with ours; if it does not, its word wins.
    const full = await helmTemplate(helm, chartDir, { valuesFiles: [file] });
    if (!full.ok && rules.ok) problems.push({ key: "(schema)", message: full.stderr.trim(), fix: "see Helm's message." });
  }
  return problems;
}

export async function validateFile(file: string): Promise<FileReport> {
  let values: unknown;
  try {
    values = load(readFileSync(file, "utf8")) ?? {};
  } catch (e) {
    return { file, problems: [{ key: "(file)", message: `not readable YAML: ${(e as Error).message.split("\n")[0]}`, fix: "fix the YAML syntax.", source: "yaml" }] };
  }
  const secrets = secretsIn(values);
  const problems: FileReport["problems"] = schemaProblems(values).map((p) => ({ ...p, source: "schema" }));
  const seen = new Set(problems.map((p) => p.message));
  for (const helm of await helms()) {
    for (const p of await helmProblems(helm, file, problems.length === 0)) {
      if (seen.has(p.message)) continue; // the same rule, reported by the other Helm
      seen.add(p.message);
      problems.push({ ...p, source: `chart rules, ${helm.id}` });
    }
  }
  // Belt and braces: no secret value leaves this function, whatever a Helm version prints.
  return { file, problems: problems.map((p) => ({ ...p, message: redact(p.message, secrets), fix: redact(p.fix, secrets) })) };
}

export function formatReport(r: FileReport): string {
  if (r.problems.length === 0) return `${r.file}: OK`;
  const lines = r.problems.map((p) => `${r.file}: ${p.key}: ${p.message}\n    fix: ${p.fix}  [${p.source}]`);
  return `${lines.join("\n")}\n${r.file}: ${r.problems.length} problem${r.problems.length === 1 ? "" : "s"}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const json = args.includes("--json");
  const files = args.filter((a) => !a.startsWith("--"));
  if (files.length === 0) {
    console.error("usage: npm run validate -- <values.yaml> [more.yaml ...] [--json]");
    process.exit(2);
  }
  const reports = [];
  for (const f of files) reports.push(await validateFile(f));
  if (json) console.log(JSON.stringify({ ok: reports.every((r) => r.problems.length === 0), files: reports }, null, 2));
  else for (const r of reports) console.log(formatReport(r));
  process.exit(reports.some((r) => r.problems.length > 0) ? 1 : 0);
}
