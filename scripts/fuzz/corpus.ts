// The fuzz corpus: values files drawn from a chart's values.schema.json with fast-check, half of
// them setting one key (any depth of the chart's own keys) and half setting several top-level keys
// together. A seed fixes the corpus; file i of a seed is fast-check's run i, so it can be replayed
// and shrunk (shrink.ts) without keeping the corpus.
//
// Why fast-check: it is maintained and typed, seeds and replays runs by path, and shrinks any value
// built from its combinators, which is what turns a failing file into a minimal one. JSON Schema
// generators on npm (json-schema-faker, json-schema-fast-check) either cannot shrink or are
// unmaintained; the schema-to-arbitrary mapping here (schema-arbitrary.ts) is small.
import fc from "fast-check";
import { dump } from "js-yaml";
import { coalesce, keyPaths, nodeAtPath, SchemaArbitraries, valueAtPath, type ArbitraryOptions, type Schema } from "./schema-arbitrary.ts";

/** One generated values file and how it was made ("key image.tag", "keys agent, tolerations"). */
export interface FuzzValues {
  how: string;
  values: Record<string, unknown>;
}

const ABSENT = Symbol("absent");

function setPath(path: string[], value: unknown): Record<string, unknown> {
  return path.reduceRight<unknown>((v, k) => ({ [k]: v }), value) as Record<string, unknown>;
}

/**
 * Values files the schema accepts once Helm merged them over the chart's defaults (values.yaml): one
 * key at a time, or several top-level keys at once.
 */
export function valuesArbitrary(schema: Schema, defaults: Record<string, unknown> = {}, o: ArbitraryOptions & { keys?: string[] } = {}): fc.Arbitrary<FuzzValues> {
  if (schema.type !== undefined && schema.type !== "object") throw new Error(`values.schema.json must describe an object, not ${JSON.stringify(schema.type)}`);
  const gen = new SchemaArbitraries(schema, o);
  const props: Record<string, Schema> = schema.properties ?? {};
  // Keys the root requires and the defaults lack are always set, so every file can be valid.
  const required: string[] = (schema.required ?? []).filter((k: string) => defaults[k] === undefined);
  const base = fc.record(Object.fromEntries(required.filter((k) => k in props).map((k) => [k, gen.of(props[k])])), { noNullPrototype: true });
  // Only keys under these (dotted) prefixes, when given: `npm run fuzz -- --key serviceAccount`.
  const wanted = (p: string[]): boolean => !o.keys?.length || o.keys.some((k) => p.join(".") === k || p.join(".").startsWith(`${k}.`) || k.startsWith(`${p.join(".")}.`));
  const unknown = (o.keys ?? []).filter((k) => !keyPaths(schema).some((p) => p.join(".") === k));
  if (unknown.length) throw new Error(`no such key in values.schema.json: ${unknown.join(", ")}`);
  const paths = keyPaths(schema).filter((p) => !(p.length === 1 && required.includes(p[0])) && (!o.keys?.length || o.keys.some((k) => p.join(".") === k || p.join(".").startsWith(`${k}.`))));
  // A top-level key first, then one of its paths: each top-level key is drawn as often, however many
  // keys it nests (profiler's two dozen knobs would crowd out the rest otherwise).
  const groups = [...new Set(paths.map((p) => p[0]))].map((top) => paths.filter((p) => p[0] === top));
  const one = (p: string[]) => fc.tuple(base, gen.of(nodeAtPath(schema, p), [], valueAtPath(defaults, p))).map(([b, v]): FuzzValues => ({ how: `key ${p.join(".")}`, values: deepMerge(b, setPath(p, v)) }));
  const perKey = groups.length ? fc.oneof(...groups.map((g) => (g.length === 1 ? one(g[0]) : fc.oneof(...g.map(one))))) : base.map((values): FuzzValues => ({ how: "required keys", values }));
  // Each optional top-level key present one time in six: about five keys a file. Shrinking goes
  // towards ABSENT, so a minimal file keeps only the keys that matter.
  const optional = Object.keys(props).filter((k) => !required.includes(k) && wanted([k]));
  const across = fc
    .tuple(base, fc.record(Object.fromEntries(optional.map((k) => [k, fc.oneof({ withCrossShrink: true }, { arbitrary: fc.constant<typeof ABSENT>(ABSENT), weight: 5 }, { arbitrary: gen.of(props[k], [], defaults[k]), weight: 1 })])), { noNullPrototype: true }))
    .map(([b, r]): FuzzValues => {
      const values: Record<string, unknown> = { ...b };
      for (const [k, v] of Object.entries(r)) if (v !== ABSENT) values[k] = v;
      return { how: `keys ${Object.keys(values).join(", ") || "(none)"}`, values };
    });
  return fc.oneof(perKey, across).filter((f) => gen.valid(schema, coalesce(defaults, f.values)));
}

/** `b` over `a` as Helm merges two values files given with -f: maps key by key, anything else replaced (null too). */
export function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = prev && v && typeof prev === "object" && typeof v === "object" && !Array.isArray(prev) && !Array.isArray(v) ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/** File i of the corpus for `seed` is fast-check's run i for that seed (what shrink.ts replays). */
export function corpus(arb: fc.Arbitrary<FuzzValues>, seed: number, count: number): FuzzValues[] {
  return fc.sample(arb, { seed, numRuns: count });
}

/** A values file as YAML, with a first-line comment (the matrix's case format) saying where it came from. */
export function valuesYaml(v: FuzzValues, header: string): string {
  const body = Object.keys(v.values).length ? dump(v.values, { lineWidth: -1, noRefs: true, sortKeys: false }) : "{}\n";
  return `# ${header.replace(/\n/g, " ")}\n${body}`;
}
