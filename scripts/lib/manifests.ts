// Rendered manifests as typed-enough objects: the one place that parses `helm template` output.
import { loadAll } from "js-yaml";

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/** A Helm hook (helm.sh/hook annotation): `helm install` runs it apart, `helm get manifest` leaves it out. */
export function isHook(o: KubeObject): boolean {
  return Boolean(o.metadata?.annotations?.["helm.sh/hook"]);
}

/** Parses a multi-document YAML stream, dropping empty documents (and hooks with `hooks: false`). */
export function parseManifests(yamlText: string, { hooks = true }: { hooks?: boolean } = {}): KubeObject[] {
  return (loadAll(yamlText) as unknown[]).filter((d): d is KubeObject => d !== null && typeof d === "object" && (hooks || !isHook(d as KubeObject)));
}

export function findObject(objects: KubeObject[], kind: string, name?: string): KubeObject | undefined {
  return objects.find((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
}

/** "Kind/name" (plus namespace when set): how objects are named in every message. */
export function objectId(o: KubeObject): string {
  return `${o.kind}/${o.metadata?.name ?? "?"}`;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Whether `labels` satisfy a Kubernetes label selector (matchLabels and matchExpressions, ANDed). */
export function matchesSelector(selector: LabelSelector, labels: Record<string, string>): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    byLabel &&
    (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      const has = Object.hasOwn(labels, key);
      if (operator === "In") return has && values.includes(labels[key]);
      if (operator === "NotIn") return !has || !values.includes(labels[key]);
      if (operator === "Exists") return has;
      if (operator === "DoesNotExist") return !has;
      throw new Error(`unknown label selector operator ${operator}`);
    })
  );
}
