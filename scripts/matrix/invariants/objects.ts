// Reading rendered objects for the invariants: pod specs, containers, env vars, and one way to
// record a violation. Forgiving on purpose: a missing field reads as empty, never throws.
import type { KubeObject } from "../../lib/manifests.ts";
import { objectId } from "../../lib/manifests.ts";
import type { Violation } from "./types.ts";

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
export const obj = (v: unknown): Obj => (isObj(v) ? v : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** A value for a message: "unset" rather than "undefined". Never used on a secret. */
export const shown = (v: unknown): string => (v === undefined ? "unset" : JSON.stringify(v));

export interface EnvVar {
  name: string;
  value?: unknown;
  valueFrom?: Obj;
}

export interface ContainerRef {
  owner: KubeObject;
  /** Path of the container inside its object, e.g. spec.template.spec.containers[0]. */
  path: string;
  container: Obj;
  podSpec: Obj;
  podPath: string;
}

export function podSpecOf(o: KubeObject): { spec: Obj; path: string } | undefined {
  if (o.kind === "Pod") return { spec: obj(o.spec), path: "spec" };
  const t = obj(obj(o.spec).template);
  if (["DaemonSet", "Deployment", "StatefulSet", "ReplicaSet", "Job"].includes(o.kind) && isObj(t.spec)) return { spec: t.spec, path: "spec.template.spec" };
  return undefined;
}

export function containersOf(objects: KubeObject[]): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const o of objects) {
    const p = podSpecOf(o);
    if (!p) continue;
    for (const field of ["initContainers", "containers"]) {
      arr(p.spec[field]).forEach((c, i) => out.push({ owner: o, path: `${p.path}.${field}[${i}]`, container: obj(c), podSpec: p.spec, podPath: p.path }));
    }
  }
  return out;
}

/** Records a violation on `object` at `path`. */
export const violation = (violations: Violation[], object: KubeObject | undefined, path: string, message: string): void => {
  violations.push({ object: object ? objectId(object) : undefined, path, message });
};
