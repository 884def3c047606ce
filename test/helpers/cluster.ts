// Helpers every cluster tier's tests share (the e2e tier and the node tier): Helm against a control
// plane, fresh namespaces, and polling until something holds.
import { type Helm, type HelmResult, runHelm } from "../../scripts/lib/helm.ts";
import { ensureNamespace } from "../../scripts/cluster/resources.ts";
import type { ControlPlane } from "../../scripts/cluster/control-plane.ts";

/** The label a namespace needs for the profiler's pods (hostPID, privileged or added capabilities). */
export const PSA_LABEL = "pod-security.kubernetes.io/enforce";
export const PSA_FIX = `${PSA_LABEL}=privileged`;

let nsCounter = 0;
/** A fresh namespace per test, labeled as asked (e.g. {[PSA_LABEL]: "privileged"}). */
export async function freshNamespace(cp: ControlPlane, prefix: string, labels: Record<string, string> = {}): Promise<string> {
  const name = `${prefix}-${process.pid % 10000}-${++nsCounter}`.toLowerCase().slice(0, 63);
  await ensureNamespace(cp, name, labels);
  return name;
}

/** helm against the control plane: --kubeconfig is passed explicitly, so nothing leaks from the user's env. */
export function helmOn(cp: ControlPlane, helm: Helm, args: string[]): Promise<HelmResult> {
  return runHelm(helm, [...args, "--kubeconfig", cp.kubeconfig]);
}

export function describeHelm(r: HelmResult): string {
  return `exit ${r.exitCode}\n--- stdout ---\n${r.stdout.slice(-3000)}\n--- stderr ---\n${r.stderr.slice(-3000)}`;
}

export async function until<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined | false>, intervalMs = 200): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}

/** "Don't wait" in each Helm's words: Helm 4 deprecated the boolean form of --wait. */
export function noWait(helm: Helm): string {
  return helm.major >= 4 ? "--wait=hookOnly" : "--wait=false";
}

/** Whether a process with `pid` exists (signal 0 delivers nothing). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
