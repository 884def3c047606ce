// The API server's own validation of the Kubernetes types the values schema embeds, where it is
// stricter than their OpenAPI shapes (which say only "string", "integer", "array"). Without these, a
// values file the schema accepts renders objects the API server refuses, and `helm install` fails
// halfway, leaving a failed release behind. Read from k8s.io/kubernetes pkg/apis/core/validation and
// pkg/apis/apps/validation (v1.35); each rule names the function it follows.
//
// Two kinds of rule, applied to every definition the schema embeds:
// - generic: a required string property must not be empty (the validators answer "Required value"
//   for "" as for a missing field: names, keys, mount paths, operators);
// - per type: enums, ranges, one-of and conditional rules, below, and the field formats and
//   cross-field rules in apiserver-formats.ts (names, label keys and values, paths, percentages).
// Map keys (annotation keys, resource names) are checked in chart/templates/_validate.tpl instead.
import type { JsonSchema } from "./dsl.ts";
import { formatRules, int32Integers } from "./apiserver-formats.ts";

type Rule = (def: JsonSchema) => JsonSchema;

const prop = (name: string, extra: JsonSchema): Rule => (def) => {
  const props = (def.properties ?? {}) as Record<string, JsonSchema>;
  if (!props[name]) throw new Error(`API-server rule for a property "${name}" the definition does not have`);
  return { ...def, properties: { ...props, [name]: { ...props[name], ...extra } } };
};

const weight = prop("weight", { minimum: 1, maximum: 100 }); // validateNodeAffinity / validateWeightedPodAffinityTerms: "must be in the range 1-100"

/** Per-type rules, by definition name. */
export const typeRules: Record<string, Rule[]> = {
  // apps validation ValidateDaemonSetUpdateStrategy: Unsupported value ("" is defaulted, here by daemonset.yaml).
  "io.k8s.api.apps.v1.DaemonSetUpdateStrategy": [prop("type", { enum: ["", "RollingUpdate", "OnDelete"] })],
  // validateEnvFrom: "must specify one of: `configMapRef` or `secretRef`", and not both.
  "io.k8s.api.core.v1.EnvFromSource": [(d) => ({ ...d, oneOf: [{ required: ["configMapRef"] }, { required: ["secretRef"] }] })],
  // ValidateTolerations: operator Equal or Exists; an empty key needs Exists; Exists takes no value; known effects.
  "io.k8s.api.core.v1.Toleration": [
    // "" means Equal for the operator and every effect for the effect. Gt and Lt (alpha gate
    // TaintTolerationComparisonOperators, off by default in 1.35) are refused until the gate graduates.
    prop("operator", { enum: ["", "Exists", "Equal"] }),
    prop("effect", { enum: ["", "NoSchedule", "PreferNoSchedule", "NoExecute"] }),
    (d) => ({
      ...d,
      allOf: [
        { if: { anyOf: [{ not: { required: ["key"] } }, { properties: { key: { const: "" } }, required: ["key"] }] }, then: { required: ["operator"], properties: { operator: { const: "Exists" } } } },
        { if: { properties: { operator: { const: "Exists" } }, required: ["operator"] }, then: { properties: { value: { const: "" } } } },
      ],
    }),
  ],
  "io.k8s.api.core.v1.PreferredSchedulingTerm": [weight],
  "io.k8s.api.core.v1.WeightedPodAffinityTerm": [weight],
  // ValidateNodeSelector: "must have at least one node selector term".
  "io.k8s.api.core.v1.NodeSelector": [prop("nodeSelectorTerms", { minItems: 1 })],
  // ValidateNodeSelectorRequirement: In, NotIn, Exists, DoesNotExist, Gt, Lt.
  "io.k8s.api.core.v1.NodeSelectorRequirement": [prop("operator", { enum: ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"] })],
  // ValidateResourceRequirements checks that every resource name is a qualified name: _validate.tpl
  // does, since Helm 4 reports a propertyNames failure without the key it is under.
  // validateSeccompProfileField / validateAppArmorProfileField: a Localhost profile names its file.
  "io.k8s.api.core.v1.SeccompProfile": [
    prop("type", { enum: ["Unconfined", "RuntimeDefault", "Localhost"] }),
    (d) => ({ ...d, if: { properties: { type: { const: "Localhost" } }, required: ["type"] }, then: { required: ["localhostProfile"], properties: { localhostProfile: { minLength: 1 } } } }),
  ],
  "io.k8s.api.core.v1.AppArmorProfile": [
    prop("type", { enum: ["Unconfined", "RuntimeDefault", "Localhost"] }),
    (d) => ({ ...d, if: { properties: { type: { const: "Localhost" } }, required: ["type"] }, then: { required: ["localhostProfile"], properties: { localhostProfile: { minLength: 1 } } } }),
  ],
};

/** A required string property may not be empty (ValidateEnv, ValidateVolumes, validateVolumeMounts, ...: "Required value"). */
function requiredStringsNonEmpty(def: JsonSchema): JsonSchema {
  const props = def.properties as Record<string, JsonSchema> | undefined;
  const required = (def.required ?? []) as string[];
  if (!props) return def;
  const out = { ...props };
  for (const name of required) if (out[name]?.type === "string") out[name] = { ...out[name], minLength: 1 };
  return { ...def, properties: out };
}

/** The definitions with the API server's rules added to every one they apply to. */
export function withApiServerRules(definitions: Record<string, JsonSchema>): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const [name, def] of Object.entries(definitions)) {
    const rules = [...(typeRules[name] ?? []), ...(formatRules[name] ?? [])];
    out[name] = rules.reduce((d, rule) => rule(d), int32Integers(requiredStringsNonEmpty(def)));
  }
  return out;
}
