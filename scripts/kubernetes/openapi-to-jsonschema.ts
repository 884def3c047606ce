// Pure transform from Kubernetes' published OpenAPI v3 component schemas to strict JSON Schema.
// No I/O here: refresh-schemas.ts feeds it the documents of one Kubernetes release, and the tests feed
// it hand-written fragments.
//
// The output uses only keywords that mean the same in JSON Schema draft-07 and 2020-12 (type,
// properties, additionalProperties, required, items, enum, $ref alone in its object), so the same
// definitions load in Ajv, in Helm 3 (xeipuuv/gojsonschema) and in Helm 4 (santhosh-tekuri/jsonschema).
// References are `#/$defs/<fully qualified definition name>`.

/** One node of an OpenAPI v3 schema as Kubernetes publishes it (only the parts read here). */
export interface OpenApiSchema {
  type?: string | string[];
  format?: string;
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema | boolean;
  items?: OpenApiSchema;
  required?: string[];
  enum?: unknown[];
  allOf?: OpenApiSchema[];
  oneOf?: OpenApiSchema[];
  anyOf?: OpenApiSchema[];
  $ref?: string;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-group-version-kind"?: { group: string; version: string; kind: string }[];
  [key: string]: unknown;
}

/** A node of the generated JSON Schema. */
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  required?: string[];
  enum?: unknown[];
  $ref?: string;
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
};

export const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
export const INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
const OPENAPI_REF_PREFIX = "#/components/schemas/";
export const REF_PREFIX = "#/$defs/";

/** Definitions whose published shape is replaced by a fixed, looser one. */
const OVERRIDES: Record<string, JsonSchema> = {
  // resource.Quantity accepts "100m", "1Gi" and plain numbers.
  [QUANTITY]: { type: ["string", "number"] },
  [INT_OR_STRING]: { type: ["integer", "string"] },
};

function defName(ref: string): string {
  if (ref.startsWith(OPENAPI_REF_PREFIX)) return ref.slice(OPENAPI_REF_PREFIX.length);
  if (ref.startsWith(REF_PREFIX)) return ref.slice(REF_PREFIX.length);
  throw new Error(`unsupported $ref "${ref}" (only local component references are expected)`);
}

/** `oneOf: [{type: a}, {type: b}]` with nothing but types in the branches becomes `type: [a, b]`. */
function typesOnly(branches: OpenApiSchema[]): string[] | undefined {
  const types: string[] = [];
  for (const b of branches) {
    const keys = Object.keys(b).filter((k) => k !== "description" && k !== "format");
    if (keys.length !== 1 || keys[0] !== "type" || typeof b.type !== "string") return undefined;
    types.push(b.type);
  }
  return types;
}

/**
 * Convert one OpenAPI v3 schema node to strict JSON Schema:
 * - `additionalProperties: false` on every object with `properties` (unless
 *   `x-kubernetes-preserve-unknown-fields`);
 * - `x-kubernetes-int-or-string` (and `format: int-or-string`) becomes `type: [integer, string]`;
 * - `allOf: [{$ref}]` wrappers (which carry `default`/`description` beside the reference) become a
 *   bare `{$ref}`; references are rewritten to `#/$defs/<name>`;
 * - descriptions, defaults, formats, examples and `x-kubernetes-*` annotations are dropped;
 *   `required`, `enum`, `items`, map values (`additionalProperties`) are kept.
 */
export function convertSchema(node: OpenApiSchema): JsonSchema {
  if (node["x-kubernetes-int-or-string"] === true || node.format === "int-or-string") {
    return { type: ["integer", "string"] };
  }
  if (node.$ref !== undefined) return { $ref: REF_PREFIX + defName(node.$ref) };
  const out: JsonSchema = {};
  const preserve = node["x-kubernetes-preserve-unknown-fields"] === true;

  const wrapped: JsonSchema[] = [];
  if (node.allOf) {
    for (const part of node.allOf) wrapped.push(convertSchema(part));
  }
  for (const key of ["oneOf", "anyOf"] as const) {
    const branches = node[key];
    if (!branches) continue;
    const types = typesOnly(branches);
    if (types && node.type === undefined) out.type = types;
    else wrapped.push({ anyOf: branches.map(convertSchema) });
  }

  if (node.type !== undefined && out.type === undefined) out.type = node.type;
  if (node.enum !== undefined) out.enum = node.enum;
  if (node.properties !== undefined) {
    out.properties = {};
    for (const [name, prop] of Object.entries(node.properties)) out.properties[name] = convertSchema(prop);
    if (node.type === undefined) out.type = "object";
  }
  if (node.required !== undefined && node.required.length > 0) out.required = [...node.required];
  if (node.additionalProperties !== undefined) {
    out.additionalProperties =
      typeof node.additionalProperties === "boolean" ? node.additionalProperties : convertSchema(node.additionalProperties);
  } else if (node.properties !== undefined && !preserve) {
    out.additionalProperties = false;
  }
  if (node.items !== undefined) out.items = convertSchema(node.items);

  if (wrapped.length === 0) return out;
  // A lone wrapper with nothing else beside it collapses into the wrapped schema (the common
  // `{allOf: [{$ref}], default: {}, description: ...}` form).
  if (Object.keys(out).length === 0 && wrapped.length === 1) return wrapped[0];
  // Otherwise keep the wrapper: a $ref must stay alone in its object for draft-07 readers.
  return Object.keys(out).length === 0 ? { allOf: wrapped } : { allOf: [out, ...wrapped] };
}

/** Convert one named component, applying the fixed overrides (Quantity, IntOrString). */
export function convertDefinition(name: string, node: OpenApiSchema): JsonSchema {
  const override = OVERRIDES[name];
  if (override) return structuredClone(override);
  return convertSchema(node);
}

/** Every `#/$defs/<name>` a converted schema refers to, directly. */
export function directRefs(schema: JsonSchema, into: Set<string> = new Set()): Set<string> {
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) {
      for (const x of n) visit(x);
    } else if (n !== null && typeof n === "object") {
      for (const [k, v] of Object.entries(n)) {
        if (k === "$ref" && typeof v === "string") into.add(defName(v));
        else if (k !== "enum") visit(v);
      }
    }
  };
  visit(schema);
  return into;
}

/**
 * Convert `roots` and everything they reach through $ref. Throws on a dangling reference.
 * The result is sorted by name so that regenerated files diff cleanly.
 */
export function convertClosure(components: Record<string, OpenApiSchema>, roots: string[]): Record<string, JsonSchema> {
  const done = new Map<string, JsonSchema>();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (done.has(name)) continue;
    const node = components[name];
    if (node === undefined) throw new Error(`definition "${name}" is referenced but not defined`);
    const converted = convertDefinition(name, node);
    done.set(name, converted);
    for (const ref of directRefs(converted)) if (!done.has(ref)) queue.push(ref);
  }
  return Object.fromEntries([...done.keys()].sort().map((k) => [k, done.get(k)!]));
}

/** "apps/v1/DaemonSet", or "v1/Pod" for the core group. */
export function kindKey(group: string, version: string, kind: string): string {
  return group === "" ? `${version}/${kind}` : `${group}/${version}/${kind}`;
}

/**
 * The "apiVersion/Kind" -> definition name map for the wanted kinds, from the
 * `x-kubernetes-group-version-kind` annotations. Alpha versions are skipped: they are off by default.
 */
export function kindIndex(components: Record<string, OpenApiSchema>, kinds: readonly string[] | "all"): Record<string, string> {
  const wanted = kinds === "all" ? undefined : new Set(kinds);
  const index: Record<string, string> = {};
  for (const [name, node] of Object.entries(components)) {
    const gvks = node["x-kubernetes-group-version-kind"] ?? [];
    // Shared meta types (DeleteOptions, WatchEvent) carry one GVK per group; a kind carries one.
    if (gvks.length !== 1) continue;
    const { group, version, kind } = gvks[0];
    if ((wanted && !wanted.has(kind)) || /alpha/.test(version)) continue;
    index[kindKey(group, version, kind)] = name;
  }
  return Object.fromEntries(Object.keys(index).sort().map((k) => [k, index[k]]));
}

/** Merge the `components.schemas` of several OpenAPI v3 documents of one release. */
export function mergeComponents(documents: { components?: { schemas?: Record<string, OpenApiSchema> } }[]): Record<string, OpenApiSchema> {
  const merged: Record<string, OpenApiSchema> = {};
  for (const doc of documents) Object.assign(merged, doc.components?.schemas ?? {});
  return merged;
}

export interface SchemaBundle {
  $comment: string;
  /** Exact release the bundle was generated from, e.g. "v1.30.14". */
  kubernetesVersion: string;
  /** "apiVersion/Kind" -> definition name. */
  kinds: Record<string, string>;
  /** Converted definitions, closed over $ref. */
  $defs: Record<string, JsonSchema>;
}

/** Definitions always included besides the kinds' closure, for use in values.schema.json. */
export const EXTRA_DEFINITIONS = [
  "io.k8s.api.core.v1.Toleration",
  "io.k8s.api.core.v1.ResourceRequirements",
  "io.k8s.api.core.v1.Affinity",
  "io.k8s.api.core.v1.Volume",
  "io.k8s.api.core.v1.VolumeMount",
  "io.k8s.api.core.v1.EnvVar",
  "io.k8s.api.core.v1.EnvFromSource",
  "io.k8s.api.core.v1.LocalObjectReference",
  "io.k8s.api.core.v1.SeccompProfile",
  "io.k8s.api.core.v1.AppArmorProfile", // from 1.30
  "io.k8s.api.core.v1.SELinuxOptions",
  "io.k8s.api.apps.v1.DaemonSetUpdateStrategy",
];

/** Build the bundle for one release: the kinds, their closure and the extra definitions present. */
export function buildBundle(
  components: Record<string, OpenApiSchema>,
  kinds: readonly string[] | "all",
  exactVersion: string,
  /** Kinds that must be among them (with "all": the kinds a chart most often renders). */
  required: readonly string[] = kinds === "all" ? [] : kinds,
): SchemaBundle {
  const index = kindIndex(components, kinds);
  const missing = required.filter((k) => !Object.keys(index).some((key) => key.endsWith(`/${k}`)));
  if (missing.length > 0) throw new Error(`kinds not found in ${exactVersion}: ${missing.join(", ")}`);
  const roots = [...Object.values(index), ...EXTRA_DEFINITIONS.filter((d) => d in components)];
  return {
    $comment: `Generated by scripts/kubernetes/refresh-schemas.ts from k8s.io/kubernetes@${exactVersion} api/openapi-spec/v3; do not edit.`,
    kubernetesVersion: exactVersion,
    kinds: index,
    $defs: convertClosure(components, roots),
  };
}

/** Serialise a bundle compactly, one definition a line, so refreshes give readable diffs. */
export function serialiseBundle(bundle: SchemaBundle): string {
  const defs = Object.entries(bundle.$defs).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  return [
    "{",
    `"$comment":${JSON.stringify(bundle.$comment)},`,
    `"kubernetesVersion":${JSON.stringify(bundle.kubernetesVersion)},`,
    `"kinds":${JSON.stringify(bundle.kinds)},`,
    `"$defs":{`,
    defs.join(",\n"),
    "}}",
    "",
  ].join("\n");
}
