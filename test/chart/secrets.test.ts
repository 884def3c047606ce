// Keys only ever reach the pod through secretKeyRef; the chart's own Secret exists only for literals.
import { describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { findObject } from "../../scripts/lib/manifests.ts";
import { daemonSet, env, fakeApiKey, renderOk } from "../helpers/render.ts";

const fakeAppKey = "fedcba9876543210fedcba9876543210fedcba98";

describe.each(await helms())("secret handling with $id", (helm) => {
  it("stores a literal API key in the chart's Secret and references it", async () => {
    const objects = await renderOk(helm, { datadog: { apiKey: fakeApiKey } });
    const secret = findObject(objects, "Secret")!;
    expect(secret.metadata.name).toBe("prof-dd-otel-host-profiler-keys");
    expect(secret.data).toEqual({ "api-key": Buffer.from(fakeApiKey).toString("base64") });
    const { container, spec } = daemonSet(objects);
    expect(env(container, "DD_API_KEY")?.valueFrom?.secretKeyRef).toEqual({ name: "prof-dd-otel-host-profiler-keys", key: "api-key" });
    expect(spec.template.metadata.annotations?.["checksum/keys"]).toMatch(/^[a-f0-9]{64}$/);
    // The literal appears in no object but the Secret, not even base64-encoded in the pod spec.
    const elsewhere = JSON.stringify(objects.filter((o) => o.kind !== "Secret"));
    expect(elsewhere).not.toContain(fakeApiKey);
    expect(elsewhere).not.toContain(Buffer.from(fakeApiKey).toString("base64"));
  });

  it("references an existing Secret with a custom key and renders no Secret", async () => {
    const objects = await renderOk(helm, { datadog: { apiKeyExistingSecret: "dd", apiKeyExistingSecretKey: "token" } });
    expect(findObject(objects, "Secret")).toBeUndefined();
    expect(env(daemonSet(objects).container, "DD_API_KEY")?.valueFrom?.secretKeyRef).toEqual({ name: "dd", key: "token" });
  });

  it("renders no key at all when none is given (profiles flow, symbols are not uploaded)", async () => {
    const objects = await renderOk(helm);
    const { container } = daemonSet(objects);
    expect(env(container, "DD_API_KEY")).toBeUndefined();
    expect(env(container, "DD_APP_KEY")).toBeUndefined();
    expect(findObject(objects, "Secret")).toBeUndefined();
  });

  it("handles the optional application key the same way, beside the API key", async () => {
    const literal = await renderOk(helm, { datadog: { apiKeyExistingSecret: "dd", appKey: fakeAppKey } });
    expect(findObject(literal, "Secret")!.data).toEqual({ "app-key": Buffer.from(fakeAppKey).toString("base64") });
    expect(env(daemonSet(literal).container, "DD_APP_KEY")?.valueFrom?.secretKeyRef).toEqual({ name: "prof-dd-otel-host-profiler-keys", key: "app-key" });
    const existing = await renderOk(helm, { datadog: { appKeyExistingSecret: "dd-app" } });
    expect(env(daemonSet(existing).container, "DD_APP_KEY")?.valueFrom?.secretKeyRef).toEqual({ name: "dd-app", key: "app-key" });
  });

  it("never writes a key as a literal env value", async () => {
    const { container } = daemonSet(await renderOk(helm, { datadog: { apiKey: fakeApiKey, appKey: fakeAppKey } }));
    for (const e of container.env!) expect(e.value ?? "").not.toMatch(new RegExp(`${fakeApiKey}|${fakeAppKey}`));
  });
});
