// The machine-readable report: the MatrixResult as JSON, plus each failure's one-line form.
import { formatFailure, type MatrixResult } from "./run.ts";

export function jsonReport(r: MatrixResult): string {
  const failures = r.cells.flatMap((c) => c.failures.map((f) => ({ case: c.case, helm: c.helm, kube: c.kube, ...f, line: formatFailure(c, f) })));
  const summary = { cells: r.cells.length, passed: r.cells.filter((c) => c.ok).length, failed: r.cells.filter((c) => !c.ok).length, processes: r.processes, wallMs: Math.round(r.wallMs) };
  return JSON.stringify({ summary, ...r, wallMs: Math.round(r.wallMs), failures }, null, 2);
}
