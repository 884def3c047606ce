// `npm run matrix`: render, validate and check every case with every Helm at every Kubernetes version.
//
//   npm run matrix -- [--case <glob>]... [--helm 3|4]... [--kube 1.30]... [--verify-batching] [--single] [--no-reuse]
//                     [--json] [--markdown FILE] [--html FILE | --no-html] [--chart DIR] [--cases-dir DIR]
//
// A progress bar on a terminal (none when CI=true or not a TTY), then one line per distinct failure
// with the number of cells showing it (report-text.ts); --json, --markdown and the HTML report list
// every cell's failures. Exit code 1 when any cell fails, 2 on a usage error.
import { mkdirSync, writeFileSync, appendFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { helmMajors, parseCli } from "../lib/cli-args.ts";
import { repoRoot } from "../lib/paths.ts";
import { htmlReport } from "./report-html.ts";
import { jsonReport } from "./report-json.ts";
import { markdownReport } from "./report-markdown.ts";
import { formatGroup, groupFailures } from "./report-text.ts";
import { runMatrix, type CellResult } from "./run.ts";

const usage = `Usage: npm run matrix -- [options]
  --case <glob>       only cases whose name matches (repeatable; * and ?)
  --helm <3|4>        only this Helm major (repeatable)
  --kube <1.NN>       only this Kubernetes version (repeatable)
  --verify-batching   also render every cell on its own and compare object by object
  --single            one helm process per cell (the naive way; slow)
  --no-reuse          render every template at every Kubernetes version (see below)
  --json              print the full result as JSON on stdout
  --markdown <file>   write a Markdown summary (appended when it is $GITHUB_STEP_SUMMARY)
  --html <file>       write the HTML report (default reports/matrix.html); --no-html to skip
  --chart <dir>       chart to test (default chart/)
  --cases-dir <dir>   folder of case values files (default test/cases/)
  --batch-size <n>    cases per batch, 0 for one process per cell (default: measured per Helm, see below)
  --concurrency <n>   helm processes at once (default 2 x cores)

Batches are sized per Helm from timings taken on the first Kubernetes version (scripts/matrix/batch-plan.ts);
the choice and its reason are printed, and are in --json as "batching".
After the first version, only the templates that can see the Kubernetes version (through .Capabilities,
directly or through what they include) are rendered again; each case's other documents are reused from
its first render (scripts/matrix/kube-dependence.ts). What was reused and why is printed, and is in
--json as "reuse". --verify-batching compares every cell so obtained with a full single render.`;

const args = parseCli(
  {
    case: { type: "string", multiple: true },
    helm: { type: "string", multiple: true },
    kube: { type: "string", multiple: true },
    "verify-batching": { type: "boolean" },
    single: { type: "boolean" },
    "no-reuse": { type: "boolean" },
    json: { type: "boolean" },
    markdown: { type: "string" },
    html: { type: "string" },
    "no-html": { type: "boolean" },
    chart: { type: "string" },
    "cases-dir": { type: "string" },
    concurrency: { type: "string" },
    "batch-size": { type: "string" },
  },
  usage,
);
const batchSize = args["batch-size"] === undefined ? undefined : Number(args["batch-size"]);
if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 0)) {
  console.error(`--batch-size takes a whole number >= 0\n\n${usage}`);
  process.exit(2);
}
const helm = helmMajors(args.helm, usage);

// Human output goes to stderr when stdout carries JSON.
const say = (s: string): void => void (args.json ? process.stderr : process.stdout).write(`${s}\n`);
const tty = Boolean(process.stderr.isTTY) && process.env.CI !== "true" && !args.json;

let lastDraw = 0;
let failedCells = 0;
// Failures are printed once the matrix is done, grouped: the same failure in 24 cells is one line.
function progress(done: number, total: number, cell: CellResult): void {
  if (!cell.ok) failedCells++;
  if (!tty) return;
  const now = Date.now();
  if (done !== total && now - lastDraw < 50) return;
  lastDraw = now;
  const width = 30;
  const filled = Math.round((done / total) * width);
  const failed = failedCells ? `, ${failedCells} failed` : "";
  process.stderr.write(`\r\x1b[2K[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} cells${failed} ${cell.case} ${cell.helm} ${cell.kube}`);
  if (done === total) process.stderr.write("\r\x1b[2K");
}

try {
  const r = await runMatrix({
    chartDir: args.chart ? resolve(args.chart) : undefined,
    casesDir: args["cases-dir"] ? resolve(args["cases-dir"]) : undefined,
    cases: args.case,
    helm,
    kube: args.kube,
    mode: args.single ? "single" : "batched",
    verifyBatching: args["verify-batching"],
    reuse: !args["no-reuse"],
    concurrency: args.concurrency ? Number(args.concurrency) : undefined,
    batchSize,
    onProgress: progress,
  });
  const failed = r.cells.filter((c) => !c.ok);
  // From the finished cells, so failures of the rules across cells (added at the end) are in too.
  for (const g of groupFailures(failed)) say(formatGroup(g));
  const custom = [...new Set(r.cells.flatMap((c) => c.notValidated))];
  if (custom.length) say(`not validated (custom resources, no built-in schema): ${custom.join(", ")}`);
  for (const p of r.batching) say(`batching ${p.helm}: ${p.reason}`);
  if (r.mode === "batched") say(`reuse across Kubernetes versions: ${r.reuse.reason}`);
  say(`invariants (${r.invariants.scopes.join(" + ")}${r.invariants.scopes.includes("profiler") ? "" : `: ${r.chart.name} is not dd-otel-host-profiler, so only the generic ones`}): kubernetes-schema, ${r.invariants.names.join(", ")}`);
  say(
    `${r.ok ? "PASS" : "FAIL"} ${r.cells.length} cells (${r.cases.length} cases x ${r.helms.map((h) => h.id).join("+")} x Kubernetes ${r.kubes.map((k) => k.minor).join(",")}): ` +
      `${r.cells.length - failed.length} passed, ${failed.length} failed, ${r.processes} helm processes, ${(r.wallMs / 1000).toFixed(2)} s` +
      (r.verifyBatching ? ", batching verified against single renders" : ""),
  );
  const write = (file: string, text: string): void => {
    mkdirSync(dirname(file), { recursive: true });
    if (process.env.GITHUB_STEP_SUMMARY && resolve(file) === resolve(process.env.GITHUB_STEP_SUMMARY)) appendFileSync(file, text);
    else writeFileSync(file, text);
  };
  if (args.markdown) write(resolve(args.markdown), markdownReport(r));
  if (!args["no-html"]) {
    const file = resolve(args.html ?? join(repoRoot, "reports", "matrix.html"));
    write(file, htmlReport(r));
    say(`HTML report: ${file}`);
  }
  if (args.json) process.stdout.write(`${jsonReport(r)}\n`);
  process.exitCode = r.ok ? 0 : 1;
} catch (e) {
  console.error(`matrix: ${(e as Error).message}`);
  process.exitCode = 2;
}
