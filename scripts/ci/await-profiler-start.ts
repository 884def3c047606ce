// Waits until every profiler pod of a release has logged the profiler's own start-up lines, and fails
// at once, with the container's exit and its last log, when a container exits or restarts: a crash
// loop (such as v0.4.0's entrypoint mounting debugfs without SYS_ADMIN) is a failure to name, not a
// time-out to wait for. The workflow's kind job runs it against the real image; the node tier runs it
// against the stand-in, in a crash loop and in a good start, so both outcomes are proven.
//
//   node scripts/ci/await-profiler-start.ts -n NAMESPACE -l SELECTOR --expect LINE [--expect LINE]
//        [--timeout SECONDS] [--kubectl PATH]
//
// Progress goes to stderr on a terminal; in CI only the outcome is printed.
import { execa } from "execa";
import { pinnedKubectl } from "../lib/pinned-tools.ts";
import { redactKeys } from "../lib/redact.ts";

export interface AwaitOptions {
  namespace: string;
  selector: string;
  /** Lines (substrings) every profiler container's log must hold. */
  expect: string[];
  timeoutMs: number;
  kubectl?: string;
  env?: Record<string, string>;
  log?: (line: string) => void;
}

export interface AwaitResult {
  ok: boolean;
  /** What was seen, for a person: the lines found, or why it failed (exit, reason, last log lines). */
  message: string;
}

/** How a container has exited, if it has: its current or last terminated state, or a restart. */
export function exitOf(status: any): string | undefined {
  const term = status?.state?.terminated ?? status?.lastState?.terminated;
  const waiting = status?.state?.waiting?.reason;
  if (!term && !(status?.restartCount > 0) && waiting !== "CrashLoopBackOff") return undefined;
  const code = term ? ` with code ${term.exitCode}${term.reason ? ` (${term.reason})` : ""}` : "";
  // The runtime's own words, where it gave some (e.g. "unable to apply caps: operation not permitted").
  const why = term?.message?.trim() ? ` (${term.message.trim()})` : "";
  return `container ${status.name} exited${code}, restarts: ${status.restartCount ?? 0}${waiting ? `, now ${waiting}` : ""}${why}`;
}

export async function awaitProfilerStart(o: AwaitOptions): Promise<AwaitResult> {
  const kubectl = (args: string[]) => execa(o.kubectl ?? pinnedKubectl.path, args, { reject: false, env: o.env });
  const deadline = Date.now() + o.timeoutMs;
  let last = "no pod yet";
  while (Date.now() < deadline) {
    const got = await kubectl(["get", "pods", "-n", o.namespace, "-l", o.selector, "-o", "json"]);
    const pods: any[] = got.exitCode === 0 ? JSON.parse(got.stdout).items : [];
    for (const pod of pods) {
      for (const c of pod.status?.containerStatuses ?? []) {
        const exit = exitOf(c);
        if (!exit) continue;
        // The log of the run that ended: --previous once it restarted, else the current (exited) one.
        const prev = await kubectl(["logs", "-n", o.namespace, pod.metadata.name, "-c", c.name, ...(c.restartCount > 0 ? ["--previous"] : []), "--tail", "20"]);
        return { ok: false, message: `FAIL: pod ${pod.metadata.name}: ${exit}. Its last log lines:\n${redactKeys((prev.stdout || prev.stderr).trimEnd())}` };
      }
    }
    const running = pods.filter((p) => p.status?.containerStatuses?.some((c: any) => c.state?.running));
    if (pods.length > 0 && running.length === pods.length) {
      const missing: string[] = [];
      for (const pod of pods) {
        const logs = await kubectl(["logs", "-n", o.namespace, pod.metadata.name, "--all-containers"]);
        for (const line of o.expect) if (!logs.stdout.includes(line)) missing.push(`${pod.metadata.name}: ${line}`);
      }
      if (missing.length === 0) return { ok: true, message: `OK: ${pods.length} pod(s) logged ${o.expect.map((l) => JSON.stringify(l)).join(" and ")}` };
      last = `waiting for ${missing.join("; ")}`;
    } else {
      last = pods.length ? `${running.length}/${pods.length} pods running` : "no pod yet";
    }
    o.log?.(last);
    await new Promise((r) => setTimeout(r, 2000));
  }
  return { ok: false, message: `FAIL: timed out after ${Math.round(o.timeoutMs / 1000)}s (${last})` };
}

function parseArgs(argv: string[]): AwaitOptions {
  const o: AwaitOptions = { namespace: "", selector: "", expect: [], timeoutMs: 300_000 };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case "-n":
      case "--namespace":
        o.namespace = v;
        i++;
        break;
      case "-l":
      case "--selector":
        o.selector = v;
        i++;
        break;
      case "--expect":
        o.expect.push(v);
        i++;
        break;
      case "--timeout":
        o.timeoutMs = Number(v) * 1000;
        i++;
        break;
      case "--kubectl":
        o.kubectl = v;
        i++;
        break;
      default:
        throw new Error(`unknown argument ${argv[i]}. Allowed: -n NAMESPACE, -l SELECTOR, --expect LINE, --timeout SECONDS, --kubectl PATH`);
    }
  }
  if (!o.namespace || !o.selector || o.expect.length === 0) throw new Error("-n NAMESPACE, -l SELECTOR and at least one --expect LINE are required");
  if (!(o.timeoutMs > 0)) throw new Error("--timeout must be a positive number of seconds");
  return o;
}

if (import.meta.main) {
  const o = parseArgs(process.argv.slice(2));
  const terminal = process.stderr.isTTY && process.env.CI !== "true";
  const r = await awaitProfilerStart({ ...o, kubectl: o.kubectl ?? "kubectl", log: terminal ? (l) => process.stderr.write(`[await] ${l}\n`) : undefined });
  console.log(r.message);
  process.exitCode = r.ok ? 0 : 1;
}
