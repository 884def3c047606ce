// Validate rendered Kubernetes objects against the committed per-version API schemas
// (scripts/kubernetes/schemas/v1.NN.json, produced by refresh-schemas.ts), and hand out single
// definitions for embedding into the chart's values.schema.json.
//
// Strict like the API server's field validation: unknown fields, wrong types, missing required
// fields and unknown apiVersion/kind are errors. A `null` in an object property counts as "not set"
// (the API server decodes it as the zero value), so it is neither a type error nor an unknown field.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { directRefs, REF_PREFIX, type JsonSchema, type SchemaBundle } from "./openapi-to-jsonschema.ts";
import { extraKinds } from "./extra-kinds.ts";

export const schemasDir = join(dirname(fileURLToPath(import.meta.url)), "schemas");

export interface KubeSchemaError {
  /** The object's kind, as written in it ("" when missing). */
  kind: string;
  /** The object's metadata.name ("" when missing). */
  name: string;
  /** Field path such as `spec.template.spec.containers[0].securityContext.privileged` ("" for the object). */
  path: string;
  message: string;
}

interface VersionState {
  bundle: SchemaBundle;
  ajv: Ajv;
  schemaId: string;
  validators: Map<string, ValidateFunction>;
  /** kind -> served "apiVersion/Kind" keys, for the "not served under this apiVersion" message. */
  servedByKind: Map<string, string[]>;
  /** API groups of the release's built-in kinds ("" for core), filled on first use. */
  groups?: Set<string>;
}

let versionsCache: string[] | undefined;
const states = new Map<string, VersionState>();

function minorOf(v: string): string {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(v.trim());
  if (!m) throw new Error(`"${v}" is not a Kubernetes version (expected e.g. 1.30 or v1.30.2)`);
  return `${m[1]}.${m[2]}`;
}

function compareMinor(a: string, b: string): number {
  const [am, an] = a.split(".").map(Number);
  const [bm, bn] = b.split(".").map(Number);
  return am - bm || an - bn;
}

/** Kubernetes minors with committed schemas, oldest first, e.g. ["1.29", "1.30", ...]. */
export function kubeVersions(): string[] {
  versionsCache ??= readdirSync(schemasDir)
    .map((f) => /^v(\d+\.\d+)\.json$/.exec(f)?.[1])
    .filter((v): v is string => v !== undefined)
    .sort(compareMinor);
  return [...versionsCache];
}

/** The raw bundle of one version (exact release, kind index, definitions). */
export function kubeSchemaBundle(kubeVersion: string): SchemaBundle {
  return state(kubeVersion).bundle;
}

function state(kubeVersion: string): VersionState {
  const minor = minorOf(kubeVersion);
  let s = states.get(minor);
  if (s) return s;
  if (!kubeVersions().includes(minor)) {
    throw new Error(`no Kubernetes schemas for ${kubeVersion}: available ${kubeVersions().join(", ")} (see scripts/kubernetes/refresh-schemas.ts)`);
  }
  const bundle = JSON.parse(readFileSync(join(schemasDir, `v${minor}.json`), "utf8")) as SchemaBundle;
  // One Ajv per version: definition names repeat across versions with different shapes.
  const ajv = new Ajv({
    allErrors: true,
    verbose: true, // errors carry parentSchema, used for "did you mean" hints
    allowUnionTypes: true,
    validateSchema: false,
    strict: true,
    inlineRefs: false,
  });
  const schemaId = `https://kubernetes.local/schemas/v${minor}.json`;
  ajv.addSchema({ $id: schemaId, $defs: bundle.$defs });
  const servedByKind = new Map<string, string[]>();
  for (const key of Object.keys(bundle.kinds)) {
    const kind = key.slice(key.lastIndexOf("/") + 1);
    servedByKind.set(kind, [...(servedByKind.get(kind) ?? []), key.slice(0, key.lastIndexOf("/"))]);
  }
  s = { bundle, ajv, schemaId, validators: new Map(), servedByKind };
  states.set(minor, s);
  return s;
}

function validatorFor(s: VersionState, definition: string): ValidateFunction {
  let v = s.validators.get(definition);
  if (!v) {
    v = s.ajv.getSchema(`${s.schemaId}#/$defs/${definition}`);
    if (!v) throw new Error(`definition ${definition} is missing from the v${s.bundle.kubernetesVersion} bundle`);
    s.validators.set(definition, v);
  }
  return v;
}

/** A copy without null-valued object properties, or the value itself when it holds none. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = withoutNulls(value[i]);
      if (v !== value[i]) (copy ??= value.slice())[i] = v;
    }
    return copy ?? value;
  }
  if (value === null || typeof value !== "object") return value;
  let copy: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(value)) {
    if (v === null) {
      copy ??= { ...(value as Record<string, unknown>) };
      delete copy[k];
      continue;
    }
    const w = withoutNulls(v);
    if (w !== v) (copy ??= { ...(value as Record<string, unknown>) })[k] = w;
  }
  return copy ?? value;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

function appendKey(path: string, key: string): string {
  if (IDENT.test(key)) return path === "" ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** JSON pointer -> `a.b[0].c` (or `a["app.kubernetes.io/name"]`), reading the data to tell arrays from maps. */
function formatPath(data: unknown, pointer: string, extra?: string): string {
  let path = "";
  let node = data;
  if (pointer !== "") {
    for (const raw of pointer.slice(1).split("/")) {
      const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
      if (Array.isArray(node)) {
        path += `[${key}]`;
        node = node[Number(key)];
      } else {
        path = appendKey(path, key);
        node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
      }
    }
  }
  return extra === undefined ? path : appendKey(path, extra);
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function describe(e: ErrorObject, data: unknown): { path: string; message: string } {
  switch (e.keyword) {
    case "additionalProperties": {
      const field = String(e.params.additionalProperty);
      const known = Object.keys((e.parentSchema as JsonSchema | undefined)?.properties ?? {});
      const near = known.find((k) => k.toLowerCase() === field.toLowerCase());
      return {
        path: formatPath(data, e.instancePath, field),
        message: `unknown field "${field}"${near ? ` (did you mean "${near}"?)` : ""}`,
      };
    }
    case "required":
      return {
        path: formatPath(data, e.instancePath, String(e.params.missingProperty)),
        message: `missing required field "${String(e.params.missingProperty)}"`,
      };
    case "type": {
      const want = Array.isArray(e.params.type) ? e.params.type.join(" or ") : String(e.params.type);
      // The offending value is not printed: it may be a secret.
      return { path: formatPath(data, e.instancePath), message: `must be ${want}, got ${typeName(e.data)}` };
    }
    case "enum":
      return {
        path: formatPath(data, e.instancePath),
        message: `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`,
      };
    default:
      return { path: formatPath(data, e.instancePath), message: e.message ?? e.keyword };
  }
}

/**
 * Validate one rendered object against the API schema of `kubeVersion` ("1.30", "v1.30.2").
 * Returns [] when valid. Throws only when there are no schemas for that version.
 */
export function validateManifest(kubeVersion: string, obj: unknown): KubeSchemaError[] {
  const s = state(kubeVersion);
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
    return [{ kind: "", name: "", path: "", message: `a manifest must be an object, got ${typeName(obj)}` }];
  }
  const data = withoutNulls(obj) as Record<string, unknown>;
  const kind = typeof data.kind === "string" ? data.kind : "";
  const meta = data.metadata as Record<string, unknown> | undefined;
  const name = meta !== null && typeof meta === "object" && typeof meta.name === "string" ? meta.name : "";
  const err = (path: string, message: string): KubeSchemaError => ({ kind, name, path, message });

  if (typeof data.apiVersion !== "string" || data.apiVersion === "") return [err("apiVersion", 'missing required field "apiVersion"')];
  if (kind === "") return [err("kind", 'missing required field "kind"')];
  const key = `${data.apiVersion}/${kind}`;
  const definition = s.bundle.kinds[key];
  if (definition === undefined && extraKinds[key]) return validateExtraKind(key, data, err);
  if (definition === undefined) {
    const served = s.servedByKind.get(kind);
    return [
      served
        ? err("apiVersion", `Kubernetes ${minorOf(kubeVersion)} does not serve ${kind} as "${data.apiVersion}" (served: ${served.join(", ")})`)
        : err("kind", `unknown apiVersion/kind "${key}" for Kubernetes ${minorOf(kubeVersion)} (known: ${[...s.servedByKind.keys()].sort().join(", ")})`),
    ];
  }

  const validate = validatorFor(s, definition);
  const errors: KubeSchemaError[] = [];
  if (!validate(data)) {
    for (const e of validate.errors ?? []) {
      const d = describe(e, data);
      errors.push(err(d.path, d.message));
    }
  }
  // The API server needs a name (or generateName) on every object it stores.
  if (meta === undefined) errors.push(err("metadata", 'missing required field "metadata"'));
  else if (typeof meta === "object" && name === "" && typeof meta.generateName !== "string") {
    errors.push(err("metadata.name", 'missing required field "name"'));
  }
  return errors;
}

let extraValidators: Map<string, ValidateFunction> | undefined;

/** A kind of extra-kinds.ts (not served by Kubernetes itself), the same at every Kubernetes version. */
function validateExtraKind(key: string, data: Record<string, unknown>, err: (path: string, message: string) => KubeSchemaError): KubeSchemaError[] {
  extraValidators ??= new Map();
  let v = extraValidators.get(key);
  if (!v) {
    v = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true, strict: false }).compile(extraKinds[key]);
    extraValidators.set(key, v);
  }
  if (v(data)) return [];
  return (v.errors ?? []).map((e) => {
    const d = describe(e, data);
    return err(d.path, d.message);
  });
}

/**
 * Whether `obj` is a custom resource for that Kubernetes version: its apiVersion's group is none of
 * the release's built-in groups. Its shape comes from a CRD no built-in schema covers, so it is
 * listed as not validated (like kubeconform's -ignore-missing-schemas), never failed. A kind missing
 * from a built-in group (a typo, a removed kind) is still an error of validateManifest.
 */
export function isCustomResource(kubeVersion: string, obj: unknown): boolean {
  if (obj === null || typeof obj !== "object") return false;
  const apiVersion = (obj as Record<string, unknown>).apiVersion;
  if (typeof apiVersion !== "string" || !apiVersion.includes("/")) return false; // the core group is built in
  if (`${apiVersion}/${String((obj as Record<string, unknown>).kind)}` in extraKinds) return false; // validated by extra-kinds.ts
  const group = apiVersion.slice(0, apiVersion.indexOf("/"));
  const s = state(kubeVersion);
  s.groups ??= new Set(Object.keys(s.bundle.kinds).map((k) => (k.split("/").length === 3 ? k.split("/")[0] : "")));
  return !s.groups.has(group);
}

/** The names of all definitions of one version (kinds, their parts, and the extra ones for values). */
export function kubeDefinitions(kubeVersion: string): string[] {
  return Object.keys(state(kubeVersion).bundle.$defs);
}

/**
 * A self-contained JSON schema for one definition, e.g. `io.k8s.api.core.v1.Toleration`:
 * `{ $ref: "#/$defs/<definition>", $defs: { <definition and everything it references> } }`.
 *
 * References are root-relative (`#/$defs/<name>`), so when embedding into values.schema.json put
 * the `$defs` entries into the ROOT `$defs` of that file and use `{ "$ref": "#/$defs/<name>" }`
 * where the value is declared. Names are fully qualified, so the `$defs` of several definitions (of
 * the same Kubernetes version) merge without conflict. Pass `refPrefix` if the definitions will
 * live somewhere else (e.g. "#/definitions/").
 */
export function kubeDefinitionSchema(
  kubeVersion: string,
  definition: string,
  options: { refPrefix?: string } = {},
): { $ref: string; $defs: Record<string, object> } {
  const defs = state(kubeVersion).bundle.$defs;
  if (!(definition in defs)) {
    throw new Error(`Kubernetes ${minorOf(kubeVersion)} has no definition ${definition} in the committed schemas`);
  }
  const closure = new Set<string>();
  const queue = [definition];
  while (queue.length > 0) {
    const n = queue.pop()!;
    if (closure.has(n)) continue;
    closure.add(n);
    for (const r of directRefs(defs[n])) if (!closure.has(r)) queue.push(r);
  }
  const prefix = options.refPrefix ?? REF_PREFIX;
  const rewrite = (schema: JsonSchema): object =>
    prefix === REF_PREFIX
      ? structuredClone(schema)
      : (JSON.parse(JSON.stringify(schema).replaceAll(`"$ref":"${REF_PREFIX}`, `"$ref":"${prefix}`)) as object);
  const $defs: Record<string, object> = {};
  for (const n of [...closure].sort()) $defs[n] = rewrite(defs[n]);
  return { $ref: prefix + definition, $defs };
}
