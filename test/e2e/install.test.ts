// helm install of the chart on a real kube-apiserver, with both pinned Helm versions: the defaults and
// securityMode=leastPrivilege into a namespace that allows privileged pods are accepted, and every
// object `helm template` renders exists in the API as rendered.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { parseManifests } from "../../scripts/lib/manifests.ts";
import { type ControlPlane, startControlPlane } from "../../scripts/cluster/control-plane.ts";
import { chartDir, describeHelm, freshNamespace, getLive, helmOn, noWait, PSA_LABEL, psaWarnings, refKey, refsOf, render } from "./lib.ts";

const HELMS = await helms();
const KEY = ["--set", "datadog.apiKeyExistingSecret=dd-secret"];
const MODES = [
  { id: "defaults", flags: KEY },
  { id: "leastprivilege", flags: [...KEY, "--set", "securityMode=leastPrivilege"] },
  { id: "nosplit", flags: [...KEY, "--set", "profiler.splitByService=false", "--set", "profiler.hostService=cluster-hosts"] },
];

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.stop();
});

describe.each(HELMS.map((h) => [h.id, h] as const))("%s install", (_id, helm) => {
  test.each(MODES.map((m) => [m.id, m] as const))("%s into a privileged namespace: accepted, objects exist as rendered", async (mode, m) => {
    const ns = await freshNamespace(cp, `inst-${helm.id}-${mode}`, { [PSA_LABEL]: "privileged" });
    const release = `p${helm.major}-${mode}`;
    const rendered = await render(helm, chartDir, release, ns, m.flags);
    const r = await helmOn(cp, helm, ["install", release, chartDir, "-n", ns, noWait(helm), ...m.flags]);
    expect(r.ok, `helm install ${release} (${m.flags.join(" ")}) was refused:\n${describeHelm(r)}`).toBe(true);
    expect(psaWarnings(r), `unexpected Pod Security warnings in a namespace labeled ${PSA_LABEL}=privileged`).toEqual([]);

    // What Helm recorded is what `helm template` renders (kinds and names), hooks aside.
    const manifest = await helmOn(cp, helm, ["get", "manifest", release, "-n", ns]);
    expect(manifest.ok, describeHelm(manifest)).toBe(true);
    const want = refsOf(rendered, ns).map(refKey).sort();
    expect(refsOf(parseManifests(manifest.stdout, { hooks: false }), ns).map(refKey).sort(), "helm get manifest differs from helm template").toEqual(want);
    expect(want.some((k) => k.startsWith("DaemonSet/")), "the chart rendered no DaemonSet").toBe(true);

    // Every rendered object exists, with the rendered labels and, for the DaemonSet, the rendered pod spec essentials.
    for (const obj of rendered) {
      const [ref] = refsOf([obj], ns);
      const live = await getLive(cp, ref);
      expect(live, `${refKey(ref)} was rendered by helm template but the API has no such object`).toBeDefined();
      for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
        expect(live.metadata.labels?.[k], `${refKey(ref)} label ${k}`).toBe(v);
      }
      if (obj.kind === "DaemonSet") {
        expect(live.spec.selector, `${refKey(ref)} selector`).toEqual(obj.spec.selector);
        const want = obj.spec.template.spec;
        const got = live.spec.template.spec;
        expect(got.hostPID ?? false, "hostPID").toBe(want.hostPID ?? false);
        expect(got.nodeSelector, "nodeSelector").toEqual(want.nodeSelector);
        expect(got.tolerations, "tolerations").toEqual(want.tolerations);
        for (const c of want.containers) {
          const lc = got.containers.find((x: any) => x.name === c.name);
          expect(lc, `container ${c.name}`).toBeDefined();
          expect(lc.image).toBe(c.image);
          expect(lc.securityContext, `container ${c.name} securityContext`).toEqual(c.securityContext);
        }
      }
      if (obj.kind === "ClusterRole") expect(live.rules, `${refKey(ref)} rules`).toEqual(obj.rules);
    }
  });
});
