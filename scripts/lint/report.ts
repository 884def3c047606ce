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

/** Where progress goes: process.stderr, or a fake in tests. */
export interface ProgressStream {
  isTTY?: boolean;
  /** The terminal's width: the status line is cut to it, so it never wraps and stays on one line. */
  columns?: number;
  write(s: string): unknown;
}

/** Checks being timed: `track` wraps one check, `end` clears the status line before the report prints. */
export interface Progress {
  track<T>(check: string, work: () => T | Promise<T>): Promise<T>;
  end(): void;
}

const quiet: Progress = { track: async (_check, work) => work(), end: () => {} };

/**
 * Progress for a person at a terminal: one line per finished check with its time ("done helm lint
 * (122 runs) 4.1s"), and a status line updated in place with what still runs. Nothing at all when
 * `stream` is not a TTY or CI=true, so a CI log and piped output are exactly the report.
 */
export function lintProgress(stream: ProgressStream, env: Record<string, string | undefined> = process.env, tickMs = 500): Progress {
  if (!stream.isTTY || env.CI === "true") return quiet;
  const started = Date.now();
  const running = new Map<string, number>();
  let timer: ReturnType<typeof setInterval> | undefined;
  const secs = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;
  const status = (): void => {
    const now = Date.now();
    const list = [...running].map(([name, t]) => `${name} ${secs(now - t)}`).join(", ");
    const line = list ? `lint ${secs(now - started)}: running ${list}` : "";
    const width = (stream.columns ?? 0) - 1;
    stream.write(`\r\x1b[2K${width > 0 && line.length > width ? `${line.slice(0, width - 3)}...` : line}`);
  };
  return {
    async track<T>(check: string, work: () => T | Promise<T>): Promise<T> {
      const t = Date.now();
      running.set(check, t);
      status();
      if (!timer) {
        timer = setInterval(status, tickMs);
        timer.unref?.();
      }
      let outcome = "error";
      try {
        const r = await work();
        outcome = "done";
        return r;
      } finally {
        running.delete(check);
        if (running.size === 0 && timer) {
          clearInterval(timer);
          timer = undefined;
        }
        stream.write(`\r\x1b[2K${outcome} ${check} ${secs(Date.now() - t)}\n`);
        status();
      }
    },
    end(): void {
      if (timer) clearInterval(timer);
      timer = undefined;
      stream.write("\r\x1b[2K");
    },
  };
}
