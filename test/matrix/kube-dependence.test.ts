// Reuse across Kubernetes versions: which templates can see the version (kube-dependence.ts), the
// matrix rendering only those again, --verify-batching proving each cell so obtained equal to a full
// single render, and biting when a template hides its .Capabilities read from the analysis.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { chartDir } from "../../scripts/lib/paths.ts";
import { kubeVersions } from "../../scripts/kubernetes/validate.ts";
import type { Doc } from "../../scripts/matrix/batch.ts";
import { discoverCases } from "../../scripts/matrix/cases.ts";
import { bodiesOf, kubeDependence, mergeRerendered } from "../../scripts/matrix/kube-dependence.ts";
import { kubeTarget, renderSingle } from "../../scripts/matrix/render.ts";
import { formatFailure, runMatrix } from "../../scripts/matrix/run.ts";

/** A chart in a temporary folder: Chart.yaml, the given templates and a ci/ folder of two cases. */
function chart(templates: Record<string, string>, extra: Record<string, string> = {}): string {
  const dir = join(mkdtempSync(join(tmpdir(), "kube-dependence-")), "kr");
  const files: Record<string, string> = {
    "Chart.yaml": "apiVersion: v2\nname: kr\nversion: 0.1.0\n",
    "values.yaml": "greeting: hello\n",
    "ci/default.yaml": "# The defaults.\n",
    "ci/other.yaml": "# Another greeting.\ngreeting: hi\n",
    ...Object.fromEntries(Object.entries(templates).map(([k, v]) => [`templates/${k}`, v])),
    ...extra,
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const configMap = (name: string, data: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-${name}\ndata:\n  ${data}\n`;
/** A helper reading the version, reached from versioned.yaml only through a second helper. */
const kubeReader = {
  "_helpers.tpl": `{{- define "kr.minor" -}}{{ .Capabilities.KubeVersion.Minor }}{{- end }}\n{{- define "kr.indirect" -}}{{ include "kr.minor" . }}{{- end }}\n`,
  "versioned.yaml": configMap("versioned", `minor: {{ include "kr.indirect" . | quote }}`),
  "plain.yaml": configMap("plain", "greeting: {{ .Values.greeting | quote }}"),
};
const targets = (minors: string[]): string[][] => minors.map((m) => kubeTarget(m).apiVersions);
const same = [["v1", "apps/v1"], ["v1", "apps/v1"]];

describe("kubeDependence: which templates can see the Kubernetes version", () => {
  it("follows includes through helpers: only the template that reaches .Capabilities is rendered again", () => {
    const d = kubeDependence(chart(kubeReader), same);
    expect(d).toMatchObject({ reuse: true, rerender: ["templates/versioned.yaml"], reused: ["templates/plain.yaml"] });
    expect(d.reason).toMatch(/rendered again at each version: versioned\.yaml .*reused from the first version: plain\.yaml/);
  });

  it("a template included by path (the checksum idiom) is rendered again with the template that includes it", () => {
    for (const include of [`include (print $.Template.BasePath "/plain.yaml") .`, `include (printf "%s/plain.yaml" .Template.BasePath) .`]) {
      const d = kubeDependence(chart({ ...kubeReader, "versioned.yaml": configMap("versioned", `sum: {{ ${include} | sha256sum }}-{{ include "kr.minor" . }}`), "other.yaml": configMap("other", "x: y") }), same);
      expect(d).toMatchObject({ reuse: true, rerender: ["templates/plain.yaml", "templates/versioned.yaml"], reused: ["templates/other.yaml"] });
    }
  });

  it("tpl, and a rendered file holding a define, are rendered again", () => {
    const d = kubeDependence(chart({ ...kubeReader, "tpl.yaml": configMap("tpl", "x: {{ tpl .Values.greeting . }}"), "defines.yaml": `{{- define "kr.other" }}x{{ end }}\n${configMap("defines", "x: y")}` }), same);
    expect(d).toMatchObject({ reuse: true, rerender: ["templates/defines.yaml", "templates/tpl.yaml", "templates/versioned.yaml"], reused: ["templates/plain.yaml"] });
  });

  it("APIVersions.Has of a literal every version holds (or none does) and the Helm version are no dependence", () => {
    const has = (gv: string): string => configMap("has", `x: {{ if .Capabilities.APIVersions.Has "${gv}" }}yes{{ end }}-{{ .Capabilities.HelmVersion.Version }}`);
    expect(kubeDependence(chart({ ...kubeReader, "has.yaml": has("apps/v1") }), same)).toMatchObject({ reused: ["templates/has.yaml", "templates/plain.yaml"] });
    expect(kubeDependence(chart({ ...kubeReader, "has.yaml": has("example.com/v9") }), same)).toMatchObject({ reused: ["templates/has.yaml", "templates/plain.yaml"] });
    expect(kubeDependence(chart({ ...kubeReader, "has.yaml": has("apps/v1") }), [["v1", "apps/v1"], ["v1"]])).toMatchObject({ rerender: ["templates/has.yaml", "templates/versioned.yaml"] });
    expect(kubeDependence(chart({ ...kubeReader, "has.yaml": configMap("has", "x: {{ .Capabilities.APIVersions }}") }), same)).toMatchObject({ rerender: ["templates/has.yaml", "templates/versioned.yaml"] });
  });

  it("a template that changes the shared values is rendered again; one that also sees the version turns reuse off", () => {
    const setter = configMap("setter", `x: {{ $_ := set .Values "greeting" "changed" }}{{ $own := dict }}{{ $_ := set $own "a" "b" }}`);
    expect(kubeDependence(chart({ ...kubeReader, "setter.yaml": setter }), same)).toMatchObject({ rerender: ["templates/setter.yaml", "templates/versioned.yaml"], reused: ["templates/plain.yaml"] });
    const local = configMap("local", `x: {{ $own := dict }}{{ $_ := set $own "a" "b" }}{{ merge (dict "c" "d") $own | toJson }}`);
    expect(kubeDependence(chart({ ...kubeReader, "local.yaml": local }), same)).toMatchObject({ reused: ["templates/local.yaml", "templates/plain.yaml"] });
    // Changes through a variable bound to shared values, or to an element of them, count too.
    for (const change of [`{{ $root := . }}{{ $_ := set $root.Values "greeting" "x" }}`, `{{ range $s := .Values.list }}{{ $_ := set $s "port" 1 }}{{ end }}`, `{{ $_ := set (index .Values "list" 0) "port" 1 }}`]) {
      expect(kubeDependence(chart({ ...kubeReader, "setter.yaml": change }), same), change).toMatchObject({ rerender: ["templates/setter.yaml", "templates/versioned.yaml"] });
    }
    // Words in a message are not calls.
    expect(kubeDependence(chart({ ...kubeReader, "msg.yaml": `{{ fail "(set by the chart) or include it" }}` }), same)).toMatchObject({ reused: ["templates/msg.yaml", "templates/plain.yaml"] });
    const versioned = `{{- define "kr.remember" }}{{ $_ := set $.Values "minor" .Capabilities.KubeVersion.Minor }}{{ end }}`;
    expect(kubeDependence(chart({ ...kubeReader, "_state.tpl": versioned, "remember.yaml": `{{ include "kr.remember" . }}` }), same)).toEqual({
      reuse: false,
      reason: "kr.remember changes values other templates read and can see the Kubernetes version (itself or through what it includes)",
    });
    // The caller decides by version whether to call a helper that changes shared values.
    const mark = `{{- define "kr.mark" }}{{ $_ := set .Values "greeting" "changed" }}{{ end }}`;
    const caller = `{{ if semverCompare ">=1.30-0" .Capabilities.KubeVersion.Version }}{{ include "kr.mark" . }}{{ end }}`;
    expect(kubeDependence(chart({ ...kubeReader, "_mark.tpl": mark, "z-setter.yaml": caller }), same)).toMatchObject({ reuse: false, reason: expect.stringMatching(/^templates\/z-setter\.yaml changes values/) });
  });

  it("the whole context handed to what reads every key counts as seeing the version; a rebound . does not", () => {
    // Only read here, never rendered: each use sits in a comment line after the ConfigMap.
    const withUse = (use: string): string => `${configMap("ctx", "x: y")}# ${use}\n`;
    for (const use of [`{{ toJson $ | sha256sum }}`, `{{ (index $ (printf "%s%s" "Capa" "bilities")).KubeVersion.Minor }}`, `{{ range $k, $v := . }}{{ $k }}{{ end }}`, `{{ $ | toYaml }}`, `{{ printf "%v" . }}`, `{{ $root := . }}{{ omit $root "Values" | toJson }}`]) {
      expect(kubeDependence(chart({ ...kubeReader, "ctx.yaml": withUse(use) }), same), use).toMatchObject({ rerender: ["templates/ctx.yaml", "templates/versioned.yaml"] });
    }
    for (const use of [`{{ with .Values.greeting }}{{ toYaml . }}{{ end }}`, `{{ include "kr.plain" . | len }}`, `{{ include (print $.Template.BasePath "/plain.yaml") . | sha256sum }}-{{ printf "%s" .Values.greeting }}`]) {
      expect(kubeDependence(chart({ ...kubeReader, "_plain.tpl": `{{ define "kr.plain" }}x{{ end }}`, "ctx.yaml": withUse(use) }), same), use).toMatchObject({ reused: expect.arrayContaining(["templates/ctx.yaml"]) });
    }
  });

  it("reads an action whole: a }} inside a string does not end it", () => {
    const d = kubeDependence(chart({ ...kubeReader, "rule.yaml": configMap("rule", `x: {{ printf "{{ $labels.k%s }}" (include "kr.minor" .) | quote }}`) }), same);
    expect(d).toMatchObject({ rerender: ["templates/rule.yaml", "templates/versioned.yaml"] });
  });

  it("an include of a template file by its full name is followed; of a name nothing defines, turns reuse off", () => {
    const byName = configMap("user", `sum: {{ include "kr/templates/versioned.yaml" . | sha256sum }}`);
    expect(kubeDependence(chart({ ...kubeReader, "user.yaml": byName }), same)).toMatchObject({ rerender: ["templates/user.yaml", "templates/versioned.yaml"], reused: ["templates/plain.yaml"] });
    expect(kubeDependence(chart({ ...kubeReader, "user.yaml": `{{ include "kr.nowhere" . }}` }), same)).toEqual({ reuse: false, reason: 'templates/user.yaml includes "kr.nowhere", which no template of the chart defines' });
  });

  it("reuses nothing where it cannot follow: an include of a computed name, or subcharts", () => {
    expect(kubeDependence(chart({ ...kubeReader, "computed.yaml": `{{ include (printf "kr.%s" .Values.greeting) . }}` }), same)).toEqual({ reuse: false, reason: "templates/computed.yaml includes a template by a computed name" });
    expect(kubeDependence(chart(kubeReader, { "charts/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 0.1.0\n" }), same)).toMatchObject({ reuse: false, reason: expect.stringMatching(/subcharts/) });
  });

  it("comments, nested blocks and .Values.template are not read as calls", () => {
    const b = bodiesOf("templates/x.yaml", `{{/* include (printf "x") . and .Capabilities */}}{{ define "a" }}{{ if .x }}{{ range .y }}{{ include "b" . }}{{ end }}{{ end }}{{ end }}{{ .Values.template }} {{ template "c" . }}`);
    expect(Object.fromEntries(b)).toEqual({
      "file:templates/x.yaml": { readsVersion: false, names: ["c"], files: [], computed: false, mutates: false },
      "define:a": { readsVersion: false, names: ["b"], files: [], computed: false, mutates: false },
    });
  });

  it("on this chart: the DaemonSet (AppArmor field or annotation by version) and the Secret it checksums", () => {
    const d = kubeDependence(chartDir, targets(kubeVersions()));
    expect(d).toMatchObject({ reuse: true, rerender: ["templates/daemonset.yaml", "templates/secret.yaml"] });
    if (d.reuse) expect(d.reused).toEqual(expect.arrayContaining(["templates/clusterrole.yaml", "templates/networkpolicy.yaml", "templates/tests/test-agent-connection.yaml"]));
  });
});

describe("mergeRerendered", () => {
  const doc = (source: string, name: string): Doc => ({ source: `kr/templates/${source}`, content: name, object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name } } });
  it("replaces the re-rendered templates' documents in place, adds new ones and drops vanished ones", () => {
    const first = [doc("a.yaml", "a"), doc("v.yaml", "v1"), doc("v.yaml", "v2"), doc("b.yaml", "b"), doc("gone.yaml", "g")];
    const again = [doc("v.yaml", "v1-new"), doc("new.yaml", "n")];
    expect(mergeRerendered(first, again, "kr", ["templates/v.yaml", "templates/new.yaml", "templates/gone.yaml"]).map((d) => d.content)).toEqual(["a", "v1-new", "b", "n"]);
    expect(() => mergeRerendered(first, [doc("a.yaml", "a")], "kr", ["templates/v.yaml"])).toThrow(/a\.yaml was rendered again/);
  });
});

describe("the matrix with reuse", () => {
  it("--verify-batching: cells at later versions equal full single renders, on a chart whose output changes with the version", async () => {
    const dir = chart(kubeReader);
    const r = await runMatrix({ chartDir: dir, casesDir: join(dir, "ci"), verifyBatching: true, kube: ["1.29", "1.30", "1.31"], batchSize: 2 });
    expect(r.cells.flatMap((c) => c.failures.map((f) => formatFailure(c, f)))).toEqual([]);
    expect(r.reuse).toMatchObject({ reuse: true, rerender: ["templates/versioned.yaml"] });
    expect(r.cells.filter((c) => c.kube !== "1.29").every((c) => c.rendering === "reused")).toBe(true);
    // Where batching loses (one process per cell), later versions still render only what can change.
    const alone = await runMatrix({ chartDir: dir, casesDir: join(dir, "ci"), verifyBatching: true, kube: ["1.29", "1.30"], batchSize: 0 });
    expect(alone.ok).toBe(true);
    expect(alone.cells.filter((c) => c.kube === "1.30").map((c) => c.rendering)).toEqual(Array(2 * alone.helms.length).fill("reused"));
    // The reuse is material: the versioned ConfigMap differs between versions.
    const [helm] = await helms();
    const [c] = discoverCases(join(dir, "ci"), ["default"]);
    const minor = async (kube: string): Promise<unknown> => {
      const s = await renderSingle(helm, dir, c, kubeTarget(kube));
      return s.ok && s.docs.find((d) => d.object?.metadata?.name === "prof-versioned")?.object?.data;
    };
    expect(await minor("1.29")).toEqual({ minor: "29" });
    expect(await minor("1.31")).toEqual({ minor: "31" });
  });

  it("proven to bite: a template that hides its .Capabilities read is reused wrongly, and --verify-batching says so", async () => {
    // The context handed over inside a dict, and the key built at run time: nothing names it.
    const hidden = {
      ...kubeReader,
      "_helpers.tpl": `{{- define "kr.indirect" -}}{{ (index .c (printf "%s%s" "Capa" "bilities")).KubeVersion.Minor }}{{- end }}\n`,
      "versioned.yaml": configMap("versioned", `minor: {{ include "kr.indirect" (dict "c" .) | quote }}`),
    };
    const dir = chart(hidden);
    const r = await runMatrix({ chartDir: dir, casesDir: join(dir, "ci"), verifyBatching: true, kube: ["1.29", "1.31"], batchSize: 2 });
    expect(r.reuse).toMatchObject({ reuse: true, rerender: [] });
    const lines = r.cells.flatMap((c) => c.failures.map((f) => formatFailure(c, f)));
    expect(lines).toHaveLength(2 * r.helms.length);
    for (const l of lines) expect(l).toMatch(/\[helm\d, Kubernetes 1\.31\] batching-equivalence: ConfigMap\/prof-versioned data\.minor: differs between the batched and the single render/);
    // Without reuse the same matrix passes: the failure is the reuse's, caught.
    const full = await runMatrix({ chartDir: dir, casesDir: join(dir, "ci"), verifyBatching: true, kube: ["1.29", "1.31"], batchSize: 2, reuse: false });
    expect(full.ok).toBe(true);
  });

  it("a reduced batch Helm refuses (the chart's kubeVersion) falls back to full single renders with Helm's message", async () => {
    const dir = chart(kubeReader, { "Chart.yaml": 'apiVersion: v2\nname: kr\nversion: 0.1.0\nkubeVersion: "<1.31.0-0"\n' });
    const r = await runMatrix({ chartDir: dir, casesDir: join(dir, "ci"), verifyBatching: true, kube: ["1.29", "1.31"], batchSize: 2 });
    expect(r.reuse).toMatchObject({ reuse: true });
    const later = r.cells.filter((c) => c.kube === "1.31");
    expect(later.map((c) => c.rendering)).toEqual(Array(later.length).fill("single"));
    for (const c of later) expect(c.failures.map((f) => `${f.rule}: ${f.message}`)).toEqual([expect.stringMatching(/^render: chart requires kubeVersion: <1\.31\.0-0 which is incompatible with Kubernetes v1\.31/)]);
    expect(r.cells.filter((c) => c.kube === "1.29").every((c) => c.ok)).toBe(true);
  });

  it("cases that failed at the first version are rendered whole at later ones, still batched", async () => {
    const dir = chart(kubeReader, { "Chart.yaml": 'apiVersion: v2\nname: kr\nversion: 0.1.0\nkubeVersion: ">=1.30.0-0"\n' });
    const r = await runMatrix({ chartDir: dir, casesDir: join(dir, "ci"), verifyBatching: false, kube: ["1.29", "1.30", "1.31"], batchSize: 2 });
    expect(r.cells.filter((c) => c.kube === "1.29").every((c) => !c.ok && c.failures[0].rule === "render")).toBe(true);
    const later = r.cells.filter((c) => c.kube !== "1.29");
    expect(later.every((c) => c.ok && c.rendering === "batch")).toBe(true);
    // Per Helm: the failed batch and its two single renders at 1.29, then one batch at each later version.
    expect(r.processes).toBe(r.helms.length * (3 + 2));
  });

  it("this chart: AppArmor cases across 1.29 (annotation) and 1.30 (field), every cell equal to its single render", async () => {
    // The *-profiles cases set leastPrivilege.appArmorProfile.
    const r = await runMatrix({ verifyBatching: true, kube: ["1.29", "1.30"], cases: ["default", "least-privilege*"] });
    expect(r.cells.flatMap((c) => c.failures.map((f) => formatFailure(c, f)))).toEqual([]);
    expect(r.cases.map((c) => c.name)).toEqual(expect.arrayContaining(["least-privilege-localhost-profiles", "least-privilege-runtime-default-profiles"]));
    expect(r.cells.filter((c) => c.kube === "1.30" && c.rendering === "reused").length).toBe(r.cases.length * r.helms.length);
    // The re-rendered DaemonSet really differs there: an annotation at 1.29, a securityContext field at 1.30.
    const [helm] = await helms();
    const [c] = discoverCases(join(chartDir, "..", "test", "cases"), ["least-privilege-runtime-default-profiles"]);
    const daemonSet = async (kube: string): Promise<string> => {
      const s = await renderSingle(helm, chartDir, c, kubeTarget(kube));
      return s.ok ? s.docs.find((d) => d.object?.kind === "DaemonSet")!.content : s.error;
    };
    expect(await daemonSet("1.29")).toMatch(/container\.apparmor\.security\.beta\.kubernetes\.io\/dd-otel-host-profiler: runtime\/default/);
    expect(await daemonSet("1.30")).not.toMatch(/container\.apparmor/);
    expect(await daemonSet("1.30")).toMatch(/appArmorProfile:\n\s+type: RuntimeDefault/);
  });
});
