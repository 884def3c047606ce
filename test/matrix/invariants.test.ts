// Every invariant, fed a broken manifest: the real chart's render for a fitting case, with one edit.
// The unedited render must pass every invariant; the edited one must break exactly the rule named.
import { beforeAll, describe, expect, it } from "vitest";
import { dump, load } from "js-yaml";
import type { KubeObject } from "../../scripts/lib/manifests.ts";
import { allInvariants as invariants, expandEnv, type CellContext } from "../../scripts/matrix/invariants/index.ts";
import { genericMatrixInvariants } from "../../scripts/matrix/invariants/generic.ts";
import { renderContext } from "./helpers.ts";

type Obj = Record<string, any>;
const bases = {
  privileged: { datadog: { apiKey: "0a1b2c3d4e5f60718293a4b5c6d7e8f9", appKeyExistingSecret: "dd-app" } },
  leastPrivilege: { securityMode: "leastPrivilege" },
  splitOff: { profiler: { splitByService: false, hostService: "cluster-hosts" } },
  openshift: { securityMode: "leastPrivilege", openshift: { scc: { create: true } } },
  openshiftPrivileged: { openshift: { scc: { create: true } } },
  // The Datadog chart's node-local Service (release datadog in namespace datadog).
  service: { agent: { service: { name: "datadog", namespace: "datadog" } }, networkPolicy: { create: true } },
} satisfies Record<string, Record<string, unknown>>;
type Base = keyof typeof bases;

const ctxs = {} as Record<Base, CellContext>;
beforeAll(async () => {
  for (const [k, v] of Object.entries(bases)) ctxs[k as Base] = await renderContext(k, v);
});

const ds = (objs: KubeObject[]): Obj => objs.find((o) => o.kind === "DaemonSet") as Obj;
const pod = (objs: KubeObject[]): Obj => ds(objs).spec.template.spec;
const profiler = (objs: KubeObject[]): Obj => pod(objs).containers[0];
const scc = (objs: KubeObject[]): Obj => objs.find((o) => o.kind === "SecurityContextConstraints") as Obj;
const env = (objs: KubeObject[], name: string): Obj => profiler(objs).env.find((e: Obj) => e.name === name);

/** [rule, base case, the edit, what the message must say] */
const table: [string, Base, (objs: KubeObject[]) => void, RegExp][] = [
  ["host-pid", "privileged", (o) => delete pod(o).hostPID, /hostPID.*must be true/],
  ["host-pid", "leastPrivilege", (o) => (pod(o).hostPID = false), /must be true, got false/],
  ["privileged-mode-privileged", "privileged", (o) => (profiler(o).securityContext.privileged = false), /must be true in privileged mode/],
  ["privileged-mode-sys-admin", "privileged", (o) => (profiler(o).securityContext.capabilities.add = ["SYS_PTRACE"]), /must include SYS_ADMIN/],
  // The pod-level runAsUser is inherited by the container, so both must go for the rule to fire.
  ["runs-as-root", "privileged", (o) => (delete profiler(o).securityContext.runAsUser, delete pod(o).securityContext.runAsUser), /must be 0/],
  ["runs-as-root", "leastPrivilege", (o) => (pod(o).securityContext.runAsUser = 1000, delete profiler(o).securityContext.runAsUser), /must be 0, got 1000/],
  ["least-privilege-not-privileged", "leastPrivilege", (o) => (profiler(o).securityContext.privileged = true), /must not be true/],
  ["least-privilege-drop-all", "leastPrivilege", (o) => (profiler(o).securityContext.capabilities.drop = ["NET_RAW"]), /must include ALL/],
  ["least-privilege-drop-all", "leastPrivilege", (o) => profiler(o).securityContext.capabilities.add.push("SYS_ADMIN"), /must not add SYS_ADMIN/],
  ["selector-matches-own-pods-only", "privileged", (o) => ((o.find((x) => x.kind === "Pod") as Obj).metadata.labels["app.kubernetes.io/name"] = "dd-otel-host-profiler"), /Pod\/.*metadata\.labels match the selector of DaemonSet/],
  ["least-privilege-capabilities", "leastPrivilege", (o) => profiler(o).securityContext.capabilities.add.push("NET_ADMIN"), /must be \["BPF".*got .*"NET_ADMIN"/],
  ["least-privilege-capabilities", "leastPrivilege", (o) => profiler(o).securityContext.capabilities.add.splice(3, 1), /the set less omitCapabilities \[\]\), got .*"IPC_LOCK"/],
  ["least-privilege-no-escalation", "leastPrivilege", (o) => delete profiler(o).securityContext.allowPrivilegeEscalation, /must be false/],
  ["least-privilege-read-only-root", "leastPrivilege", (o) => (profiler(o).securityContext.readOnlyRootFilesystem = false), /must be true/],
  ["trace-agent-url", "privileged", (o) => (env(o, "DD_TRACE_AGENT_URL").name = "DD_TRACE_AGENT_ADDR"), /DD_TRACE_AGENT_URL is not set/],
  ["trace-agent-url", "privileged", (o) => (env(o, "DD_TRACE_AGENT_URL").value = "unix:///var/run/datadog/apm.socket"), /must be http\(s\)/],
  ["trace-agent-url", "privileged", (o) => (env(o, "DD_TRACE_AGENT_URL").value = "http://$(AGENT_HOST):8126"), /\$\(AGENT_HOST\), not defined earlier/],
  ["trace-agent-url", "privileged", (o) => (env(o, "DD_TRACE_AGENT_URL").value = "http://agent:8126/v0.4/traces"), /no path/],
  [
    "trace-agent-url",
    "privileged",
    (o) => {
      // DD_AGENT_HOST moved after its use: Kubernetes leaves $(DD_AGENT_HOST) unexpanded.
      const e = profiler(o).env as Obj[];
      const i = e.findIndex((x) => x.name === "DD_AGENT_HOST");
      e.push(...e.splice(i, 1));
    },
    /\$\(DD_AGENT_HOST\), not defined earlier/,
  ],
  ["agent-route", "service", (o) => (env(o, "DD_TRACE_AGENT_URL").value = "http://datadog.datadog.svc.cluster.local:8125"), /DD_TRACE_AGENT_URL must be http:\/\/datadog\.datadog\.svc\.cluster\.local:8126 \(the Agent's node-local Service datadog\/datadog\), got "http:\/\/datadog\.datadog\.svc\.cluster\.local:8125"/],
  ["agent-route", "service", (o) => (env(o, "DD_TRACE_AGENT_URL").value = "http://datadog.profiling.svc.cluster.local:8126"), /must be http:\/\/datadog\.datadog\.svc/],
  ["agent-route", "service", (o) => profiler(o).env.unshift({ name: "DD_AGENT_HOST", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } }), /DD_AGENT_HOST must not be set on the service route/],
  ["agent-route", "service", (o) => ((o.find((x) => x.kind === "Pod") as Obj).spec.containers[0].env.find((e: Obj) => e.name === "DD_TRACE_AGENT_URL").value = "http://$(DD_AGENT_HOST):8126"), /the helm test pod: DD_TRACE_AGENT_URL must be http:\/\/datadog\.datadog/],
  ["agent-route", "privileged", (o) => (env(o, "DD_TRACE_AGENT_URL").value = "http://datadog.datadog.svc.cluster.local:8126"), /must be http:\/\/\$\(DD_AGENT_HOST\):8126 \(the Agent's hostPort on each node's IP\)/],
  ["agent-route", "privileged", (o) => (env(o, "DD_AGENT_HOST").valueFrom.fieldRef.fieldPath = "status.podIP"), /DD_AGENT_HOST must come from fieldRef status.hostIP on the node route/],
  ["dd-service", "privileged", (o) => (profiler(o).env = profiler(o).env.filter((e: Obj) => e.name !== "DD_SERVICE")), /DD_SERVICE is not set/],
  ["dd-site", "privileged", (o) => (env(o, "DD_SITE").value = "datadoghq.org"), /not a Datadog site/],
  ["keys-from-secret-ref", "privileged", (o) => Object.assign(env(o, "DD_API_KEY"), { value: "x", valueFrom: undefined }), /must come from valueFrom.secretKeyRef/],
  ["keys-from-secret-ref", "privileged", (o) => (env(o, "DD_APP_KEY").valueFrom.secretKeyRef.name = "other"), /must reference Secret dd-app key app-key/],
  ["keys-from-secret-ref", "privileged", (o) => (profiler(o).env = profiler(o).env.filter((e: Obj) => e.name !== "DD_API_KEY")), /DD_API_KEY is missing/],
  ["no-secret-literal", "privileged", (o) => profiler(o).env.push({ name: "DEBUG_KEY", value: "0a1b2c3d4e5f60718293a4b5c6d7e8f9" }), /literal of datadog.apiKey outside a Secret/],
  ["no-secret-literal", "privileged", (o) => (ds(o).metadata.annotations = { k: Buffer.from("0a1b2c3d4e5f60718293a4b5c6d7e8f9").toString("base64") }), /\(base64\)/],
  ["token-only-when-needed", "privileged", (o) => ((o.find((x) => x.kind === "ServiceAccount") as Obj).automountServiceAccountToken = true), /must be false/],
  ["token-only-when-needed", "privileged", (o) => (pod(o).automountServiceAccountToken = true), /must be false/],
  ["token-only-when-needed", "splitOff", (o) => (pod(o).automountServiceAccountToken = false), /must be true/],
  ["rbac-minimal", "splitOff", (o) => (o.find((x) => x.kind === "ClusterRole") as Obj).rules[0].verbs.push("delete"), /verb "delete" on pods is wider/],
  // The profiler never gets a single pod (informer list/watch and List only): "get" is already too wide.
  ["rbac-minimal", "splitOff", (o) => (o.find((x) => x.kind === "ClusterRole") as Obj).rules[0].verbs.push("get"), /verb "get" on pods is wider/],
  ["rbac-minimal", "splitOff", (o) => (o.find((x) => x.kind === "ClusterRole") as Obj).rules.push({ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }), /resource "secrets" is not used/],
  ["rbac-minimal", "splitOff", (o) => ((o.find((x) => x.kind === "ClusterRoleBinding") as Obj).subjects[0].name = "default"), /must bind the DaemonSet's ServiceAccount/],
  ["rbac-minimal", "privileged", (o) => o.push({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "x" }, rules: [] }), /no RBAC may be rendered/],
  ["selector-in-template-labels", "privileged", (o) => (ds(o).spec.template.metadata.labels["app.kubernetes.io/instance"] = "other"), /must equal the selector/],
  ["resources-set", "privileged", (o) => delete profiler(o).resources.limits, /has no cpu limit/],
  ["resources-set", "privileged", (o) => delete (o.find((x) => x.kind === "Pod") as Obj).spec.containers[0].resources.requests.memory, /check-agent has no memory request/],
  ["image-tag-or-digest", "privileged", (o) => (profiler(o).image = "ghcr.io/datadog/dd-otel-host-profiler:latest"), /"ghcr.io\/datadog\/dd-otel-host-profiler:latest" is not pinned/],
  ["image-tag-or-digest", "leastPrivilege", (o) => (profiler(o).image = "registry:5000/profiler"), /"registry:5000\/profiler" is not pinned/],
  ["no-secret-literal-in-pod-spec", "privileged", (o) => profiler(o).env.push({ name: "DB_PASSWORD", value: "hunter2-not-printed" }), /env\[\d+\]\.value DB_PASSWORD holds a literal credential/],
  ["rbac-no-wildcard", "splitOff", (o) => ((o.find((x) => x.kind === "ClusterRole") as Obj).rules[0].verbs = ["*"]), /rules\[0\]\.verbs holds the wildcard/],
  ["selector-in-template-labels", "privileged", (o) => o.push({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "c" } } } } }), /Deployment\/d spec\.template\.metadata\.labels\["a"\] must equal/],
  ["image-pinned", "privileged", (o) => (profiler(o).image = "ghcr.io/datadog/dd-otel-host-profiler:latest"), /must be ghcr.io\/datadog\/dd-otel-host-profiler:v0.4.0/],
  ["pod-security-context-consistent", "privileged", (o) => delete pod(o).securityContext, /the pod has no securityContext/],
  // The SCC in both directions: what the pod uses must be allowed, and nothing it does not use.
  ["openshift-scc-fits-pod", "openshift", (o) => (scc(o).allowHostPID = false), /allowHostPID is false, but the pod uses hostPID: OpenShift would refuse it/],
  ["openshift-scc-fits-pod", "openshift", (o) => scc(o).allowedCapabilities.pop(), /allowedCapabilities lacks IPC_LOCK, which the pod adds/],
  ["openshift-scc-fits-pod", "openshift", (o) => scc(o).allowedCapabilities.push("NET_ADMIN"), /allowedCapabilities has NET_ADMIN, which no container adds: allowed beyond need/],
  ["openshift-scc-fits-pod", "openshift", (o) => (scc(o).allowPrivilegedContainer = true), /allowPrivilegedContainer is true, but the pod uses no privileged container/],
  ["openshift-scc-fits-pod", "openshift", (o) => scc(o).volumes.push("secret"), /volumes has secret, which the pod does not use/],
  ["openshift-scc-fits-pod", "openshift", (o) => (scc(o).volumes = ["emptyDir"]), /volumes lacks hostPath/],
  ["openshift-scc-fits-pod", "openshift", (o) => (scc(o).runAsUser = { type: "RunAsAny" }), /runAsUser.type is RunAsAny: allowed beyond need/],
  ["openshift-scc-fits-pod", "openshift", (o) => (scc(o).seLinuxContext = { type: "RunAsAny" }), /seLinuxContext.type is RunAsAny: allowed beyond need/],
  ["openshift-scc-fits-pod", "openshift", (o) => (scc(o).seLinuxContext.seLinuxOptions.type = "container_t"), /seLinuxContext requires .*container_t.*OpenShift would refuse it/],
  ["openshift-scc-fits-pod", "openshift", (o) => scc(o).seccompProfiles.push("*"), /seccompProfiles has \*, which no container uses/],
  ["openshift-scc-fits-pod", "openshift", (o) => (scc(o).readOnlyRootFilesystem = false), /readOnlyRootFilesystem is not true/],
  ["openshift-scc-fits-pod", "openshift", (o) => scc(o).users.push("system:serviceaccount:profiling:default"), /expected only the profiler's ServiceAccount/],
  ["openshift-scc-fits-pod", "openshift", (o) => (profiler(o).securityContext.readOnlyRootFilesystem = false), /a container writes its root filesystem: OpenShift would refuse it/],
  ["openshift-scc-fits-pod", "openshiftPrivileged", (o) => (scc(o).allowPrivilegedContainer = false), /allowPrivilegedContainer is false, but the pod uses privileged container/],
  ["openshift-scc-fits-pod", "openshiftPrivileged", (o) => (scc(o).allowHostDirVolumePlugin = true), /allowHostDirVolumePlugin is true, but the pod uses no hostPath volume/],
  ["openshift-scc-fits-pod", "openshiftPrivileged", (o) => o.splice(o.findIndex((x) => x.kind === "SecurityContextConstraints"), 1), /openshift.scc.create is true, but 0/],
  ["pod-security-context-consistent", "privileged", (o) => (pod(o).securityContext.runAsGroup = 1000), /runAsGroup is 1000 at pod level but unset in the container/],
  ["pod-security-context-consistent", "privileged", (o) => (pod(o).securityContext.seccompProfile = { type: "RuntimeDefault" }), /privileged container always runs Unconfined/],
  ["pod-security-context-consistent", "leastPrivilege", (o) => (pod(o).securityContext.seLinuxOptions = { type: "container_t" }), /seLinuxOptions is .*container_t.* at pod level but .*spc_t.* in the container/],
  ["pod-security-context-consistent", "leastPrivilege", (o) => delete profiler(o).securityContext.seccompProfile, /seccompProfile .* unset in the container, which would then inherit it/],
];

/** A deep copy of a base render, with `edit` applied to its objects (docs re-dumped to match). */
function broken(base: CellContext, edit: (objs: KubeObject[]) => void): CellContext {
  const objects = base.docs.filter((d) => d.object).map((d) => structuredClone(d.object!));
  edit(objects);
  const docs = objects.map((object, i) => ({ source: base.docs[i]?.source ?? "added", content: dump(JSON.parse(JSON.stringify(object))), object: load(dump(JSON.parse(JSON.stringify(object)))) as KubeObject }));
  return { ...base, docs, objects: docs.map((d) => d.object) };
}

describe("invariants", () => {
  it.each(Object.keys(bases))("the chart's %s render passes every invariant", (b) => {
    for (const inv of invariants) expect(inv.check(ctxs[b as Base]), inv.name).toEqual([]);
  });

  it("every invariant has a name, a reason and at least one broken manifest in the table", () => {
    for (const inv of invariants) {
      expect(inv.name).toMatch(/^[a-z][a-z0-9-]+$/);
      expect(inv.reason.length).toBeGreaterThan(20);
      expect(table.some(([rule]) => rule === inv.name), inv.name).toBe(true);
    }
    expect(new Set(invariants.map((i) => i.name)).size).toBe(invariants.length);
  });

  it.each(table.map((row, i) => [i, ...row] as const))("#%i %s fires on a broken %s render", (_i, rule, base, edit, message) => {
    const inv = invariants.find((x) => x.name === rule)!;
    const ctx = broken(ctxs[base], edit);
    const found = inv.check(ctx);
    expect(found.length, JSON.stringify(found)).toBeGreaterThan(0);
    expect(found.map((f) => `${f.object ?? ""} ${f.path ?? ""} ${f.message}`).join("\n")).toMatch(message);
    // The secret itself is never part of a message.
    expect(JSON.stringify(found)).not.toContain("0a1b2c3d4e5f60718293a4b5c6d7e8f9");
    expect(JSON.stringify(found)).not.toContain("hunter2-not-printed");
  });

  it("selector-labels-stable flags a case whose selector differs from the others'", () => {
    const a = ctxs.privileged;
    const b = broken(ctxs.leastPrivilege, (o) => (ds(o).spec.selector.matchLabels.extra = "x"));
    const c = { ...ctxs.splitOff, case: { ...ctxs.splitOff.case, name: "default" } };
    const found = genericMatrixInvariants[0].check([
      { key: "a", ctx: a },
      { key: "b", ctx: b },
      { key: "c", ctx: c },
    ]);
    expect([...found.keys()]).toEqual(["b"]);
    expect(found.get("b")![0].message).toMatch(/differs/);
  });

  it("expandEnv follows Kubernetes: earlier variables expand, later ones and $$ do not", () => {
    const env = [
      { name: "A", value: "a" },
      { name: "URL", value: "http://$(A):$(B)/$$(A)" },
      { name: "B", value: "b" },
    ];
    expect(expandEnv(env, "URL")).toEqual({ value: "http://a:$(B)/$(A)", unresolved: ["B"] });
  });
});
