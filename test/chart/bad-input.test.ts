// Bad values fail before anything reaches a cluster, under every Helm, naming the key and never
// printing a secret. One row per constraint kind the contract and the templates enforce.
import { describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { fakeApiKey, render } from "../helpers/render.ts";

interface BadCase {
  name: string;
  kind: "type" | "enum" | "pattern" | "quantity" | "range" | "unknown key" | "mutual exclusion" | "secret format" | "template rule" | "unique items";
  values: object;
  /** Text the error must contain; Helm 3 spells paths a.b, Helm 4 /a/b, so alternatives are allowed. */
  mentions: string[][];
  /** A secret that must appear nowhere in the output. */
  secret?: string;
}

const either = (dotted: string) => [dotted, `/${dotted.replace(/\./g, "/")}`];

export const badCases: BadCase[] = [
  { name: "top-level typo", kind: "unknown key", values: { imagee: { tag: "x" } }, mentions: [["imagee"]] },
  { name: "nested typo", kind: "unknown key", values: { image: { tags: "x" } }, mentions: [["tags"]] },
  { name: "typo inside a toleration", kind: "unknown key", values: { tolerations: [{ operatorr: "Exists" }] }, mentions: [["operatorr"]] },
  { name: "typo inside resources", kind: "unknown key", values: { resources: { limit: { cpu: "1" } } }, mentions: [["limit"]] },
  { name: "port as a string", kind: "type", values: { agent: { port: "8126" } }, mentions: [either("agent.port")] },
  { name: "knob of the wrong type", kind: "type", values: { profiler: { verbose: "yes" } }, mentions: [either("profiler.verbose")] },
  { name: "tags as a string", kind: "type", values: { datadog: { tags: "team:infra" } }, mentions: [either("datadog.tags")] },
  { name: "not a Datadog site", kind: "enum", values: { datadog: { site: "datadog.com" } }, mentions: [either("datadog.site")] },
  // A site the list lacks goes in datadog.unlistedSite, which must still be a DNS name (the host of https://intake.profile.<site>).
  { name: "unlisted site as a URL", kind: "pattern", values: { datadog: { unlistedSite: "https://us7.datadoghq.com" } }, mentions: [either("datadog.unlistedSite")] },
  { name: "unlisted site with a capital", kind: "pattern", values: { datadog: { unlistedSite: "US7.datadoghq.com" } }, mentions: [either("datadog.unlistedSite")] },
  { name: "unknown security mode", kind: "enum", values: { securityMode: "root" }, mentions: [either("securityMode")] },
  { name: "unknown pull policy", kind: "enum", values: { image: { pullPolicy: "Sometimes" } }, mentions: [either("image.pullPolicy")] },
  { name: "malformed digest", kind: "pattern", values: { image: { digest: "sha256:abc" } }, mentions: [either("image.digest")] },
  { name: "invalid object name", kind: "pattern", values: { fullnameOverride: "Bad_Name" }, mentions: [either("fullnameOverride")] },
  { name: "invalid Secret name", kind: "pattern", values: { datadog: { apiKeyExistingSecret: "my/secret" } }, mentions: [either("datadog.apiKeyExistingSecret")] },
  { name: "invalid label value", kind: "pattern", values: { podLabels: { team: "has spaces" } }, mentions: [["podLabels"]] },
  { name: "tag without a value separator", kind: "pattern", values: { datadog: { tags: ["teaminfra"] } }, mentions: [["datadog.tags", "/datadog/tags"]] },
  { name: "duration the profiler cannot parse", kind: "pattern", values: { profiler: { uploadPeriod: "60 seconds" } }, mentions: [either("profiler.uploadPeriod")] },
  { name: "sampling rate 0", kind: "range", values: { profiler: { samplingRate: 0 } }, mentions: [either("profiler.samplingRate")] },
  { name: "map scale factor 9", kind: "range", values: { profiler: { mapScaleFactor: 9 } }, mentions: [either("profiler.mapScaleFactor")] },
  { name: "threshold 101", kind: "range", values: { profiler: { probabilisticThreshold: 101 } }, mentions: [either("profiler.probabilisticThreshold")] },
  { name: "port 70000", kind: "range", values: { agent: { port: 70000 } }, mentions: [either("agent.port")] },
  {
    name: "both API key sources",
    kind: "mutual exclusion",
    values: { datadog: { apiKey: fakeApiKey, apiKeyExistingSecret: "dd" } },
    mentions: [["datadog.apiKey and datadog.apiKeyExistingSecret are both set"]],
    secret: fakeApiKey,
  },
  {
    name: "both app key sources",
    kind: "mutual exclusion",
    values: { datadog: { appKey: "secretappkeyvalue42", appKeyExistingSecret: "dd" } },
    mentions: [["datadog.appKey and datadog.appKeyExistingSecret are both set"]],
    secret: "secretappkeyvalue42",
  },
  { name: "API key too short", kind: "secret format", values: { datadog: { apiKey: "tooshortsecret77" } }, mentions: [["datadog.apiKey is not a valid Datadog API key"]], secret: "tooshortsecret77" },
  {
    name: "API key in capitals",
    kind: "secret format",
    values: { datadog: { apiKey: "ABCDEF0123456789ABCDEF0123456789" } },
    mentions: [["datadog.apiKey is not a valid Datadog API key"]],
    secret: "ABCDEF0123456789ABCDEF0123456789",
  },
  { name: "API key as a number", kind: "type", values: { datadog: { apiKey: 98765432109876 } }, mentions: [either("datadog.apiKey")], secret: "98765432109876" },
  { name: "app key with a line break", kind: "secret format", values: { datadog: { appKey: "leakyappkey\nsecond" } }, mentions: [["datadog.appKey is not a valid Datadog application key"]], secret: "leakyappkey" },
  // An API key pasted where the application key goes: 32 characters, not 40.
  { name: "app key that is an API key", kind: "secret format", values: { datadog: { appKey: fakeApiKey } }, mentions: [["datadog.appKey is not a valid Datadog application key", "it has 32 characters", "exactly 40 characters"]], secret: fakeApiKey },
  // The profiler's IsAPPKeyValid takes lowercase letters and digits only: an upper-case hex key would crash it.
  { name: "app key of 40 upper-case hexadecimal characters", kind: "secret format", values: { datadog: { appKey: "ABCDEF0123456789ABCDEF0123456789ABCDEF01" } }, mentions: [["datadog.appKey is not a valid Datadog application key", "each a lowercase letter a-z or a digit 0-9"]], secret: "ABCDEF0123456789ABCDEF0123456789ABCDEF01" },
  { name: "memory that is not a quantity", kind: "quantity", values: { resources: { limits: { memory: "lots" } } }, mentions: [either("resources.limits.memory")] },
  { name: "CPU with a unit Kubernetes does not know", kind: "quantity", values: { resources: { requests: { cpu: "100 millicores" } } }, mentions: [either("resources.requests.cpu")] },
  { name: "emptyDir size that is not a quantity", kind: "quantity", values: { extraVolumes: [{ name: "scratch", emptyDir: { sizeLimit: "1 GB" } }] }, mentions: [either("extraVolumes.0.emptyDir.sizeLimit")] },
  { name: "unix socket agent URL", kind: "template rule", values: { agent: { url: "unix:///var/run/datadog/apm.socket" } }, mentions: [["agent.url", "unix socket"]] },
  { name: "agent URL without scheme", kind: "template rule", values: { agent: { url: "datadog-agent:8126" } }, mentions: [["agent.url", "not an http(s)://host:port URL"]] },
  { name: "agent URL with a path", kind: "template rule", values: { agent: { url: "http://agent:8126/v0.4/traces" } }, mentions: [["agent.url"]] },
  { name: "agent URL port out of range", kind: "template rule", values: { agent: { url: "http://agent:99999" } }, mentions: [["agent.url", "port is out of range"]] },
  // The route to the Agent's node-local Service (agent.service.*, clusterDomain).
  { name: "Service name with a capital", kind: "pattern", values: { agent: { service: { name: "Datadog" } } }, mentions: [either("agent.service.name")] },
  { name: "Service name starting with a digit (not a DNS-1035 label)", kind: "pattern", values: { agent: { service: { name: "1datadog" } } }, mentions: [either("agent.service.name")] },
  { name: "Service name of 64 characters", kind: "pattern", values: { agent: { service: { name: "d".repeat(64) } } }, mentions: [either("agent.service.name")] },
  { name: "Service namespace with a dot", kind: "pattern", values: { agent: { service: { name: "datadog", namespace: "data.dog" } } }, mentions: [either("agent.service.namespace")] },
  { name: "Service port 0", kind: "range", values: { agent: { service: { name: "datadog", port: 0 } } }, mentions: [either("agent.service.port")] },
  { name: "Service port 65536", kind: "range", values: { agent: { service: { name: "datadog", port: 65536 } } }, mentions: [either("agent.service.port")] },
  { name: "Service port as a string", kind: "type", values: { agent: { service: { name: "datadog", port: "8126" } } }, mentions: [either("agent.service.port")] },
  { name: "cluster domain with an underscore", kind: "pattern", values: { clusterDomain: "cluster_local" } , mentions: [either("clusterDomain")] },
  { name: "cluster domain with a trailing dot", kind: "pattern", values: { clusterDomain: "cluster.local." }, mentions: [either("clusterDomain")] },
  { name: "Agent pod label value with a space", kind: "pattern", values: { agent: { service: { name: "datadog", podLabels: { app: "data dog" } } } }, mentions: [["agent.service.podLabels", "/agent/service/podLabels"]] },
  {
    name: "Agent pod label key that is not a label key",
    kind: "template rule",
    values: { agent: { service: { name: "datadog", podLabels: { "bad key": "datadog" } } } },
    mentions: [['agent.service.podLabels has the key "bad key", which is not a label key', "Allowed: a name of up to 63 letters"]],
  },
  {
    name: "agent.url and agent.service.name both set",
    kind: "mutual exclusion",
    values: { agent: { url: "http://agent.example.com:8126", service: { name: "datadog" } } },
    mentions: [['agent.url and agent.service.name are both set (agent.url is "http://agent.example.com:8126", agent.service.name is "datadog")', "Allowed: one of them"]],
  },
  {
    name: "agent.service.namespace without agent.service.name",
    kind: "template rule",
    values: { agent: { service: { namespace: "datadog" } } },
    mentions: [['agent.service.namespace is "datadog" while agent.service.name is empty', "Allowed: agent.service.name set too"]],
  },
  {
    name: "agent.service.podLabels without agent.service.name",
    kind: "template rule",
    values: { agent: { service: { podLabels: { app: "datadog" } } } },
    mentions: [["agent.service.podLabels is set while agent.service.name is empty", "Allowed: agent.service.name set too"]],
  },
  {
    name: "API key literal smuggled through extraEnv",
    kind: "template rule",
    values: { extraEnv: [{ name: "DD_API_KEY", value: fakeApiKey }] },
    mentions: [["extraEnv[0] sets DD_API_KEY"]],
    secret: fakeApiKey,
  },
  {
    name: "extraEnv repeating a knob that is set",
    kind: "template rule",
    values: { profiler: { samplingRate: 50 }, extraEnv: [{ name: "DD_HOST_PROFILING_SAMPLING_RATE", value: "10" }] },
    mentions: [["extraEnv[0] sets DD_HOST_PROFILING_SAMPLING_RATE", "profiler.samplingRate"]],
  },
  {
    name: "app key literal smuggled through the profiler's own variable",
    kind: "template rule",
    values: { extraEnv: [{ name: "DD_HOST_PROFILING_APP_KEY", value: "smuggledappkey" }] },
    mentions: [["extraEnv[0] sets DD_HOST_PROFILING_APP_KEY"]],
    secret: "smuggledappkey",
  },
  { name: "pod label overriding the selector", kind: "template rule", values: { podLabels: { "app.kubernetes.io/name": "other" } }, mentions: [['podLabels sets "app.kubernetes.io/name"']] },
  { name: "common label overriding the chart's", kind: "template rule", values: { commonLabels: { "helm.sh/chart": "x" } }, mentions: [['commonLabels sets "helm.sh/chart"']] },
  {
    name: "RBAC for the namespace's default ServiceAccount",
    kind: "template rule",
    values: { profiler: { splitByService: false, hostService: "cluster-hosts" }, serviceAccount: { create: false } },
    mentions: [["serviceAccount.name is empty while serviceAccount.create is false"]],
  },
  { name: "omitCapabilities naming a capability outside the set", kind: "enum", values: { securityMode: "leastPrivilege", leastPrivilege: { omitCapabilities: ["SYS_ADMIN"] } }, mentions: [either("leastPrivilege.omitCapabilities"), ["BPF", "SYS_RESOURCE"]] },
  { name: "omitCapabilities naming one capability twice", kind: "unique items", values: { leastPrivilege: { omitCapabilities: ["BPF", "BPF"] } }, mentions: [either("leastPrivilege.omitCapabilities")] },
  { name: "extraEnv overriding the agent URL", kind: "template rule", values: { extraEnv: [{ name: "DD_TRACE_AGENT_URL", value: "http://x:1" }] }, mentions: [["extraEnv[0] sets DD_TRACE_AGENT_URL", "agent.url"]] },
];

describe.each(await helms())("bad input with $id", (helm) => {
  it.each(badCases)("$kind: $name is refused, naming the key", async ({ values, mentions, secret }) => {
    const r = await render(helm, values);
    expect(r.ok, "helm template must fail").toBe(false);
    for (const alternatives of mentions) {
      expect(
        alternatives.some((m) => r.stderr.includes(m)),
        `error must mention one of ${JSON.stringify(alternatives)}:\n${r.stderr}`,
      ).toBe(true);
    }
    if (secret) expect(r.output).not.toContain(secret);
  });

  it("refuses an omitCapabilities entry outside the set even with the schema skipped (the template checks too)", async () => {
    const r = await render(helm, { securityMode: "leastPrivilege", leastPrivilege: { omitCapabilities: ["NET_ADMIN"] } }, { extraArgs: ["--skip-schema-validation"] });
    expect(r.ok).toBe(false);
    expect(r.stderr).toContain('leastPrivilege.omitCapabilities[0] is "NET_ADMIN"');
    expect(r.stderr).toContain("never add one");
  });

  it("refuses the Service route's cross-key rules even with the schema skipped, each at once", async () => {
    const r = await render(helm, { agent: { url: "http://agent.example.com:8126", service: { name: "datadog", podLabels: { "bad key": "x" } } } }, { extraArgs: ["--skip-schema-validation"] });
    expect(r.ok).toBe(false);
    expect(r.stderr).toContain("[ERROR] agent.url and agent.service.name are both set");
    expect(r.stderr).toContain('[ERROR] agent.service.podLabels has the key "bad key"');
  });

  it("accepts every quantity form Kubernetes does", async () => {
    const quantities = { requests: { cpu: "0.5", memory: "128974848" }, limits: { cpu: 2, memory: "1.5Gi" } };
    const r = await render(helm, { resources: quantities, extraVolumes: [{ name: "s", emptyDir: { sizeLimit: "512M" } }, { name: "t", emptyDir: { sizeLimit: "1e3" } }] });
    expect(r.ok, r.stderr).toBe(true);
  });

  it("refuses a malformed app key even with the schema skipped, and never prints it", async () => {
    const r = await render(helm, { datadog: { appKey: "notanappkey-but-a-secret" } }, { extraArgs: ["--skip-schema-validation"] });
    expect(r.ok).toBe(false);
    expect(r.stderr).toContain("[ERROR] datadog.appKey is not a valid Datadog application key");
    expect(r.output).not.toContain("notanappkey-but-a-secret");
  });

  it("reports every template rule broken at once, not only the first", async () => {
    const r = await render(helm, { datadog: { apiKey: "tooshortsecret77", apiKeyExistingSecret: "dd" }, agent: { url: "unix:///x" } });
    expect(r.stderr.match(/\[ERROR\]/g)).toHaveLength(3);
    expect(r.output).not.toContain("tooshortsecret77");
  });
});

it("covers every constraint kind the contract promises", () => {
  const kinds = new Set(badCases.map((c) => c.kind));
  for (const k of ["type", "enum", "pattern", "quantity", "range", "unknown key", "mutual exclusion", "secret format"]) expect(kinds).toContain(k);
});

describe.each(await helms())("nulled settings with $id", (helm) => {
  // Helm deletes a key a user sets to null before it checks the schema; `required` catches it.
  it.each([
    { values: { securityMode: null }, key: "securityMode" },
    { values: { datadog: { site: null } }, key: "site" },
    { values: { agent: { port: null } }, key: "port" },
    { values: { agent: { service: { name: "datadog", port: null } } }, key: "port" },
    { values: { clusterDomain: null }, key: "clusterDomain" },
    { values: { updateStrategy: null }, key: "updateStrategy" },
    { values: { image: null }, key: "image" },
  ])("refuses $key: null, naming it", async ({ values, key }) => {
    const r = await render(helm, values);
    expect(r.ok).toBe(false);
    expect(r.stderr).toContain(key);
  });

  it("accepts a nulled map or list, which removes the default", async () => {
    const r = await render(helm, { nodeSelector: null, tolerations: null });
    expect(r.ok, r.stderr).toBe(true);
    expect(r.output).not.toMatch(/^\s*nodeSelector:/m);
    expect(r.output).not.toMatch(/^\s*tolerations:/m);
  });
});
