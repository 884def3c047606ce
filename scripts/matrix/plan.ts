// The plan stage: which chart, cases, Helm binaries and Kubernetes versions a run covers, from its
// options, refusing a selection that matches nothing.
import { helms as allHelms, type Helm } from "../lib/helm.ts";
import { readChartMeta, type ChartMeta } from "../lib/chart.ts";
import { chartDir as defaultChartDir } from "../lib/paths.ts";
import { kubeVersions } from "../kubernetes/validate.ts";
import { casesDir as defaultCasesDir, discoverCases, type Case } from "./cases.ts";
import { invariantsFor } from "./invariants/index.ts";
import { kubeTarget, type KubeTarget } from "./render.ts";
import type { Mode } from "./results.ts";

export interface PlanOptions {
  chartDir?: string;
  casesDir?: string;
  /** Case name globs (any matches); empty = all. */
  cases?: string[];
  /** Helm majors to keep (3, 4); empty = all of helms(). */
  helm?: number[];
  /** Kubernetes minors to keep ("1.30"); empty = every version with schemas. */
  kube?: string[];
  mode?: Mode;
}

export interface MatrixPlan {
  chartDir: string;
  chart: ChartMeta;
  rules: ReturnType<typeof invariantsFor>;
  cases: Case[];
  helms: Helm[];
  /** In version order: the first is where every case is rendered whole. */
  targets: KubeTarget[];
  mode: Mode;
  /** Cells in the run. */
  total: number;
}

export async function planMatrix(o: PlanOptions): Promise<MatrixPlan> {
  const chartDir = o.chartDir ?? defaultChartDir;
  const chart = readChartMeta(chartDir);
  const cases = discoverCases(o.casesDir ?? defaultCasesDir, o.cases ?? []);
  if (cases.length === 0) throw new Error(`no case matches ${(o.cases ?? []).join(", ")}`);
  const available = await allHelms();
  const helms = available.filter((h) => !o.helm?.length || o.helm.includes(h.major));
  if (helms.length === 0) throw new Error(`no Helm ${o.helm?.join("/")} available (${available.map((h) => h.id).join(", ")})`);
  const known = kubeVersions();
  const wanted = o.kube?.length ? o.kube.map((k) => k.replace(/^v/, "").split(".").slice(0, 2).join(".")) : known;
  for (const k of wanted) if (!known.includes(k)) throw new Error(`no Kubernetes schemas for ${k}: available ${known.join(", ")}`);
  const targets = known.filter((k) => wanted.includes(k)).map(kubeTarget);
  return { chartDir, chart, rules: invariantsFor(chart), cases, helms, targets, mode: o.mode ?? "batched", total: cases.length * helms.length * targets.length };
}
