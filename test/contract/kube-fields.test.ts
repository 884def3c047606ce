// The embedded Kubernetes shapes keep only fields every committed Kubernetes version serves
// (scripts/contract/kube-fields.ts): an older API server refuses a newer field under strict
// validation and drops it silently otherwise.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { newerFields, withFieldsServedEverywhere } from "../../scripts/contract/kube-fields.ts";
import { kubeDefinitionSchema, kubeVersions } from "../../scripts/kubernetes/validate.ts";
import { rootSchemaPath } from "../../scripts/lib/paths.ts";

const newest = kubeVersions().at(-1)!;
const volumeMount = kubeDefinitionSchema(newest, "io.k8s.api.core.v1.VolumeMount").$defs as Record<string, any>;

describe("fields served everywhere", () => {
  it("finds a field the oldest version lacks (VolumeMount.recursiveReadOnly is 1.30+) and drops it", () => {
    expect(newerFields(volumeMount)).toContain("io.k8s.api.core.v1.VolumeMount.recursiveReadOnly");
    const kept = withFieldsServedEverywhere(volumeMount)["io.k8s.api.core.v1.VolumeMount"];
    expect(Object.keys(kept.properties)).not.toContain("recursiveReadOnly");
    expect(Object.keys(kept.properties)).toContain("mountPath");
  });

  it("keeps every field when only the newest version counts", () => {
    expect(newerFields(volumeMount, [newest])).toEqual([]);
  });

  it("leaves no such field in the generated values schema", () => {
    const schema = JSON.parse(readFileSync(rootSchemaPath, "utf8"));
    expect(newerFields(schema.definitions)).toEqual([]);
  });
});
