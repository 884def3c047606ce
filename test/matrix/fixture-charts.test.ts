// The matrix on charts that are not this one (test/fixtures/charts/): batched renders equal single
// renders on a chart whose templates read .Files and whose .helmignore excludes a large folder, and
// the excluded files never reach Helm.
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { writeWrapper } from "../../scripts/matrix/batch.ts";
import { discoverCases } from "../../scripts/matrix/cases.ts";
import { kubeTarget, renderBatch, renderSingle } from "../../scripts/matrix/render.ts";
import { formatFailure, runMatrix } from "../../scripts/matrix/run.ts";
import { compareRenders } from "../../scripts/matrix/verify-batching.ts";
import { fixtureChart } from "../fixtures/fixture-charts.ts";

const filesReader = fixtureChart("files-reader");
afterAll(() => filesReader.cleanup());

/** Every file under `dir`, relative. */
const walk = (dir: string, rel = ""): string[] =>
  readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(dir, join(rel, e.name)) : [join(rel, e.name)]));

describe("files-reader fixture (.Files and a .helmignore'd large folder)", () => {
  it("--verify-batching: every cell equals its single render, with Helm 3 and Helm 4", async () => {
    const r = await runMatrix({ chartDir: filesReader.chartDir, casesDir: filesReader.casesDir, verifyBatching: true, kube: ["1.29", "1.37"] });
    // Every rule that ran passes: the generic ones only, since this is not the profiler chart.
    expect(r.cells.flatMap((c) => c.failures.map((f) => formatFailure(c, f)))).toEqual([]);
    expect(r.invariants.scopes).toEqual(["generic"]);
    expect(r.invariants.names).toEqual(expect.arrayContaining(["resources-set", "image-tag-or-digest", "no-secret-literal-in-pod-spec", "rbac-no-wildcard", "selector-labels-stable"]));
    expect(r.invariants.names).not.toEqual(expect.arrayContaining(["host-pid"]));
    for (const own of ["host-pid", "dd-site", "trace-agent-url", "keys-from-secret-ref", "token-only-when-needed", "image-pinned", "no-secret-literal"]) expect(r.invariants.names).not.toContain(own);
    expect(r.helms.map((h) => h.id)).toEqual((await helms()).map((h) => h.id));
    expect(r.cells.length).toBe(r.cases.length * r.helms.length * 2);
    expect(r.cells.filter((c) => c.rendering === "batch").length).toBeGreaterThan(0);
  });

  it("the batch wrapper never holds what .helmignore excludes, and the templates never see it", async () => {
    const work = mkdtempSync(join(tmpdir(), "fixture-wrapper-"));
    const cases = discoverCases(filesReader.casesDir, ["default", "all-files"]);
    const wrapper = writeWrapper(filesReader.chartDir, cases, work);
    const held = walk(join(wrapper.dir, "charts", "files-reader"));
    expect(held.filter((f) => /^(big|ci)\/|\.bak$|^templates\/\./.test(f))).toEqual([]);
    const [helm] = await helms();
    const batch = await renderBatch(helm, wrapper, kubeTarget("1.33"), false);
    if (!batch.ok) throw new Error(batch.error);
    const list = batch.byCase.get("all-files")!.find((d) => d.object?.kind === "ConfigMap")!.object!.data as Record<string, string>;
    expect(list["file-list"]).toContain("files/app.conf");
    expect(list["file-list"]).not.toMatch(/big\/|\.bak/);
  });

  it("proven to bite: a wrapper holding the ignored files differs from single renders", async () => {
    const work = mkdtempSync(join(tmpdir(), "fixture-wrapper-"));
    const [c] = discoverCases(filesReader.casesDir, ["all-files"]);
    const wrapper = writeWrapper(filesReader.chartDir, [c], work);
    // What the wrapper did before it honoured .helmignore: the chart folder copied whole.
    cpSync(filesReader.chartDir, join(wrapper.dir, "charts", "files-reader"), { recursive: true });
    const [helm] = await helms();
    const target = kubeTarget("1.33");
    const batch = await renderBatch(helm, wrapper, target, false);
    if (!batch.ok) throw new Error(batch.error);
    const diff = compareRenders({ ok: true, docs: batch.byCase.get(c.name)! }, await renderSingle(helm, filesReader.chartDir, c, target));
    expect(diff.map((f) => `${f.object} ${f.path ?? ""} ${f.message}`).join("\n")).toMatch(/ConfigMap\/prof-files-reader data\.\S+ differs[\s\S]*ConfigMap\/must-never-render +in the batch but not rendered singly/);
  });
});

describe("a chart's kubeVersion (Helm checks it only on the chart it is given, not on a dependency)", () => {
  const ranged = fixtureChart("files-reader");
  afterAll(() => ranged.cleanup());
  const chartYaml = join(ranged.chartDir, "Chart.yaml");
  writeFileSync(chartYaml, `${readFileSync(chartYaml, "utf8")}kubeVersion: ">=1.31.0-0"\n`);

  it("a version the chart refuses fails in every cell, batched as singly, with Helm's own message", async () => {
    const r = await runMatrix({ chartDir: ranged.chartDir, casesDir: ranged.casesDir, verifyBatching: true, kube: ["1.29", "1.31"], cases: ["default", "labels", "all-files"] });
    const refused = r.cells.filter((c) => c.kube === "1.29");
    expect(refused.length).toBe(3 * r.helms.length);
    for (const c of refused) {
      expect(c.failures.map((f) => f.rule)).toEqual(["render"]);
      expect(c.failures[0].message).toMatch(/chart requires kubeVersion: >=1\.31\.0-0 which is incompatible with Kubernetes v1\.29/);
    }
    expect(r.cells.filter((c) => c.kube === "1.31").flatMap((c) => c.failures.map((f) => formatFailure(c, f)))).toEqual([]);
  });

  it("proven to bite: a wrapper without the chart's kubeVersion renders where the single render is refused", async () => {
    const wrapper = writeWrapper(ranged.chartDir, discoverCases(ranged.casesDir, ["default"]), mkdtempSync(join(tmpdir(), "fixture-wrapper-")));
    const wrapperYaml = join(wrapper.dir, "Chart.yaml");
    expect(readFileSync(wrapperYaml, "utf8")).toContain('kubeVersion: ">=1.31.0-0"');
    // What the wrapper was before it carried the constraint.
    writeFileSync(wrapperYaml, readFileSync(wrapperYaml, "utf8").replace(/^kubeVersion:.*\n/m, ""));
    const [helm] = await helms();
    const target = kubeTarget("1.29");
    const batch = await renderBatch(helm, wrapper, target, false);
    const single = await renderSingle(helm, ranged.chartDir, discoverCases(ranged.casesDir, ["default"])[0], target);
    expect(single.ok).toBe(false);
    const diff = compareRenders(batch.ok ? { ok: true, docs: batch.byCase.get("default")! } : batch, single);
    expect(diff.map((f) => f.message)).toEqual(["batched render succeeded but the single render failed"]);
  });
});
