// A self-contained HTML report (no external assets): a grid of cases x Helm x Kubernetes, each
// failing cell linked to its explanation (rule, object, field path, message) below the grid.
import { type MatrixResult } from "./run.ts";

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function htmlReport(r: MatrixResult): string {
  const failed = r.cells.filter((c) => !c.ok);
  const byKey = new Map(r.cells.map((c) => [`${c.case}|${c.helm}|${c.kube}`, c]));
  const anchor = (c: { case: string; helm: string; kube: string }): string => `f-${c.case}-${c.helm}-${c.kube}`.replace(/[^A-Za-z0-9_-]/g, "_");
  const head =
    `<tr><th rowspan="2">case</th>${r.helms.map((h) => `<th colspan="${r.kubes.length}">${esc(h.id)} <small>${esc(h.version)}</small></th>`).join("")}</tr>` +
    `<tr>${r.helms.map(() => r.kubes.map((k) => `<th title="${esc(k.version)}">${esc(k.minor)}</th>`).join("")).join("")}</tr>`;
  const rows = r.cases
    .map((cs) => {
      const cells = r.helms
        .flatMap((h) =>
          r.kubes.map((k) => {
            const c = byKey.get(`${cs.name}|${h.id}|${k.minor}`);
            if (!c) return `<td class="na">-</td>`;
            if (c.ok) return `<td class="ok" title="${c.objects} objects, ${c.rendering} render">&#10003;</td>`;
            const rules = [...new Set(c.failures.map((f) => f.rule))].join(", ");
            return `<td class="bad"><a href="#${anchor(c)}" title="${esc(rules)}">&#10007;</a></td>`;
          }),
        )
        .join("");
      return `<tr><th class="case" title="${esc(cs.description)}">${esc(cs.name)}</th>${cells}</tr>`;
    })
    .join("\n");
  const details = failed
    .map(
      (c) =>
        `<section id="${anchor(c)}"><h3>${esc(c.case)} &middot; ${esc(c.helm)} (${esc(c.helmVersion)}) &middot; Kubernetes ${esc(c.kubeVersion)}</h3>` +
        `<p class="desc">${esc(r.cases.find((x) => x.name === c.case)?.description ?? "")}</p><table class="f"><tr><th>rule</th><th>object</th><th>field</th><th>message</th></tr>` +
        c.failures.map((f) => `<tr><td><code>${esc(f.rule)}</code></td><td>${esc(f.object ?? "")}</td><td><code>${esc(f.path ?? "")}</code></td><td><pre>${esc(f.message)}</pre></td></tr>`).join("") +
        `</table></section>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Chart matrix: ${r.ok ? "passed" : "FAILED"}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:2px 6px;text-align:center}
th.case{text-align:left;font-weight:normal;white-space:nowrap}
td.ok{background:#e6f4ea;color:#137333}td.bad{background:#fce8e6}td.bad a{color:#c5221f;text-decoration:none;font-weight:bold}
table.f td{text-align:left;vertical-align:top}pre{margin:0;white-space:pre-wrap}
.verdict{font-size:1.3em}.pass{color:#137333}.fail{color:#c5221f}.desc{color:#555}
</style></head><body>
<h1>${esc(r.chart.name)} ${esc(r.chart.version)} (app ${esc(r.chart.appVersion)}): chart matrix</h1>
<p class="verdict ${r.ok ? "pass" : "fail"}">${r.ok ? "All cells passed" : `${failed.length} of ${r.cells.length} cells failed`}</p>
<p>${r.cells.length} cells: ${r.cases.length} cases x ${r.helms.length} Helm x ${r.kubes.length} Kubernetes versions; ${r.processes} helm processes (${r.mode}${r.verifyBatching ? ", batching verified" : ""}), ${(r.wallMs / 1000).toFixed(2)} s. Hover a case for what it covers; click a failing cell for why.</p>
<table>${head}
${rows}
</table>
${failed.length ? `<h2>Failing cells</h2>\n${details}` : ""}
</body></html>
`;
}
