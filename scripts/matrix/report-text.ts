// The terminal and CI log summary of the failures: one line per distinct failure (rule, object,
// path, message) with how many cells show it and the first of them, so one broken template reads as
// one line, not one per case x Helm x Kubernetes version. The JSON, Markdown and HTML reports keep
// every cell's failures (report-json.ts, report-markdown.ts, report-html.ts).
import type { CellResult, Failure } from "./run.ts";

export interface FailureGroup {
  failure: Failure;
  /** Cells showing this failure, in the order given (the matrix's: case, Helm, Kubernetes version). */
  cells: Pick<CellResult, "case" | "helm" | "kube">[];
}

/** The failures of `cells` grouped by (rule, object, path, message), in order of first appearance. */
export function groupFailures(cells: Pick<CellResult, "case" | "helm" | "kube" | "failures">[]): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const c of cells) {
    for (const f of c.failures) {
      const key = JSON.stringify([f.rule, f.object ?? "", f.path ?? "", f.message]);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { failure: f, cells: [] }));
      // A cell that reports the same failure twice (two containers, say) counts once.
      const last = g.cells[g.cells.length - 1];
      if (!last || last.case !== c.case || last.helm !== c.helm || last.kube !== c.kube) g.cells.push({ case: c.case, helm: c.helm, kube: c.kube });
    }
  }
  return [...groups.values()];
}

/** `FAIL <rule>: <object> <path>: <message> (<n> cells, e.g. <case> [<helm>, Kubernetes <minor>])`, or `(1 cell: ...)`. */
export function formatGroup(g: FailureGroup): string {
  const f = g.failure;
  const where = [f.object, f.path].filter(Boolean).join(" ");
  const e = g.cells[0];
  const n = g.cells.length;
  return `FAIL ${f.rule}: ${where ? `${where}: ` : ""}${f.message} (${n === 1 ? "1 cell:" : `${n} cells, e.g.`} ${e.case} [${e.helm}, Kubernetes ${e.kube}])`;
}
