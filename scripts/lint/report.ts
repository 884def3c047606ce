// What every check returns, and how the lint prints it: one line per problem, "rule file: message".
export interface Problem {
  /** Rule name, e.g. "version-bump" or "manifest/resources": what a reader greps for. */
  rule: string;
  /** Repository-relative file the problem is about (or the case whose render shows it). */
  file: string;
  message: string;
}

/** A check that could not run here (a tool is absent outside CI); printed, never a failure. */
export interface Skip {
  check: string;
  reason: string;
}

export interface CheckResult {
  problems: Problem[];
  skipped: Skip[];
}

export function formatProblem(p: Problem): string {
  return `${p.rule} ${p.file}: ${p.message.replace(/\s*\n\s*/g, " ").trim()}`;
}

/** Drops exact duplicates (the same render problem seen twice) and sorts by file, then rule. */
export function normalize(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const p of problems) {
    const key = formatProblem(p);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  }
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.rule.localeCompare(b.rule) || a.message.localeCompare(b.message));
}

/** Whether a missing tool is a problem (CI=true) or a skipped check (a developer's machine). */
export function missingTool(check: string, file: string, what: string): CheckResult {
  if (process.env.CI === "true") {
    return { problems: [{ rule: check, file, message: `${what} is not installed, and CI=true requires every check to run` }], skipped: [] };
  }
  return { problems: [], skipped: [{ check, reason: `${what} is not installed` }] };
}
