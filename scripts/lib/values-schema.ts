// Checks a values object against values.schema.json with ajv, reporting every problem (not just the
// first) as key path + message + fix. Never includes a value in a message: some values are secrets.
import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject } from "ajv";
import { defaultsOf, nodeAt, patternWords, walk, type Node } from "../contract/dsl.ts";
// Imported for its patterns' words too (described() runs as the module loads).
import "../contract/apiserver-formats.ts";
import { contract } from "../contract/values.ts";
import { rootSchemaPath } from "./paths.ts";

export interface ValuesProblem {
  /** Dotted key path, e.g. `datadog.site` or `tolerations[0].operatorr`. */
  key: string;
  message: string;
  fix: string;
}

let validator: ReturnType<Ajv["compile"]> | undefined;
function compiled() {
  if (!validator) {
    // verbose gives each error its parentSchema (for "did you mean"); error.data is never printed.
    const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
    validator = ajv.compile(JSON.parse(readFileSync(rootSchemaPath, "utf8")));
  }
  return validator;
}

/** `/tolerations/0/operator` -> `tolerations[0].operator` */
export function dottedPath(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), "");
}

function contractNode(key: string): Node | undefined {
  return nodeAt(contract, key.split(/\.|\[\d+\]/).filter(Boolean));
}

/** The closest known sibling key, for "did you mean"; undefined when nothing is close. */
export function closestKey(unknown: string, known: string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++)
        d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
    return d[a.length][b.length];
  };
  const best = known.map((k) => ({ k, d: distance(unknown, k) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= Math.max(2, Math.floor(unknown.length / 3)) ? best.k : undefined;
}

// ---- Words, not schema syntax -------------------------------------------------------------------
// A message never shows a pattern, a joined type list or a bare enum: a pattern is said in the words
// the contract gives it where it defines it (patternWords, scripts/contract/dsl.ts described()).

const typeNouns: Record<string, string> = {
  string: "a string",
  integer: "a whole number",
  number: "a number",
  boolean: "true or false",
  object: "a map of keys and values",
  array: "a list",
  null: "null",
};

/** `["integer", "null"]` -> "a whole number, or null to leave it unset". */
export function typeWords(type: unknown): string {
  const types = (Array.isArray(type) ? type : String(type).split(",")).map(String);
  const real = types.filter((t) => t !== "null");
  const nouns = real.map((t) => typeNouns[t] ?? `a ${t}`);
  const said = nouns.length === 0 ? "null" : listWords(nouns);
  return types.includes("null") && real.length ? `${said}, or null to leave it unset` : said;
}

/** One allowed value as a user would type it in YAML: "" for the empty string. */
export function valueWords(v: unknown): string {
  if (v === "") return '""';
  if (typeof v === "string") return /^[\w./:@%+-]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v);
}

/** `['""', "Exists", "Equal"]` -> `"", Exists or Equal`. */
export function listWords(items: string[], last = "or"): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} ${last} ${items.at(-1)}`;
}

/** The words for a pattern; a pattern nobody described is still never printed. */
export function patternText(pattern: string): string {
  return patternWords.get(pattern) ?? "a value of the form the values reference in README.md gives";
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/** What one alternative of an anyOf/oneOf accepts, or undefined when it cannot be said shortly. */
function branchWords(s: unknown): string | undefined {
  if (!s || typeof s !== "object") return undefined;
  const b = s as Record<string, unknown>;
  if ("const" in b) return valueWords(b.const);
  if (Array.isArray(b.enum)) return `one of ${listWords(b.enum.map(valueWords))}`;
  if (typeof b.pattern === "string") return patternText(b.pattern);
  if (b.type !== undefined && !b.properties && !b.items) {
    const lo = b.minimum;
    const hi = b.maximum;
    const range = typeof lo === "number" && typeof hi === "number" ? ` from ${lo} to ${hi}` : typeof lo === "number" ? ` of at least ${lo}` : typeof hi === "number" ? ` of at most ${hi}` : "";
    return `${typeWords(b.type)}${range}`;
  }
  return undefined;
}

function describe(e: ErrorObject): ValuesProblem {
  const parent = dottedPath(e.instancePath);
  const described = contractNode(parent);
  const about = described?.kind === "field" ? ` ${described.description}` : "";
  // Inside a Kubernetes shape (resources.limits.memory) the schema's own description says what fits.
  const shape = (e.parentSchema as { description?: string } | undefined)?.description;
  const context = about || (shape ? ` ${shape}` : "");
  const parentSchema = (e.parentSchema ?? {}) as Record<string, unknown>;
  switch (e.keyword) {
    case "additionalProperties": {
      const extra = String(e.params.additionalProperty);
      const key = parent ? `${parent}.${extra}` : extra;
      const schemaProps = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
      const guess = closestKey(extra, schemaProps);
      return {
        key,
        message: "unknown key",
        fix: guess ? `did you mean "${guess}"?` : schemaProps.length ? `remove it; known keys here: ${schemaProps.join(", ")}` : "remove it: no other key is allowed here.",
      };
    }
    case "enum": {
      const allowed = (e.params.allowedValues as unknown[]).map(valueWords);
      return { key: parent, message: "is not one of the allowed values", fix: `use one of: ${listWords(allowed)}.${context}` };
    }
    case "const":
      return { key: parent, message: `must be ${valueWords(e.params.allowedValue)} here`, fix: `give ${valueWords(e.params.allowedValue)}, or leave it out.${context}` };
    case "type":
      return { key: parent, message: `must be ${typeWords(e.params.type)}`, fix: `give ${typeWords(e.params.type)}.${context}` };
    case "pattern": {
      const words = patternText(String(e.params.pattern));
      // A map key of the wrong form (propertyNames): the key is named (keys are never secrets), no value.
      const name = (e as { propertyName?: string }).propertyName;
      if (name !== undefined) return { key: parent ? `${parent}.${name}` : name, message: `is not a valid key here: a key must be ${words}`, fix: "rename the key." };
      return { key: parent, message: `must be ${words}`, fix: `give ${words}.${context}` };
    }
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum": {
      const bound = ({ ">=": "at least", "<=": "at most", ">": "more than", "<": "less than" } as Record<string, string>)[String(e.params.comparison)] ?? "within";
      const { minimum: lo, maximum: hi } = parentSchema;
      const range = typeof lo === "number" && typeof hi === "number" ? `a value from ${lo} to ${hi}` : `a value ${bound} ${e.params.limit}`;
      return { key: parent, message: `must be ${bound} ${e.params.limit}`, fix: `give ${range}.${context}` };
    }
    case "minLength":
      return Number(e.params.limit) === 1
        ? { key: parent, message: "must not be empty", fix: `give a value, or leave the key out for the chart's default.${context}` }
        : { key: parent, message: `must be at least ${plural(Number(e.params.limit), "character")} long`, fix: `give a longer value.${context}` };
    case "maxLength":
      return { key: parent, message: `must be at most ${plural(Number(e.params.limit), "character")} long`, fix: `give a shorter value.${context}` };
    case "minItems":
      return { key: parent, message: `must list at least ${plural(Number(e.params.limit), "item")}`, fix: `add items.${context}` };
    case "maxItems":
      return Number(e.params.limit) === 0
        ? { key: parent, message: "must be left out or empty with these settings", fix: `remove it.${context}` }
        : { key: parent, message: `must list at most ${plural(Number(e.params.limit), "item")}`, fix: `remove items.${context}` };
    case "uniqueItems":
      return { key: parent, message: `lists the same item twice (items ${e.params.j} and ${e.params.i})`, fix: `remove one of them.${context}` };
    case "not": {
      const not = (e.schema ?? {}) as Record<string, unknown>;
      if (typeof not.pattern === "string") return { key: parent, message: `must not contain ${patternText(not.pattern)}`, fix: `change it.${context}` };
      if (Array.isArray(not.required)) {
        const names = not.required.map(String);
        return names.length > 1
          ? { key: parent, message: `must not set ${listWords(names, "and")} together`, fix: `leave out all but one of them.${context}` }
          : { key: parent, message: `must not set ${names[0]} with these settings`, fix: `leave ${names[0]} out.${context}` };
      }
      return { key: parent, message: "is a combination of settings the chart refuses", fix: about.trim() || shape || "see the values reference in README.md." };
    }
    case "required": {
      const key = parent ? `${parent}.${e.params.missingProperty}` : String(e.params.missingProperty);
      const node = contractNode(key);
      // Chart keys are only ever missing after a user's null removed the default.
      const fix = node?.kind === "field" ? `give it a value or leave it out (default ${JSON.stringify(node.default)}); null removes the chart's default.` : parent.includes("[") ? "set it: the keys beside it need it." : "leave it out or give it a value; null removes the chart's default.";
      return { key, message: "is required", fix };
    }
    default:
      return { key: parent, message: e.message ?? e.keyword, fix: about.trim() || shape || "see the values reference in README.md." };
  }
}

/** One problem for a failed anyOf/oneOf, naming its alternatives; undefined when one cannot be said. */
function describeAlternatives(e: ErrorObject): ValuesProblem | undefined {
  const branches = Array.isArray(e.schema) ? (e.schema as Record<string, unknown>[]) : [];
  const key = dottedPath(e.instancePath);
  const node = contractNode(key);
  const about = node?.kind === "field" ? ` ${node.description}` : "";
  const oneOf = e.keyword === "oneOf";
  // exactlyOne(...) and anyOf of `required` alternatives: which keys to set.
  if (branches.length && branches.every((b) => Array.isArray(b.required) && b.required.length === 1 && Object.keys(b).length === 1)) {
    const names = listWords(branches.map((b) => String((b.required as string[])[0])));
    if (oneOf && Array.isArray(e.params.passingSchemas)) return { key, message: `sets more than one of ${names}`, fix: `keep exactly one of them.${about}` };
    return { key, message: `must set ${oneOf ? "exactly one" : "at least one"} of ${names}`, fix: `set ${oneOf ? "one" : "one or more"} of them.${about}` };
  }
  const words = branches.map(branchWords);
  if (!words.length || words.some((w) => w === undefined)) return undefined;
  const said = listWords(words as string[]);
  return { key, message: `must be ${said}`, fix: `give ${said}.${about}` };
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The values Helm validates and renders: the chart's defaults with the user's values over them, as
 * Helm coalesces them (v3.17.3 pkg/chartutil/coalesce.go and v4.1.4 pkg/chart/common/util/coalesce.go:
 * coalesceValues at the top level, coalesceTablesFullKey below it). Maps merge key by key; anything
 * else, a list included, replaces. A user's null deletes the key when the defaults have it there, and
 * stays a null for the schema to judge when they do not (a key of the user's own, or inside a list
 * item). Helm 4 also keeps a null whose default is null; the schema accepts null wherever the
 * default is null, so the verdict is the same.
 */
export function mergeOverDefaults(defaults: unknown, user: unknown): unknown {
  if (!isMap(defaults) || !isMap(user)) return user;
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(user)) {
    if (v === null && k in defaults) delete out[k];
    else out[k] = k in defaults ? mergeOverDefaults(defaults[k], v) : v;
  }
  return out;
}

/** Values files merged in order, and which of them set each key. */
export interface MergedValues {
  values: Record<string, unknown>;
  /** Dotted key -> the files that set it (for a map: each file that set a key in it), in order. */
  setBy: Map<string, string[]>;
}

/**
 * Several values files merged as `helm -f a.yaml -f b.yaml` merges them, before the chart's defaults
 * come in (v3.17.3 pkg/cli/values/options.go Options.MergeValues with mergeMaps; v4.1.4 the same
 * function with pkg/chart/v2/loader/load.go MergeMaps): a later file's map merges into an earlier
 * one's key by key; any other value (a list, a scalar, a null) replaces what earlier files gave.
 */
export function mergeValuesFiles(files: { file: string; values: Record<string, unknown> }[]): MergedValues {
  const values: Record<string, unknown> = {};
  const setBy = new Map<string, string[]>();
  const own = (v: unknown, key: string, file: string) => {
    setBy.set(key, [file]);
    if (isMap(v)) for (const [k, c] of Object.entries(v)) own(c, `${key}.${k}`, file);
  };
  const into = (base: Record<string, unknown>, cur: Record<string, unknown>, prefix: string, file: string) => {
    for (const [k, v] of Object.entries(cur)) {
      const key = prefix ? `${prefix}.${k}` : k;
      const was = base[k];
      if (isMap(v) && isMap(was)) {
        const had = setBy.get(key) ?? [];
        if (!had.includes(file)) setBy.set(key, [...had, file]);
        into(was, v, key, file);
        continue;
      }
      for (const s of [...setBy.keys()]) if (s.startsWith(`${key}.`) || s.startsWith(`${key}[`)) setBy.delete(s);
      base[k] = structuredClone(v);
      own(v, key, file);
    }
  };
  for (const f of files) into(values, f.values, "", f.file);
  return { values, setBy };
}

/** The files that set a key or, failing that, its nearest enclosing key that was set; [] if none. */
export function filesSetting(key: string, setBy: Map<string, string[]>): string[] {
  for (let k = key; k; k = k.slice(0, Math.max(0, k.lastIndexOf("."), k.lastIndexOf("[")))) {
    const found = setBy.get(k);
    if (found) return found;
  }
  return [];
}

/** Every schema problem of a user's values, checked after merging them over the chart's defaults. */
export function schemaProblems(userValues: unknown): ValuesProblem[] {
  const validate = compiled();
  const values = mergeOverDefaults(defaultsOf(contract), userValues ?? {});
  if (validate(values)) return [];
  const errors = validate.errors ?? [];
  // A failed anyOf/oneOf is said once, by its alternatives, rather than once per alternative
  // (outermost first, so an alternative's own anyOf goes with it); when an alternative cannot be said
  // shortly, its inner errors speak instead.
  const within = (inner: ErrorObject, outer: ErrorObject) => inner !== outer && inner.schemaPath.startsWith(`${outer.schemaPath}/`) && inner.instancePath.startsWith(outer.instancePath);
  const said = new Map<ErrorObject, ValuesProblem>();
  const swallowed = new Set<ErrorObject>();
  for (const alt of errors.filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf").sort((a, b) => a.schemaPath.length - b.schemaPath.length)) {
    if (swallowed.has(alt)) continue;
    const p = describeAlternatives(alt);
    if (!p) continue;
    said.set(alt, p);
    for (const e of errors) if (within(e, alt)) swallowed.add(e);
  }
  const seen = new Set<string>();
  const out: ValuesProblem[] = [];
  for (const e of errors) {
    if (swallowed.has(e) || e.keyword === "if" || e.keyword === "propertyNames") continue;
    if ((e.keyword === "anyOf" || e.keyword === "oneOf") && !said.has(e)) continue;
    const p = said.get(e) ?? describe(e);
    // `type: [integer, null]` knobs and the like report twice: keep one per key and message.
    const id = `${p.key}\u0000${p.message}`;
    if (!seen.has(id)) {
      seen.add(id);
      out.push(p);
    }
  }
  return out;
}

/** The secret fields set in a values object (the contract's `secret: true` keys): dotted key and value. */
/** The contract's secret keys, found once: the matrix asks for every one of its cells. */
let secretPaths: string[][] | undefined;

export function secretFieldsIn(values: unknown): { key: string; value: string }[] {
  secretPaths ??= [...walk(contract)].filter(({ node }) => node.kind === "field" && node.secret).map(({ path }) => path);
  const found: { key: string; value: string }[] = [];
  for (const path of secretPaths) {
    let v: unknown = values;
    for (const k of path) v = v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined;
    if (v !== undefined && v !== null && String(v) !== "") found.push({ key: path.join("."), value: String(v) });
  }
  return found;
}

/** The secret strings in a values object (at the contract's secret keys), to scrub from any output. */
export function secretsIn(values: unknown): string[] {
  return secretFieldsIn(values).map((f) => f.value);
}

export function redact(text: string, secrets: string[]): string {
  return secrets.reduce((t, s) => t.split(s).join("[redacted]"), text);
}
