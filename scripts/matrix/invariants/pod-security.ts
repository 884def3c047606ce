// The profiler pod's securityContext must agree with its container's: the pod level is there for
// admission and scanners, and must never change what the profiler process gets (uid, seccomp,
// AppArmor, SELinux). profiler.ts registers this list.
import type { KubeObject } from "../../lib/manifests.ts";
import { objectId } from "../../lib/manifests.ts";
import type { CellContext, Invariant, Violation } from "./types.ts";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});

/** The fields a pod securityContext shares with a container's. */
const SHARED = ["runAsUser", "runAsGroup", "runAsNonRoot", "seccompProfile", "appArmorProfile", "seLinuxOptions"];

/**
 * Each pod-level field the container does not set to the same value. A privileged container is the
 * one exception for seccomp: Kubernetes runs it Unconfined whatever the profile says.
 */
export function podSecurityContextConflicts(podSc: Obj | undefined, containerSc: Obj | undefined): string[] {
  const pod = obj(podSc);
  const c = obj(containerSc);
  const out: string[] = [];
  if (podSc === undefined) out.push("the pod has no securityContext");
  for (const f of SHARED) {
    if (pod[f] === undefined) continue;
    if (f === "seccompProfile" && c.privileged === true && c[f] === undefined) {
      if (obj(pod[f]).type !== "Unconfined") out.push(`seccompProfile is ${JSON.stringify(pod[f])} at pod level, but a privileged container always runs Unconfined`);
      continue;
    }
    if (JSON.stringify(pod[f]) !== JSON.stringify(c[f])) out.push(`${f} is ${JSON.stringify(pod[f])} at pod level but ${c[f] === undefined ? "unset" : JSON.stringify(c[f])} in the container, which would then inherit it`);
  }
  return out;
}

function profilerPod(objects: KubeObject[]): { ds: KubeObject; pod: Obj; container: Obj } | undefined {
  const ds = objects.find((o) => o.kind === "DaemonSet");
  const pod = obj(obj(obj(ds?.spec).template).spec);
  const containers = Array.isArray(pod.containers) ? pod.containers.map(obj) : [];
  const container = containers.find((c) => c.name === "dd-otel-host-profiler") ?? containers[0];
  return ds && container ? { ds, pod, container } : undefined;
}

export const podSecurityInvariants: Invariant[] = [
  {
    name: "pod-security-context-consistent",
    reason: "Both modes set a pod-level securityContext, and it repeats the container's own settings, so it changes nothing the profiler process gets.",
    check: (ctx: CellContext): Violation[] => {
      const p = profilerPod(ctx.objects);
      if (!p) return [{ message: "no DaemonSet with a profiler container was rendered" }];
      const sc = p.pod.securityContext === undefined ? undefined : obj(p.pod.securityContext);
      return podSecurityContextConflicts(sc, obj(p.container.securityContext)).map((message) => ({
        object: objectId(p.ds),
        path: "spec.template.spec.securityContext",
        message,
      }));
    },
  },
];
