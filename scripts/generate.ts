// `npm run generate`: writes every file derived from the values contract.
// `npm run generate -- --check`: writes nothing, lists files that are out of date, exits 1 if any.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { contract } from "./contract/values.ts";
import type { Group } from "./contract/dsl.ts";
import { valuesSchema, type KubeDefinitionSource } from "./contract/schema.ts";
import { valuesTypes } from "./contract/types.ts";
import { spliceTable, valuesTable } from "./contract/readme-table.ts";
import { kubeDefinitionSchema, kubeVersions } from "./kubernetes/validate.ts";
import { chartSchemaPath, readmePath, repoRoot, rootSchemaPath } from "./lib/paths.ts";

export const typesPath = join(repoRoot, "scripts", "generated", "values.ts");

/** Kubernetes shapes in the values schema come from the newest committed Kubernetes schema. */
const kubeSource: KubeDefinitionSource = (names) => {
  const newest = kubeVersions().at(-1)!;
  const defs: Record<string, Record<string, unknown>> = {};
  for (const n of names) Object.assign(defs, kubeDefinitionSchema(newest, n, { refPrefix: "#/definitions/" }).$defs);
  return Object.fromEntries(Object.keys(defs).sort().map((k) => [k, defs[k]]));
};

/** path -> content of every generated file, computed in memory (from another contract in tests). */
export async function generatedFiles(source: Group = contract): Promise<Map<string, string>> {
  const schema = valuesSchema(source, kubeSource);
  const schemaText = `${JSON.stringify(schema, null, 2)}\n`;
  const files = new Map<string, string>();
  files.set(rootSchemaPath, schemaText);
  files.set(chartSchemaPath, schemaText);
  files.set(typesPath, await valuesTypes(schema));
  files.set(readmePath, spliceTable(readFileSync(readmePath, "utf8"), valuesTable(source)));
  return files;
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
    const drifted = await driftedFiles();
    if (drifted.length) {
      console.error(`Out of date (run \`npm run generate\`): ${drifted.join(", ")}`);
      process.exit(1);
    }
    console.log("generated files are up to date");
  } else {
    for (const [path, content] of await generatedFiles()) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      console.log(`wrote ${relative(repoRoot, path)}`);
    }
  }
}
