// `npm run bench`: the whole matrix the batched way and the naive way (one `helm template` process
// per cell) in one run, same cells, same checks, same concurrency; prints cells, wall time, cells per
// second and the ratio. Ratios are only compared within one run: the machine is noisy.
//
//   npm run bench [-- --case <glob>... --helm 3|4 --kube 1.NN --rounds N]
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { runMatrix, type MatrixOptions, type MatrixResult } from "./run.ts";

const { values: a } = parseArgs({
  options: {
    case: { type: "string", multiple: true },
    helm: { type: "string", multiple: true },
    kube: { type: "string", multiple: true },
    rounds: { type: "string", default: "1" },
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

const best = (name: string): MatrixResult => rows.filter((x) => x.name === name).sort((x, y) => x.r.wallMs - y.r.wallMs)[0].r;
const batched = best("batched");
const naive = best("one process per cell");
const failed = (r: MatrixResult): number => r.cells.filter((c) => !c.ok).length;
if (batched.cells.length !== naive.cells.length || failed(batched) !== failed(naive)) {
  console.error(`the two ways disagree: batched ${batched.cells.length} cells/${failed(batched)} failed, naive ${naive.cells.length}/${failed(naive)}`);
  process.exitCode = 1;
}

const line = (cols: string[]): string => cols.map((c, i) => (i === 0 ? c.padEnd(22) : c.padStart(11))).join(" ");
console.log(`command: npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}   (node ${process.version}, ${availableParallelism()} cores, concurrency ${concurrency}, best of ${a.rounds})`);
console.log(`matrix: ${batched.cases.length} cases x ${batched.helms.map((h) => `${h.id} ${h.version}`).join(", ")} x Kubernetes ${batched.kubes.map((k) => k.minor).join(", ")}`);
console.log(line(["way", "cells", "processes", "wall s", "cells/s", "failed"]));
for (const [name, r] of [["batched", batched], ["one process per cell", naive]] as const) {
  console.log(line([name, String(r.cells.length), String(r.processes), (r.wallMs / 1000).toFixed(2), (r.cells.length / (r.wallMs / 1000)).toFixed(0), String(failed(r))]));
}
console.log(`ratio: batched is ${(naive.wallMs / batched.wallMs).toFixed(1)}x faster than one process per cell`);
