// Shared by the matrix tests: render the real chart once for a set of values, as the matrix does.
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump } from "js-yaml";
import { helms } from "../../scripts/lib/helm.ts";
import { chartDir } from "../../scripts/lib/paths.ts";
import { readChartMeta } from "../../scripts/lib/chart.ts";
import type { Case } from "../../scripts/matrix/cases.ts";
import type { CellContext } from "../../scripts/matrix/invariants/index.ts";
import { kubeTarget, renderSingle } from "../../scripts/matrix/render.ts";
import { context, defaultsOf } from "../../scripts/matrix/check.ts";

const dir = mkdtempSync(join(tmpdir(), "matrix-test-"));

/** Renders `values` with the newest Helm at `kube` and returns a cell context for the invariants. */
export async function renderContext(name: string, values: Record<string, unknown>, kube = "1.33"): Promise<CellContext> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `# test case ${name}\n${dump(values)}`);
  const c: Case = { name, file, description: `test case ${name}`, values };
  const all = await helms();
  const r = await renderSingle(all[all.length - 1], chartDir, c, kubeTarget(kube));
  if (!r.ok) throw new Error(`rendering ${name} failed: ${r.error}`);
  return context(c, r.docs, readChartMeta(chartDir), kubeTarget(kube), defaultsOf(chartDir));
}
