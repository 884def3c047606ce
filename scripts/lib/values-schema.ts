// Checks a values object against values.schema.json with ajv, reporting every problem (not just the
// first) as key path + message + fix. Never includes a value in a message: some values are secrets.
import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject } from "ajv";
import { defaultsOf, nodeAt, walk, type Node } from "../contract/dsl.ts";
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

function describe(e: ErrorObject): ValuesProblem {
  const parent = dottedPath(e.instancePath);
  const described = contractNode(parent);
  const about = described?.kind === "field" ? ` ${described.description}` : "";
  switch (e.keyword) {
    case "additionalProperties": {
      const extra = String(e.params.additionalProperty);
      const key = parent ? `${parent}.${extra}` : extra;
      const schemaProps = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
      const guess = closestKey(extra, schemaProps);
      return {
        key,
        message: "unknown key",
        fix: guess ? `did you mean "${guess}"?` : `remove it; known keys here: ${schemaProps.join(", ")}`,
      };
    }
    case "enum":
      return { key: parent, message: "value is not allowed", fix: `use one of: ${(e.params.allowedValues as unknown[]).join(", ")}.` };
    case "type":
      return { key: parent, message: `must be ${e.params.type}`, fix: `give a ${e.params.type}.${about}` };
    case "pattern": {
      // Inside a Kubernetes shape (resources.limits.memory) the schema's own description says what fits.
      const shape = (e.parentSchema as { description?: string } | undefined)?.description;
      return { key: parent, message: `does not match ${e.params.pattern}`, fix: `give a value matching ${e.params.pattern}.${about || (shape ? ` ${shape}` : "")}` };
    }
    case "minimum":
    case "maximum":
      return { key: parent, message: `must be ${e.params.comparison} ${e.params.limit}`, fix: `give a value in range.${about}` };
    case "required": {
      const key = parent ? `${parent}.${e.params.missingProperty}` : String(e.params.missingProperty);
      const node = contractNode(key);
      // Chart keys are only ever missing after a user's null removed the default.
      const fix = node?.kind === "field" ? `give it a value or leave it out (default ${JSON.stringify(node.default)}); null removes the chart's default.` : "leave it out or give it a value; null removes the chart's default.";
      return { key, message: "is required", fix };
    }
    default:
      return { key: parent, message: e.message ?? e.keyword, fix: about.trim() || "see the values reference in README.md." };
  }
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The values Helm validates and renders: the chart's defaults with the user's values over them.
 * As in Helm, maps merge key by key, anything else replaces, and a user's null deletes the key.
 */
export function mergeOverDefaults(defaults: unknown, user: unknown): unknown {
  if (!isMap(defaults) || !isMap(user)) return user;
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(user)) {
    if (v === null) delete out[k];
    else out[k] = k in defaults ? mergeOverDefaults(defaults[k], v) : v;
  }
  return out;
}

/** Every schema problem of a user's values, checked after merging them over the chart's defaults. */
export function schemaProblems(userValues: unknown): ValuesProblem[] {
  const validate = compiled();
  const values = mergeOverDefaults(defaultsOf(contract), userValues ?? {});
  if (validate(values)) return [];
  const seen = new Set<string>();
  const out: ValuesProblem[] = [];
  for (const e of validate.errors ?? []) {
    // `type: [integer, null]` knobs yield both a type error and an anyOf error: keep one per key+message.
    if (e.keyword === "anyOf" || e.keyword === "oneOf" || e.keyword === "if") continue;
    const p = describe(e);
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
