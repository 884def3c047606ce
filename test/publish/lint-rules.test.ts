// `npm run lint` fails, naming the rule, on the mistakes chart CI exists to catch. Each case runs
// the real lint on a temp git repository built from this working tree (chart/, scripts/lib,
// scripts/lint and the capability set it imports (with the start-up table under it), CHANGELOG.md, workflows, a leastPrivilege
// values case and the seccomp-allowlist one), tagged v<version> as a
// release, then changed the way the case says.
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readChartMeta } from "../../scripts/lib/chart.ts";
import { repoRoot } from "../../scripts/lib/paths.ts";
import { checkBestPractices, staleExemptions } from "../../scripts/lint/best-practice.ts";
import { parseChangelog } from "../../scripts/lint/chart-metadata.ts";
import { exemptions } from "../../scripts/lint/exemptions.ts";
import { missingTool } from "../../scripts/lint/report.ts";
import type { KubeObject } from "../../scripts/lib/manifests.ts";
import { tempDir } from "./helpers.ts";

let fixture: string;
const scratch: string[] = [];
const { version } = readChartMeta();

async function git(dir: string, args: string[]) {
  return execa("git", ["-c", "user.name=lint test", "-c", "user.email=lint-test@example.invalid", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", ...args], { cwd: dir });
}

beforeAll(async () => {
  fixture = tempDir("lint-fixture");
  for (const p of ["chart", "scripts/lib", "scripts/lint", "scripts/contract/capabilities.ts", "scripts/profiler", ".github", "CHANGELOG.md"]) cpSync(join(repoRoot, p), join(fixture, p), { recursive: true });
  mkdirSync(join(fixture, "test/cases"), { recursive: true });
  writeFileSync(join(fixture, "test/cases/least-privilege.yaml"), "securityMode: leastPrivilege\n");
  // The case that uses the seccomp allowlist's exemptions (init container as root, its hostPath), or they read as stale.
  cpSync(join(repoRoot, "test/cases/least-privilege-seccomp-allowlist.yaml"), join(fixture, "test/cases/least-privilege-seccomp-allowlist.yaml"));
  symlinkSync(join(repoRoot, "node_modules"), join(fixture, "node_modules"));
  symlinkSync(join(repoRoot, ".tools"), join(fixture, ".tools"));
  writeFileSync(join(fixture, ".gitignore"), "node_modules\n.tools\n");
  await git(fixture, ["init", "-q", "-b", "main"]);
  await git(fixture, ["add", "-A"]);
  await git(fixture, ["commit", "-q", "-m", "released"]);
  await git(fixture, ["tag", `v${version}`]);
});

afterAll(() => {
  for (const d of [fixture, ...scratch]) if (d) rmSync(d, { recursive: true, force: true });
});

/** A copy of the released fixture, changed by `edit`, committed unless `commit` is false, linted. */
async function lintAfter(edit: (dir: string) => void, commit = true) {
  const dir = tempDir("lint-case");
  scratch.push(dir);
  cpSync(fixture, dir, { recursive: true, verbatimSymlinks: true });
  edit(dir);
  if (commit) await git(dir, ["commit", "-q", "-am", "change"]);
  // The scanner has its own tests (test/lint/checkov-rules.test.ts); npm test must not need Python.
  // CI unset: the lint skips (and says so) a tool this machine lacks instead of failing on it, so the
  // outcome is the rules' under test, whatever the caller's CI variable and installed tools are.
  const r = await execa(process.execPath, [join(dir, "scripts/lint/index.ts"), "--no-checkov"], { cwd: dir, reject: false, env: { LINT_BASE_REF: "", CI: "" } });
  return { code: r.exitCode, out: String(r.stdout) + String(r.stderr) };
}

function rewrite(dir: string, file: string, from: RegExp, to: string) {
  const path = join(dir, file);
  const text = readFileSync(path, "utf8");
  if (!from.test(text)) throw new Error(`${file} has no ${from}`);
  writeFileSync(path, text.replace(from, to));
}

const addTemplateComment = (dir: string) => rewrite(dir, "chart/templates/daemonset.yaml", /^/, "{{- /* a template change */}}\n");

describe.concurrent("npm run lint on a temp repository", () => {
  it("passes on the released chart", async () => {
    const r = await lintAfter(() => {}, false);
    expect(r.out).toMatch(/version-bump base: v\d/);
    expect(r.out).toContain("lint: 0 problem(s)");
    expect(r.code).toBe(0);
  });

  it("fails with version-bump when a template changes without a version bump", async () => {
    const r = await lintAfter(addTemplateComment);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^version-bump chart\/Chart.yaml: chart\/ changed since v[\d.]+ .*chart\/templates\/daemonset.yaml/m);
  });

  it("counts uncommitted changes too", async () => {
    const r = await lintAfter(addTemplateComment, false);
    expect(r.out).toMatch(/^version-bump chart\/Chart.yaml:/m);
  });

  it("passes when the change bumps the version, with its CHANGELOG section and changes annotation", async () => {
    const r = await lintAfter((dir) => {
      addTemplateComment(dir);
      rewrite(dir, "chart/Chart.yaml", /^version: .*$/m, "version: 99.0.0");
      rewrite(dir, "chart/Chart.yaml", /artifacthub.io\/changes: \|\n(    .*\n)+/, "artifacthub.io/changes: |\n    - kind: changed\n      description: A template change.\n");
      rewrite(dir, "CHANGELOG.md", /^## /m, "## 99.0.0\n\n### Changed\n\n- A template change.\n\n## ");
    });
    expect(r.out).toContain("lint: 0 problem(s)");
    expect(r.code).toBe(0);
  });

  it("fails with chart-yaml/required when Chart.yaml loses a required field", async () => {
    const r = await lintAfter((dir) => rewrite(dir, "chart/Chart.yaml", /^home: .*\n/m, ""));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^chart-yaml\/required chart\/Chart.yaml: home is missing/m);
  });

  it("fails with app-version/image-tag when the default tag disagrees with appVersion", async () => {
    const r = await lintAfter((dir) => rewrite(dir, "chart/values.yaml", /^(  tag:) ""/m, '$1 "v0.3.9"'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^app-version\/image-tag chart\/values.yaml: image.tag default is "v0.3.9"/m);
  });

  it("fails with app-version/artifacthub-image when appVersion moves but the listed image does not", async () => {
    const r = await lintAfter((dir) => rewrite(dir, "chart/Chart.yaml", /^appVersion: .*$/m, 'appVersion: "9.9.9"'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^app-version\/artifacthub-image chart\/Chart.yaml: .*its tag must be "v9.9.9"/m);
  });

  it("fails with changelog when the changes annotation and CHANGELOG.md disagree", async () => {
    const r = await lintAfter((dir) => rewrite(dir, "CHANGELOG.md", /^### Added$/m, "### Fixed"));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^changelog CHANGELOG.md: section [\d.]+ lacks the artifacthub.io\/changes entry "added: /m);
  });

  it("fails with artifacthub rules on a broken annotation, and reports every problem in one run", async () => {
    const r = await lintAfter((dir) => {
      rewrite(dir, "chart/Chart.yaml", /^(  artifacthub.io\/license:) .*$/m, "$1 not a license!");
      rewrite(dir, "chart/Chart.yaml", /- kind: added/, "- kind: improved");
      rewrite(dir, "chart/Chart.yaml", /^description: >-\n(  .*\n)+/m, "");
    });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^chart-yaml\/required chart\/Chart.yaml: description is missing/m);
    for (const rule of ["artifacthub/license", "artifacthub/changes", "chart-yaml/required"]) expect(r.out).toMatch(new RegExp(`^${rule} chart/Chart.yaml: `, "m"));
  });
});

describe("best-practice checks", () => {
  const labels = { "app.kubernetes.io/name": "x", "app.kubernetes.io/instance": "x", "app.kubernetes.io/version": "1", "app.kubernetes.io/managed-by": "Helm", "helm.sh/chart": "x-1" };
  const container = (extra: Record<string, unknown> = {}) => ({
    name: "sidecar",
    image: "example/sidecar:1.0",
    livenessProbe: { exec: { command: ["true"] } },
    readinessProbe: { exec: { command: ["true"] } },
    resources: { requests: { cpu: "1m", memory: "1Mi" }, limits: { cpu: "1m", memory: "1Mi" } },
    securityContext: { runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
    ...extra,
  });
  const daemonSet = (pod: Record<string, unknown>): KubeObject => ({
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "ds", labels },
    spec: { template: { spec: { automountServiceAccountToken: false, containers: [container()], ...pod } } },
  });
  const rules = (o: KubeObject) => checkBestPractices({ source: "case.yaml", objects: [o], values: {} }, exemptions).problems.map((p) => p.rule);

  it.each([
    ["a clean pod", {}, []],
    ["hostNetwork", { hostNetwork: true }, ["manifest/host-network"]],
    ["a latest tag", { containers: [container({ image: "example/sidecar:nightly-latest" })] }, ["manifest/image-tag"]],
    ["no limits", { containers: [container({ resources: { requests: { cpu: "1m", memory: "1Mi" } } })] }, ["manifest/resources", "manifest/resources"]],
    ["a privileged sidecar (the exemption names the profiler container only)", { containers: [container({ securityContext: { privileged: true, runAsUser: 1000, readOnlyRootFilesystem: true } })] }, ["manifest/privileged"]],
    ["a literal API key", { containers: [container({ env: [{ name: "DD_API_KEY", value: "abc" }] })] }, ["manifest/env-secret"]],
    ["an unlisted host path", { volumes: [{ name: "root", hostPath: { path: "/" } }] }, ["manifest/host-path"]],
  ] as const)("%s", (_name, pod, expected) => {
    expect(rules(daemonSet(pod as Record<string, unknown>))).toEqual(expected);
  });

  it("reports an exemption no render needs as stale", () => {
    const used = new Set<number>();
    checkBestPractices({ source: "case.yaml", objects: [daemonSet({})], values: {} }, exemptions, used);
    expect(staleExemptions(exemptions, used).map((p) => p.rule)).toContain("manifest/stale-exemption");
  });

  it("reads CHANGELOG sections with wrapped bullets", () => {
    const log = parseChangelog("# Changelog\n\n## 1.1.0\n\n### Fixed\n\n- One fix that\n  wraps.\n- Another.\n\n## 1.0.0\n\n### Added\n\n- First.\n");
    expect(log.get("1.1.0")).toEqual([{ kind: "fixed", description: "One fix that wraps." }, { kind: "fixed", description: "Another." }]);
    expect(log.get("1.0.0")).toEqual([{ kind: "added", description: "First." }]);
  });
});

describe("a linter that is not installed", () => {
  it.each([
    ["true", 1, 0],
    ["", 0, 1],
  ])("CI=%j: %i problem(s), %i skipped check(s)", (ci, problems, skipped) => {
    const saved = process.env.CI;
    process.env.CI = ci;
    try {
      const r = missingTool("yamllint", "scripts/lint/yamllint.yaml", "yamllint");
      expect([r.problems.length, r.skipped.length]).toEqual([problems, skipped]);
      if (problems) expect(r.problems[0]).toMatchObject({ rule: "yamllint", message: expect.stringMatching(/not installed, and CI=true/) });
    } finally {
      process.env.CI = saved;
    }
  });
});
