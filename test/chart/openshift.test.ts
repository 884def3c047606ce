// OpenShift: the SecurityContextConstraints is rendered when the cluster serves security.openshift.io/v1
// (Helm's .Capabilities.APIVersions, --api-versions here) or when forced, never with false, and it fits
// the pod spec of each mode in both directions (sccMismatches: admits it, and allows nothing more).
import { describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { findObject, type KubeObject } from "../../scripts/lib/manifests.ts";
import { sccMismatches } from "../../scripts/matrix/invariants/openshift.ts";
import { daemonSet, renderOk } from "../helpers/render.ts";

const openshiftAPI = { apiVersions: ["security.openshift.io/v1"] };
const scc = (objects: KubeObject[]) => findObject(objects, "SecurityContextConstraints") as (KubeObject & Record<string, unknown>) | undefined;
const fit = (objects: KubeObject[]) => {
  const { pod } = daemonSet(objects);
  return sccMismatches(scc(objects)!, pod as unknown as Record<string, unknown>, `system:serviceaccount:profiling:${pod.serviceAccountName}`);
};

describe.each(await helms())("SecurityContextConstraints with $id", (helm) => {
  it.each([
    { name: "a plain cluster", values: {}, o: {}, rendered: false },
    { name: "a cluster serving security.openshift.io/v1", values: {}, o: openshiftAPI, rendered: true },
    { name: "openshift.scc.create: true on a plain cluster", values: { openshift: { scc: { create: true } } }, o: {}, rendered: true },
    { name: "openshift.scc.create: false on OpenShift", values: { openshift: { scc: { create: false } } }, o: openshiftAPI, rendered: false },
  ])("on $name: rendered=$rendered", async ({ values, o, rendered }) => {
    expect(Boolean(scc(await renderOk(helm, values, o)))).toBe(rendered);
  });

  it.each([
    { securityMode: "privileged" },
    { securityMode: "leastPrivilege" },
    { securityMode: "leastPrivilege", leastPrivilege: { omitCapabilities: ["SYS_RESOURCE", "IPC_LOCK"] } },
    { securityMode: "leastPrivilege", leastPrivilege: { seccompProfile: { type: "Localhost", localhostProfile: "dd.json" }, seLinuxOptions: { type: "spc_t", level: "s0" } } },
    { securityMode: "leastPrivilege", profiler: { splitByService: false, hostService: "cluster-hosts" }, extraVolumes: [{ name: "c", configMap: { name: "x" } }] },
    { securityMode: "privileged", extraVolumes: [{ name: "h", hostPath: { path: "/var/lib/x" } }] },
  ])("fits the pod spec of %j in both directions", async (values) => {
    expect(fit(await renderOk(helm, values, openshiftAPI))).toEqual([]);
  });

  it("grants leastPrivilege exactly its capabilities, the tracefs host path's plugin and spc_t, bound to the profiler's ServiceAccount only", async () => {
    const s = scc(await renderOk(helm, { securityMode: "leastPrivilege", leastPrivilege: { omitCapabilities: ["SYS_RESOURCE"] } }, openshiftAPI))!;
    expect(s.metadata.name).toBe("prof-dd-otel-host-profiler-profiling");
    expect(s.metadata.namespace).toBeUndefined();
    expect(s.users).toEqual(["system:serviceaccount:profiling:prof-dd-otel-host-profiler"]);
    expect(s.allowedCapabilities).toEqual(["BPF", "PERFMON", "SYS_PTRACE", "DAC_READ_SEARCH", "SYSLOG", "CHECKPOINT_RESTORE", "IPC_LOCK"]);
    expect(s.requiredDropCapabilities).toEqual(["ALL"]);
    expect(s).toMatchObject({ allowHostPID: true, allowPrivilegedContainer: false, allowHostDirVolumePlugin: true, readOnlyRootFilesystem: true, volumes: ["emptyDir", "hostPath"] });
    expect(s.seLinuxContext).toEqual({ type: "MustRunAs", seLinuxOptions: { type: "spc_t" } });
    expect(s.runAsUser).toEqual({ type: "MustRunAs", uid: 0 });
  });

  it("privileged mode: a privileged container with SYS_ADMIN, no host path, no volumes", async () => {
    const s = scc(await renderOk(helm, {}, openshiftAPI))!;
    expect(s).toMatchObject({ allowPrivilegedContainer: true, allowedCapabilities: ["SYS_ADMIN"], allowHostDirVolumePlugin: false, volumes: [], seccompProfiles: ["unconfined"] });
  });

  it("lets OpenShift pick the helm test pod's uid, and keeps 65534 elsewhere", async () => {
    const testPod = async (o: object) => (findObject(await renderOk(helm, {}, o), "Pod")!.spec as { securityContext: Record<string, unknown> }).securityContext;
    expect(await testPod(openshiftAPI)).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(await testPod({})).toMatchObject({ runAsUser: 65534, runAsGroup: 65534 });
  });
});
