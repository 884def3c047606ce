// One source, many files: a change to the contract reaches every generated file, and a forgotten
// `npm run generate` is caught.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Field, Group } from "../../scripts/contract/dsl.ts";
import { contract, datadogSites } from "../../scripts/contract/values.ts";
import { chartReadmePath, driftedFiles, generatedFiles, typesPath } from "../../scripts/generate.ts";
import { chartSchemaPath, readmePath, repoRoot, rootSchemaPath } from "../../scripts/lib/paths.ts";

function withExtraSite(site: string): Group {
  const copy = structuredClone(contract);
  const datadog = copy.fields.datadog as Group;
  const field = datadog.fields.site as Field;
  field.schema = { ...field.schema, enum: [...datadogSites, site] };
  return copy;
}

describe("generated files", () => {
  it("are up to date with the contract (run `npm run generate` if this fails)", async () => {
    expect(await driftedFiles()).toEqual([]);
  });

  it("put the same schema at the repository root and in the chart", () => {
    expect(readFileSync(rootSchemaPath, "utf8")).toBe(readFileSync(chartSchemaPath, "utf8"));
  });

  it("follow one changed constraint into both schemas, the types and the README, and drift is detected", async () => {
    const files = await generatedFiles(withExtraSite("eu2.datadoghq.example"));
    for (const path of [rootSchemaPath, chartSchemaPath, typesPath, readmePath, chartReadmePath]) {
      expect(files.get(path), path).toContain("eu2.datadoghq.example");
    }
    expect((await driftedFiles(withExtraSite("eu2.datadoghq.example"))).sort()).toEqual(
      ["README.md", "chart/README.md", "chart/values.schema.json", "scripts/generated/values.ts", "values.schema.json"].sort(),
    );
  });

  it("link only to files that exist, from where each README and maintainer document lives (the chart README and docs/ are one folder down)", () => {
    const docs = readdirSync(join(repoRoot, "docs")).filter((f) => f.endsWith(".md")).map((f) => join(repoRoot, "docs", f));
    expect(docs.map((d) => d.slice(repoRoot.length + 1)).sort()).toEqual(["docs/releasing.md", "docs/testing.md", "docs/toolkit.md"]);
    for (const path of [readmePath, chartReadmePath, ...docs]) {
      const links = [...readFileSync(path, "utf8").matchAll(/\]\((?![a-z][a-z0-9+.-]*:|#)([^)#\s]+)[^)]*\)/gi)].map((m) => m[1]);
      expect(links.length, path).toBeGreaterThan(0);
      expect(links.filter((l) => !existsSync(join(dirname(path), l))), path).toEqual([]);
    }
    // The packaged README links inside the package or absolutely (test/publish/chart-readme.test.ts checks each link).
    expect(readFileSync(chartReadmePath, "utf8")).not.toContain("](../");
    expect(repoRoot).toBe(dirname(readmePath));
  });

  it("declare Helm's global key and keep every contract group strict", () => {
    const schema = JSON.parse(readFileSync(rootSchemaPath, "utf8"));
    expect(schema.properties.global.type).toBe("object");
    const strictObjects: string[] = [];
    const visit = (s: { type?: string; additionalProperties?: unknown; properties?: Record<string, unknown> }, path: string) => {
      if (s.properties && path !== "global") {
        expect(s.additionalProperties, path || "(root)").toBe(false);
        strictObjects.push(path);
        for (const [k, v] of Object.entries(s.properties)) visit(v as never, path ? `${path}.${k}` : k);
      }
    };
    visit(schema, "");
    expect(strictObjects).toContain("profiler");
  });

  it("describe Kubernetes pass-through values by their real Kubernetes shapes", () => {
    const schema = JSON.parse(readFileSync(rootSchemaPath, "utf8"));
    expect(schema.properties.tolerations.items.$ref).toBe("#/definitions/io.k8s.api.core.v1.Toleration");
    expect(schema.properties.resources.$ref).toBe("#/definitions/io.k8s.api.core.v1.ResourceRequirements");
    expect(schema.definitions["io.k8s.api.core.v1.Toleration"].additionalProperties).toBe(false);
  });
});
