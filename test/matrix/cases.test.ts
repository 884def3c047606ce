// The case folder: enough valid cases, each saying what it covers, each accepted by the chart's
// values.schema.json, and together setting every key of the values contract at least once.
import { describe, expect, it } from "vitest";
import { walk } from "../../scripts/contract/dsl.ts";
import { contract } from "../../scripts/contract/values.ts";
import { schemaProblems } from "../../scripts/lib/values-schema.ts";
import { discoverCases, globMatcher } from "../../scripts/matrix/cases.ts";

const cases = discoverCases();

describe("test/cases", () => {
  it("has at least 40 cases, each with a first-line comment saying what it covers", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    for (const c of cases) expect(c.description.length, c.name).toBeGreaterThan(15);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s passes the chart's values schema", (_n, c) => {
    // Checked as Helm checks it: over the chart's defaults.
    expect(schemaProblems(c.values)).toEqual([]);
  });

  it("sets every key of the values contract in at least one case", () => {
    const isSet = (values: unknown, path: string[]): boolean => {
      let v: unknown = values;
      for (const k of path) v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined;
      return v !== undefined;
    };
    const unset = [...walk(contract)]
      .filter(({ node, path }) => node.kind === "field" && path.length > 0)
      .map(({ path }) => path)
      .filter((path) => !cases.some((c) => isSet(c.values, path)))
      .map((p) => p.join("."));
    expect(unset).toEqual([]);
  });

  it("covers both security modes, every secret source, and split by service on and off", () => {
    const has = (f: (v: Record<string, any>) => boolean) => cases.some((c) => f(c.values));
    expect(has((v) => v.securityMode === "leastPrivilege")).toBe(true);
    expect(has((v) => !v.securityMode && !v.datadog)).toBe(true);
    for (const k of ["apiKey", "apiKeyExistingSecret", "appKey", "appKeyExistingSecret"]) expect(has((v) => Boolean(v.datadog?.[k])), k).toBe(true);
    expect(has((v) => v.profiler?.splitByService === false)).toBe(true);
    expect(has((v) => v.profiler?.splitByService === true)).toBe(true);
  });

  it("filters by glob", () => {
    const m = globMatcher(["least-*", "default"]);
    expect(cases.filter((c) => m(c.name)).map((c) => c.name)).toContain("default");
    expect(cases.filter((c) => m(c.name)).every((c) => c.name === "default" || c.name.startsWith("least-"))).toBe(true);
  });
});
