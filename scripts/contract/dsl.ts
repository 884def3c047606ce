// The building blocks of the values contract. A contract is a tree of groups (objects with known
// keys) and fields (leaves with a JSON-schema shape, a default and a description). Everything the
// project generates about values (schema, types, README table, defaults) is read off this tree.

export type JsonSchema = { [key: string]: unknown };

export interface Field {
  kind: "field";
  description: string;
  /** JSON schema of the value, without default/description (the generator adds those). */
  schema: JsonSchema;
  default: unknown;
  examples?: unknown[];
  /** A secret: its value must never be echoed (no schema pattern: Helm 4 prints offending values). */
  secret?: boolean;
  /** Declared in the schema for Helm's sake but absent from values.yaml (e.g. `global`). */
  schemaOnly?: boolean;
  /** Type shown in the README when the schema's own type is not telling (e.g. a Kubernetes shape). */
  displayType?: string;
  /** Must be present after Helm merges the user's values (see isRequired). */
  required?: boolean;
  /** A Go duration the profiler bounds: checked by _validate.tpl (JSON Schema cannot add up units). */
  duration?: DurationBounds;
}

/** Bounds of a duration knob in seconds; `allowed` says them as the error message does. */
export interface DurationBounds {
  minSeconds: number;
  /** The minimum itself is refused (e.g. more than 0s). */
  minExclusive: boolean;
  maxSeconds: number;
  allowed: string;
}

export interface Group {
  kind: "group";
  description: string;
  fields: Record<string, Node>;
}

export type Node = Field | Group;

type FieldOptions = Partial<Omit<Field, "kind" | "description" | "schema">> & { schema?: JsonSchema };

function field(description: string, schema: JsonSchema, o: FieldOptions = {}): Field {
  const { schema: extra, ...rest } = o;
  return { kind: "field", description, default: undefined, ...rest, schema: { ...schema, ...extra } };
}

export function group(description: string, fields: Record<string, Node>): Group {
  return { kind: "group", description, fields };
}

export function string(description: string, o: FieldOptions & { default?: string } = {}): Field {
  return field(description, { type: "string" }, { default: "", ...o });
}

export function enumeration(description: string, values: string[], o: FieldOptions & { default: string }): Field {
  return field(description, { type: "string", enum: values }, o);
}

export function integer(description: string, o: FieldOptions & { minimum?: number; maximum?: number; default: number }): Field {
  const { minimum, maximum, ...rest } = o;
  return field(description, { type: "integer", minimum, maximum }, rest);
}

export function boolean(description: string, o: FieldOptions & { default: boolean }): Field {
  return field(description, { type: "boolean" }, o);
}

/**
 * A field that is null (unset) by default. For a profiler knob that renders no variable and keeps the
 * profiler's default; openshift.scc.create uses it too, where unset means "decide from the cluster's APIs".
 */
export function knob(description: string, schema: JsonSchema, o: FieldOptions = {}): Field {
  const t = schema.type as string;
  return field(description, { ...schema, type: [t, "null"] }, { default: null, ...o });
}

/**
 * Words for every pattern the contract puts in the schema, keyed by the pattern and written where the
 * pattern is defined (described() below): `npm run validate` says these, never the pattern. The schema
 * itself is untouched, so Helm sees the same values.schema.json; test/contract/validate-messages.test.ts
 * holds every pattern of values.schema.json to having words here.
 */
export const patternWords = new Map<string, string>();

/** A schema pattern with the words that say what it accepts, an example included; returns the pattern unchanged. */
export function described(pattern: string, words: string): string {
  patternWords.set(pattern, words);
  return pattern;
}

/** A Go duration as the profiler parses it (time.ParseDuration): 30s, 1m30s, 500ms. */
export const goDurationPattern = described(
  "^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$",
  "a Go duration such as 30s or 5m: numbers, each with a unit (ns, us, ms, s, m or h), e.g. 30s, 5m, 1m30s or 500ms",
);
/** The longest duration the chart accepts: time.Duration overflows past 2562047h47m16.854775807s. */
export const maxDurationSeconds = 2562047 * 3600;

/** A duration knob: null by default; the pattern in the schema, the bounds in _validate.tpl. */
export function durationKnob(description: string, bounds: Omit<DurationBounds, "allowed"> & { allowed?: string }, o: FieldOptions = {}): Field {
  const allowed = bounds.allowed ?? `a Go duration ${bounds.minExclusive ? `longer than ${bounds.minSeconds}s` : `of at least ${bounds.minSeconds}s`} and at most ${bounds.maxSeconds / 3600}h (e.g. 30s, 1m30s)`;
  return knob(`${description} Allowed: ${allowed}.`, { type: "string", pattern: goDurationPattern }, { ...o, duration: { ...bounds, allowed } });
}

/** A string-to-string map such as labels or annotations. */
export function stringMap(description: string, o: FieldOptions & { default?: Record<string, string>; keyPattern?: string; valuePattern?: string; valueMaxLength?: number } = {}): Field {
  const { keyPattern, valuePattern, valueMaxLength, ...rest } = o;
  const schema: JsonSchema = {
    type: "object",
    additionalProperties: { type: "string", ...(valuePattern ? { pattern: valuePattern } : {}), ...(valueMaxLength ? { maxLength: valueMaxLength } : {}) },
    ...(keyPattern ? { propertyNames: { pattern: keyPattern } } : {}),
  };
  return field(description, schema, { default: {}, displayType: "map of string", ...rest });
}

export function list(description: string, items: JsonSchema, o: FieldOptions & { default?: unknown[] } = {}): Field {
  return field(description, { type: "array", items }, { default: [], ...o });
}

/** A value handed to Kubernetes as it is, described by the real Kubernetes shape `definition`. */
export function kube(description: string, definition: string, o: FieldOptions & { array?: boolean } = {}): Field {
  const { array, ...rest } = o;
  const ref = { $ref: `#/definitions/${definition}` };
  const short = definition.split(".").pop()!;
  return field(description, array ? { type: "array", items: ref } : ref, {
    default: array ? [] : {},
    displayType: array ? `list of ${short}` : short,
    ...rest,
  });
}

/**
 * Whether a key must survive Helm's merge of the user's values. A user's `key: null` deletes the
 * default before Helm checks the schema, so without `required` a nulled scalar (securityMode,
 * datadog.site, agent.port...) would slip through and render a broken manifest. Groups and scalars
 * with a meaningful default are required; maps, lists and empty strings may be nulled (the templates
 * treat them as empty).
 */
export function isRequired(node: Node): boolean {
  if (node.kind === "group") return true;
  if (node.schemaOnly || node.default === null || node.default === undefined) return false;
  // An empty-string default already means "not set" to the templates, so null may stand for it too.
  const meaningful = typeof node.default === "string" ? node.default !== "" : ["number", "boolean"].includes(typeof node.default);
  return node.required ?? meaningful;
}

/** Walks every field with its dotted path, parents before children. */
export function* walk(node: Node, path: string[] = []): Generator<{ path: string[]; node: Node }> {
  yield { path, node };
  if (node.kind === "group") for (const [k, child] of Object.entries(node.fields)) yield* walk(child, [...path, k]);
}

/** Every Kubernetes definition the contract references. */
export function kubeDefinitions(root: Node): string[] {
  const found = new Set<string>();
  for (const { node } of walk(root)) {
    if (node.kind !== "field") continue;
    const text = JSON.stringify(node.schema);
    for (const m of text.matchAll(/"#\/definitions\/([^"]+)"/g)) found.add(m[1]);
  }
  return [...found].sort();
}

/** The default values the contract declares, as values.yaml must hold them (schema-only keys left out). */
export function defaultsOf(node: Node): unknown {
  if (node.kind === "field") return node.default;
  const out: Record<string, unknown> = {};
  for (const [k, child] of Object.entries(node.fields)) {
    if (child.kind === "field" && child.schemaOnly) continue;
    out[k] = defaultsOf(child);
  }
  return out;
}

/** The contract node at a dotted path, or undefined. */
export function nodeAt(root: Node, path: string[]): Node | undefined {
  let n: Node | undefined = root;
  for (const k of path) n = n?.kind === "group" ? n.fields[k] : undefined;
  return n;
}
