// Rendering a fuzz corpus with one Helm at one Kubernetes version: batches of values files through
// the matrix's wrapper chart (scripts/matrix/batch.ts), and a batch that fails (one refused file
// fails it whole) is cut in halves until each refused file is rendered alone, which gives exactly
// the error a single `helm template` gives. Fuzzed files are refused far more often than the
// matrix's cases, so halving costs about log2(batch) renders per refusal instead of one per file.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Helm } from "../lib/helm.ts";
import { writeWrapper, type ParseCache } from "../matrix/batch.ts";
import type { Case } from "../matrix/cases.ts";
import { renderBatch, renderSingle, type KubeTarget, type RenderResult } from "../matrix/render.ts";

export interface CorpusRender {
  results: Map<string, RenderResult>;
  /** Helm processes started. */
  processes: number;
}

export async function renderCorpus(
  helm: Helm,
  chartDir: string,
  cases: Case[],
  target: KubeTarget,
  run: <T>(task: () => Promise<T>) => Promise<T>,
  o: { batchSize: number; workDir: string; cache?: ParseCache; onRendered?: (c: Case, r: RenderResult) => void },
): Promise<CorpusRender> {
  const results = new Map<string, RenderResult>();
  let processes = 0;
  let wrappers = 0;
  const done = (c: Case, r: RenderResult): void => {
    results.set(c.name, r);
    o.onRendered?.(c, r);
  };
  const group = async (part: Case[]): Promise<void> => {
    if (part.length === 1) {
      processes++;
      done(part[0], await run(() => renderSingle(helm, chartDir, part[0], target, o.cache)));
      return;
    }
    const dir = join(o.workDir, `${helm.id}-w${wrappers++}`);
    mkdirSync(dir, { recursive: true });
    try {
      const wrapper = writeWrapper(chartDir, part, dir);
      processes++;
      const r = await run(() => renderBatch(helm, wrapper, target, false, o.cache));
      if (r.ok) {
        // A file the batch printed nothing for is rendered alone: its own render is the reference.
        const missing: Case[] = [];
        for (const c of part) {
          const docs = r.byCase.get(c.name);
          if (docs) done(c, { ok: true, docs });
          else missing.push(c);
        }
        await Promise.all(missing.map((c) => group([c])));
        return;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const half = Math.ceil(part.length / 2);
    await Promise.all([group(part.slice(0, half)), group(part.slice(half))]);
  };
  const size = Math.max(1, o.batchSize);
  await Promise.all(Array.from({ length: Math.ceil(cases.length / size) }, (_, k) => group(cases.slice(k * size, (k + 1) * size))));
  return { results, processes };
}

/** A scratch folder for one fuzz run's files and wrapper charts. */
export function scratch(prefix: string, parent: string): string {
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, prefix));
}
