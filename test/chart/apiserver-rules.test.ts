// The API server's rules for the Kubernetes types the values schema embeds
// (scripts/contract/apiserver-rules.ts): each shape the API server refuses is refused by the chart,
// with both Helms, naming the key; the forms it accepts still pass. Found by fuzzing values files
// against a real kube-apiserver (issue 18): before these rules every one of them reached the cluster.
import { describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { render } from "../helpers/render.ts";
import { describeRefusals, type Refused } from "../helpers/refusals.ts";

const refused: Refused[] = [
  { name: "an envFrom entry with neither source", values: { envFrom: [{}] }, key: "envFrom" },
  { name: "an envFrom entry with both sources", values: { envFrom: [{ configMapRef: { name: "a" }, secretRef: { name: "b" } }] }, key: "envFrom" },
  { name: "a toleration with no key and no operator", values: { tolerations: [{}] }, key: "tolerations" },
  { name: "a toleration with no key and operator Equal", values: { tolerations: [{ operator: "Equal", value: "x" }] }, key: "tolerations" },
  { name: "a toleration with an unknown operator", values: { tolerations: [{ key: "k", operator: "Is" }] }, key: "operator" },
  { name: "a toleration with an unknown effect", values: { tolerations: [{ operator: "Exists", effect: "Never" }] }, key: "effect" },
  { name: "an Exists toleration with a value", values: { tolerations: [{ key: "k", operator: "Exists", value: "v" }] }, key: "tolerations" },
  { name: "an unknown update strategy", values: { updateStrategy: { type: "foo" } }, key: "updateStrategy" },
  { name: "a preferred node affinity of weight 0", values: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, preference: {} }] } } }, key: "weight" },
  { name: "a preferred node affinity of weight 101", values: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 101, preference: {} }] } } }, key: "weight" },
  { name: "empty nodeSelectorTerms", values: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } } }, key: "nodeSelectorTerms" },
  { name: "an unknown node selector operator", values: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "a", operator: "Like" }] }] } } } }, key: "operator" },
  { name: "an extraEnv entry with an empty name", values: { extraEnv: [{ name: "", value: "x" }] }, key: "name" },
  { name: "an extraVolume with an empty name", values: { extraVolumes: [{ name: "", emptyDir: {} }] }, key: "name" },
  { name: "a volume mount with an empty path", values: { extraVolumeMounts: [{ name: "v", mountPath: "" }] }, key: "mountPath" },
  { name: "an empty resource name", values: { resources: { limits: { "": "1" } } }, key: "limits" },
  { name: "a resource name that is no qualified name", values: { resources: { requests: { "my cpu": "1" } } }, key: "requests" },
  { name: "an annotation key that is no qualified name", values: { podAnnotations: { "not a key": "x" } }, key: "podAnnotations" },
  { name: "a ServiceAccount annotation key that is no qualified name", values: { serviceAccount: { annotations: { "-x": "y" } } }, key: "annotations" },
  { name: "a Localhost seccomp profile without its file", values: { securityMode: "leastPrivilege", leastPrivilege: { seccompProfile: { type: "Localhost" } } }, key: "seccompProfile" },
  { name: "an unknown seccomp profile type", values: { securityMode: "leastPrivilege", leastPrivilege: { seccompProfile: { type: "Strict" } } }, key: "seccompProfile" },
];

const accepted: { name: string; values: object }[] = [
  { name: "envFrom with one source each", values: { envFrom: [{ configMapRef: { name: "a" } }, { secretRef: { name: "b" }, prefix: "P_" }] } },
  { name: "tolerations as the API server takes them", values: { tolerations: [{ operator: "Exists" }, { key: "k", operator: "Equal", value: "v", effect: "NoSchedule" }, { key: "k", value: "v" }, { key: "k", operator: "Exists", effect: "" }] } },
  { name: "both update strategies", values: { updateStrategy: { type: "OnDelete" } } },
  { name: "weights 1 and 100", values: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: {} }, { weight: 100, preference: { matchExpressions: [{ key: "a", operator: "Exists" }] } }] } } } },
  { name: "qualified resource and annotation names", values: { resources: { limits: { "example.com/gpu": "1", memory: "1Gi" } }, podAnnotations: { "example.com/team": "infra", simple: "x" } } },
  { name: "a Localhost seccomp profile with its file", values: { securityMode: "leastPrivilege", leastPrivilege: { seccompProfile: { type: "Localhost", localhostProfile: "profiles/p.json" } } } },
];

await describeRefusals("API-server rules", refused, accepted);

describe.each(await helms())("rules the profiler and the API server apply with $id", (helm) => {
  it("takes an annotation key with upper case, as the API server does (it lower-cases before checking)", async () => {
    const r = await render(helm, { podAnnotations: { "Example.com/Team": "x" } });
    expect(r.ok, r.stderr).toBe(true);
  });

  it("accepts splitByService false with the host service from extraEnv or envFrom, and refuses it from nowhere", async () => {
    expect((await render(helm, { profiler: { splitByService: false }, extraEnv: [{ name: "DD_HOST_PROFILING_SERVICE", value: "hosts" }] })).ok).toBe(true);
    expect((await render(helm, { profiler: { splitByService: false }, envFrom: [{ configMapRef: { name: "profiler-env" } }] })).ok).toBe(true);
    const r = await render(helm, { profiler: { splitByService: false } });
    expect(r.ok).toBe(false);
    expect(r.stderr).toContain("profiler.hostService is empty while profiler.splitByService is false");
  });

  it("takes an empty update strategy type, which the chart defaults to RollingUpdate", async () => {
    expect((await render(helm, { updateStrategy: { type: "" } })).ok).toBe(true);
  });
});
