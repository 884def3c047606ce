// How a fuzz run is printed: one line per failure, and a summary with the figures README quotes.
import type { Finding, FuzzResult } from "./run.ts";

export function formatFinding(f: Finding): string {
  const where = [f.object, f.path].filter(Boolean).join(" ");
  return `file ${f.index} (${f.how}) [${f.helm}] ${f.rule}: ${where ? `${where}: ` : ""}${f.message.split("\n").join(" | ")}`;
}

export function formatSummary(r: FuzzResult): string {
  const n = r.renders;
  const top = r.refusedKeys.slice(0, 6).map(([k, c]) => `${k} ${c}`).join(", ");
  return [
    `${r.ok ? "PASS" : "FAIL"} ${r.chart.name} ${r.chart.version}: ${r.files.total} files (${r.files.perKey} one key, ${r.files.acrossKeys} several keys), seed ${r.seed}`,
    `  ${n.total} renders (${r.helms.map((h) => `${h.id} ${h.version}`).join(", ")}; Kubernetes ${r.kube.version} schemas${r.judge ? `, ${r.judge}` : ""}): ` +
      `${n.rendered} rendered, ${n.refusedByChart} refused by the chart, ${n.refusedBySchema} by values.schema.json, ${n.failed} failed`,
    ...(top ? [`  refusals by key: ${top}`] : []),
    `  ${r.findings.length} failures, ${r.minimal.length} shrunk; ${r.processes} helm processes, ${(r.wallMs / 1000).toFixed(1)} s`,
  ].join("\n");
}
