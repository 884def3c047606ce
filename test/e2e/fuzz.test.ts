// The fuzz tier against a real control plane: the generated corpus (scripts/fuzz) rendered with Helm 3
// and Helm 4, and every render that passes the schemas and invariants applied with a server-side dry
// run (dryRun=All, strict field validation). The API server's own validation is the judge: no values
// file the schema accepts may reach it and be refused, and none may break a template.
// FUZZ_SEED and FUZZ_COUNT change the corpus; a failure prints the minimal file to replay with
// `npm run fuzz -- --api-server --seed N`.
import { afterAll, beforeAll, expect, it } from "vitest";
import { apiServerJudge } from "../../scripts/fuzz/apiserver.ts";
import { formatFinding, formatSummary } from "../../scripts/fuzz/report.ts";
import { runFuzz, type FuzzResult } from "../../scripts/fuzz/run.ts";
import { helms } from "../../scripts/lib/helm.ts";
import { type ControlPlane, startControlPlane } from "../../scripts/cluster/control-plane.ts";
import { chartDir } from "./lib.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const COUNT = Number(process.env.FUZZ_COUNT ?? 1000);
const HELMS = await helms();

let cp: ControlPlane;
let r: FuzzResult;
beforeAll(async () => {
  cp = await startControlPlane();
  r = await runFuzz({ chartDir, seed: SEED, count: COUNT, judge: await apiServerJudge(cp), maxShrinks: 4, shrinkMs: 30_000 });
  process.stderr.write(`[fuzz] ${formatSummary(r)}\n`);
}, 900_000);
afterAll(async () => {
  await cp?.stop();
});

const report = (): string => [...r.findings.slice(0, 30).map(formatFinding), ...r.minimal.map((m) => `minimal file:\n${m.yaml}`), formatSummary(r)].join("\n");

it(`renders ${COUNT} generated values files (seed ${SEED}) with ${HELMS.map((h) => h.id).join(" and ")}`, () => {
  expect(r.files.total).toBe(COUNT);
  expect(r.renders.total).toBe(COUNT * HELMS.length);
  expect(r.judge).toMatch(/^kube-apiserver v\d+\.\d+\.\d+ dry run$/);
  // The corpus gets past the chart's refusals often enough to test the API server's side.
  expect(r.renders.rendered).toBeGreaterThan(r.renders.total / 3);
});

it("hits no template error", () => {
  expect(r.findings.filter((f) => f.rule === "template-error"), report()).toEqual([]);
});

it("sends nothing the API server refuses: every such file is refused by the chart first", () => {
  expect(r.findings.filter((f) => f.rule === "api-server"), report()).toEqual([]);
});

it("finds nothing else wrong either (Kubernetes schemas, invariants, refusals that name no key)", () => {
  expect(r.findings, report()).toEqual([]);
});
