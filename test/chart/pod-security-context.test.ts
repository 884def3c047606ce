// The pod-level securityContext (both modes) repeats what the profiler container already sets, so it
// informs admission and scanners without changing what the profiler process gets.
import { describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { podSecurityContextConflicts } from "../../scripts/matrix/invariants/pod-security.ts";
import { daemonSet, renderOk } from "../helpers/render.ts";

describe.each(await helms())("pod securityContext with $id", (helm) => {
  it("privileged: uid 0 and Unconfined seccomp, which a privileged container gets anyway", async () => {
    const { pod, container } = daemonSet(await renderOk(helm));
    expect((pod as { securityContext?: object }).securityContext).toEqual({ runAsUser: 0, seccompProfile: { type: "Unconfined" } });
    // The container's own securityContext is still exactly the upstream guide's.
    expect(container.securityContext).toEqual({ runAsUser: 0, privileged: true, capabilities: { add: ["SYS_ADMIN"] } });
  });

  it.each([
    { kube: "1.29.0", appArmor: undefined },
    { kube: "1.33.0", appArmor: { type: "Unconfined" } },
  ])("leastPrivilege on Kubernetes $kube: the container's identity, seccomp, AppArmor and SELinux", async ({ kube, appArmor }) => {
    const { pod } = daemonSet(await renderOk(helm, { securityMode: "leastPrivilege" }, { kubeVersion: kube }));
    expect((pod as { securityContext?: object }).securityContext).toEqual({
      runAsUser: 0,
      runAsGroup: 0,
      runAsNonRoot: false,
      seccompProfile: { type: "Unconfined" },
      ...(appArmor ? { appArmorProfile: appArmor } : {}),
      seLinuxOptions: { type: "spc_t" },
    });
  });

  it.each([
    {},
    { securityMode: "leastPrivilege" },
    { securityMode: "leastPrivilege", leastPrivilege: { seccompProfile: { type: "Localhost", localhostProfile: "dd.json" }, seLinuxOptions: { type: "spc_t", level: "s0" } } },
    { securityMode: "leastPrivilege", leastPrivilege: { seccompProfile: { type: "RuntimeDefault" }, appArmorProfile: { type: "RuntimeDefault" } } },
  ])("agrees with the container field by field for %j", async (values) => {
    const { pod, container } = daemonSet(await renderOk(helm, values, { kubeVersion: "1.33.0" }));
    expect(podSecurityContextConflicts(pod.securityContext as Record<string, unknown> | undefined, container.securityContext as Record<string, unknown> | undefined)).toEqual([]);
  });
});
