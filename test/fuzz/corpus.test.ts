// The generator: every file it draws is one the chart's schema accepts (after Helm merges it over
// values.yaml), a seed fixes the corpus, both ways of drawing (one key, several keys) are used, and
// the strings include what people type and hostile ones. No Helm here.
import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chartDir } from "../../scripts/lib/paths.ts";
import { corpus, valuesArbitrary, valuesYaml } from "../../scripts/fuzz/corpus.ts";
import { readValuesSchema } from "../../scripts/fuzz/run.ts";
import { coalesce, keyPaths, SchemaArbitraries } from "../../scripts/fuzz/schema-arbitrary.ts";
import { LOOKS_LIKE_OTHER_TYPES } from "../../scripts/fuzz/strings.ts";
import { load } from "js-yaml";

const { schema, defaults } = readValuesSchema(chartDir);
const arb = valuesArbitrary(schema, defaults);
const files = corpus(arb, 7, 300);
const check = new Ajv({ strict: false, allErrors: true }).compile(JSON.parse(readFileSync(`${chartDir}/values.schema.json`, "utf8")));

describe("the fuzz corpus of this chart", () => {
  it("holds only files values.schema.json accepts once merged over values.yaml", () => {
    const bad = files.filter((f) => !check(coalesce(defaults, f.values)));
    expect(bad.map((f) => f.how)).toEqual([]);
  });

  it("is fixed by its seed and changes with it", () => {
    expect(corpus(arb, 7, 300)).toEqual(files);
    expect(corpus(arb, 8, 50)).not.toEqual(files.slice(0, 50));
  });

  it("sets one key in some files (many different keys) and several top-level keys in others", () => {
    const one = files.filter((f) => f.how.startsWith("key "));
    const several = files.filter((f) => f.how.startsWith("keys "));
    expect(one.length).toBeGreaterThan(60);
    expect(several.length).toBeGreaterThan(60);
    expect(new Set(one.map((f) => f.how)).size, "distinct keys set alone").toBeGreaterThan(40);
    expect(several.some((f) => f.how.split(",").length >= 4)).toBe(true);
    // Nested keys are drawn alone too, not only top-level ones.
    expect(one.some((f) => /^key \w+\.\w+/.test(f.how))).toBe(true);
  });

  it("writes strings that look like numbers or booleans, and hostile ones, where the schema allows", () => {
    const strings: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === "string") strings.push(v);
      else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) (strings.push(k), walk(x));
    };
    files.forEach((f) => walk(f.values));
    expect(strings.filter((s) => LOOKS_LIKE_OTHER_TYPES.includes(s) && s !== "").length).toBeGreaterThan(20);
    expect(strings.some((s) => /[\u0000-\u001f]/.test(s)), "control characters").toBe(true);
    expect(strings.some((s) => /[^\u0000-\u007f]/.test(s)), "non-ASCII").toBe(true);
    expect(strings.some((s) => s.includes("{{")), "template syntax").toBe(true);
    expect(strings.some((s) => s.length >= 254), "long strings").toBe(true);
  });

  it("writes each file as YAML that reads back to the same values", () => {
    for (const f of files.slice(0, 100)) {
      const text = valuesYaml(f, f.how);
      expect(text.startsWith(`# ${f.how.replace(/\n/g, " ")}\n`)).toBe(true);
      expect(load(text) ?? {}).toEqual(f.values);
    }
  });
});

describe("schema-arbitrary", () => {
  const toy = {
    type: "object",
    definitions: {
      node: { type: "object", properties: { name: { type: "string", minLength: 1 }, children: { type: "array", items: { $ref: "#/definitions/node" } } }, required: ["name"], additionalProperties: false },
    },
    properties: {
      mode: { enum: ["a", "b"] },
      port: { type: "integer", minimum: 1, maximum: 65535 },
      ref: { type: "object", properties: { cm: { type: "string" }, secret: { type: "string" } }, oneOf: [{ required: ["cm"] }, { required: ["secret"] }], additionalProperties: false },
      tol: { type: "object", properties: { key: { type: "string" }, op: { enum: ["Equal", "Exists"] } }, if: { properties: { key: { const: "" } }, required: ["key"] }, then: { required: ["op"], properties: { op: { const: "Exists" } } } },
      labels: { type: "object", propertyNames: { pattern: "^[a-z]{1,8}$" }, additionalProperties: { type: "string", maxLength: 5 } },
      caps: { type: "array", items: { enum: ["A", "B", "C"] }, uniqueItems: true },
      tree: { $ref: "#/definitions/node" },
      anything: {},
    },
    required: ["mode"],
    additionalProperties: false,
  };
  const gen = new SchemaArbitraries(toy);
  const validate = new Ajv({ strict: false }).compile(toy);

  it("draws only valid values, recursive $refs and conditions included", () => {
    const drawn = fc.sample(gen.of(toy), { seed: 3, numRuns: 400 });
    expect(drawn.filter((v) => !validate(v))).toEqual([]);
    expect(drawn.some((v: any) => v.ref?.cm !== undefined) && drawn.some((v: any) => v.ref?.secret !== undefined)).toBe(true);
    expect(drawn.some((v: any) => v.tree?.children?.length)).toBe(true);
  });

  it("lists the chart's own keys for drawing one at a time, not the embedded Kubernetes types", () => {
    const paths = keyPaths(schema).map((p) => p.join("."));
    expect(paths).toContain("profiler.uploadPeriod");
    expect(paths).toContain("tolerations");
    expect(paths.some((p) => p.startsWith("tolerations."))).toBe(false);
  });

  it("merges values as Helm does: maps key by key, lists replaced, null deletes", () => {
    expect(coalesce({ a: { b: 1, c: 2 }, l: [1, 2], d: 1 }, { a: { b: 3 }, l: [9], d: null })).toEqual({ a: { b: 3, c: 2 }, l: [9] });
  });
});
