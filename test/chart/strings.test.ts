// Every string the chart renders comes out as a string, even when it looks like a number, a boolean
// or null: a release and a namespace named with digits, and every name taken from values, all pass
// the Kubernetes schema (metadata.name: 0 would be refused by the API server).
import { describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { kubeVersions, validateManifest } from "../../scripts/kubernetes/validate.ts";
import { renderOk } from "../helpers/render.ts";

const values = {
  fullnameOverride: "0",
  nameOverride: "1",
  serviceAccount: { name: "2" },
  priorityClassName: "3",
  datadog: { apiKeyExistingSecret: "4", apiKeyExistingSecretKey: "5", appKeyExistingSecret: "6", appKeyExistingSecretKey: "7" },
  profiler: { splitByService: false, hostService: "9" },
  networkPolicy: { create: true },
  openshift: { scc: { create: true } },
};

describe.each(await helms())("numeric-looking strings with $id", (helm) => {
  it.each([
    { release: "0", namespace: "1", values: {} },
    { release: "prof", namespace: "profiling", values },
    { release: "12", namespace: "34", values: { ...values, fullnameOverride: "" } },
  ])("release $release in namespace $namespace: every object passes the Kubernetes schema", async ({ release, namespace, values: v }) => {
    const objects = await renderOk(helm, v, { release, namespace, hooks: true });
    const newest = kubeVersions().at(-1)!;
    const errors = objects.flatMap((o) => validateManifest(newest, o).map((e) => `${o.kind}/${(o.metadata as { name?: unknown })?.name}: ${JSON.stringify(e)}`));
    expect(errors).toEqual([]);
    for (const o of objects) {
      expect(typeof o.metadata.name, `${o.kind} name`).toBe("string");
      for (const [k, val] of Object.entries(o.metadata.labels ?? {})) expect(typeof val, `${o.kind} label ${k}`).toBe("string");
    }
  });
});
