// What the fuzz tier makes of one render of one generated values file. Every file the schema accepts
// must either render objects that pass every check, or be refused on purpose: by values.schema.json
// (Helm's schema check) or by the chart's own `fail`/`required` (an "execution error" Helm prints
// for them). Anything else Helm reports is a template error: the chart broke on input it accepted.
import { PROFILER_CHART } from "../matrix/invariants/profiler.ts";

export type RefusalBy = "schema" | "chart";

export type RenderVerdict = { kind: "refused"; by: RefusalBy; message: string } | { kind: "template-error"; message: string };

const SCHEMA_REFUSAL = /values don't meet the specifications of the schema/;
// Helm's words for a template's `fail` or `required`: "execution error at (<template>:<line>:<col>): <message>".
const CHART_REFUSAL = /^execution error at \([^)]*\): /;

export function classifyRenderError(error: string): RenderVerdict {
  if (SCHEMA_REFUSAL.test(error)) return { kind: "refused", by: "schema", message: error };
  if (CHART_REFUSAL.test(error)) return { kind: "refused", by: "chart", message: error.replace(CHART_REFUSAL, "").trim() };
  return { kind: "template-error", message: error };
}

/**
 * This chart's refusals start `[ERROR] <key> ...` (chart/templates/_validate.tpl) with a key the
 * schema knows: the user is told which key. undefined when the message names a key; else why not.
 * Other charts word their refusals as they like, so this is checked on this chart only.
 */
export function unnamedKey(chartName: string, message: string, topLevelKeys: string[]): string | undefined {
  if (chartName !== PROFILER_CHART) return undefined;
  const m = /^\[ERROR\] ([A-Za-z][A-Za-z0-9]*)[.\[ :]/.exec(message.trim());
  if (!m) return "the refusal does not start with `[ERROR] <key>`";
  return topLevelKeys.includes(m[1]) ? undefined : `the refusal names "${m[1]}", which is not a values key`;
}

/** Keys whose values are credentials: a refusal, report or minimal file must never show them. */
const SECRET_KEY = /^(api|app)[-_]?key$|password$|passwd$|token$|^secret$/i;

/** The credential-looking string values of a values file (at least 8 characters, so words are left alone). */
export function secretValues(values: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key: string): void => {
    if (typeof v === "string" && SECRET_KEY.test(key) && v.length >= 8) out.push(v);
    else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(values, "");
  return out;
}

/** `text` with every given secret replaced. */
export function hideSecrets(text: string, secrets: string[]): string {
  return secrets.reduce((t, s) => t.split(s).join("<redacted>"), text);
}
