// Where the profiler pods may go: by default on every Linux node (tolerations operator: Exists takes
// tainted control-plane and GPU nodes), never on nodes that cannot run a host profiler (EKS Fargate,
// virtual-kubelet nodes, non-Linux nodes), which a required node affinity keeps out. A user's own
// required node affinity keeps those exclusions: they are ANDed into each of its nodeSelectorTerms
// (terms are ORed, so an exclusion left out of one term would let that term reach the node).
// scheduling.excludeNodes: false leaves the user's affinity as given. Also image.pullPolicy's default.
import { describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { findObject, type KubeObject } from "../../scripts/lib/manifests.ts";
import { daemonSet, render, renderOk } from "../helpers/render.ts";

/**
 * The chart's exclusions, as the real nodes are labeled:
 * - EKS Fargate: eks.amazonaws.com/compute-type=fargate (and taint eks.amazonaws.com/compute-type=fargate:NoSchedule,
 *   aws/amazon-cloudwatch-agent-operator#183; the fix by affinity: aws-observability/helm-charts#58);
 * - virtual-kubelet (AKS virtual nodes, ACI): type=virtual-kubelet, set by virtual-kubelet/node-cli's NodeFromProvider
 *   (internal/commands/root/node.go), with the taint virtual-kubelet.io/provider=<provider>:NoSchedule (opts.DefaultTaintKey);
 * - Windows: kubernetes.io/os, which the kubelet sets on every node.
 */
const EXCLUSIONS = [
  { key: "eks.amazonaws.com/compute-type", operator: "NotIn", values: ["fargate"] },
  { key: "type", operator: "NotIn", values: ["virtual-kubelet"] },
  { key: "kubernetes.io/os", operator: "In", values: ["linux"] },
];
const required = (terms: object[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } });
const testPod = (objects: KubeObject[]) => findObject(objects, "Pod")!.spec as { affinity?: object; tolerations?: object[]; nodeSelector?: object; containers: { imagePullPolicy: string }[] };

describe.each(await helms())("scheduling with $id", (helm) => {
  it("by default: every taint tolerated, Linux nodes only, and no Fargate or virtual-kubelet node (one required term of the exclusions)", async () => {
    const objects = await renderOk(helm, {});
    const { pod } = daemonSet(objects);
    expect(pod.tolerations).toEqual([{ operator: "Exists" }]);
    expect(pod.nodeSelector).toEqual({ "kubernetes.io/os": "linux" });
    expect((pod as { affinity?: object }).affinity).toEqual(required([{ matchExpressions: EXCLUSIONS }]));
    // The helm test pod goes where the profiler goes (it checks the Agent of such a node).
    expect(testPod(objects).affinity).toEqual(required([{ matchExpressions: EXCLUSIONS }]));
  });

  it("ANDs the exclusions into every term of a user's required node affinity, keeping its own expressions, matchFields and preferences", async () => {
    const preferred = [{ weight: 10, preference: { matchExpressions: [{ key: "pool", operator: "In", values: ["big"] }] } }];
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64", "arm64"] }] },
            { matchFields: [{ key: "metadata.name", operator: "In", values: ["node-7"] }] },
          ],
        },
        preferredDuringSchedulingIgnoredDuringExecution: preferred,
      },
    };
    const objects = await renderOk(helm, { affinity });
    const want = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64", "arm64"] }, ...EXCLUSIONS] },
            { matchFields: [{ key: "metadata.name", operator: "In", values: ["node-7"] }], matchExpressions: EXCLUSIONS },
          ],
        },
        preferredDuringSchedulingIgnoredDuringExecution: preferred,
      },
    };
    expect((daemonSet(objects).pod as { affinity?: object }).affinity).toEqual(want);
    // Merged once per object: the test pod's copy is not merged twice.
    expect(testPod(objects).affinity).toEqual(want);
  });

  it("adds the required term to a user affinity that only prefers, and does not repeat an exclusion the user already wrote", async () => {
    const preferred = [{ weight: 1, preference: { matchExpressions: [{ key: "pool", operator: "In", values: ["a"] }] } }];
    const only = await renderOk(helm, { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: preferred } } });
    expect((daemonSet(only).pod as { affinity?: object }).affinity).toEqual({
      nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: preferred, requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: EXCLUSIONS }] } },
    });
    const dup = await renderOk(helm, { affinity: required([{ matchExpressions: [EXCLUSIONS[0], { key: "pool", operator: "Exists" }] }]) });
    expect((daemonSet(dup).pod as { affinity?: object }).affinity).toEqual(required([{ matchExpressions: [EXCLUSIONS[0], { key: "pool", operator: "Exists" }, EXCLUSIONS[1], EXCLUSIONS[2]] }]));
  });

  it("scheduling.excludeNodes: false renders the user's affinity as given, and none without one", async () => {
    const off = { scheduling: { excludeNodes: false } };
    const none = await renderOk(helm, off);
    expect((daemonSet(none).pod as { affinity?: object }).affinity).toBeUndefined();
    expect(testPod(none).affinity).toBeUndefined();
    const mine = required([{ matchExpressions: [{ key: "pool", operator: "In", values: ["a"] }] }]);
    expect((daemonSet(await renderOk(helm, { ...off, affinity: mine })).pod as { affinity?: object }).affinity).toEqual(mine);
  });

  it("refuses a scheduling.excludeNodes that is not a boolean, naming it", async () => {
    const r = await render(helm, { scheduling: { excludeNodes: "yes" } });
    expect(r.ok).toBe(false);
    expect(r.stderr).toContain("excludeNodes");
  });

  it("pulls IfNotPresent by default, the helm test pod too (the same image); image.pullPolicy Always is kept", async () => {
    const objects = await renderOk(helm, {});
    expect(daemonSet(objects).container).toMatchObject({ imagePullPolicy: "IfNotPresent" });
    expect(testPod(objects).containers[0].imagePullPolicy).toBe("IfNotPresent");
    const always = await renderOk(helm, { image: { pullPolicy: "Always" } });
    expect(daemonSet(always).container).toMatchObject({ imagePullPolicy: "Always" });
    expect(testPod(always).containers[0].imagePullPolicy).toBe("Always");
  });
});
