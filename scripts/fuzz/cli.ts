// `npm run fuzz`: values files generated from a chart's values.schema.json, rendered with Helm 3 and
// Helm 4, and judged by the Kubernetes schemas and the invariants (and, with --api-server, a real
// kube-apiserver's server-side dry run). Each kind of failure is shrunk to a minimal values file,
// printed and saved under reports/fuzz/<chart>/seed-<seed>/.
//
//   npm run fuzz -- [--chart DIR] [--seed N] [--count N] [--values FILE] [--key K]... [--helm 3|4]... [--kube 1.NN] [--api-server] [--json]
//
// A progress bar on a terminal, quiet otherwise (CI=true or not a TTY); exit 1 when anything fails,
// 2 on a usage error.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { load } from "js-yaml";
import { helmMajors, parseCli } from "../lib/cli-args.ts";
import { chartDir as defaultChart, repoRoot } from "../lib/paths.ts";
import { formatSummary, formatFinding } from "./report.ts";
import { runFuzz, type FuzzOptions, type Judge } from "./run.ts";

const usage = `Usage: npm run fuzz -- [options]
  --chart <dir>      chart to fuzz (default chart/); it needs a values.schema.json
  --seed <n>         fast-check seed (default: a new one, printed so the run can be repeated)
  --count <n>        values files to generate (default 200)
  --values <file>    a values file every generated file is written over (for a chart that needs
                     some values to render at all)
  --key <key>        only draw this key and what it nests (dotted, repeatable; default every key)
  --helm <3|4>       only this Helm major (repeatable; default both)
  --kube <1.NN>      Kubernetes version whose schemas judge the objects (default the newest)
  --api-server       also apply every render with a server-side dry run to a real kube-apiserver
                     (started on 127.0.0.1; built once from the Go module proxy, see npm run test:e2e)
  --out <dir>        where minimal failing files go (default reports/fuzz)
  --max-shrinks <n>  kinds of failure to shrink (default 8)
  --json             print the result as JSON on stdout`;

const args = parseCli(
  {
    chart: { type: "string" },
    seed: { type: "string" },
    count: { type: "string" },
    key: { type: "string", multiple: true },
    values: { type: "string" },
    helm: { type: "string", multiple: true },
    kube: { type: "string" },
    "api-server": { type: "boolean" },
    out: { type: "string" },
    "max-shrinks": { type: "string" },
    json: { type: "boolean" },
  },
  usage,
);
const whole = (name: string, v: string | undefined, fallback: number, min = 0): number => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} takes a whole number >= ${min}, not "${v}"\n\n${usage}`);
    process.exit(2);
  }
  return n;
};
const seed = whole("seed", args.seed, Math.floor(Math.random() * 2 ** 31));
const count = whole("count", args.count, 200, 1);
const maxShrinks = whole("max-shrinks", args["max-shrinks"], 8);
const helm = helmMajors(args.helm, usage);

const say = (s: string): void => void (args.json ? process.stderr : process.stdout).write(`${s}\n`);
const tty = Boolean(process.stderr.isTTY) && process.env.CI !== "true" && !args.json;
let lastDraw = 0;
const progress = (done: number, total: number): void => {
  if (!tty) return;
  const now = Date.now();
  if (done !== total && now - lastDraw < 80) return;
  lastDraw = now;
  const filled = Math.round((done / total) * 30);
  process.stderr.write(`\r\x1b[2K[${"#".repeat(filled)}${".".repeat(30 - filled)}] ${done}/${total} renders`);
  if (done === total) process.stderr.write("\r\x1b[2K");
};

let stop: (() => Promise<void>) | undefined;
try {
  const chartDir = args.chart ? resolve(args.chart) : defaultChart;
  let judge: Judge | undefined;
  if (args["api-server"]) {
    const { apiServerJudge } = await import("./apiserver.ts");
    const { startControlPlane } = await import("../cluster/control-plane.ts");
    if (tty) process.stderr.write("starting kube-apiserver and etcd on 127.0.0.1 ...\n");
    const cp = await startControlPlane();
    stop = () => cp.stop();
    judge = await apiServerJudge(cp);
  }
  say(`fuzz: ${chartDir}, seed ${seed}, ${count} files (repeat with --seed ${seed})`);
    const baseValues = args.values ? ((load(readFileSync(resolve(args.values), "utf8")) ?? {}) as Record<string, unknown>) : undefined;
  const o: FuzzOptions = { chartDir, seed, count, baseValues, keys: args.key, helm, kube: args.kube, judge, outDir: resolve(args.out ?? join(repoRoot, "reports", "fuzz")), maxShrinks, onProgress: progress };
  const r = await runFuzz(o);
  for (const f of r.findings.slice(0, 50)) say(formatFinding(f));
  if (r.findings.length > 50) say(`... and ${r.findings.length - 50} more`);
  for (const m of r.minimal) say(`\nminimal file${m.file ? ` (${m.file})` : ""}:\n${m.yaml}`);
  say(formatSummary(r));
  if (args.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  process.exitCode = r.ok ? 0 : 1;
} catch (e) {
  console.error(`fuzz: ${(e as Error).message}`);
  process.exitCode = 2;
} finally {
  await stop?.();
}
