// Pod Security admission against the chart, with both pinned Helm versions. The profiler needs hostPID
// (and privileged or added capabilities), which only the "privileged" level allows:
// - in a namespace that enforces "baseline", the DaemonSet itself is accepted with a PodSecurity
//   warning (admission only warns on workload objects), Helm's notes name the label the namespace needs,
// - and the DaemonSet controller's pods are refused, which shows in the DaemonSet's events.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { type ControlPlane, startControlPlane } from "../../scripts/cluster/control-plane.ts";
import { createFakeNode } from "../../scripts/cluster/fake-kubelet.ts";
import { chartDir, describeHelm, eventLines, freshNamespace, helmOn, noWait, PSA_FIX, PSA_LABEL, psaWarnings, render, until } from "./lib.ts";

const HELMS = await helms();
const KEY = ["--set", "datadog.apiKeyExistingSecret=dd-secret"];
const MODES = [
  { id: "defaults", flags: KEY },
  { id: "leastprivilege", flags: [...KEY, "--set", "securityMode=leastPrivilege"] },
];

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane({ controllerManager: true });
  await createFakeNode(cp, "psa-node-1");
});
afterAll(async () => {
  await cp?.stop();
});

describe.each(HELMS.map((h) => [h.id, h] as const))("%s", (_id, helm) => {
  test.each(MODES.map((m) => [m.id, m] as const))("%s into a baseline namespace: DaemonSet accepted with a warning, its pods refused by PodSecurity", async (mode, m) => {
    const ns = await freshNamespace(cp, `psa-${helm.id}-${mode}`, { [PSA_LABEL]: "baseline" });
    const release = `b${helm.major}-${mode}`;
    const r = await helmOn(cp, helm, ["install", release, chartDir, "-n", ns, noWait(helm), ...m.flags]);
    expect(r.ok, `helm install into a baseline namespace should create the DaemonSet (admission only warns on workloads):\n${describeHelm(r)}`).toBe(true);

    const warnings = psaWarnings(r);
    expect(warnings.join("\n"), `expected a "would violate PodSecurity "baseline:latest"" warning from the API in Helm's output:\n${describeHelm(r)}`).toMatch(
      /would violate PodSecurity "baseline:latest".*hostPID=true/,
    );
    expect(r.stdout, `Helm's notes must tell the user the label the namespace needs (${PSA_FIX})`).toContain(`${PSA_LABEL}=privileged`);

    const ds = (await render(helm, chartDir, release, ns, m.flags)).find((o) => o.kind === "DaemonSet");
    const refused = await until(`a FailedCreate event of DaemonSet ${ns}/${ds.metadata.name}`, 60_000, async () => {
      const lines = (await eventLines(cp, ns, ds.metadata.name)).filter((l) => l.startsWith("FailedCreate:"));
      return lines.length > 0 ? lines : undefined;
    });
    expect(
      refused.join("\n"),
      `the DaemonSet controller's pods should be refused by PodSecurity in a namespace enforcing baseline; ` +
        `the fix for users is \`kubectl label namespace ${ns} ${PSA_FIX}\``,
    ).toMatch(/forbidden: violates PodSecurity "baseline:latest":.*host namespaces \(hostPID=true\)/);
    const live = (await cp.api("GET", `/apis/apps/v1/namespaces/${ns}/daemonsets/${ds.metadata.name}`)).body;
    expect(live.status.desiredNumberScheduled, "the fake node matches the DaemonSet").toBe(1);
    expect(live.status.currentNumberScheduled ?? 0, "no pod may exist in a baseline namespace").toBe(0);
  });

  test("the same install after labeling the namespace privileged: the controller creates the pod", async () => {
    const ns = await freshNamespace(cp, `psa-${helm.id}-fixed`, { [PSA_LABEL]: "baseline" });
    const release = `f${helm.major}`;
    const r = await helmOn(cp, helm, ["install", release, chartDir, "-n", ns, noWait(helm), ...KEY]);
    expect(r.ok, describeHelm(r)).toBe(true);
    await until("a FailedCreate event", 60_000, async () => (await eventLines(cp, ns)).some((l) => l.startsWith("FailedCreate:")));
    const label = await cp.kubectl(["label", "namespace", ns, `${PSA_FIX}`, "--overwrite"]);
    expect(label.ok, label.stderr).toBe(true);
    // The controller retries refused creations with a growing back-off; any change to the DaemonSet
    // requeues it at once (what a user's \`helm upgrade\` or \`kubectl rollout restart\` would do).
    const dsName = (await render(helm, chartDir, release, ns, KEY)).find((o) => o.kind === "DaemonSet").metadata.name;
    const nudge = await cp.kubectl(["annotate", "daemonset", dsName, "-n", ns, "e2e/nudge=1", "--overwrite"]);
    expect(nudge.ok, nudge.stderr).toBe(true);
    const pods = await until(
      `a profiler pod after \`kubectl label namespace ${ns} ${PSA_FIX}\``,
      90_000,
      async () => {
        const items = (await cp.api("GET", `/api/v1/namespaces/${ns}/pods`)).body.items as any[];
        return items.length > 0 ? items : undefined;
      },
      500,
    );
    expect(pods).toHaveLength(1);
  });
});
