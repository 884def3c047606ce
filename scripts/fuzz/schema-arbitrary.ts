// A JSON Schema (a chart's values.schema.json) turned into fast-check arbitraries: every value drawn
// is one the schema accepts, and fast-check can shrink it. Types, enums, consts, patterns, lengths,
// ranges, items, uniqueItems, properties, required, additionalProperties, propertyNames and $ref are
// generated directly; oneOf/anyOf/allOf are generated from each branch merged with the rest; what
// generation cannot aim at (if/then/else, not, the branches' exclusivity) is kept by filtering
// through ajv compiled for that node, so the draws stay valid without a model of each rule.
import fc from "fast-check";
import { Ajv, type ValidateFunction } from "ajv";
import { anyString, LOOKS_LIKE_OTHER_TYPES } from "./strings.ts";

export type Schema = { [k: string]: any };
/** A schema may also be `true` (anything) or `false` (nothing). */
type SchemaOrBoolean = Schema | boolean;

export interface ArbitraryOptions {
  /** Strings where the schema allows any string (default: typed and hostile, strings.ts). */
  strings?: fc.Arbitrary<string>;
  /** Most entries of an array or a free-form map (default 3): more finds little and slows rendering. */
  maxItems?: number;
}

/** Keywords generation does not aim at: a node carrying one is filtered through its own validator. */
const FILTERED = ["if", "then", "else", "not", "oneOf", "anyOf", "allOf", "dependencies", "dependentRequired", "dependentSchemas", "contains", "patternProperties", "minProperties", "maxProperties", "multipleOf", "exclusiveMinimum", "exclusiveMaximum", "format"];
/** How often one $ref may appear inside itself (a recursive schema) before only its smallest value is tried. */
const MAX_RECURSION = 1;

/** A JSON pointer into the root ("#/definitions/x", "#/$defs/x"). */
function resolvePointer(root: Schema, ref: string): Schema {
  if (!ref.startsWith("#")) throw new Error(`$ref ${ref}: only references inside the schema are supported`);
  let node: any = root;
  for (const raw of ref.slice(1).split("/").filter(Boolean)) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    node = node?.[key];
    if (node === undefined) throw new Error(`$ref ${ref} points at nothing`);
  }
  return node as Schema;
}

/** `base` with `extra`'s constraints added (properties merged key by key, required joined). */
function mergeSchemas(base: Schema, extra: Schema): Schema {
  const out: Schema = { ...base, ...extra };
  if (base.properties || extra.properties) {
    out.properties = { ...base.properties };
    for (const [k, v] of Object.entries(extra.properties ?? {})) out.properties[k] = { ...(base.properties?.[k] ?? {}), ...(v as Schema) };
  }
  if (base.required || extra.required) out.required = [...new Set([...(base.required ?? []), ...(extra.required ?? [])])];
  return out;
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const typeOf = (s: Schema): string[] | undefined => (s.type === undefined ? undefined : Array.isArray(s.type) ? s.type : [s.type]);

// Objects are drawn with Object's prototype: ajv's deep equality (enum, const) and YAML dumping
// expect plain objects, and values files are plain mappings.
export class SchemaArbitraries {
  readonly root: Schema;
  private readonly ajv: Ajv;
  private readonly strings: fc.Arbitrary<string>;
  private readonly maxItems: number;
  private readonly validators = new Map<Schema, ValidateFunction>();

  constructor(root: Schema, o: ArbitraryOptions = {}) {
    this.root = root;
    this.strings = o.strings ?? anyString;
    this.maxItems = o.maxItems ?? 3;
    this.ajv = new Ajv({ strict: false, allErrors: false, validateSchema: false });
  }

  /** Whether `value` is valid against `node` (a node of the root, or the root itself). */
  valid(node: Schema, value: unknown): boolean {
    let v = this.validators.get(node);
    if (!v) {
      // The node is compiled beside the root's definitions, so its $refs resolve the same way.
      const { $id: _id, $schema: _draft, ...rest } = node;
      v = this.ajv.compile({ ...rest, ...(this.root.definitions ? { definitions: this.root.definitions } : {}), ...(this.root.$defs ? { $defs: this.root.$defs } : {}) });
      this.validators.set(node, v);
    }
    return v(value) as boolean;
  }

  /**
   * Values `node` accepts. `defaults` is what the chart's values.yaml holds at this place: Helm
   * validates the user's file merged over it, so a key the defaults hold is never required of the file.
   */
  of(node: SchemaOrBoolean, refs: string[] = [], defaults?: unknown): fc.Arbitrary<unknown> {
    if (node === true || node === undefined) return this.freeValue();
    if (node === false) throw new Error("a schema of `false` accepts nothing");
    if (node.$ref) {
      const target = resolvePointer(this.root, node.$ref);
      const rest = { ...node };
      delete rest.$ref;
      const merged = Object.keys(rest).filter((k) => k !== "description" && k !== "default").length ? mergeSchemas(target, rest) : target;
      if (refs.filter((r) => r === node.$ref).length > MAX_RECURSION) return this.smallest(merged);
      return this.of(merged, [...refs, node.$ref], defaults);
    }
    const arb = this.unfiltered(node, refs, defaults);
    return FILTERED.some((k) => k in node) ? arb.filter((v) => this.valid(node, v)) : arb;
  }

  private unfiltered(node: Schema, refs: string[], defaults?: unknown): fc.Arbitrary<unknown> {
    if ("const" in node) return fc.constant(node.const);
    if (Array.isArray(node.enum)) return fc.constantFrom(...node.enum);
    const rest = { ...node };
    for (const k of ["oneOf", "anyOf", "allOf"]) delete rest[k];
    if (Array.isArray(node.allOf)) return this.of(node.allOf.reduce((acc: Schema, s: Schema) => mergeSchemas(acc, s.$ref ? resolvePointer(this.root, s.$ref) : s), rest), refs, defaults);
    const branches = node.oneOf ?? node.anyOf;
    if (Array.isArray(branches)) return fc.oneof(...branches.map((b: Schema) => this.of(mergeSchemas(rest, b.$ref ? resolvePointer(this.root, b.$ref) : b), refs, defaults)));
    const types = typeOf(node) ?? this.inferTypes(node);
    return types.length === 1 ? this.ofType(node, types[0], refs, defaults) : fc.oneof(...types.map((t) => this.ofType(node, t, refs, defaults)));
  }

  private inferTypes(node: Schema): string[] {
    if (node.properties || node.additionalProperties !== undefined || node.propertyNames || node.required) return ["object"];
    if (node.items) return ["array"];
    if (node.pattern || node.minLength !== undefined || node.maxLength !== undefined) return ["string"];
    if (node.minimum !== undefined || node.maximum !== undefined) return ["number"];
    return ["string", "integer", "boolean", "object", "array", "null"];
  }

  private ofType(node: Schema, type: string, refs: string[], defaults?: unknown): fc.Arbitrary<unknown> {
    switch (type) {
      case "null":
        return fc.constant(null);
      case "boolean":
        return fc.boolean();
      case "integer":
        return this.integer(node);
      case "number":
        return fc.oneof(this.integer(node), fc.double({ noNaN: true, noDefaultInfinity: true, min: node.minimum, max: node.maximum }));
      case "string":
        return this.string(node);
      case "array":
        return this.array(node, refs);
      case "object":
        return this.object(node, refs, defaults);
      default:
        throw new Error(`unknown JSON Schema type "${type}"`);
    }
  }

  private integer(node: Schema): fc.Arbitrary<number> {
    const min = Math.ceil(node.minimum ?? -(2 ** 31));
    const max = Math.floor(node.maximum ?? Number.MAX_SAFE_INTEGER);
    // Small numbers, the bounds, and what overflows 32 bits or turns into a float in Go templates.
    const edges = [min, max, 0, 1, -1, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 1e6, 1e15].filter((n) => Number.isSafeInteger(n) && n >= min && n <= max);
    const small = fc.integer({ min: Math.max(min, -100), max: Math.min(max, Math.max(min, -100) + 1000) });
    const whole = fc.bigInt({ min: BigInt(Math.ceil(Math.max(min, Number.MIN_SAFE_INTEGER))), max: BigInt(Math.floor(Math.min(max, Number.MAX_SAFE_INTEGER))) }).map(Number);
    return fc.oneof(small, fc.constantFrom(...edges), whole);
  }

  private string(node: Schema): fc.Arbitrary<string> {
    const min = node.minLength ?? 0;
    const max = node.maxLength ?? Infinity;
    const fits = (s: string): boolean => [...s].length >= min && [...s].length <= max;
    if (node.pattern) {
      // ajv reads patterns as Unicode regular expressions; so does this. Text that YAML would read as
      // a number or a boolean is drawn often where the pattern allows it ("0" as a name, say).
      const re = new RegExp(node.pattern, "u");
      const lookalikes = LOOKS_LIKE_OTHER_TYPES.filter((s) => re.test(s) && fits(s));
      const matching = fc.stringMatching(re).filter(fits);
      return lookalikes.length ? fc.oneof({ arbitrary: matching, weight: 3 }, fc.constantFrom(...lookalikes)) : matching;
    }
    // Too short is padded rather than filtered away, so a long minLength still draws quickly.
    return this.strings.map((s) => ([...s].length < min ? s + "x".repeat(min - [...s].length) : s)).filter(fits);
  }

  private array(node: Schema, refs: string[]): fc.Arbitrary<unknown[]> {
    const items = node.items === undefined || node.items === true ? this.freeValue() : this.of(node.items, refs);
    const minLength = node.minItems ?? 0;
    const maxLength = Math.max(minLength, Math.min(node.maxItems ?? this.maxItems, this.maxItems));
    return node.uniqueItems ? fc.uniqueArray(items, { minLength, maxLength, selector: (v) => JSON.stringify(v) }) : fc.array(items, { minLength, maxLength });
  }

  private object(node: Schema, refs: string[], defaults?: unknown): fc.Arbitrary<Record<string, unknown>> {
    const props: Record<string, Schema> = node.properties ?? {};
    const held = isMap(defaults) ? defaults : {};
    const required: string[] = (node.required ?? []).filter((k: string) => (k in props || node.additionalProperties !== false) && held[k] === undefined);
    const known = fc.record(Object.fromEntries(Object.entries(props).map(([k, s]) => [k, this.of(s, refs, held[k])])), { requiredKeys: required.filter((k) => k in props), noNullPrototype: true });
    const extra = node.additionalProperties;
    // Free-form maps (labels, annotations, `global`) get extra entries; a node that lists its keys
    // gets none beyond them even where it tolerates others: unknown keys are typos the chart ignores.
    const freeForm = Object.keys(props).length === 0 && extra !== false;
    if (!freeForm && !(extra && typeof extra === "object")) return known;
    const keys = (node.propertyNames?.pattern ? fc.stringMatching(new RegExp(node.propertyNames.pattern, "u")) : this.strings).filter((k) => !(k in props));
    const values = extra && typeof extra === "object" ? this.of(extra, refs) : this.freeValue();
    const extras = fc.dictionary(keys, values, { maxKeys: this.maxItems, minKeys: required.filter((k) => !(k in props)).length ? 1 : 0, noNullPrototype: true });
    return fc.tuple(known, extras).map(([k, e]) => ({ ...e, ...k }));
  }

  /** A value where the schema says nothing: scalars, or a small list or map of scalars. */
  private freeValue(): fc.Arbitrary<unknown> {
    const scalar = fc.oneof(this.strings, fc.integer({ min: -1000, max: 100000 }), fc.boolean(), fc.constant(null));
    return fc.oneof({ arbitrary: scalar, weight: 3 }, fc.array(scalar, { maxLength: this.maxItems }), fc.dictionary(this.strings, scalar, { maxKeys: this.maxItems, noNullPrototype: true }));
  }

  /** The least a node accepts, for recursion past MAX_RECURSION: an empty object or list, or a scalar. */
  private smallest(node: Schema): fc.Arbitrary<unknown> {
    const types = typeOf(node) ?? this.inferTypes(node);
    if (types.includes("null")) return fc.constant(null);
    if (types.includes("object") && !(node.required ?? []).length) return fc.constant({});
    if (types.includes("array") && !node.minItems) return fc.constant([]);
    return this.unfiltered({ ...node, properties: Object.fromEntries((node.required ?? []).map((k: string) => [k, node.properties?.[k] ?? {}])) }, ["(smallest)"]);
  }
}

/**
 * The chart's own keys, as paths ("image" then "image.repository"): nested objects of the root,
 * not entering $refs (embedded Kubernetes types), arrays or free-form maps.
 */
export function keyPaths(root: Schema): string[][] {
  const out: string[][] = [];
  const walk = (node: Schema, at: string[]): void => {
    for (const [k, child] of Object.entries((node.properties ?? {}) as Record<string, Schema>)) {
      const path = [...at, k];
      out.push(path);
      if (!child.$ref && child.properties) walk(child, path);
    }
  };
  walk(root, []);
  return out;
}

/** The schema node at a key path of keyPaths(). */
export function nodeAtPath(root: Schema, path: string[]): Schema {
  return path.reduce((n: Schema, k) => n.properties[k], root);
}

/** What `values` holds at `path`, if anything. */
export function valueAtPath(values: unknown, path: string[]): unknown {
  return path.reduce<unknown>((v, k) => (isMap(v) ? v[k] : undefined), values);
}

/**
 * The user's values over the chart's defaults as Helm coalesces them: maps merge key by key, any
 * other value (a list included) replaces the default, and null deletes the key.
 */
export function coalesce(defaults: unknown, user: unknown): unknown {
  if (!isMap(defaults) || !isMap(user)) return user;
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(user)) {
    if (v === null) delete out[k];
    else out[k] = isMap(v) && isMap(out[k]) ? coalesce(out[k], v) : v;
  }
  return out;
}
