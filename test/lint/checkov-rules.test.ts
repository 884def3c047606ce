// The checkov part of `npm run lint`, without Python: checkov's findings are given, the rules judged.
// A failure nobody exempted is a problem, an exemption nothing needs is stale, README counts must hold.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { daemonSetCount, readmeCountProblems, staleCheckovExemptions, unexempted, type CheckovFailure } from "../../scripts/lint/checkov.ts";
import { checkovExemptions, type CheckovExemption } from "../../scripts/lint/exemptions.ts";

const ds = "prof-dd-otel-host-profiler";
const f = (checkId: string, resource = `DaemonSet.profiling.${ds}`): CheckovFailure => ({ checkId, name: `check ${checkId}`, resource });

describe("checkov lint rules", () => {
  it("lets an exempted failure pass and reports any other, naming the check, the object and the way out", () => {
    const used = new Set<number>();
    const problems = unexempted("chart/values.yaml", [f("CKV_K8S_17"), f("CKV_K8S_21"), f("CKV_K8S_17", "Pod.profiling.x-test-agent")], checkovExemptions, used);
    expect(problems.map((p) => p.rule)).toEqual(["checkov/CKV_K8S_21", "checkov/CKV_K8S_17"]);
    expect(problems[0].message).toContain(`DaemonSet.profiling.${ds}`);
    expect(problems[0].message).toContain("scripts/lint/exemptions.ts");
    expect(used.size).toBe(1);
  });

  it("reports an exemption no render needed as stale", () => {
    const list: CheckovExemption[] = [
      { check: "CKV_K8S_17", kind: "DaemonSet", reason: "r" },
      { check: "CKV_K8S_99", kind: "Pod", reason: "r" },
    ];
    const used = new Set<number>();
    unexempted("x", [f("CKV_K8S_17")], list, used);
    expect(staleCheckovExemptions(list, used).map((p) => p.message)).toEqual([expect.stringContaining("CKV_K8S_99 exemption for Pod")]);
  });

  it("lists each by-design check once per kind, with a reason", () => {
    const keys = checkovExemptions.map((e) => `${e.check}/${e.kind}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const e of checkovExemptions) expect(e.reason.length, e.check).toBeGreaterThan(30);
  });

  it("counts distinct checks of the DaemonSet and its pods (graph checks name them by the DaemonSet), not the test pod's", () => {
    const failures = [f("CKV_K8S_17"), f("CKV_K8S_8"), f("CKV2_K8S_6", `Pod.profiling.${ds}.app.kubernetes.io/name-x`), f("CKV_K8S_8", `Pod.profiling.${ds}-test-agent`), f("CKV_K8S_99", `Pod.profiling.${ds}-test-agent`)];
    expect(daemonSetCount(failures, ds)).toBe(3);
  });

  it("holds the README's counts to checkov's", () => {
    const readme = join(mkdtempSync(join(tmpdir(), "checkov-readme-")), "README.md");
    writeFileSync(readme, "| defaults | 15 <!-- checkov-count: chart/values.yaml --> |\n| lp | 8 <!-- checkov-count: test/cases/lp.yaml --> |\n");
    expect(readmeCountProblems(readme, new Map([["chart/values.yaml", 15], ["test/cases/lp.yaml", 8]]))).toEqual([]);
    const wrong = readmeCountProblems(readme, new Map([["chart/values.yaml", 15], ["test/cases/lp.yaml", 9]]));
    expect(wrong.map((p) => p.message)).toEqual([expect.stringMatching(/says checkov fails 8 checks on the DaemonSet of test\/cases\/lp.yaml, checkov 3.3.30 finds 9/)]);
    writeFileSync(readme, "no counts here\n");
    expect(readmeCountProblems(readme, new Map())[0].message).toContain("states no checkov count");
  });

  it("says exactly what is missing and the one command that installs it", async () => {
    vi.stubEnv("DD_CHECKOV_VENV", join(tmpdir(), "no-such-checkov-venv"));
    vi.stubEnv("CI", "false");
    vi.resetModules();
    const { runCheckov } = await import("../../scripts/lint/checkov.ts");
    const r = await runCheckov([{ source: "chart/values.yaml", yaml: "kind: x\n" }]);
    expect(r).toEqual({ problems: [], skipped: [{ check: "checkov", reason: expect.stringMatching(/checkov 3\.3\.30 \(run `npm run setup:checkov`, which installs it into .*no-such-checkov-venv\/bin\/checkov\) is not installed/) }] });
    vi.unstubAllEnvs();
  });
});
