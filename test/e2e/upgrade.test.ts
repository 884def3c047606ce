// Life cycle of a release on a real kube-apiserver, with both pinned Helm versions:
// install the chart as packaged at the base commit (merge-base with origin/main, or the first commit
// with chart/Chart.yaml), upgrade to the working tree's chart, roll back, uninstall; nothing of the
// release may remain, cluster-scoped RBAC included (splitByService=false renders ClusterRole + binding).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { type ControlPlane, startControlPlane } from "../../scripts/cluster/control-plane.ts";
import {
  chartDir, describeHelm, freshNamespace, getLive, helmOn, noWait, packageChartAt, PSA_LABEL, refKey, refsOf, releaseObjects, render, upgradeBase,
} from "./lib.ts";

const HELMS = await helms();
const FLAGS = ["--set", "datadog.apiKeyExistingSecret=dd-secret", "--set", "profiler.splitByService=false", "--set", "profiler.hostService=cluster-hosts"];
const base = upgradeBase();

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.stop();
});

function dsOf(objs: any[]): any {
  const ds = objs.find((o) => o.kind === "DaemonSet");
  if (!ds) throw new Error("the chart rendered no DaemonSet");
  return ds;
}

describe.each(HELMS.map((h) => [h.id, h] as const))("%s", (_id, helm) => {
  (base ? test : test.skip)(`upgrade from the chart at ${base?.how ?? "(no base)"} ${base?.rev.slice(0, 12) ?? ""}, rollback, uninstall`, async () => {
    const ns = await freshNamespace(cp, `up-${helm.id}`, { [PSA_LABEL]: "privileged" });
    const release = `u${helm.major}`;
    const old = await packageChartAt(helm, base!.rev);
    try {
      const oldObjs = await render(helm, old.tgz, release, ns, FLAGS);
      const newObjs = await render(helm, chartDir, release, ns, FLAGS);
      const oldSel = dsOf(oldObjs).spec.selector;
      const newSel = dsOf(newObjs).spec.selector;
      expect(
        newSel,
        `DaemonSet spec.selector changed between ${base!.rev.slice(0, 12)} and the working tree. A DaemonSet's selector is immutable: ` +
          `\`helm upgrade\` of every existing release would fail with "field is immutable". Keep the selector to ` +
          `app.kubernetes.io/name + app.kubernetes.io/instance.`,
      ).toEqual(oldSel);

      const inst = await helmOn(cp, helm, ["install", release, old.tgz, "-n", ns, noWait(helm), ...FLAGS]);
      expect(inst.ok, `install of the base chart failed:\n${describeHelm(inst)}`).toBe(true);
      const dsName = dsOf(oldObjs).metadata.name;
      const rev1 = (await getLive(cp, { apiVersion: "apps/v1", kind: "DaemonSet", name: dsName, namespace: ns })).spec.template;

      const up = await helmOn(cp, helm, ["upgrade", release, chartDir, "-n", ns, noWait(helm), ...FLAGS, "--set", "image.tag=v0.4.1"]);
      expect(up.ok, explainUpgradeFailure(up.stderr) + describeHelm(up)).toBe(true);
      const afterUp = await getLive(cp, { apiVersion: "apps/v1", kind: "DaemonSet", name: dsOf(newObjs).metadata.name, namespace: ns });
      expect(afterUp.spec.selector, "selector after upgrade").toEqual(oldSel);
      expect(afterUp.spec.template.spec.containers[0].image, "image after upgrade").toMatch(/:v0\.4\.1(@|$)/);
      for (const obj of newObjs) {
        const [ref] = refsOf([obj], ns);
        expect(await getLive(cp, ref), `${refKey(ref)} missing after upgrade`).toBeDefined();
      }

      const rb = await helmOn(cp, helm, ["rollback", release, "1", "-n", ns, noWait(helm)]);
      expect(rb.ok, `helm rollback to revision 1 failed:\n${describeHelm(rb)}`).toBe(true);
      const afterRb = await getLive(cp, { apiVersion: "apps/v1", kind: "DaemonSet", name: dsName, namespace: ns });
      expect(afterRb.spec.template.spec.containers[0].image, "rollback must restore revision 1's image").toBe(rev1.spec.containers[0].image);
      expect(afterRb.spec.template.spec, "rollback must restore revision 1's pod spec").toEqual(rev1.spec);
      const hist = await helmOn(cp, helm, ["history", release, "-n", ns, "-o", "json"]);
      const revisions = JSON.parse(hist.stdout) as { revision: number; status: string }[];
      expect(revisions.map((r) => [r.revision, r.status])).toEqual([[1, "superseded"], [2, "superseded"], [3, "deployed"]]);

      const un = await helmOn(cp, helm, ["uninstall", release, "-n", ns, noWait(helm)]);
      expect(un.ok, `helm uninstall failed:\n${describeHelm(un)}`).toBe(true);
      const clusterScoped = [...oldObjs, ...newObjs].filter((o) => o.kind.startsWith("Cluster"));
      expect(clusterScoped.length, "splitByService=false should render a ClusterRole and a ClusterRoleBinding").toBeGreaterThanOrEqual(2);
      for (const obj of [...oldObjs, ...newObjs]) {
        const [ref] = refsOf([obj], ns);
        expect(await getLive(cp, ref), `${refKey(ref)} still exists after helm uninstall`).toBeUndefined();
      }
      expect(await releaseObjects(cp, release, ns), "objects of the release left after helm uninstall").toEqual([]);
    } finally {
      old.cleanup();
    }
  });

  test("a selector change is refused by the API as immutable, and the upgrade test's message says so", async () => {
    const ns = await freshNamespace(cp, `sel-${helm.id}`, { [PSA_LABEL]: "privileged" });
    const release = `s${helm.major}`;
    const inst = await helmOn(cp, helm, ["install", release, chartDir, "-n", ns, noWait(helm), ...FLAGS]);
    expect(inst.ok, describeHelm(inst)).toBe(true);
    // What a chart version with another selector would send: the same DaemonSet, one more selector label.
    const ds = dsOf(await render(helm, chartDir, release, ns, FLAGS));
    ds.spec.selector.matchLabels["app.kubernetes.io/component"] = "profiler";
    ds.spec.template.metadata.labels["app.kubernetes.io/component"] = "profiler";
    const r = await cp.kubectl(["apply", "--server-side", "--force-conflicts", "--field-manager=helm", "-n", ns, "-f", "-"], JSON.stringify(ds));
    expect(r.ok, "the API must refuse a DaemonSet selector change").toBe(false);
    expect(r.stderr).toMatch(/field is immutable/);
    expect(explainUpgradeFailure(r.stderr)).toMatch(/spec\.selector is immutable/);
  });
});

/** The first line of an upgrade failure message: names the immutable selector when that is the cause. */
function explainUpgradeFailure(stderr: string): string {
  if (/field is immutable/.test(stderr) && /selector/i.test(stderr)) {
    return (
      "helm upgrade was refused because the DaemonSet's spec.selector is immutable and the new chart changes it; " +
      "keep the selector to app.kubernetes.io/name + app.kubernetes.io/instance (or document a delete-and-reinstall upgrade).\n"
    );
  }
  return "helm upgrade to the working tree's chart failed:\n";
}
