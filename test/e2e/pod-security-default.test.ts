// A hardened cluster: Pod Security enforces "baseline" for every namespace without a
// pod-security.kubernetes.io/enforce label (an AdmissionConfiguration default). Installing into an
// unlabeled namespace creates the DaemonSet (with a warning) but no pod; Helm's notes and the
// DaemonSet's events must tell the user which label the namespace needs, and that label fixes it.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { type ControlPlane, startControlPlane } from "../../scripts/cluster/control-plane.ts";
import { createFakeNode } from "../../scripts/cluster/fake-kubelet.ts";
import { chartDir, describeHelm, eventLines, freshNamespace, helmOn, noWait, PSA_FIX, psaWarnings, render, until } from "./lib.ts";

const HELMS = await helms();
const KEY = ["--set", "datadog.apiKeyExistingSecret=dd-secret"];

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane({ controllerManager: true, podSecurityDefault: "baseline" });
  await createFakeNode(cp, "hardened-node-1");
});
afterAll(async () => {
  await cp?.stop();
});

describe.each(HELMS.map((h) => [h.id, h] as const))("%s", (_id, helm) => {
  test(`install into a namespace without the label: pods refused, the notes say \`${PSA_FIX}\`, and the label fixes it`, async () => {
    const ns = await freshNamespace(cp, `hard-${helm.id}`); // no Pod Security label
    const release = `h${helm.major}`;
    const r = await helmOn(cp, helm, ["install", release, chartDir, "-n", ns, noWait(helm), ...KEY]);
    expect(r.ok, describeHelm(r)).toBe(true);
    expect(psaWarnings(r).join("\n"), `the API's PodSecurity warning should reach the user through Helm:\n${describeHelm(r)}`).toMatch(/would violate PodSecurity "baseline:latest"/);
    expect(r.stdout, `Helm's notes must name the label the namespace needs: ${PSA_FIX}`).toContain(`kubectl label namespace ${ns} ${PSA_FIX}`);

    const dsName = (await render(helm, chartDir, release, ns, KEY)).find((o) => o.kind === "DaemonSet").metadata.name;
    const refused = await until("a FailedCreate event", 60_000, async () => {
      const l = (await eventLines(cp, ns, dsName)).filter((x) => x.startsWith("FailedCreate:"));
      return l.length ? l : undefined;
    });
    expect(refused.join("\n"), `pods must be refused in an unlabeled namespace of a cluster that defaults to baseline; fix: kubectl label namespace ${ns} ${PSA_FIX}`).toMatch(
      /violates PodSecurity "baseline:latest"/,
    );

    const label = await cp.kubectl(["label", "namespace", ns, PSA_FIX]);
    expect(label.ok, label.stderr).toBe(true);
    await cp.kubectl(["annotate", "daemonset", dsName, "-n", ns, "e2e/nudge=1", "--overwrite"]); // requeue past the controller's back-off
    const podCount = await until(`a pod after labeling ${ns} ${PSA_FIX}`, 90_000, async () => {
      const n = ((await cp.api("GET", `/api/v1/namespaces/${ns}/pods`)).body.items as any[]).length;
      return n > 0 ? n : undefined;
    }, 500);
    expect(podCount).toBe(1);
  });
});
