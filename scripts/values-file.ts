// Write the chart's values from TypeScript, typed by the generated Values interface:
//
//   import { defineValues, writeValuesFile } from "./scripts/values-file.ts";
//   writeValuesFile("prod.yaml", defineValues({ securityMode: "leastPrivilege", datadog: { apiKeyExistingSecret: "dd" } }));
//
// writeValuesFile checks the values against values.schema.json first and refuses to write a file
// Helm would reject, naming every bad key (never a secret's value).
import { writeFileSync } from "node:fs";
import { dump } from "js-yaml";
import type { Values } from "./generated/values.ts";
import { schemaProblems } from "./lib/values-schema.ts";

export type { Values };

/** Identity at run time; at compile time, every key and type is checked against the contract. */
export function defineValues(values: Values): Values {
  return values;
}

export function valuesYaml(values: Values): string {
  const problems = schemaProblems(values);
  if (problems.length) {
    throw new Error(`values do not match the chart's schema:\n${problems.map((p) => `  ${p.key}: ${p.message} (${p.fix})`).join("\n")}`);
  }
  return `# Written by scripts/values-file.ts; values for the dd-otel-host-profiler chart.\n${dump(values, { lineWidth: 120 })}`;
}

export function writeValuesFile(path: string, values: Values): void {
  writeFileSync(path, valuesYaml(values));
}
