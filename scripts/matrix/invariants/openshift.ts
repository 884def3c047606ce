// The SecurityContextConstraints must fit the profiler pod in both directions: it admits what the pod
// spec uses (else OpenShift refuses the pods) and allows nothing the pod spec does not use (else it
// grants more than the security mode needs). profiler.ts registers this list.
import type { KubeObject } from "../../lib/manifests.ts";
import { objectId } from "../../lib/manifests.ts";
import type { CellContext, Invariant, Violation } from "./types.ts";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strs = (v: unknown): string[] => arr(v).map(String);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A seccompProfile as an SCC names it (unset: the runtime's default, which the SCC calls runtime/default). */
function seccompName(p: unknown): string {
  const s = obj(p);
  if (s.type === "Localhost") return `localhost/${String(s.localhostProfile)}`;
  if (s.type === "Unconfined") return "unconfined";
  return "runtime/default";
}

/** Everything the pod spec asks of an SCC, read from the pod template (and its ServiceAccount token). */
export function podRequests(pod: Obj) {
  const podSc = obj(pod.securityContext);
  const containers = [...arr(pod.initContainers), ...arr(pod.containers)].map(obj);
  const scs = containers.map((c) => obj(c.securityContext));
  const volumes = arr(pod.volumes).map(obj);
  const volumeTypes = new Set(volumes.flatMap((v) => Object.keys(v).filter((k) => k !== "name")));
  if (pod.automountServiceAccountToken !== false) volumeTypes.add("projected");
  return {
    hostPID: pod.hostPID === true,
    hostNetwork: pod.hostNetwork === true,
    hostIPC: pod.hostIPC === true,
    hostPorts: containers.some((c) => arr(c.ports).some((p) => obj(p).hostPort !== undefined)),
    privileged: scs.some((sc) => sc.privileged === true),
    allPrivileged: scs.length > 0 && scs.every((sc) => sc.privileged === true),
    escalation: scs.some((sc) => sc.privileged === true || sc.allowPrivilegeEscalation !== false),
    added: new Set(scs.flatMap((sc) => strs(obj(sc.capabilities).add))),
    dropsAll: scs.every((sc) => strs(obj(sc.capabilities).drop).includes("ALL")),
    readOnlyRoot: scs.every((sc) => sc.readOnlyRootFilesystem === true),
    uids: new Set(scs.map((sc) => sc.runAsUser ?? podSc.runAsUser)),
    seLinux: scs.map((sc) => sc.seLinuxOptions ?? podSc.seLinuxOptions),
    // A privileged container runs Unconfined whatever the profile says.
    seccomp: new Set(scs.map((sc) => (sc.privileged === true ? "unconfined" : seccompName(sc.seccompProfile ?? podSc.seccompProfile)))),
    volumeTypes,
    groups: podSc.fsGroup !== undefined || podSc.supplementalGroups !== undefined,
  };
}

/** Every way the SCC and the pod spec disagree, "admits" and "nothing more" alike. */
export function sccMismatches(scc: Obj, pod: Obj, serviceAccount: string): string[] {
  const want = podRequests(pod);
  const out: string[] = [];
  const both = (field: string, used: boolean, what: string) => {
    const allowed = scc[field] === true;
    if (used && !allowed) out.push(`${field} is ${String(scc[field] ?? "unset")}, but the pod uses ${what}: OpenShift would refuse it`);
    if (!used && allowed) out.push(`${field} is true, but the pod uses no ${what}: allowed beyond need`);
  };
  both("allowHostPID", want.hostPID, "hostPID");
  both("allowHostNetwork", want.hostNetwork, "hostNetwork");
  both("allowHostIPC", want.hostIPC, "hostIPC");
  both("allowHostPorts", want.hostPorts, "host port");
  both("allowPrivilegedContainer", want.privileged, "privileged container");
  both("allowHostDirVolumePlugin", want.volumeTypes.has("hostPath"), "hostPath volume");
  // Unset allowPrivilegeEscalation means true for an SCC.
  const escalation = scc.allowPrivilegeEscalation !== false;
  if (want.escalation && !escalation) out.push("allowPrivilegeEscalation is false, but a container may escalate: OpenShift would refuse it");
  if (!want.escalation && escalation) out.push("allowPrivilegeEscalation allows escalation, but every container sets allowPrivilegeEscalation: false: allowed beyond need");

  const allowedCaps = new Set([...strs(scc.allowedCapabilities), ...strs(scc.defaultAddCapabilities)]);
  for (const c of want.added) if (!allowedCaps.has(c) && !allowedCaps.has("*")) out.push(`allowedCapabilities lacks ${c}, which the pod adds: OpenShift would refuse it`);
  for (const c of allowedCaps) if (!want.added.has(c)) out.push(`allowedCapabilities has ${c}, which no container adds: allowed beyond need`);
  const requiredDrop = strs(scc.requiredDropCapabilities);
  if (requiredDrop.length && !want.dropsAll) out.push(`requiredDropCapabilities ${JSON.stringify(requiredDrop)} while a container does not drop ALL`);
  if (!requiredDrop.includes("ALL") && want.dropsAll) out.push("requiredDropCapabilities lacks ALL, although every container drops ALL: allowed beyond need");

  if (scc.readOnlyRootFilesystem === true && !want.readOnlyRoot) out.push("readOnlyRootFilesystem is true, but a container writes its root filesystem: OpenShift would refuse it");
  if (scc.readOnlyRootFilesystem !== true && want.readOnlyRoot) out.push("readOnlyRootFilesystem is not true, although every container's root filesystem is read-only: allowed beyond need");

  const runAsUser = obj(scc.runAsUser);
  if (runAsUser.type !== "MustRunAs") out.push(`runAsUser.type is ${String(runAsUser.type)}: allowed beyond need, the pod runs as uid ${[...want.uids].join(", ")} only (MustRunAs)`);
  else for (const uid of want.uids) if (uid !== runAsUser.uid) out.push(`runAsUser is uid ${String(runAsUser.uid)}, but a container runs as ${String(uid ?? "the image's user")}: OpenShift would refuse it`);

  const se = obj(scc.seLinuxContext);
  if (se.type === "MustRunAs") {
    for (const o of want.seLinux) if (!same(o, se.seLinuxOptions)) out.push(`seLinuxContext requires ${JSON.stringify(se.seLinuxOptions)}, but a container asks for ${JSON.stringify(o ?? null)}: OpenShift would refuse it`);
  } else if (!want.allPrivileged) {
    out.push(`seLinuxContext.type is ${String(se.type)}: allowed beyond need, only privileged containers (spc_t whatever is asked) may leave it open`);
  }

  const seccomp = strs(scc.seccompProfiles);
  for (const p of want.seccomp) if (!seccomp.includes(p) && !seccomp.includes("*")) out.push(`seccompProfiles ${JSON.stringify(seccomp)} lacks ${p}, which a container uses: OpenShift would refuse it`);
  for (const p of seccomp) if (!want.seccomp.has(p)) out.push(`seccompProfiles has ${p}, which no container uses: allowed beyond need`);

  const volumes = strs(scc.volumes);
  for (const t of want.volumeTypes) if (!volumes.includes(t) && !volumes.includes("*")) out.push(`volumes lacks ${t}, which the pod uses: OpenShift would refuse it`);
  for (const t of volumes) if (!want.volumeTypes.has(t)) out.push(`volumes has ${t}, which the pod does not use: allowed beyond need`);

  for (const f of ["fsGroup", "supplementalGroups"]) {
    if (!want.groups && obj(scc[f]).type !== "RunAsAny") out.push(`${f}.type is ${String(obj(scc[f]).type)}: admission would add groups the pod does not ask for (RunAsAny leaves the pod as it is)`);
  }
  if (!same(strs(scc.users), [serviceAccount])) out.push(`users is ${JSON.stringify(scc.users)}, expected only the profiler's ServiceAccount ${serviceAccount}`);
  if (strs(scc.groups).length) out.push(`groups is ${JSON.stringify(scc.groups)}: only the profiler's ServiceAccount may use it`);
  for (const f of ["allowedUnsafeSysctls", "allowedFlexVolumes"]) if (strs(scc[f]).length) out.push(`${f} is set: the profiler uses none`);
  return out;
}

export const openshiftInvariants: Invariant[] = [
  {
    name: "openshift-scc-fits-pod",
    reason: "OpenShift admits the profiler pods only through an SCC; it must allow exactly what the security mode's pod spec uses, no less (pods refused) and no more.",
    check: (ctx: CellContext): Violation[] => {
      const sccs = ctx.objects.filter((o) => o.kind === "SecurityContextConstraints");
      const forced = obj(obj(ctx.case.values.openshift).scc).create;
      if (forced === false && sccs.length) return sccs.map((s) => ({ object: objectId(s), message: "rendered although openshift.scc.create is false" }));
      if (forced === true && sccs.length !== 1) return [{ message: `openshift.scc.create is true, but ${sccs.length} SecurityContextConstraints were rendered` }];
      const ds = ctx.objects.find((o) => o.kind === "DaemonSet") as KubeObject | undefined;
      const pod = obj(obj(obj(ds?.spec).template).spec);
      const sa = `system:serviceaccount:${ctx.namespace}:${String(pod.serviceAccountName ?? "default")}`;
      return sccs.flatMap((s) => sccMismatches(s as unknown as Obj, pod, sa).map((message) => ({ object: objectId(s), message })));
    },
  },
];
