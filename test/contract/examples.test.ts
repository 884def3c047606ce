// The golden examples: committed manifests equal what both Helms render today, and a template
// change without `npm run generate` is caught (the check renders a changed copy of the chart).
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { scenarios, strayExamples, valuesPath } from "../../scripts/examples.ts";
import { driftedExamples } from "../../scripts/generate.ts";
import { helms } from "../../scripts/lib/helm.ts";
import { chartDir, readmePath } from "../../scripts/lib/paths.ts";
import { schemaProblems } from "../../scripts/lib/values-schema.ts";

describe("golden examples", () => {
  it("are up to date with the chart under every Helm (run `npm run generate` if this fails)", async () => {
    expect(await driftedExamples()).toEqual([]);
  });

  it("fail the check when a template changes and the examples are not regenerated", async () => {
    const copy = join(mkdtempSync(join(tmpdir(), "examples-chart-")), "chart");
    cpSync(chartDir, copy, { recursive: true });
    const ds = join(copy, "templates", "daemonset.yaml");
    writeFileSync(ds, readFileSync(ds, "utf8").replace("  revisionHistoryLimit:", "  minReadySeconds: 5\n  revisionHistoryLimit:"));
    const drifted = await driftedExamples(copy);
    for (const helm of await helms()) for (const s of scenarios) expect(drifted).toContain(`examples/${s.name}/manifests.yaml (${helm.id})`);
  });

  it("hold valid values, one folder per scenario, each linked from the README", () => {
    expect(strayExamples()).toEqual([]);
    const readme = readFileSync(readmePath, "utf8");
    for (const s of scenarios) {
      expect(schemaProblems(load(readFileSync(valuesPath(s), "utf8")) ?? {}), s.name).toEqual([]);
      expect(readme, s.name).toContain(`(examples/${s.name}/`);
    }
  });
});
