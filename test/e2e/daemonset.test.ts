// The DaemonSet controller (kube-controller-manager) against the chart's DaemonSet, on fake nodes:
// one pod per matching node, the default nodeSelector (kubernetes.io/os: linux) keeps a Windows node
// out, the default tolerations (operator: Exists) cover tainted nodes, and an image change rolls out
// within maxUnavailable. No kubelet runs: a fake kubelet in the test marks pods Ready through the
// status subresource, and the rollout is checked on every pod change the API went through (a watch).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { type ControlPlane, startControlPlane } from "../../scripts/cluster/control-plane.ts";
import { createFakeNode, fakeKubelet } from "../../scripts/cluster/fake-kubelet.ts";
import { targetNode } from "../../scripts/cluster/resources.ts";
import { followPods, maxUnavailableOf } from "../../scripts/cluster/rollout.ts";
import { chartDir, describeHelm, freshNamespace, helmOn, noWait, PSA_LABEL, render, until } from "./lib.ts";

const HELMS = await helms();
const KEY = ["--set", "datadog.apiKeyExistingSecret=dd-secret"];
const LINUX = ["linux-a", "linux-b", "linux-tainted-noschedule", "linux-tainted-noexecute", "linux-e"];
const WINDOWS = "windows-a";

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane({ controllerManager: true });
  await createFakeNode(cp, "linux-a");
  await createFakeNode(cp, "linux-b");
  await createFakeNode(cp, "linux-tainted-noschedule", { taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] });
  await createFakeNode(cp, "linux-tainted-noexecute", {
    taints: [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }, { key: "example.com/maintenance", effect: "NoExecute" }],
  });
  await createFakeNode(cp, "linux-e");
  await createFakeNode(cp, WINDOWS, { labels: { "kubernetes.io/os": "windows" } });
});
afterAll(async () => {
  await cp?.stop();
});

async function pods(ns: string): Promise<any[]> {
  return (await cp.api("GET", `/api/v1/namespaces/${ns}/pods`)).body.items;
}

describe.each(HELMS.map((h) => [h.id, h] as const))("%s", (_id, helm) => {
  test("one pod per linux node, tainted nodes included, none on the windows node; an image change rolls out within maxUnavailable", async () => {
    const ns = await freshNamespace(cp, `ds-${helm.id}`, { [PSA_LABEL]: "privileged" });
    const release = `d${helm.major}`;
    const ds = (await render(helm, chartDir, release, ns, KEY)).find((o) => o.kind === "DaemonSet");
    const kubelet = fakeKubelet(cp, ns);
    try {
      const inst = await helmOn(cp, helm, ["install", release, chartDir, "-n", ns, noWait(helm), ...KEY]);
      expect(inst.ok, describeHelm(inst)).toBe(true);

      const first = await until(`${LINUX.length} ready pods of ${ns}/${ds.metadata.name}`, 60_000, async () => {
        const s = (await cp.api("GET", `/apis/apps/v1/namespaces/${ns}/daemonsets/${ds.metadata.name}`)).body.status;
        return s?.numberReady === LINUX.length && s.desiredNumberScheduled === LINUX.length ? await pods(ns) : undefined;
      });
      const byNode = first.map(targetNode).sort();
      expect(byNode, `pods should target exactly the ${LINUX.length} linux nodes (nodeSelector kubernetes.io/os=linux; tolerations operator: Exists covers the tainted ones)`).toEqual(
        [...LINUX].sort(),
      );
      expect(byNode, `the ${WINDOWS} node (kubernetes.io/os=windows) must get no pod: nodeSelector kubernetes.io/os=linux`).not.toContain(WINDOWS);
      const oldImage = first[0].spec.containers[0].image;

      // Image change: follow every pod change, with the fake kubelet making new pods Ready.
      const allowed = maxUnavailableOf(ds, LINUX.length);
      const follow = await followPods(cp, ns, LINUX);
      const t0 = Date.now();
      const up = await helmOn(cp, helm, ["upgrade", release, chartDir, "-n", ns, noWait(helm), ...KEY, "--set", "image.tag=v0.4.1"]);
      expect(up.ok, describeHelm(up)).toBe(true);
      const newImage = oldImage.replace(/:[^:@/]+(@.*)?$/, ":v0.4.1");
      expect(newImage).not.toBe(oldImage);
      try {
        await until(`every pod of ${ns}/${ds.metadata.name} replaced by a ready ${newImage} pod`, 120_000, async () => follow.timeline.doneWith(newImage), 100);
      } finally {
        follow.stop();
      }
      const rep = follow.timeline.report();
      expect(rep.deleted, "every old pod deleted").toBe(LINUX.length);
      expect(rep.created, "one new pod per node").toBe(LINUX.length);
      expect(rep.maxUnavailable, "the rollout must have taken a node down at some point (else nothing was checked)").toBeGreaterThan(0);
      expect(
        rep.maxUnavailable,
        `at some moment ${rep.maxUnavailable} of ${LINUX.length} nodes had no ready profiler pod, more than updateStrategy.rollingUpdate.maxUnavailable ` +
          `(${JSON.stringify(ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable)} = ${allowed} nodes)`,
      ).toBeLessThanOrEqual(allowed);
      console.log(`[e2e] ${helm.id}: rollout of ${LINUX.length} pods in ${Date.now() - t0} ms, max ${rep.maxUnavailable} node(s) unavailable (allowed ${allowed}), ${rep.events} pod events`);
    } finally {
      await kubelet.stop();
    }
  });
});
