// The Kubernetes API (RBAC + token) only when the profiler needs it: splitByService false.
import { describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { findObject } from "../../scripts/lib/manifests.ts";
import { daemonSet, renderOk } from "../helpers/render.ts";

describe.each(await helms())("RBAC switch with $id", (helm) => {
  it.each([{ splitByService: null }, { splitByService: true }])("renders no RBAC and no token with splitByService=$splitByService", async (profiler) => {
    const objects = await renderOk(helm, { profiler });
    expect(objects.map((o) => o.kind).sort()).toEqual(["DaemonSet", "Pod", "ServiceAccount"]);
    expect(daemonSet(objects).pod.automountServiceAccountToken).toBe(false);
    expect(findObject(objects, "ServiceAccount")!.automountServiceAccountToken).toBe(false);
  });

  it("renders a ClusterRole no wider than the profiler uses, bound to its ServiceAccount, with a token", async () => {
    const objects = await renderOk(helm, { profiler: { splitByService: false, hostService: "cluster-hosts" } });
    expect(findObject(objects, "ClusterRole")!.rules).toEqual([
      { apiGroups: [""], resources: ["pods"], verbs: ["list", "watch"] },
      { apiGroups: [""], resources: ["nodes"], verbs: ["get"] },
    ]);
    const binding = findObject(objects, "ClusterRoleBinding")!;
    expect(findObject(objects, "ClusterRole")!.metadata.name).toBe("prof-dd-otel-host-profiler-profiling");
    expect(binding.metadata.name).toBe("prof-dd-otel-host-profiler-profiling");
    expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "prof-dd-otel-host-profiler-profiling" });
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "prof-dd-otel-host-profiler", namespace: "profiling" }]);
    const { pod } = daemonSet(objects);
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.serviceAccountName).toBe("prof-dd-otel-host-profiler");
  });

  it("names cluster-scoped objects per namespace, so same-named releases in two namespaces do not collide", async () => {
    const names = async (namespace: string) =>
      (await renderOk(helm, { profiler: { splitByService: false, hostService: "cluster-hosts" } }, { namespace })).filter((o) => o.kind.startsWith("Cluster")).map((o) => o.metadata.name);
    const [a, b] = [await names("team-a"), await names("team-b")];
    expect(a).toHaveLength(2);
    for (const name of a) expect(b).not.toContain(name);
  });

  it("leaves RBAC to the user when rbac.create is false, and uses their ServiceAccount", async () => {
    const objects = await renderOk(helm, { profiler: { splitByService: false, hostService: "cluster-hosts" }, rbac: { create: false }, serviceAccount: { create: false, name: "mine" } });
    expect(objects.map((o) => o.kind).sort()).toEqual(["DaemonSet", "Pod"]);
    expect(daemonSet(objects).pod.serviceAccountName).toBe("mine");
    expect(daemonSet(objects).pod.automountServiceAccountToken).toBe(true);
  });
});
