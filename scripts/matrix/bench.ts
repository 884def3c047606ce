// `npm run bench`: the matrix the batched way (batches sized per Helm by measurement, see
// batch-plan.ts; later Kubernetes versions render only what can see the version, see
// kube-dependence.ts), the batched way without that reuse, and the naive way (one `helm template`
// process per cell) in one run, same cells, same checks, same concurrency; prints cells, wall time,
// cells per second, the ratios, and what the batching and the reuse chose and why. Ratios are only
// compared within one run: the machine is noisy.
//
// Three charts, in this order: this repository's chart, then two fixture charts that are not it
// (test/fixtures/charts): files-reader (.Files, a .helmignore'd 1.9 MB folder) and tpl-heavy (every
// setting through tpl: much work per case, so batching saves little).
//
//   npm run bench:matrix [-- --chart this|files-reader|tpl-heavy ... --case <glob>... --helm 3|4 --kube 1.NN --rounds N (default 3)]
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { fixtureChart } from "../../test/fixtures/fixture-charts.ts";
import { runMatrix, type MatrixOptions, type MatrixResult } from "./run.ts";

const { values: a } = parseArgs({
  options: {
    chart: { type: "string", multiple: true },
    case: { type: "string", multiple: true },
    helm: { type: "string", multiple: true },
    kube: { type: "string", multiple: true },
    rounds: { type: "string", default: "3" },
  },
});
const concurrency = Math.max(2, 2 * availableParallelism());
const charts = a.chart ?? ["this", "files-reader", "tpl-heavy"];

const line = (cols: string[]): string => cols.map((c, i) => (i === 0 ? c.padEnd(22) : c.padStart(11))).join(" ");
console.log(`command: npm run bench:matrix${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}   (node ${process.version}, ${availableParallelism()} cores, concurrency ${concurrency}, best of ${a.rounds} alternating rounds)`);
let failedRun = false;

for (const name of charts) {
  const fixture = name === "this" ? undefined : fixtureChart(name as "files-reader" | "tpl-heavy");
  try {
    const base: MatrixOptions = {
      chartDir: fixture?.chartDir,
      casesDir: fixture?.casesDir,
      cases: name === "this" ? a.case : undefined,
      helm: (a.helm ?? []).map(Number),
      kube: a.kube,
      concurrency,
    };
    // Warm-up: loads the schemas, compiles the validators and pages Helm in, so neither side pays for it.
    await runMatrix({ ...base, kube: [a.kube?.[0] ?? "1.33"], batchSize: 0 });

    const rows: { name: string; r: MatrixResult }[] = [];
    for (let i = 0; i < Number(a.rounds); i++) {
      rows.push({ name: "batched", r: await runMatrix({ ...base, mode: "batched" }) });
      rows.push({ name: "batched, no reuse", r: await runMatrix({ ...base, mode: "batched", reuse: false }) });
      rows.push({ name: "one process per cell", r: await runMatrix({ ...base, mode: "single" }) });
    }
    // Rounds alternate between the two ways, so a busy spell of the machine hits both; each way keeps
    // its best round (the least disturbed), and the median is printed beside it.
    const sorted = (way: string): MatrixResult[] => rows.filter((x) => x.name === way).map((x) => x.r).sort((x, y) => x.wallMs - y.wallMs);
    const median = (rs: MatrixResult[]): number => rs[Math.floor((rs.length - 1) / 2)].wallMs;
    const batched = sorted("batched")[0];
    const noReuse = sorted("batched, no reuse")[0];
    const naive = sorted("one process per cell")[0];
    const failed = (r: MatrixResult): number => r.cells.filter((c) => !c.ok).length;
    console.log(`\nchart: ${name === "this" ? "this repository's chart (chart/)" : `fixture ${name} (test/fixtures/charts/${name})`}, ${batched.chart.name} ${batched.chart.version}`);
    console.log(`matrix: ${batched.cases.length} cases x ${batched.helms.map((h) => `${h.id} ${h.version}`).join(", ")} x Kubernetes ${batched.kubes.map((k) => k.minor).join(", ")}`);
    for (const r of [batched, noReuse]) {
      if (r.cells.length !== naive.cells.length || failed(r) !== failed(naive)) {
        console.error(`the ways disagree: batched ${r.cells.length} cells/${failed(r)} failed, naive ${naive.cells.length}/${failed(naive)}`);
        failedRun = true;
      }
    }
    console.log(line(["way", "cells", "processes", "wall s", "cells/s", "median s", "failed"]));
    for (const [way, r] of [["batched", batched], ["batched, no reuse", noReuse], ["one process per cell", naive]] as const) {
      const med = median(sorted(way));
      console.log(line([way, String(r.cells.length), String(r.processes), (r.wallMs / 1000).toFixed(2), (r.cells.length / (r.wallMs / 1000)).toFixed(0), (med / 1000).toFixed(2), String(failed(r))]));
    }
    const ratio = (way: string, r: MatrixResult): string =>
      `${(naive.wallMs / r.wallMs).toFixed(1)}x faster than one process per cell (best rounds; medians: ${(median(sorted("one process per cell")) / median(sorted(way))).toFixed(1)}x)`;
    console.log(`ratio: batched is ${ratio("batched", batched)}`);
    console.log(`       batched without reuse across Kubernetes versions is ${ratio("batched, no reuse", noReuse)}`);
    for (const p of batched.batching) console.log(`batching ${p.helm} (best round): ${p.reason}`);
    console.log(`reuse across Kubernetes versions: ${batched.reuse.reason}`);
    const choices = sorted("batched").map((r) => r.batching.map((p) => `${p.helm} ${p.size === 0 ? "single" : p.size}`).join("/"));
    console.log(`batch sizes chosen in the ${choices.length} batched rounds: ${choices.join("; ")}`);
  } finally {
    fixture?.cleanup();
  }
}
if (failedRun) process.exitCode = 1;
