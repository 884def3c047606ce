// The matrix catches a broken chart: each of these edits to a temp copy of the chart must fail the
// matrix with a message naming the case and the rule. Two run through the CLI end to end: a failure
// seen in many cells prints as one line with the count, and the JSON and Markdown keep every cell.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { chartDir, repoRoot } from "../../scripts/lib/paths.ts";
import { formatFailure, runMatrix } from "../../scripts/matrix/run.ts";

interface Breakage {
  what: string;
  file: string;
  from: string;
  to: string;
  cases: string[];
  /** Case and rule the failure must name, plus a fragment of the rest of the line. */
  expect: { case: string; rule: string; text: RegExp };
}

const breakages: Breakage[] = [
  {
    what: "remove hostPID",
    file: "templates/daemonset.yaml",
    from: "      hostPID: true\n",
    to: "",
    cases: ["default", "least-privilege-default"],
    expect: { case: "least-privilege-default", rule: "host-pid", text: /DaemonSet\/prof-dd-otel-host-profiler spec\.template\.spec\.hostPID: must be true/ },
  },
  {
    what: "drop SYS_ADMIN in privileged mode",
    file: "templates/_securitycontext.tpl",
    from: "  add:\n    - SYS_ADMIN\n",
    to: "  add:\n    - SYS_PTRACE\n",
    cases: ["default", "least-privilege-default"],
    expect: { case: "default", rule: "privileged-mode-sys-admin", text: /capabilities\.add: must include SYS_ADMIN/ },
  },
  {
    what: "rename DD_TRACE_AGENT_URL",
    file: "templates/_env.tpl",
    from: "- name: DD_TRACE_AGENT_URL\n",
    to: "- name: DD_AGENT_URL\n",
    cases: ["default", "agent-url-explicit-http"],
    expect: { case: "agent-url-explicit-http", rule: "trace-agent-url", text: /DD_TRACE_AGENT_URL is not set/ },
  },
  {
    what: "put an API key literal into an env value",
    file: "templates/_env.tpl",
    from: "- name: DD_SITE\n",
    to: "- name: DD_KEY_FOR_DEBUGGING\n  value: {{ $dd.apiKey | quote }}\n- name: DD_SITE\n",
    cases: ["default", "privileged-api-key-literal"],
    expect: { case: "privileged-api-key-literal", rule: "no-secret-literal", text: /env\[\d+\]\.value: holds the literal of datadog\.apiKey outside a Secret/ },
  },
  {
    what: "misspell a pod spec field",
    file: "templates/daemonset.yaml",
    from: "      hostPID: true\n",
    to: "      hostPid: true\n",
    cases: ["default", "split-by-service-off"],
    expect: { case: "split-by-service-off", rule: "kubernetes-schema", text: /DaemonSet\/prof-dd-otel-host-profiler spec\.template\.spec\.hostPid: unknown field "hostPid" \(did you mean "hostPID"\?\)/ },
  },
  {
    what: "give the ServiceAccount a token in the default mode",
    file: "templates/serviceaccount.yaml",
    from: "automountServiceAccountToken: false\n",
    to: "automountServiceAccountToken: true\n",
    cases: ["default", "split-by-service-off"],
    expect: { case: "default", rule: "token-only-when-needed", text: /ServiceAccount\/prof-dd-otel-host-profiler automountServiceAccountToken: must be false/ },
  },
];

function brokenChart(b: Breakage): string {
  const dir = join(mkdtempSync(join(tmpdir(), "matrix-broken-")), "chart");
  cpSync(chartDir, dir, { recursive: true });
  const file = join(dir, b.file);
  const text = readFileSync(file, "utf8");
  expect(text.split(b.from).length - 1, `"${b.from}" must occur exactly once in ${b.file}`).toBe(1);
  writeFileSync(file, text.replace(b.from, b.to));
  return dir;
}

describe("a broken chart fails the matrix, naming case and rule", () => {
  it.each(breakages.map((b) => [b.what, b] as const))("%s", async (_w, b) => {
    const r = await runMatrix({ chartDir: brokenChart(b), cases: b.cases, kube: ["1.29", "1.37"] });
    expect(r.ok).toBe(false);
    const lines = r.cells.flatMap((c) => c.failures.map((f) => formatFailure(c, f)));
    for (const helm of r.helms) {
      for (const kube of ["1.29", "1.37"]) {
        const prefix = `${b.expect.case} [${helm.id}, Kubernetes ${kube}] ${b.expect.rule}: `;
        const hit = lines.filter((l) => l.startsWith(prefix));
        expect(hit.length, `no line starts with "${prefix}" in:\n${lines.join("\n")}`).toBeGreaterThan(0);
        expect(hit.join("\n")).toMatch(b.expect.text);
      }
    }
  });

  it("the CLI exits non-zero and prints the case and the rule (CI mode)", async () => {
    const dir = brokenChart(breakages[0]);
    const r = await execa(process.execPath, ["scripts/matrix/cli.ts", "--chart", dir, "--case", "default", "--helm", "4", "--kube", "1.33", "--no-html"], {
      cwd: repoRoot,
      reject: false,
      env: { CI: "true" },
    });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^FAIL host-pid: DaemonSet\/prof-dd-otel-host-profiler spec\.template\.spec\.hostPID: must be true.* \(1 cell: default \[helm4, Kubernetes 1\.33\]\)$/m);
    expect(r.stdout).toMatch(/^FAIL 1 cells/m);
  });

  it("the CLI prints a failure seen in many cells once, with the count and an example; --json and --markdown keep every cell", async () => {
    const dir = brokenChart(breakages[0]);
    const markdown = join(dir, "..", "summary.md");
    const cases = ["default", "least-privilege-default"];
    const kubes = ["1.29", "1.33"];
    const r = await execa(
      process.execPath,
      ["scripts/matrix/cli.ts", "--chart", dir, ...cases.flatMap((c) => ["--case", c]), "--helm", "4", ...kubes.flatMap((k) => ["--kube", k]), "--no-html", "--json", "--markdown", markdown],
      { cwd: repoRoot, reject: false, env: { CI: "true" } },
    );
    expect(r.exitCode, r.stderr).toBe(1);
    // With --json the human output is on stderr: one line for the four cells, none per cell.
    const hostPid = r.stderr.split("\n").filter((l) => l.includes("host-pid:"));
    expect(hostPid, r.stderr).toHaveLength(1);
    expect(hostPid[0]).toMatch(/^FAIL host-pid: DaemonSet\/prof-dd-otel-host-profiler spec\.template\.spec\.hostPID: must be true.* \(4 cells, e\.g\. default \[helm4, Kubernetes 1\.29\]\)$/);
    expect(r.stderr).toMatch(/^FAIL 4 cells/m);
    // The reports are complete: each cell's failure, in the per-cell format.
    const json = JSON.parse(r.stdout) as { failures: { case: string; kube: string; rule: string; line: string }[] };
    const perCell = json.failures.filter((f) => f.rule === "host-pid");
    expect(perCell.map((f) => `${f.case} ${f.kube}`).sort()).toEqual(cases.flatMap((c) => kubes.map((k) => `${c} ${k}`)).sort());
    const md = readFileSync(markdown, "utf8");
    for (const c of cases) for (const k of kubes) expect(md).toContain(`${c} [helm4, Kubernetes ${k}] host-pid: DaemonSet/prof-dd-otel-host-profiler spec.template.spec.hostPID: must be true`);
  });
});
