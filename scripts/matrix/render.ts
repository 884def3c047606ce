// Rendering one cell (a case with one Helm at one Kubernetes version) or one batch (every case with
// one Helm at one Kubernetes version), always through the project's `helm template`.
import { templateArgs, runHelm, type Helm } from "../lib/helm.ts";
import { kubeSchemaBundle } from "../kubernetes/validate.ts";
import { parseDoc, splitBatch, splitDocs, type Doc, type ParseCache, type Wrapper } from "./batch.ts";
import type { Case } from "./cases.ts";

import { PROFILER_NAMESPACE, RENDER_RELEASE } from "../lib/names.ts";

export const RELEASE = RENDER_RELEASE;
export const NAMESPACE = PROFILER_NAMESPACE;

/** A Kubernetes version as the matrix uses it: minor for display, exact release and served API versions for Helm. */
export interface KubeTarget {
  minor: string;
  version: string;
  apiVersions: string[];
}

export function kubeTarget(minor: string): KubeTarget {
  const bundle = kubeSchemaBundle(minor);
  // Every group/version the schemas know for that release, so .Capabilities.APIVersions matches it.
  const apiVersions = [...new Set(Object.keys(bundle.kinds).map((k) => k.slice(0, k.lastIndexOf("/"))))].sort();
  return { minor, version: bundle.kubernetesVersion, apiVersions };
}

export type RenderResult = { ok: true; docs: Doc[] } | { ok: false; error: string };

function helmArgs(chart: string, target: KubeTarget, valuesFiles: string[], extra: string[] = []): string[] {
  return templateArgs(chart, {
    release: RELEASE,
    namespace: NAMESPACE,
    valuesFiles,
    kubeVersion: target.version,
    apiVersions: target.apiVersions,
    extraArgs: extra,
  });
}

/** The error Helm printed, without its "Error: " prefix and noise lines. */
export function helmError(stderr: string, exitCode: number): string {
  const lines = stderr
    .split("\n")
    .filter((l) => l.trim() !== "" && !/^(level=\w+ msg=|walk\.go:|WARNING:)/.test(l))
    .map((l) => l.replace(/^Error: /, ""));
  return lines.join("\n") || `helm exited with code ${exitCode} and printed no error`;
}

/** The naive way, and the reference: one `helm template` process for one case. */
export async function renderSingle(helm: Helm, chartDir: string, c: Case, target: KubeTarget, cache?: ParseCache): Promise<RenderResult> {
  const r = await runHelm(helm, helmArgs(chartDir, target, [c.file]));
  if (!r.ok) return { ok: false, error: helmError(r.stderr, r.exitCode) };
  try {
    return { ok: true, docs: splitDocs(r.stdout).map((d) => parseDoc(d, cache)) };
  } catch (e) {
    return { ok: false, error: `output is not valid YAML: ${(e as Error).message}` };
  }
}

export type BatchResult = { ok: true; byCase: Map<string, Doc[]> } | { ok: false; error: string };

/**
 * One `helm template` over the wrapper chart. `skipSchema` is only ever set once Helm validated
 * every case's values against values.schema.json in another batch of the same Helm (that result
 * does not depend on the Kubernetes version), so it never changes a cell's outcome.
 */
export async function renderBatch(helm: Helm, wrapper: Wrapper, target: KubeTarget, skipSchema: boolean, cache?: ParseCache): Promise<BatchResult> {
  const r = await runHelm(helm, helmArgs(wrapper.dir, target, wrapper.valuesFiles, skipSchema ? ["--skip-schema-validation"] : []));
  if (!r.ok) return { ok: false, error: helmError(r.stderr, r.exitCode) };
  try {
    return { ok: true, byCase: splitBatch(r.stdout, wrapper, cache) };
  } catch (e) {
    return { ok: false, error: `batched output could not be split: ${(e as Error).message}` };
  }
}
