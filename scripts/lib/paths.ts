// Where the repository's well-known folders and files are, resolved once from this file's location
// so every script works from any working directory.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const chartDir = join(repoRoot, "chart");
export const toolsDir = join(repoRoot, ".tools");
export const rootSchemaPath = join(repoRoot, "values.schema.json");
export const chartSchemaPath = join(chartDir, "values.schema.json");
export const chartValuesPath = join(chartDir, "values.yaml");
export const readmePath = join(repoRoot, "README.md");
