// Chart version bump: when anything under chart/ differs from a base, the version must be greater
// than the base's.
//
// Which base (first match wins):
//   1. --base REF (or LINT_BASE_REF): what CI passes for a pull request (the target branch).
//   2. merge-base(HEAD, origin/main) when HEAD is ahead of it: a branch is compared with the point
//      it left main, as chart-testing does.
//   3. On main itself (HEAD is origin/main, or there is no remote): the newest release tag
//      reachable from HEAD (v<chart version>, see RELEASING in README). What was published under a
//      version must never change under the same version; work in progress between two releases
//      can change freely until the next release bumps it once.
//   4. No release tag yet: the repository's first commit. A chart that did not exist there is new,
//      and a new chart needs no bump.
// HEAD~1 was considered and refused: on a main that collects several commits per change, it would
// force a bump per commit, or miss a change made two commits ago.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { load } from "js-yaml";
import type { CheckResult } from "./report.ts";
import { compareSemver, parseSemver } from "./semver.ts";

const CHART = "chart/Chart.yaml";

async function git(root: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  const r = await execa("git", args, { cwd: root, reject: false });
  return { ok: r.exitCode === 0, out: String(r.stdout).trim() };
}

export interface Base {
  ref: string;
  commit: string;
  why: string;
}

export async function resolveBase(root: string, explicit?: string): Promise<Base | { error: string }> {
  const commitOf = async (ref: string) => {
    const r = await git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    return r.ok ? r.out : undefined;
  };
  const given = explicit ?? process.env.LINT_BASE_REF;
  if (given) {
    const commit = await commitOf(given);
    if (!commit) return { error: `base ref "${given}" is not a commit here (shallow clone? fetch it, e.g. actions/checkout with fetch-depth: 0)` };
    const mb = await git(root, ["merge-base", "HEAD", commit]);
    return { ref: given, commit: mb.ok ? mb.out : commit, why: "given with --base (merge-base with HEAD)" };
  }
  const head = await commitOf("HEAD");
  if (!head) return { error: "not a git repository with commits: pass --base or run inside a clone" };
  const main = await commitOf("origin/main");
  if (main) {
    const mb = await git(root, ["merge-base", "HEAD", main]);
    if (mb.ok && mb.out !== head) return { ref: "origin/main", commit: mb.out, why: "where this branch left origin/main" };
  }
  const tag = await git(root, ["describe", "--tags", "--abbrev=0", "--match", "v[0-9]*", "HEAD"]);
  if (tag.ok && tag.out) {
    const commit = await commitOf(tag.out);
    if (commit) return { ref: tag.out, commit, why: "the newest release tag reachable from HEAD" };
  }
  const roots = await git(root, ["rev-list", "--max-parents=0", "HEAD"]);
  const first = roots.out.split("\n").pop() ?? head;
  return { ref: first.slice(0, 12), commit: first, why: "no release tag yet: the repository's first commit" };
}

export async function checkVersionBump(root: string, explicit?: string): Promise<CheckResult & { base?: Base }> {
  const rule = "version-bump";
  const base = await resolveBase(root, explicit);
  if ("error" in base) return { problems: [{ rule, file: CHART, message: base.error }], skipped: [] };
  const changed = new Set<string>();
  const diff = await git(root, ["diff", "--name-only", base.commit, "--", "chart"]);
  if (!diff.ok) return { problems: [{ rule, file: CHART, message: `git diff against ${base.ref} failed` }], skipped: [], base };
  for (const f of diff.out.split("\n")) if (f) changed.add(f);
  const untracked = await git(root, ["ls-files", "--others", "--exclude-standard", "--", "chart"]);
  for (const f of untracked.out.split("\n")) if (f) changed.add(f);
  if (changed.size === 0) return { problems: [], skipped: [], base };

  const old = await git(root, ["show", `${base.commit}:${CHART}`]);
  if (!old.ok) return { problems: [], skipped: [], base }; // the chart is new since the base
  const version = (text: string) => {
    try {
      const doc = load(text) as { version?: unknown } | null;
      return typeof doc?.version === "string" ? doc.version : undefined;
    } catch {
      return undefined;
    }
  };
  const before = version(old.out);
  const now = version(readFileSync(join(root, CHART), "utf8"));
  const a = before ? parseSemver(before) : undefined;
  const b = now ? parseSemver(now) : undefined;
  if (!a || !b) return { problems: [], skipped: [{ check: rule, reason: `cannot compare versions "${before}" and "${now}" (chart-yaml/semver says why)` }], base };
  if (compareSemver(b, a) <= 0) {
    const files = [...changed].sort();
    const shown = files.slice(0, 5).join(", ") + (files.length > 5 ? `, and ${files.length - 5} more` : "");
    return {
      problems: [{ rule, file: CHART, message: `chart/ changed since ${base.ref} (${base.why}): ${shown}; version ${now} must be greater than ${before} there. Bump version, and add its CHANGELOG.md section and artifacthub.io/changes` }],
      skipped: [],
      base,
    };
  }
  return { problems: [], skipped: [], base };
}
