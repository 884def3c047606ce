// The chart's own metadata (Chart.yaml): the one reader every script and test uses for its name,
// version and appVersion. The lint checks (scripts/lint/chart-metadata.ts, version-bump.ts) judge
// Chart.yaml itself and read it their own, forgiving way: a broken file is a problem to report there.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { chartDir } from "./paths.ts";

export interface ChartMeta {
  name: string;
  version: string;
  /** "" when Chart.yaml has none. */
  appVersion: string;
  /** The Kubernetes versions the chart accepts (a semver range); "" when Chart.yaml has none. */
  kubeVersion: string;
}

/** name, version, appVersion and kubeVersion of the chart in `dir` (default chart/). */
export function readChartMeta(dir: string = chartDir): ChartMeta {
  const c = load(readFileSync(join(dir, "Chart.yaml"), "utf8")) as Record<string, unknown>;
  return { name: String(c.name), version: String(c.version), appVersion: String(c.appVersion ?? ""), kubeVersion: String(c.kubeVersion ?? "") };
}
