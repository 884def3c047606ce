// The API server's field formats and cross-field rules for the Kubernetes types the values schema
// embeds, read from k8s.io/kubernetes v1.35 pkg/apis/core/validation/validation.go (functions named
// beside each rule), k8s.io/apimachinery pkg/util/validation (the name and label formats) and
// pkg/apis/apps/validation. Found by the fuzz tier (scripts/fuzz): each of these was a values file the
// schema accepted and the API server refused.
//
// Where the API server's rule needs what JSON Schema cannot say, the shape is narrowed to what it can
// check and the narrowing is named here (README, "Values the schema narrows"):
// - extraVolumes: hostPath, emptyDir, configMap, secret and persistentVolumeClaim sources only;
// - affinity: nodeAffinity only (pod (anti-)affinity terms do not fit a DaemonSet, which already puts
//   one pod on each node it selects);
// - env valueFrom.fieldRef: the plain downward API fields, not metadata.labels['key'];
// - resources.claims, and a NetworkPolicy ipBlock's `except` (must be subsets of its cidr): left out.
import { described, type JsonSchema } from "./dsl.ts";
import { nonNegativeQuantityPattern } from "./quantity.ts";

type Rule = (def: JsonSchema) => JsonSchema;
type Props = Record<string, JsonSchema>;

// k8s.io/apimachinery/pkg/util/validation: IsDNS1123Label, IsDNS1123Subdomain, IsQualifiedName,
// IsValidLabelValue, IsEnvVarName (not the relaxed form: 1.29 to 1.33 do not relax it), IsConfigMapKey.
const SUBDOMAIN_RE = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
export const DNS_LABEL: JsonSchema = { type: "string", pattern: described("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", 'a DNS label: up to 63 lowercase letters a-z, digits and "-", starting and ending with a letter or digit, e.g. my-profiler'), maxLength: 63 };
export const DNS_SUBDOMAIN: JsonSchema = {
  type: "string",
  pattern: described(`^${SUBDOMAIN_RE}$`, 'a DNS subdomain: up to 253 characters, parts of lowercase letters a-z, digits and "-" joined by ".", each part starting and ending with a letter or digit, e.g. my-secret or cluster.local'),
  maxLength: 253,
};
export const QUALIFIED_NAME: JsonSchema = {
  type: "string",
  pattern: described(
    `^(${SUBDOMAIN_RE}/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`,
    'a qualified name (as label keys are): a name of up to 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit, optionally after a DNS subdomain and "/", e.g. team or app.kubernetes.io/name',
  ),
  maxLength: 317,
};
export const LABEL_VALUE: JsonSchema = {
  type: "string",
  pattern: described("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$", 'a label value: empty, or up to 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit, e.g. v1.2 or infra'),
  maxLength: 63,
};
export const ENV_VAR_NAME: JsonSchema = { type: "string", pattern: described("^[-._a-zA-Z][-._a-zA-Z0-9]*$", 'an environment variable name: letters, digits, "_", "-" and ".", not starting with a digit, e.g. MY_SETTING') };
/** IsConfigMapKey: [-._a-zA-Z0-9]+, not "." or "..", not starting with "..". */
export const CONFIG_MAP_KEY: JsonSchema = {
  type: "string",
  pattern: described("^\\.?[-_a-zA-Z0-9][-._a-zA-Z0-9]*$", 'a key of a ConfigMap or Secret: letters, digits, "-", "_" and ".", not "." or ".." and not starting with "..", e.g. config.yaml'),
  maxLength: 253,
};
/** One path element that is not "..": validatePathNoBacksteps. */
const ELEMENT = "([^/.][^/]*|\\.[^/.][^/]*|\\.|\\.\\.[^/]+)?";
/** validatePathNoBacksteps: no ".." element. */
export const NO_BACKSTEPS: JsonSchema = { type: "string", pattern: described(`^${ELEMENT}(/${ELEMENT})*$`, 'a path with no ".." part, e.g. /var/lib/profiler') };
/** validateLocalDescendingPath: relative (no leading "/"), no ".." element. */
export const RELATIVE_PATH: JsonSchema = {
  type: "string",
  pattern: described(`^([^/.][^/]*|\\.[^/.][^/]*|\\.|\\.\\.[^/]+)(/${ELEMENT})*$`, 'a relative path (not starting with "/") with no ".." part, e.g. profiles/profiler.json'),
};
/** ValidateLocalNonReservedPath: a relative path whose first element does not start with "..". */
export const LOCAL_NON_RESERVED_PATH: JsonSchema = {
  type: "string",
  pattern: described(`^([^/.][^/]*|\\.[^/.][^/]*|\\.)(/${ELEMENT})*$`, 'a relative path (not starting with "/") with no ".." part and a first part not starting with "..", e.g. config/app.yaml'),
};
/** fileModeErrorMsg: "must be a number between 0 and 0777 (octal), both inclusive". */
export const FILE_MODE: JsonSchema = { type: "integer", minimum: 0, maximum: 511 };
const INT32 = { minimum: -2147483648, maximum: 2147483647 };
/** A Quantity (quantity.ts's grammar) without a sign: requests, limits and sizes are never negative. */
const NON_NEGATIVE_QUANTITY: JsonSchema = { type: ["string", "number"], description: "A Kubernetes quantity, not negative, e.g. 100m, 0.5, 2 (CPU) or 256Mi, 1Gi, 512M (memory).", minimum: 0, pattern: nonNegativeQuantityPattern };
/** IntOrString as IsValidPercent and ValidateNonnegativeIntOrPercent / IsNotMoreThan100Percent read it. */
const PERCENT_OR_COUNT: JsonSchema = { oneOf: [{ type: "integer", minimum: 0, maximum: 2147483647 }, { type: "string", pattern: described("^([0-9]|[1-9][0-9]|100)%$", "a percentage from 0% to 100%, e.g. 10%") }] };
/** IsValidIP + a prefix length (ValidateIPBlock: a CIDR, strict parsing: no leading zeros). */
const IPV4 = "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
const H = "[0-9a-fA-F]{1,4}";
const IPV6 = `((${H}:){7}${H}|(${H}:){1,7}:|(${H}:){1,6}:${H}|(${H}:){1,5}(:${H}){1,2}|(${H}:){1,4}(:${H}){1,3}|(${H}:){1,3}(:${H}){1,4}|(${H}:){1,2}(:${H}){1,5}|${H}:(:${H}){1,6}|:((:${H}){1,7}|:))`;
export const CIDR: JsonSchema = {
  type: "string",
  pattern: described(`^(${IPV4}/([0-9]|[12][0-9]|3[0-2])|${IPV6}/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8]))$`, "an IPv4 or IPv6 CIDR (an address, \"/\" and a prefix length, no leading zeros), e.g. 10.0.0.0/16 or fd00::/8"),
};

const props = (d: JsonSchema): Props => (d.properties ?? {}) as Props;

/** Tighten one property (merged into its schema; a $ref property is replaced by `extra` alone). */
export const prop = (name: string, extra: JsonSchema): Rule => (def) => {
  const p = props(def);
  if (!p[name]) throw new Error(`API-server rule for a property "${name}" the definition does not have`);
  const base = p[name].$ref ? {} : p[name];
  return { ...def, properties: { ...p, [name]: { ...base, ...extra, ...(p[name].description ? { description: p[name].description } : {}) } } };
};
/** Tighten the items of an array property. */
const items = (name: string, extra: JsonSchema): Rule => (def) => {
  const p = props(def);
  if (p[name]?.type !== "array") throw new Error(`API-server rule for items of "${name}", which is not a list`);
  return { ...def, properties: { ...p, [name]: { ...p[name], items: { ...(p[name].items as JsonSchema), ...extra } } } };
};
/** Keep only these properties: the rest are narrowed away (named in the header). */
const only = (...names: string[]): Rule => (def) => {
  const p = props(def);
  for (const n of names) if (!p[n]) throw new Error(`cannot keep "${n}": the definition does not have it`);
  return { ...def, properties: Object.fromEntries(names.map((n) => [n, p[n]])) };
};
const withRule = (rule: JsonSchema): Rule => (def) => ({ ...def, allOf: [...((def.allOf as JsonSchema[]) ?? []), rule] });
const required = (...names: string[]): Rule => (def) => ({ ...def, required: [...new Set([...((def.required as string[]) ?? []), ...names])] });
/** Exactly one of these properties (validateVolumeSource, validateEnvVarValueFrom: "may not specify more than 1"). */
const exactlyOne = (...names: string[]): Rule => withRule({ oneOf: names.map((n) => ({ required: [n] })) });
/** `then` must hold when `if` does. */
const when = (cond: JsonSchema, then: JsonSchema): Rule => withRule({ if: cond, then });

/** ValidateLabelSelectorRequirement / ValidateNodeSelectorRequirement: values by operator. */
const valuesByOperator = (withValues: string[], withoutValues: string[]): Rule[] => [
  when({ properties: { operator: { enum: withValues } }, required: ["operator"] }, { required: ["values"], properties: { values: { minItems: 1 } } }),
  when({ properties: { operator: { enum: withoutValues } }, required: ["operator"] }, { properties: { values: { maxItems: 0 } } }),
];

const VOLUME_SOURCES = ["hostPath", "emptyDir", "configMap", "secret", "persistentVolumeClaim"];

export const formatRules: Record<string, Rule[]> = {
  // ValidateVolumes: name IsDNS1123Label; validateVolumeSource: exactly one source.
  "io.k8s.api.core.v1.Volume": [only("name", ...VOLUME_SOURCES), prop("name", DNS_LABEL), exactlyOne(...VOLUME_SOURCES)],
  // validateHostPathVolumeSource, validateHostPathType.
  "io.k8s.api.core.v1.HostPathVolumeSource": [prop("path", { ...NO_BACKSTEPS, minLength: 1 }), prop("type", { type: "string", enum: ["", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"] })],
  // validateEmptyDirVolumeSource: a known medium (HugePages-<size> is left out); sizeLimit >= 0.
  "io.k8s.api.core.v1.EmptyDirVolumeSource": [prop("medium", { type: "string", enum: ["", "Memory", "HugePages"] }), prop("sizeLimit", NON_NEGATIVE_QUANTITY)],
  // validateConfigMapVolumeSource / validateSecretVolumeSource: a name, modes 0-0777, items.
  "io.k8s.api.core.v1.ConfigMapVolumeSource": [required("name"), prop("name", { type: "string", minLength: 1 }), prop("defaultMode", FILE_MODE)],
  "io.k8s.api.core.v1.SecretVolumeSource": [required("secretName"), prop("secretName", { type: "string", minLength: 1 }), prop("defaultMode", FILE_MODE)],
  // validateKeyToPath: key, a local non-reserved path, mode 0-0777.
  "io.k8s.api.core.v1.KeyToPath": [prop("path", { ...LOCAL_NON_RESERVED_PATH, minLength: 1 }), prop("mode", FILE_MODE)],
  // validateVolumeMounts / validateMountPropagation (the name must also be a volume's: _validate.tpl).
  "io.k8s.api.core.v1.VolumeMount": [
    prop("name", DNS_LABEL),
    prop("subPath", { anyOf: [{ const: "" }, RELATIVE_PATH] }),
    prop("subPathExpr", { anyOf: [{ const: "" }, RELATIVE_PATH] }),
    prop("mountPropagation", { type: "string", enum: ["None", "HostToContainer", "Bidirectional"] }),
    when({ required: ["subPath", "subPathExpr"] }, { anyOf: [{ properties: { subPath: { const: "" } } }, { properties: { subPathExpr: { const: "" } } }] }),
  ],
  // ValidateEnv: IsEnvVarName; validateEnvVarValueFrom: no value beside valueFrom.
  "io.k8s.api.core.v1.EnvVar": [prop("name", ENV_VAR_NAME), when({ required: ["valueFrom"] }, { properties: { value: { const: "" } } })],
  "io.k8s.api.core.v1.EnvVarSource": [exactlyOne("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef")],
  // validateObjectFieldSelector with validEnvDownwardAPIFieldPathExpressions (apiVersion defaults to v1).
  "io.k8s.api.core.v1.ObjectFieldSelector": [
    prop("fieldPath", { type: "string", enum: ["metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"] }),
    prop("apiVersion", { type: "string", enum: ["", "v1"] }),
  ],
  // validateContainerResourceFieldSelector (validContainerResourceFieldPathExpressions) and
  // validateContainerResourceDivisor: cpu divides by 1m or 1, memory and storage by a binary or decimal unit.
  "io.k8s.api.core.v1.ResourceFieldSelector": [
    prop("resource", { type: "string", enum: ["limits.cpu", "limits.memory", "limits.ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage"] }),
    prop("containerName", { type: "string", enum: ["", "dd-otel-host-profiler"] }),
    prop("divisor", { type: "string" }),
    when({ properties: { resource: { enum: ["limits.cpu", "requests.cpu"] } }, required: ["resource"] }, { properties: { divisor: { enum: ["1m", "1"] } } }),
    when({ properties: { resource: { enum: ["limits.memory", "requests.memory", "limits.ephemeral-storage", "requests.ephemeral-storage"] } }, required: ["resource"] }, { properties: { divisor: { enum: ["1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"] } } }),
  ],
  // validateConfigMapKeySelector / validateSecretKeySelector: ValidateConfigMapName / ValidateSecretName, IsConfigMapKey.
  "io.k8s.api.core.v1.ConfigMapKeySelector": [required("name"), prop("name", DNS_SUBDOMAIN), prop("key", CONFIG_MAP_KEY)],
  "io.k8s.api.core.v1.SecretKeySelector": [required("name"), prop("name", DNS_SUBDOMAIN), prop("key", CONFIG_MAP_KEY)],
  // ValidateEnvFrom: the prefix IsEnvVarName; the ConfigMap or Secret name its object name.
  "io.k8s.api.core.v1.EnvFromSource": [prop("prefix", { anyOf: [{ const: "" }, ENV_VAR_NAME] })],
  "io.k8s.api.core.v1.ConfigMapEnvSource": [required("name"), prop("name", DNS_SUBDOMAIN)],
  "io.k8s.api.core.v1.SecretEnvSource": [required("name"), prop("name", DNS_SUBDOMAIN)],
  // ValidateTolerations: key IsQualifiedName; value IsValidLabelValue; tolerationSeconds only with NoExecute.
  "io.k8s.api.core.v1.Toleration": [
    prop("key", { anyOf: [{ const: "" }, QUALIFIED_NAME] }),
    prop("value", LABEL_VALUE),
    prop("tolerationSeconds", { type: "integer", minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
    when({ required: ["tolerationSeconds"] }, { required: ["effect"], properties: { effect: { const: "NoExecute" } } }),
  ],
  "io.k8s.api.core.v1.Affinity": [only("nodeAffinity")],
  // imagePullSecrets, the one list of these: a Secret's name (ValidateSecretName); server-side apply
  // keys the list by name, so a missing name equals an empty one and two such entries collide.
  "io.k8s.api.core.v1.LocalObjectReference": [required("name"), prop("name", DNS_SUBDOMAIN)],
  // ValidateNodeSelectorRequirement: key IsQualifiedName, label values, values by operator (Gt/Lt: one integer).
  "io.k8s.api.core.v1.NodeSelectorRequirement": [
    prop("key", QUALIFIED_NAME),
    items("values", LABEL_VALUE),
    ...valuesByOperator(["In", "NotIn"], ["Exists", "DoesNotExist"]),
    when({ properties: { operator: { enum: ["Gt", "Lt"] } }, required: ["operator"] }, { required: ["values"], properties: { values: { minItems: 1, maxItems: 1, items: { pattern: described("^-?[0-9]+$", 'a whole number written as a string, e.g. "42"') } } } }),
  ],
  // ValidateNodeFieldSelectorRequirement: matchFields takes metadata.name, In or NotIn, one value.
  "io.k8s.api.core.v1.NodeSelectorTerm": [
    prop("matchFields", {
      type: "array",
      items: { type: "object", properties: { key: { type: "string", const: "metadata.name" }, operator: { type: "string", enum: ["In", "NotIn"] }, values: { type: "array", items: DNS_SUBDOMAIN, minItems: 1, maxItems: 1 } }, required: ["key", "operator", "values"], additionalProperties: false },
    }),
  ],
  // ValidateLabelSelector (metav1validation): keys qualified names, values label values, operators.
  "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector": [prop("matchLabels", { type: "object", propertyNames: QUALIFIED_NAME, additionalProperties: LABEL_VALUE })],
  "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement": [prop("key", QUALIFIED_NAME), prop("operator", { type: "string", enum: ["In", "NotIn", "Exists", "DoesNotExist"] }), items("values", LABEL_VALUE), ...valuesByOperator(["In", "NotIn"], ["Exists", "DoesNotExist"])],
  // apps ValidateRollingUpdateDaemonSet: non-negative counts or percentages up to 100%, not both 0.
  "io.k8s.api.apps.v1.RollingUpdateDaemonSet": [
    prop("maxSurge", PERCENT_OR_COUNT),
    prop("maxUnavailable", PERCENT_OR_COUNT),
    // maxUnavailable defaults to 1 and maxSurge to 0: a zero maxUnavailable needs a non-zero maxSurge.
    when({ properties: { maxUnavailable: { enum: [0, "0%"] } }, required: ["maxUnavailable"] }, { required: ["maxSurge"], not: { properties: { maxSurge: { enum: [0, "0%"] } } } }),
    // ... and a non-zero maxSurge needs maxUnavailable 0 ("may not be set when maxUnavailable is non-zero").
    when({ required: ["maxSurge"], not: { properties: { maxSurge: { enum: [0, "0%"] } } } }, { required: ["maxUnavailable"], properties: { maxUnavailable: { enum: [0, "0%"] } } }),
  ],
  // ValidateResourceRequirements: quantities >= 0 (names: _validate.tpl, which can name the key).
  "io.k8s.api.core.v1.ResourceRequirements": [only("limits", "requests"), prop("limits", { type: "object", additionalProperties: NON_NEGATIVE_QUANTITY }), prop("requests", { type: "object", additionalProperties: NON_NEGATIVE_QUANTITY })],
  // validateSeccompProfileField / ValidateAppArmorProfileField: localhostProfile only with Localhost;
  // seccomp's a relative path (validateLocalDescendingPath), AppArmor's not padded with whitespace.
  "io.k8s.api.core.v1.SeccompProfile": [prop("localhostProfile", RELATIVE_PATH), when({ properties: { type: { enum: ["Unconfined", "RuntimeDefault"] } }, required: ["type"] }, { not: { required: ["localhostProfile"] } })],
  "io.k8s.api.core.v1.AppArmorProfile": [prop("localhostProfile", { type: "string", pattern: described("^\\S(.*\\S)?$", "a profile name with no whitespace at its start or end, e.g. k8s-profiler"), maxLength: 4095 }), when({ properties: { type: { enum: ["Unconfined", "RuntimeDefault"] } }, required: ["type"] }, { not: { required: ["localhostProfile"] } })],
  // networking ValidateNetworkPolicyPort / ValidateIPBlock / ValidateNetworkPolicyPeer.
  "io.k8s.api.networking.v1.NetworkPolicyPort": [
    prop("protocol", { type: "string", enum: ["TCP", "UDP", "SCTP"] }),
    // IsValidPortNum, or IsValidPortName: up to 15 of a-z, 0-9 and '-', a letter among them, no "--".
    prop("port", { oneOf: [{ type: "integer", minimum: 1, maximum: 65535 }, {
          type: "string",
          pattern: described("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", 'a port name: up to 15 lowercase letters a-z, digits and "-", starting and ending with a letter or digit, e.g. http'),
          maxLength: 15,
          allOf: [{ pattern: described("[a-z]", "a port name with at least one letter, e.g. http") }, { not: { pattern: described("--", '"--" (two hyphens in a row)') } }],
        }] }),
    prop("endPort", { type: "integer", minimum: 1, maximum: 65535 }),
    when({ required: ["endPort"] }, { required: ["port"], properties: { port: { type: "integer" } } }),
  ],
  "io.k8s.api.networking.v1.IPBlock": [only("cidr"), prop("cidr", CIDR)],
  "io.k8s.api.networking.v1.NetworkPolicyPeer": [
    withRule({ anyOf: [{ required: ["ipBlock"] }, { required: ["podSelector"] }, { required: ["namespaceSelector"] }] }),
    withRule({ not: { required: ["ipBlock", "podSelector"] } }),
    withRule({ not: { required: ["ipBlock", "namespaceSelector"] } }),
  ],
};

/** Every integer of an embedded type fits the API's int32 unless a rule above gave it other bounds. */
export function int32Integers(def: JsonSchema): JsonSchema {
  const p = def.properties as Props | undefined;
  if (!p) return def;
  const out: Props = {};
  for (const [k, v] of Object.entries(p)) out[k] = v.type === "integer" && v.minimum === undefined && v.maximum === undefined ? { ...v, ...INT32 } : v;
  return { ...def, properties: out };
}
