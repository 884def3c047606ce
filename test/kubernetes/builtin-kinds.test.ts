// Every built-in kind of each committed release is validated, not reported unknown; a custom
// resource (a group no built-in schema covers) is listed as not validated, never failed.
import { describe, expect, it } from "vitest";
import { isCustomResource, kubeSchemaBundle, kubeVersions, validateManifest } from "../../scripts/kubernetes/validate.ts";
import { KINDS } from "../../scripts/kubernetes/refresh-schemas.ts";
import { notValidated } from "../../scripts/matrix/check.ts";

const crd = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.example.com" },
  spec: { group: "example.com", names: { kind: "Widget", plural: "widgets" }, scope: "Namespaced", versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object" } } }] },
};
const webhook = {
  apiVersion: "admissionregistration.k8s.io/v1",
  kind: "ValidatingWebhookConfiguration",
  metadata: { name: "w" },
  webhooks: [{ name: "w.example.com", admissionReviewVersions: ["v1"], sideEffects: "None", clientConfig: { service: { name: "s", namespace: "n" } } }],
};
const widget = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "x" }, spec: { anything: 1 } };

describe.each(kubeVersions())("Kubernetes %s", (v) => {
  it("holds every built-in kind, far beyond those this chart renders", () => {
    const kinds = new Set(Object.keys(kubeSchemaBundle(v).kinds).map((k) => k.slice(k.lastIndexOf("/") + 1)));
    for (const k of [...KINDS, "CustomResourceDefinition", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService", "StorageClass", "Lease", "EndpointSlice", "CSIDriver"]) expect(kinds, k).toContain(k);
    expect(kinds.size).toBeGreaterThan(100);
  });

  it("validates a CRD and a webhook configuration, and still catches their mistakes", () => {
    expect(validateManifest(v, crd)).toEqual([]);
    expect(validateManifest(v, webhook)).toEqual([]);
    const bad = structuredClone(webhook) as Record<string, any>;
    bad.webhooks[0].sideEfects = "None";
    expect(validateManifest(v, bad).map((e) => `${e.path}: ${e.message}`).join("\n")).toMatch(/webhooks\[0\]\.sideEfects: unknown field/);
  });

  it("lists a custom resource as not validated; a kind missing from a built-in group stays an error", () => {
    expect(isCustomResource(v, widget)).toBe(true);
    expect(isCustomResource(v, crd)).toBe(false);
    expect(isCustomResource(v, { apiVersion: "v1", kind: "Nope" })).toBe(false);
    expect(validateManifest(v, { apiVersion: "apps/v1", kind: "Deploymnet", metadata: { name: "x" } })[0].message).toMatch(/unknown apiVersion\/kind/);
    const ctx = { objects: [crd, widget], kube: v } as unknown as Parameters<typeof notValidated>[0];
    expect(notValidated(ctx)).toEqual(["Widget/x (example.com/v1)"]);
  });
});
