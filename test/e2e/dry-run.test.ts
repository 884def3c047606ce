// Every valid values file, rendered with `helm template` (both pinned Helm versions) and sent to a real
// kube-apiserver as `kubectl apply --server-side --dry-run=server --validate=strict`: the API's own
// validation and strict field validation (unknown or duplicate fields are errors) must accept it all.
// Values files: test/cases/*.yaml when that folder exists, else test/e2e/values/*.yaml.
import { writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { helms, helmTemplate } from "../../scripts/lib/helm.ts";
import { type ControlPlane, startControlPlane } from "../../scripts/cluster/control-plane.ts";
import { chartDir, describeHelm, freshNamespace, PSA_LABEL, valuesCases } from "./lib.ts";

const HELMS = await helms();
const cases = valuesCases();
// A file whose name says it is invalid (test/cases/invalid-*.yaml or *.invalid.yaml) is for the
// schema tests, not for this one.
const files = cases.files.filter((f) => !/(^|[-_.])invalid([-_.]|$)/i.test(basename(f)));

let cp: ControlPlane;
let ns: string;
beforeAll(async () => {
  cp = await startControlPlane();
  ns = await freshNamespace(cp, "dryrun", { [PSA_LABEL]: "privileged" });
});
afterAll(async () => {
  await cp?.stop();
});

test("there are values files to apply", () => {
  expect(files.length, `no values files found in test/cases or test/e2e/values`).toBeGreaterThan(0);
});

describe.each(HELMS.map((h) => [h.id, h] as const))("%s", (_id, helm) => {
  // Two at a time: each case is two short processes (helm template, kubectl apply) and the API's work.
  test.concurrent.for(files.map((f) => [basename(f), f] as const))("%s: server-side dry-run apply with strict field validation", async ([name, file], { expect }) => {
    const t = await helmTemplate(helm, chartDir, { release: "dry", namespace: ns, valuesFiles: [file] });
    expect(t.ok, `helm template with ${file} failed:\n${describeHelm(t)}`).toBe(true);
    // OpenShift's SecurityContextConstraints is not served by a Kubernetes API server: it is left out
    // here, and the matrix validates it against scripts/kubernetes/extra-kinds.ts instead.
    const docs = t.stdout.split(/^---$/m);
    const served = docs.filter((d) => !/^kind: SecurityContextConstraints$/m.test(d));
    expect(docs.length - served.length, "only the OpenShift cases render a SecurityContextConstraints").toBe(/openshift/.test(name) ? 1 : 0);
    const manifest = join(cp.dir, `${helm.id}-${name}`);
    writeFileSync(manifest, served.join("---"));
    const r = await cp.kubectl(["apply", "--server-side", "--dry-run=server", "--validate=strict", "--field-manager=e2e", "-n", ns, "-f", manifest]);
    expect(r.ok, `the API rejected what ${file} renders (kubectl apply --server-side --dry-run=server --validate=strict):\n${r.stderr}\n${r.stdout}`).toBe(true);
    expect(r.stderr, "no warning expected (unknown fields or PodSecurity)").not.toMatch(/Warning:|unknown field/);
  });
});
