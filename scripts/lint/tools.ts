// The external linters: helm lint (Helm 3 and 4), yamllint and actionlint. A missing yamllint or
// actionlint is a problem in CI and a skipped check elsewhere (report.ts: missingTool).
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { basename, join, relative } from "node:path";
import { execa } from "execa";
import { runHelm, type Helm } from "../lib/helm.ts";
import { missingTool, type CheckResult, type Problem } from "./report.ts";

const here = new URL(".", import.meta.url).pathname;
export const yamllintConfig = join(here, "yamllint.yaml");
export const yamllintRenderedConfig = join(here, "yamllint-rendered.yaml");

/** A tool on PATH, or in Go's bin folder (where `go install` puts actionlint). */
export async function findTool(name: string): Promise<string | undefined> {
  const which = await execa("sh", ["-c", `command -v ${name}`], { reject: false });
  if (which.exitCode === 0 && String(which.stdout).trim()) return String(which.stdout).trim();
  const gobin = [process.env.GOBIN, process.env.GOPATH && join(process.env.GOPATH, "bin"), join(homedir(), "go", "bin")];
  for (const dir of gobin) if (dir && existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

/** `helm lint --strict` output: "[ERROR] file: message" / "[WARNING] ...", possibly over several lines. */
export function parseHelmLint(output: string): string[] {
  const found: string[] = [];
  let current: string | undefined;
  for (const line of output.split("\n")) {
    const m = /^\[(ERROR|WARNING)\]\s*(.*)$/.exec(line);
    if (m) {
      if (current) found.push(current);
      current = `${m[1]}: ${m[2]}`;
    } else if (/^\[INFO\]|^==>|chart\(s\) linted|^Error:/.test(line)) {
      if (current) found.push(current);
      current = undefined;
    } else if (current && line.trim()) {
      current += ` ${line.trim()}`;
    }
  }
  if (current) found.push(current);
  return found;
}

export async function helmLint(helm: Helm, chartDir: string, valuesFile: string | undefined, source: string): Promise<Problem[]> {
  const args = ["lint", "--strict", chartDir, ...(valuesFile ? ["--values", valuesFile] : [])];
  const r = await runHelm(helm, args);
  if (r.ok) return [];
  const found = parseHelmLint(r.all);
  const rule = "helm-lint";
  if (found.length === 0) return [{ rule, file: source, message: `${helm.id} (${helm.version}): helm lint --strict failed: ${r.all.trim().split("\n").slice(-3).join(" ")}` }];
  return found.map((m) => ({ rule, file: source, message: `${helm.id} (${helm.version}): ${m}` }));
}

/** yamllint's parsable lines: "file:line:col: [level] message (rule)". */
function parseYamllint(output: string): { file: string; line: number; col: number; level: string; message: string }[] {
  const out = [];
  for (const l of output.split("\n")) {
    const m = /^(.*?):(\d+):(\d+): \[(\w+)\] (.*)$/.exec(l);
    if (m) out.push({ file: m[1], line: Number(m[2]), col: Number(m[3]), level: m[4], message: m[5] });
  }
  return out;
}

/** yamllint on files of the repository (Chart.yaml, values.yaml, cases, workflows). */
export async function yamllintFiles(root: string, files: string[]): Promise<CheckResult> {
  const bin = await findTool("yamllint");
  if (!bin) return missingTool("yamllint", "scripts/lint/yamllint.yaml", "yamllint (apt-get install yamllint, or pip install yamllint)");
  const r = await execa(bin, ["--format", "parsable", "--strict", "-c", yamllintConfig, ...files], { cwd: root, reject: false });
  const problems = parseYamllint(String(r.stdout)).map((p) => ({
    rule: "yamllint",
    file: relative(root, join(root, p.file)),
    message: `line ${p.line} column ${p.col}: ${p.level}: ${p.message}`,
  }));
  if (r.exitCode !== 0 && problems.length === 0) problems.push({ rule: "yamllint", file: "scripts/lint/yamllint.yaml", message: `yamllint failed: ${String(r.stderr).trim()}` });
  return { problems, skipped: [] };
}

/**
 * yamllint on rendered output: templates are Go templates, not YAML, so what they produce is
 * linted instead (trailing spaces, duplicate keys, bad indentation). Each problem is traced back
 * to its template through Helm's "# Source:" comments.
 */
export async function yamllintRendered(renders: { source: string; yaml: string }[]): Promise<CheckResult> {
  if (renders.length === 0) return { problems: [], skipped: [] };
  const bin = await findTool("yamllint");
  if (!bin) return missingTool("yamllint", "scripts/lint/yamllint-rendered.yaml", "yamllint (apt-get install yamllint, or pip install yamllint)");
  const dir = mkdtempSync(join(tmpdir(), "lint-rendered-"));
  try {
    const byFile = new Map<string, { source: string; lines: string[] }>();
    renders.forEach((r, i) => {
      const name = `${i}-${basename(r.source).replace(/[^\w.-]/g, "_")}`;
      writeFileSync(join(dir, name), r.yaml);
      byFile.set(name, { source: r.source, lines: r.yaml.split("\n") });
    });
    const r = await execa(bin, ["--format", "parsable", "--strict", "-c", yamllintRenderedConfig, ...readdirSync(dir)], { cwd: dir, reject: false });
    const problems = parseYamllint(String(r.stdout)).map((p) => {
      const f = byFile.get(p.file);
      let template = "?";
      for (let i = Math.min(p.line, f?.lines.length ?? 0) - 1; i >= 0; i--) {
        const m = /^# Source: [^/]+\/(.*)$/.exec(f!.lines[i]);
        if (m) {
          template = `chart/${m[1]}`;
          break;
        }
      }
      return { rule: "yamllint/rendered", file: template, message: `rendered with ${f?.source ?? p.file}, output line ${p.line}: ${p.level}: ${p.message}` };
    });
    if (r.exitCode !== 0 && problems.length === 0) problems.push({ rule: "yamllint/rendered", file: "scripts/lint/yamllint-rendered.yaml", message: `yamllint failed: ${String(r.stderr).trim()}` });
    return { problems, skipped: [] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function actionlint(root: string): Promise<CheckResult> {
  const dir = join(root, ".github", "workflows");
  if (!existsSync(dir)) return { problems: [{ rule: "actionlint", file: ".github/workflows", message: "no workflows: CI lint/test and release workflows are expected here" }], skipped: [] };
  const bin = await findTool("actionlint");
  if (!bin) return missingTool("actionlint", ".github/workflows", "actionlint (go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12)");
  const r = await execa(bin, ["-no-color", "-format", "{{range $err := .}}{{$err.Filepath}}:{{$err.Line}}:{{$err.Column}}: [{{$err.Kind}}] {{$err.Message}}\n{{end}}"], { cwd: root, reject: false });
  const problems: Problem[] = [];
  for (const l of String(r.stdout).split("\n")) {
    const m = /^(.*?):(\d+):(\d+): \[([\w-]+)\] (.*)$/.exec(l);
    if (m) problems.push({ rule: "actionlint", file: m[1], message: `line ${m[2]} column ${m[3]}: ${m[5]} [${m[4]}]` });
  }
  if (r.exitCode !== 0 && problems.length === 0) problems.push({ rule: "actionlint", file: ".github/workflows", message: `actionlint failed: ${String(r.stderr).trim() || String(r.stdout).trim()}` });
  return { problems, skipped: [] };
}
