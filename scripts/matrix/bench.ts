// `npm run bench`: the whole matrix the batched way and the naive way (one `helm template` process
// per cell) in one run, same cells, same checks, same concurrency; prints cells, wall time, cells per
// second and the ratio. Ratios are only compared within one run: the machine is noisy.
//
//   npm run bench [-- --case <glob>... --helm 3|4 --kube 1.NN --rounds N (default 3)]
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { runMatrix, type MatrixOptions, type MatrixResult } from "./run.ts";

const { values: a } = parseArgs({
  options: {
    case: { type: "string", multiple: true },
    helm: { type: "string", multiple: true },
    kube: { type: "string", multiple: true },
    rounds: { type: "string", default: "3" },
  },
});
const concurrency = Math.max(2, 2 * availableParallelism());
const base: MatrixOptions = { cases: a.case, helm: (a.helm ?? []).map(Number), kube: a.kube, concurrency };

// Warm-up: loads the schemas and compiles the validators once, so neither side pays for it.
await runMatrix({ ...base, cases: ["default"], kube: undefined });

const rows: { name: string; r: MatrixResult }[] = [];
for (let i = 0; i < Number(a.rounds); i++) {
  rows.push({ name: "batched", r: await runMatrix({ ...base, mode: "batched" }) });
  rows.push({ name: "one process per cell", r: await runMatrix({ ...base, mode: "single" }) });
}

// Rounds alternate between the two ways, so a busy spell of the machine hits both; each way keeps
// its best round (the least disturbed), and the median is printed beside it.
const sorted = (name: string): MatrixResult[] => rows.filter((x) => x.name === name).map((x) => x.r).sort((x, y) => x.wallMs - y.wallMs);
const median = (rs: MatrixResult[]): number => rs[Math.floor((rs.length - 1) / 2)].wallMs;
const batched = sorted("batched")[0];
const naive = sorted("one process per cell")[0];
const failed = (r: MatrixResult): number => r.cells.filter((c) => !c.ok).length;
if (batched.cells.length !== naive.cells.length || failed(batched) !== failed(naive)) {
  console.error(`the two ways disagree: batched ${batched.cells.length} cells/${failed(batched)} failed, naive ${naive.cells.length}/${failed(naive)}`);
  process.exitCode = 1;
}

const line = (cols: string[]): string => cols.map((c, i) => (i === 0 ? c.padEnd(22) : c.padStart(11))).join(" ");
console.log(`command: npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}   (node ${process.version}, ${availableParallelism()} cores, concurrency ${concurrency}, best of ${a.rounds} alternating rounds)`);
console.log(`matrix: ${batched.cases.length} cases x ${batched.helms.map((h) => `${h.id} ${h.version}`).join(", ")} x Kubernetes ${batched.kubes.map((k) => k.minor).join(", ")}`);
console.log(line(["way", "cells", "processes", "wall s", "cells/s", "median s", "failed"]));
for (const [name, r] of [["batched", batched], ["one process per cell", naive]] as const) {
  const med = median(sorted(name));
  console.log(line([name, String(r.cells.length), String(r.processes), (r.wallMs / 1000).toFixed(2), (r.cells.length / (r.wallMs / 1000)).toFixed(0), (med / 1000).toFixed(2), String(failed(r))]));
}
const medianRatio = median(sorted("one process per cell")) / median(sorted("batched"));
console.log(`ratio: batched is ${(naive.wallMs / batched.wallMs).toFixed(1)}x faster than one process per cell (best rounds; medians: ${medianRatio.toFixed(1)}x)`);
