// `npm run generate`: writes every file derived from the values contract (and the Kubernetes types
// from the committed API schemas), and the golden examples' rendered manifests (scripts/examples.ts).
// `npm run generate -- --check`: writes nothing, lists files that are out of date (examples rendered
// with every Helm), exits 1 if any.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { contract } from "./contract/values.ts";
import type { Group } from "./contract/dsl.ts";
import { valuesSchema, type KubeDefinitionSource } from "./contract/schema.ts";
import { valuesTypes } from "./contract/types.ts";
import { withQuantityGrammar } from "./contract/quantity.ts";
import { withApiServerRules } from "./contract/apiserver-rules.ts";
import { spliceBetween, spliceTable, valuesTable } from "./contract/readme-table.ts";
import { capabilityTable, capabilityTableEnd, capabilityTableStart } from "./contract/capability-table.ts";
import { chartContractPath, chartContractTemplate } from "./contract/chart-contract.ts";
import { seccompAllowlistPath, seccompProfileText } from "./contract/seccomp.ts";
import { kubeDefinitionSchema, kubeVersions } from "./kubernetes/validate.ts";
import { kubernetesTypes, kubernetesTypesFile } from "./kubernetes/types.ts";
import { withFieldsServedEverywhere } from "./contract/kube-fields.ts";
import { chartSchemaPath, readmePath, repoRoot, rootSchemaPath } from "./lib/paths.ts";
import { helms } from "./lib/helm.ts";
import { renderedExamples, strayExamples } from "./examples.ts";
import { chartReadme as chartReadmeFor } from "./lib/chart-readme.ts";

export const typesPath = join(repoRoot, "scripts", "generated", "values.ts");

export const chartReadmePath = join(repoRoot, "chart", "README.md");

/**
 * The packaged chart's README (shown by `helm show readme` and Artifact Hub): README.md's parts for
 * chart users, with every link inside the package or absolute under Chart.yaml `home`
 * (scripts/lib/chart-readme.ts).
 */
export function chartReadme(readme: string): string {
  return chartReadmeFor(readme);
}

/**
 * Kubernetes shapes in the values schema come from the newest committed Kubernetes schema, without
 * the fields an older committed version does not serve (contract/kube-fields.ts).
 */
const kubeSource: KubeDefinitionSource = (names) => {
  const newest = kubeVersions().at(-1)!;
  const defs: Record<string, Record<string, unknown>> = {};
  for (const n of names) Object.assign(defs, kubeDefinitionSchema(newest, n, { refPrefix: "#/definitions/" }).$defs);
  const ruled = withApiServerRules(withQuantityGrammar(withFieldsServedEverywhere(Object.fromEntries(Object.keys(defs).sort().map((k) => [k, defs[k]])))));
  // Rules narrow some shapes (apiserver-formats.ts): definitions no longer referenced are dropped.
  const reachable = new Set<string>();
  const visit = (n: string): void => {
    if (reachable.has(n) || !ruled[n]) return;
    reachable.add(n);
    for (const m of JSON.stringify(ruled[n]).matchAll(/"\$ref":"#\/definitions\/([^"]+)"/g)) visit(m[1]);
  };
  names.forEach(visit);
  return Object.fromEntries(Object.keys(ruled).filter((k) => reachable.has(k)).map((k) => [k, ruled[k]]));
};

/** path -> content of every generated file, computed in memory (from another contract in tests). */
export async function generatedFiles(source: Group = contract): Promise<Map<string, string>> {
  const schema = valuesSchema(source, kubeSource);
  const schemaText = `${JSON.stringify(schema, null, 2)}\n`;
  const files = new Map<string, string>();
  files.set(rootSchemaPath, schemaText);
  files.set(chartSchemaPath, schemaText);
  files.set(typesPath, await valuesTypes(schema));
  // The Kubernetes shapes the toolkit reads, from the committed API schemas (not from the contract).
  files.set(join(repoRoot, kubernetesTypesFile), await kubernetesTypes());
  files.set(chartContractPath, chartContractTemplate(source));
  // The leastPrivilege seccomp allowlist (leastPrivilege.seccompAllowlist), from its list in the contract.
  files.set(join(repoRoot, seccompAllowlistPath), seccompProfileText());
  const readme = spliceBetween(spliceTable(readFileSync(readmePath, "utf8"), valuesTable(source)), capabilityTableStart, capabilityTableEnd, capabilityTable());
  files.set(readmePath, readme);
  files.set(chartReadmePath, chartReadme(readme));
  return files;
}

function differsOnDisk(path: string, content: string): boolean {
  try {
    return readFileSync(path, "utf8") !== content;
  } catch {
    return true;
  }
}

/** Example manifests on disk that differ from what any Helm renders today, and stray example folders. */
export async function driftedExamples(chart?: string): Promise<string[]> {
  const drifted = new Set<string>(strayExamples());
  for (const helm of await helms()) {
    for (const [path, content] of await renderedExamples(helm, chart)) if (differsOnDisk(path, content)) drifted.add(`${relative(repoRoot, path)} (${helm.id})`);
  }
  return [...drifted];
}

/** Files whose content on disk differs from what the contract generates. */
export async function driftedFiles(source: Group = contract): Promise<string[]> {
  const drifted: string[] = [];
  for (const [path, content] of await generatedFiles(source)) {
    let onDisk = "";
    try {
      onDisk = readFileSync(path, "utf8");
    } catch {}
    if (onDisk !== content) drifted.push(relative(repoRoot, path));
  }
  return drifted;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes("--check")) {
    const drifted = [...(await driftedFiles()), ...(await driftedExamples())];
    if (drifted.length) {
      console.error(`Out of date (run \`npm run generate\`): ${drifted.join(", ")}`);
      process.exit(1);
    }
    console.log("generated files are up to date");
  } else {
    // Contract files first: the chart's templates include one of them (_durationbounds.tpl), and the examples render the chart.
    const write = (files: Iterable<[string, string]>) => {
      for (const [path, content] of files) {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, content);
        console.log(`wrote ${relative(repoRoot, path)}`);
      }
    };
    write(await generatedFiles());
    write(await renderedExamples((await helms())[0]));
  }
}
