// Renders the chart with one Helm and a values object, the way a user's values file would reach it.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump } from "js-yaml";
import { helmTemplate, type Helm, type TemplateOptions } from "../../scripts/lib/helm.ts";
import { findObject, parseManifests, type KubeObject } from "../../scripts/lib/manifests.ts";
import { chartDir } from "../../scripts/lib/paths.ts";

const tmp = mkdtempSync(join(tmpdir(), "chart-test-"));
let n = 0;

export function valuesFile(values: object): string {
  const path = join(tmp, `values-${n++}.yaml`);
  writeFileSync(path, dump(values));
  return path;
}

export interface Rendered {
  ok: boolean;
  /** stdout + stderr, to search for messages and leaked secrets alike. */
  output: string;
  stderr: string;
  objects: KubeObject[];
}

/** Where and how to render: `chart` defaults to chart/; `hooks: false` leaves hook documents out of `objects`. */
export type RenderOptions = TemplateOptions & { chart?: string; hooks?: boolean };

export async function render(helm: Helm, values: object = {}, o: RenderOptions = {}): Promise<Rendered> {
  const r = await helmTemplate(helm, o.chart ?? chartDir, { ...o, valuesFiles: [valuesFile(values), ...(o.valuesFiles ?? [])] });
  return { ok: r.ok, output: `${r.stdout}\n${r.stderr}`, stderr: r.stderr, objects: r.ok ? parseManifests(r.stdout, { hooks: o.hooks }) : [] };
}

/** Renders and insists it worked, showing Helm's error otherwise. */
export async function renderOk(helm: Helm, values: object = {}, o: RenderOptions = {}): Promise<KubeObject[]> {
  const r = await render(helm, values, o);
  if (!r.ok) throw new Error(`${helm.id} failed to render ${JSON.stringify(values)}:\n${r.stderr}`);
  return r.objects;
}

// The parts of a DaemonSet the tests look at, typed by the generated Kubernetes shapes.
import type { Container, EnvVar, PodSpec } from "../../scripts/generated/kubernetes.ts";
export type { Container, EnvVar, PodSpec };

export function daemonSet(objects: KubeObject[]) {
  const ds = findObject(objects, "DaemonSet");
  if (!ds) throw new Error(`no DaemonSet among ${objects.map((o) => o.kind).join(", ")}`);
  const spec = ds.spec as { selector: { matchLabels: Record<string, string> }; template: { metadata: { annotations?: Record<string, string> }; spec: PodSpec } };
  return { ds, spec, pod: spec.template.spec, container: spec.template.spec.containers[0] };
}

export function env(c: Container, name: string): EnvVar | undefined {
  return c.env?.find((e) => e.name === name);
}

/** A valid-looking API key (32 lowercase alphanumerics) that is obviously a test value. */
export const fakeApiKey = "0123456789abcdef0123456789abcdef";
