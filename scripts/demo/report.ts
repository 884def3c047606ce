// What `npm run demo` prints of the profiler pod: each start-up step of the stand-in's report (or the
// real profiler's log), the container it got, and where it sends.
import { binarySteps } from "../profiler/startup.ts";
import { redactKeys } from "../lib/redact.ts";

export interface DemoReport {
  pod: string;
  log: string;
  /** The stand-in's STANDIN-REPORT line, parsed; absent for a real image. */
  standin?: {
    uid: number;
    caps: Record<string, string[]>;
    seccomp: string;
    rootfs: string;
    noNewPrivs: string;
    env: Record<string, string>;
    keys: Record<string, { present: boolean }>;
    steps: { id: string; ok: boolean; skipped?: boolean; error?: string; detail?: string }[];
  };
}

export function formatReport(r: DemoReport, o: { standin: boolean; agent: string; appVersion: string }): string {
  if (!r.standin) return `The profiler's log so far:\n${redactKeys(r.log.trimEnd())}`;
  const s = r.standin;
  const lines = [`Profiler start-up (the stand-in replaying v${o.appVersion}'s steps, scripts/profiler/startup.ts):`];
  for (const step of s.steps) {
    const fatal = binarySteps.find((b) => b.id === step.id)?.fatal;
    // A non-fatal step that fails is a warning in the profiler's log too (e.g. no symbol upload without keys).
    const mark = step.skipped ? "SKIPPED" : step.ok ? "ok     " : fatal ? "FAILED " : "warning";
    lines.push(`  ${mark} ${step.id.padEnd(22)} ${step.skipped || !step.ok ? (step.error ?? "") : (step.detail ?? "")}`.trimEnd());
  }
  const skipped = s.steps.filter((x) => x.skipped);
  if (skipped.length) lines.push(`  (${skipped.length} step(s) SKIPPED: this node cannot pass them, and the real v${o.appVersion} exits at the first; the lines are its own)`);
  lines.push("Container:");
  lines.push(`  uid ${s.uid}, no_new_privs ${s.noNewPrivs}, seccomp mode ${s.seccomp}, root filesystem ${s.rootfs}`);
  lines.push(`  capabilities ${s.caps.CapEff.join(", ") || "none"}`);
  lines.push("Sends to:");
  lines.push(`  DD_TRACE_AGENT_URL ${s.env.DD_TRACE_AGENT_URL} (the Datadog chart's node-local Service, ${o.agent}), DD_SITE ${s.env.DD_SITE}`);
  lines.push(`  API key ${s.keys.DD_API_KEY?.present ? "set (from a Secret)" : "not set: local symbols are not uploaded"}`);
  return lines.join("\n");
}
