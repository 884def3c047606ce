// The Markdown summary, sized for a GitHub step summary (which caps at 1 MiB): a verdict, a grid of
// failing cases only (passing ones are counted, not listed), and the first failures in full.
import { formatFailure, type MatrixResult } from "./run.ts";

const MAX_FAILURE_LINES = 200;

const esc = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function markdownReport(r: MatrixResult): string {
  const failed = r.cells.filter((c) => !c.ok);
  const lines: string[] = [];
  lines.push(`## Chart matrix: ${r.ok ? "passed" : "FAILED"}`);
  lines.push("");
  lines.push(
    `${r.cells.length} cells (${r.cases.length} cases x ${r.helms.map((h) => `Helm ${h.version}`).join(", ")} x Kubernetes ${r.kubes.map((k) => k.minor).join(", ")}), ` +
      `${r.cells.length - failed.length} passed, ${failed.length} failed; ${r.processes} helm processes, ${(r.wallMs / 1000).toFixed(1)} s` +
      `${r.mode === "single" ? ", one process per cell" : ", batched"}${r.verifyBatching ? ", batching verified against single renders" : ""}.`,
  );
  if (failed.length === 0) return `${lines.join("\n")}\n`;
  const columns = r.helms.flatMap((h) => r.kubes.map((k) => ({ helm: h.id, kube: k.minor })));
  const byKey = new Map(r.cells.map((c) => [`${c.case}|${c.helm}|${c.kube}`, c]));
  lines.push("", "| case | " + columns.map((c) => `${c.helm} ${c.kube}`).join(" | ") + " |", "|---|" + columns.map(() => ":-:").join("|") + "|");
  for (const name of [...new Set(failed.map((c) => c.case))]) {
    const marks = columns.map((col) => {
      const cell = byKey.get(`${name}|${col.helm}|${col.kube}`);
      return !cell ? "" : cell.ok ? "ok" : `**${[...new Set(cell.failures.map((f) => f.rule))].join(", ")}**`;
    });
    lines.push(`| ${esc(name)} | ${marks.join(" | ")} |`);
  }
  const all = failed.flatMap((c) => c.failures.map((f) => formatFailure(c, f)));
  lines.push("", "<details><summary>Failures</summary>", "", "```text", ...all.slice(0, MAX_FAILURE_LINES));
  if (all.length > MAX_FAILURE_LINES) lines.push(`... and ${all.length - MAX_FAILURE_LINES} more (see the JSON or HTML report)`);
  lines.push("```", "", "</details>");
  return `${lines.join("\n")}\n`;
}
