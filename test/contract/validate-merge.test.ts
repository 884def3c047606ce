// validate merges several values files as `helm template -f a -f b` does, and agrees with both Helms.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { helms, helmTemplate } from "../../scripts/lib/helm.ts";
import { chartDir } from "../../scripts/lib/paths.ts";
import { filesSetting, mergeValuesFiles } from "../../scripts/lib/values-schema.ts";
import { validateFiles } from "../../scripts/validate.ts";

const dir = mkdtempSync(join(tmpdir(), "validate-merge-"));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const splitA = file("split-a.yaml", "profiler:\n  splitByService: false\n");
const splitB = file("split-b.yaml", "profiler:\n  hostService: my-hosts\n");
const badList = file("bad-list.yaml", "tolerations:\n  - key: k\n    operatorr: Exists\n");
const goodList = file("good-list.yaml", "tolerations:\n  - operator: Exists\n");
const empty = file("empty.yaml", "");
const comments = file("comments.yaml", "# nothing set here\n# at all\n");
const leastPrivilege = file("lp.yaml", "securityMode: leastPrivilege\n");
const nullMode = file("null-mode.yaml", "securityMode: null\n");
const yes = file("yes.yaml", "profiler:\n  timeline: yes\n");
const badMemory = file("bad-memory.yaml", "resources:\n  limits:\n    memory: lots\n");
const moreCpu = file("more-cpu.yaml", "resources:\n  limits:\n    cpu: 2\n");
const fixMemory = file("fix-memory.yaml", "resources:\n  limits:\n    memory: 2Gi\n");
const nestedNull = file("nested-null.yaml", "leastPrivilege:\n  seccompProfile:\n    localhostProfile: null\n");

const cases: { name: string; files: string[]; ok: boolean }[] = [
  { name: "splitByService: false in one file, hostService in the next", files: [splitA, splitB], ok: true },
  { name: "splitByService: false alone", files: [splitA], ok: false },
  { name: "a bad list replaced by a later file's list", files: [badList, goodList], ok: true },
  { name: "a good list replaced by a later file's bad list", files: [goodList, badList], ok: false },
  { name: "an empty and a comment-only file", files: [empty, comments], ok: true },
  { name: "a later file's null removes a required setting", files: [leastPrivilege, nullMode], ok: false },
  { name: "a YAML 1.1 boolean (yes)", files: [yes], ok: true },
  { name: "maps merge key by key: a bad quantity stays", files: [badMemory, moreCpu], ok: false },
  { name: "maps merge key by key: a bad quantity fixed later", files: [badMemory, moreCpu, fixMemory], ok: true },
  { name: "a null where the chart has no default stays for the schema", files: [nestedNull], ok: false },
];

describe("validate agrees with helm template -f ... -f ...", () => {
  for (const c of cases) {
    it(`${c.name}: ${c.ok ? "accepted" : "refused"}`, async () => {
      for (const helm of await helms()) {
        const r = await helmTemplate(helm, chartDir, { valuesFiles: c.files });
        expect(r.ok, `${helm.id}: ${r.stderr}`).toBe(c.ok);
      }
      const report = await validateFiles(c.files);
      expect(report.ok, JSON.stringify(report.problems)).toBe(c.ok);
      expect(report.files.map((f) => f.file)).toEqual(c.files);
    });
  }

  it("names the file that set each problem's key", async () => {
    const report = await validateFiles([goodList, badList, moreCpu, badMemory]);
    const by = Object.fromEntries(report.problems.map((p) => [p.key, p.files]));
    expect(by["tolerations[0].operatorr"]).toEqual([badList]);
    expect(by["resources.limits.memory"]).toEqual([badMemory]);
    expect(report.files.find((f) => f.file === moreCpu)!.problems).toEqual([]);
    const split = await validateFiles([splitA, empty]);
    expect(split.problems.map((p) => [p.key, p.files])).toEqual([["profiler.hostService", [splitA]]]);
  });
});

describe("merging values files as Helm does", () => {
  it("merges maps key by key; lists, scalars and nulls replace", () => {
    const m = mergeValuesFiles([
      { file: "a", values: { m: { x: 1, y: 2 }, l: [1, 2], s: "a", n: { deep: 1 } } },
      { file: "b", values: { m: { y: 3 }, l: [9], s: null, n: "flat" } },
    ]);
    expect(m.values).toEqual({ m: { x: 1, y: 3 }, l: [9], s: null, n: "flat" });
    expect(filesSetting("m", m.setBy)).toEqual(["a", "b"]);
    expect(filesSetting("m.x", m.setBy)).toEqual(["a"]);
    expect(filesSetting("l[0].k", m.setBy)).toEqual(["b"]);
    expect(filesSetting("n.deep", m.setBy)).toEqual(["b"]);
    expect(filesSetting("other", m.setBy)).toEqual([]);
  });
});
