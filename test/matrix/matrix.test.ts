// The full matrix once on the chart as it is, batching proven equal to single renders, and invalid
// values named as failing cases rather than silently skipped.
import { mkdtempSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kubeVersions } from "../../scripts/kubernetes/validate.ts";
import { aliasFor } from "../../scripts/matrix/batch.ts";
import { casesDir, discoverCases } from "../../scripts/matrix/cases.ts";
import { formatFailure, runMatrix } from "../../scripts/matrix/run.ts";

const lines = (r: Awaited<ReturnType<typeof runMatrix>>): string[] => r.cells.flatMap((c) => c.failures.map((f) => formatFailure(c, f)));

describe("matrix", () => {
  it("passes on the chart: >= 40 cases x Helm 3 and 4 x >= 5 Kubernetes versions", async () => {
    const r = await runMatrix();
    expect(lines(r)).toEqual([]);
    expect(r.cases.length).toBeGreaterThanOrEqual(40);
    expect(r.helms.map((h) => h.id)).toEqual(["helm3", "helm4"]);
    expect(r.kubes.length).toBeGreaterThanOrEqual(5);
    expect(r.kubes[0].minor).toBe("1.29");
    expect(r.cells.length).toBeGreaterThanOrEqual(400);
    expect(r.invariants.scopes).toEqual(["generic", "profiler"]);
    expect(r.invariants.names).toEqual(expect.arrayContaining(["host-pid", "dd-site", "resources-set", "selector-labels-stable"]));
    // Batch sizes are measured per Helm: a few probe renders run alone, every other cell in a batch.
    expect(r.batching.map((p) => p.helm)).toEqual(["helm3", "helm4"]);
    expect(r.batching.every((p) => p.size > 0 && p.probes.length >= 2)).toBe(true);
    expect(r.cells.filter((c) => c.rendering === "single").length).toBeLessThanOrEqual(2 * r.helms.length);
    expect(r.processes).toBeLessThan(r.cells.length / 10);
    console.log(`full matrix: ${r.cells.length} cells, ${r.processes} helm processes, ${(r.wallMs / 1000).toFixed(2)} s`);
  });

  it("batching changes nothing: every case, both Helms, the oldest Kubernetes, object by object", async () => {
    // CI runs the whole matrix with --verify-batching; this is its share of npm test. The oldest
    // version takes the chart's AppArmor-annotation branch, the batch there also validates schemas.
    const all = discoverCases(casesDir).length;
    const r = await runMatrix({ verifyBatching: true, kube: [kubeVersions()[0]], batchSize: all });
    expect(lines(r)).toEqual([]);
    expect(r.processes).toBe(r.helms.length * (1 + r.cases.length));
  });

  it("aliases have the chart name's length, so truncated names cut at the same place", () => {
    for (const i of [0, 9, 35, 36, 1295, 5000]) expect(aliasFor(i, "dd-otel-host-profiler")).toHaveLength("dd-otel-host-profiler".length);
    expect(new Set([...Array(2000).keys()].map((i) => aliasFor(i, "dd-otel-host-profiler"))).size).toBe(2000);
  });

  it("names invalid cases as failures (schema and template errors) and still passes the valid ones", async () => {
    const dir = mkdtempSync(join(tmpdir(), "matrix-invalid-"));
    for (const f of ["default.yaml", "least-privilege-default.yaml"]) copyFileSync(join(casesDir, f), join(dir, f));
    writeFileSync(join(dir, "bad-mode.yaml"), "# schema error\nsecurityMode: superuser\n");
    writeFileSync(join(dir, "bad-url.yaml"), "# template error\nagent:\n  url: unix:///var/run/datadog/apm.socket\n");
    writeFileSync(join(dir, "bad-key.yaml"), "# secret format error\ndatadog:\n  apiKey: NOT-A-KEY-but-a-secret-value-xyz\n");
    const r = await runMatrix({ casesDir: dir, kube: ["1.29", "1.30"] });
    const failing = new Set(r.cells.filter((c) => !c.ok).map((c) => c.case));
    expect([...failing].sort()).toEqual(["bad-key", "bad-mode", "bad-url"]);
    expect(r.cells.filter((c) => !c.ok).every((c) => c.failures[0].rule === "render" && c.rendering === "single")).toBe(true);
    const text = lines(r).join("\n");
    expect(text).toMatch(/bad-mode \[helm\d, Kubernetes 1\.29\] render: .*securityMode/s);
    expect(text).toMatch(/bad-url \[helm\d, Kubernetes 1\.30\] render: .*unix socket/s);
    expect(text).not.toContain("NOT-A-KEY-but-a-secret-value-xyz");
    expect(r.cells.filter((c) => c.ok).map((c) => c.case).sort()).toEqual(Array(8).fill(0).map((_, i) => (i < 4 ? "default" : "least-privilege-default")));
  });
});
