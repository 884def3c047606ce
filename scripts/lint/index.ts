// `npm run lint`: every chart CI check in one run, ALL problems reported at once, one line each
// ("rule file: message"), exit 1 on any. Options: --base REF (version-bump base, see version-bump.ts).
//
// Checks: helm lint --strict (Helm 3 and 4) on the defaults and each values case in test/cases/;
// yamllint on Chart.yaml, values.yaml, the cases, the workflows and the rendered output;
// Chart.yaml and Artifact Hub rules; CHANGELOG.md against artifacthub.io/changes; the version bump;
// best practices on the rendered manifests (exemptions.ts); checkov on the same renders (checkov.ts,
// its by-design failures in exemptions.ts too); actionlint on .github/workflows.
import { availableParallelism } from "node:os";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { load } from "js-yaml";
import { helms, helmTemplate, type Helm, type HelmResult } from "../lib/helm.ts";
import { parseManifests } from "../lib/manifests.ts";
import { chartDir, repoRoot } from "../lib/paths.ts";
import { checkBestPractices, staleExemptions, type Render } from "./best-practice.ts";
import { checkChartMetadata } from "./chart-metadata.ts";
import { checkovExemptions, exemptions } from "./exemptions.ts";
import { daemonSetCount, readmeCountProblems, runCheckov, staleCheckovExemptions, unexempted, type CheckovFailure } from "./checkov.ts";
import { formatProblem, lintProgress, normalize, type CheckResult, type Problem, type Progress, type Skip } from "./report.ts";
import { actionlint, helmLint, yamllintFiles, yamllintRendered } from "./tools.ts";
import { checkVersionBump } from "./version-bump.ts";
import { runLimited } from "../lib/pool.ts";

export const casesDir = "test/cases";

/** The values sets every render-based check covers: the defaults, then each case file. */
export function valueSets(root: string): { source: string; file?: string }[] {
  const dir = join(root, casesDir);
  const cases = existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
  return [{ source: "chart/values.yaml" }, ...cases.map((f) => ({ source: `${casesDir}/${f}`, file: join(dir, f) }))];
}

type ValueSet = ReturnType<typeof valueSets>[number];
/** One values set rendered by the first Helm, for the render-based checks. */
type SetRender = { set: ValueSet; r: HelmResult };
/** A render's output as yamllint and checkov read it (one file each, ending in a newline). */
type Rendered = { source: string; yaml: string };

/** What every step of one lint run reads, and what the steps gather (in the order they report). */
interface LintRun {
  root: string;
  chart: string;
  base?: string;
  checkov: boolean;
  track: Progress["track"];
  binaries: Helm[];
  sets: ValueSet[];
  /** How many tool processes run at once. */
  limit: number;
  problems: Problem[];
  skipped: Skip[];
  notes: string[];
}

/**
 * `checkov: false` (--no-checkov) leaves the scanner out, for tests of the other rules that must not need Python.
 * `progress` times each check (lintProgress: a terminal sees them, CI and pipes do not); default none.
 */
export async function lint(options: { root?: string; base?: string; checkov?: boolean; progress?: Progress } = {}): Promise<CheckResult & { notes: string[] }> {
  const run = await startRun(options);
  const renders = await toolChecks(run);
  run.problems.push(...(await run.track("Chart.yaml and Artifact Hub", () => checkChartMetadata(run.root))));
  const rendered = await bestPractices(run, renders);
  await renderedChecks(run, rendered);
  run.notes.push(`linted the defaults and ${run.sets.length - 1} values case(s) with ${run.binaries.map((h) => `${h.id} ${h.version}`).join(" and ")}`);
  const dedupSkips = [...new Map(run.skipped.map((s) => [`${s.check}: ${s.reason}`, s])).values()];
  return { problems: normalize(run.problems), skipped: dedupSkips, notes: run.notes };
}

async function startRun(options: { root?: string; base?: string; checkov?: boolean; progress?: Progress }): Promise<LintRun> {
  const root = options.root ?? repoRoot;
  const track = options.progress?.track ?? (<T>(_check: string, work: () => T | Promise<T>): Promise<T> => Promise.resolve(work()));
  const chart = options.root ? join(root, "chart") : chartDir;
  const binaries = await helms();
  const limit = Math.max(2, availableParallelism() * 2);
  return { root, chart, base: options.base, checkov: options.checkov !== false, track, binaries, sets: valueSets(root), limit, problems: [], skipped: [], notes: [] };
}

function add(run: LintRun, r: CheckResult): void {
  run.problems.push(...r.problems);
  run.skipped.push(...r.skipped);
}

/** helm lint of every set with every Helm, the renders, the version bump and actionlint, at once. */
async function toolChecks(run: LintRun): Promise<SetRender[]> {
  const { binaries, sets, chart, track, limit } = run;
  const lintTasks = binaries.flatMap((h) => sets.map((s) => () => helmLint(h, chart, s.file, s.source)));
  // A release name per set: checkov's graph checks (is a pod selected by a NetworkPolicy?) match pod
  // labels across all files of one run, whatever their namespace.
  const renderTasks = sets.map((s, i) => async () => {
    const r = await helmTemplate(binaries[0], chart, { valuesFiles: s.file ? [s.file] : [], release: `lint${i}` });
    return { set: s, r };
  });
  const [lintResults, renders, bump, workflowsLint] = await Promise.all([
    track(`helm lint (${lintTasks.length} runs)`, () => runLimited(lintTasks, limit)),
    track(`helm template (${renderTasks.length} renders)`, () => runLimited(renderTasks, limit)),
    track("version bump", () => checkVersionBump(run.root, run.base)),
    track("actionlint", () => actionlint(run.root)),
  ]);
  for (const r of lintResults) run.problems.push(...r);
  add(run, bump);
  if (bump.base) run.notes.push(`version-bump base: ${bump.base.ref} (${bump.base.why})`);
  add(run, workflowsLint);
  return renders;
}

/** Best practices on each render; returns the renders that succeeded, for yamllint and checkov. */
async function bestPractices(run: LintRun, renders: SetRender[]): Promise<Rendered[]> {
  const used = new Set<number>();
  const rendered: Rendered[] = [];
  await run.track("best practices", () => {
    for (const { set, r } of renders) {
      if (!r.ok) {
        run.problems.push({ rule: "render", file: set.source, message: `${run.binaries[0].id}: helm template failed: ${r.stderr.trim().split("\n").slice(-2).join(" ")}` });
        continue;
      }
      rendered.push({ source: set.source, yaml: r.stdout.endsWith("\n") ? r.stdout : `${r.stdout}\n` });
      let objects;
      try {
        objects = parseManifests(r.stdout);
      } catch (e) {
        run.problems.push({ rule: "render", file: set.source, message: `rendered output is not YAML: ${(e as Error).message.split("\n")[0]}` });
        continue;
      }
      const render: Render = { source: set.source, objects, values: set.file ? ((load(readFileSync(set.file, "utf8")) as Record<string, unknown> | null) ?? {}) : {} };
      run.problems.push(...checkBestPractices(render, exemptions, used).problems);
    }
  });
  // Only meaningful when every set rendered: a failed render leaves exemptions unused for no reason.
  if (rendered.length === run.sets.length) run.problems.push(...staleExemptions(exemptions, used));
  return rendered;
}

/** yamllint on the repository's YAML and on the renders, and checkov on the renders, at once. */
async function renderedChecks(run: LintRun, rendered: Rendered[]): Promise<void> {
  const files = yamlFiles(run.root, run.sets);
  const [own, out, scanned] = await Promise.all([
    run.track(`yamllint (${files.length} files)`, () => yamllintFiles(run.root, files)),
    run.track(`yamllint on the renders (${rendered.length})`, () => yamllintRendered(rendered)),
    run.checkov ? run.track(`checkov (${rendered.length} renders)`, () => runCheckov(rendered)) : undefined,
  ]);
  add(run, own);
  add(run, out);
  if (scanned instanceof Map) checkovFailures(run, scanned, rendered);
  else if (scanned) add(run, scanned);
  else run.notes.push("checkov left out (--no-checkov)");
}

/** Chart.yaml, values.yaml, the values cases and the workflows (repository-relative). */
function yamlFiles(root: string, sets: ValueSet[]): string[] {
  const workflows = join(root, ".github", "workflows");
  return [
    "chart/Chart.yaml",
    "chart/values.yaml",
    ...sets.filter((s) => s.file).map((s) => s.source),
    ...(existsSync(workflows) ? readdirSync(workflows).filter((f) => /\.ya?ml$/.test(f)).map((f) => `.github/workflows/${f}`) : []),
  ];
}

/** Checkov's failures less the exempt ones, stale exemptions, and the by-design counts README.md states. */
function checkovFailures(run: LintRun, scanned: Map<string, CheckovFailure[]>, rendered: Rendered[]): void {
  const usedCheckov = new Set<number>();
  const counts = new Map<string, number>();
  for (const [source, failures] of scanned) {
    run.problems.push(...unexempted(source, failures, checkovExemptions, usedCheckov));
    const ds = parseManifests(rendered.find((r) => r.source === source)!.yaml).find((o) => o.kind === "DaemonSet");
    counts.set(source, daemonSetCount(failures, ds?.metadata.name ?? ""));
  }
  if (rendered.length === run.sets.length) run.problems.push(...staleCheckovExemptions(checkovExemptions, usedCheckov));
  run.problems.push(...readmeCountProblems(join(run.root, "README.md"), counts));
  run.notes.push(`checkov: ${[...counts].filter(([s]) => /values\.yaml|least-privilege-network-policy/.test(s)).map(([s, n]) => `${n} by-design failure(s) on the DaemonSet of ${s}`).join(", ")}`);
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { base: { type: "string" }, "no-checkov": { type: "boolean" }, help: { type: "boolean", short: "h" } } });
  if (values.help) {
    console.log("usage: npm run lint [-- --base <git ref>] [--no-checkov]\nRuns every chart check and prints one line per problem: <rule> <file>: <message>.");
    process.exit(0);
  }
  const started = Date.now();
  // Progress on stderr, only on a terminal outside CI: stdout stays exactly the report below.
  const progress = lintProgress(process.stderr);
  let result: Awaited<ReturnType<typeof lint>>;
  try {
    result = await lint({ base: values.base, checkov: !values["no-checkov"], progress });
  } finally {
    progress.end();
  }
  for (const n of result.notes) console.log(`note: ${n}`);
  for (const s of result.skipped) console.log(`skipped: ${s.check}: ${s.reason} (a problem when CI=true)`);
  for (const p of result.problems) console.log(formatProblem(p));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`lint: ${result.problems.length} problem(s), ${result.skipped.length} check(s) skipped, ${seconds}s`);
  process.exit(result.problems.length ? 1 : 0);
}
