// The Datadog Agent as Datadog's own chart (datadog 3.240.0, vendored in test/fixtures/datadog-chart/)
// installs it: render it, read from the render what the profiler chart relies on (the node-local
// Service in front of the trace-agent), and cut the render down to what a small real cluster with no
// Datadog backend and no Agent image can run (the trace-agent container, served by our Go stand-in).
//
// Nothing here models the Datadog chart: every fact is read from rendered objects. The comments cite
// the templates of charts/datadog at tag datadog-3.240.0 (DataDog/helm-charts) the code leans on.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump, load } from "js-yaml";
import { helmTemplate, runHelm, type Helm } from "../lib/helm.ts";
import { matchesSelector, objectId, parseManifests, type KubeObject } from "../lib/manifests.ts";
import { redactKeys } from "../lib/redact.ts";
import { repoRoot } from "../lib/paths.ts";

export const DATADOG_CHART = {
  name: "datadog",
  version: "3.240.0",
  path: join(repoRoot, "test", "fixtures", "datadog-chart", "datadog-3.240.0.tgz"),
} as const;

/** The trace-agent container's name: `define "container-trace-agent"` in templates/_container-trace-agent.yaml. */
export const TRACE_AGENT_CONTAINER = "trace-agent";
/** The name of the APM port, on the container (_container-trace-agent.yaml) and on the Service (agent-services.yaml). */
export const TRACE_PORT_NAME = "traceport";
/** The stand-in's command: our Go binary's trace-agent mode (listens on $DD_APM_RECEIVER_PORT, default 8126). */
export const STAND_IN_COMMAND = ["/usr/local/bin/dd-otel-host-profiler", "trace-agent"];

export interface RenderDatadogOptions {
  release: string;
  namespace: string;
  values?: object;
  /** Default 1.35.0: the local Service needs >= 1.22 (`define "enable-service-internal-traffic-policy"`, _helpers.tpl). */
  kubeVersion?: string;
}

/** `helm template` of the vendored Datadog chart, parsed into objects (hooks included, as Helm prints them). */
export async function renderDatadogChart(helm: Helm, o: RenderDatadogOptions): Promise<any[]> {
  const dir = mkdtempSync(join(tmpdir(), "datadog-chart-"));
  const values = join(dir, "values.yaml");
  writeFileSync(values, dump(o.values ?? {}));
  const r = await helmTemplate(helm, DATADOG_CHART.path, { release: o.release, namespace: o.namespace, valuesFiles: [values], kubeVersion: o.kubeVersion ?? "1.35.0" });
  if (!r.ok) throw new Error(`${helm.id} could not render ${DATADOG_CHART.name} ${DATADOG_CHART.version} (release ${o.release}, namespace ${o.namespace}):\n${redactKeys(r.stderr)}`);
  return parseManifests(r.stdout);
}

/** Throws unless `found` (the vendored Chart.yaml's version) is DATADOG_CHART.version, the version this module's citations are for. */
export function checkChartVersion(found: string): void {
  if (found !== DATADOG_CHART.version) {
    throw new Error(
      `the vendored Datadog chart is ${found}, but scripts/cluster/datadog-agent.ts was written against ${DATADOG_CHART.version}: re-read the cited templates (charts/datadog/templates/agent-services.yaml, _container-trace-agent.yaml, daemonset.yaml, _helpers.tpl) at tag datadog-${found}, fix what moved, then set DATADOG_CHART.version and rebuild the fixture (test/fixtures/datadog-chart/README.md)`,
    );
  }
}

/** The version in the vendored package's Chart.yaml (`helm show chart`), to catch a package swapped under DATADOG_CHART. */
export async function vendoredChartVersion(helm: Helm): Promise<string> {
  const r = await runHelm(helm, ["show", "chart", DATADOG_CHART.path]);
  if (!r.ok) throw new Error(`${helm.id} cannot read ${DATADOG_CHART.path}: ${r.stderr}`);
  return String((load(r.stdout) as { version?: unknown }).version);
}

// The Datadog chart's objects as the Kubernetes API types them (generated from the committed schemas).
import type { Container, PodSpec, ServicePort, Volume } from "../generated/kubernetes.ts";

export interface AgentFacts {
  service: {
    name: string;
    namespace: string;
    internalTrafficPolicy: string;
    selector: Record<string, string>;
    traceport: { port: number; targetPort: number | string };
  };
  daemonSet: { name: string; namespace: string; podLabels: Record<string, string> };
  traceAgent: {
    containerPort: number;
    /** undefined when the chart leaves the host port closed (`datadog.apm.portEnabled: false`). */
    hostPort: number | undefined;
    env: { DD_APM_RECEIVER_PORT: string; DD_APM_NON_LOCAL_TRAFFIC: string };
  };
}

const moved = "the Datadog chart may have moved it: re-read charts/datadog/templates/daemonset.yaml, _container-trace-agent.yaml and agent-services.yaml at the new tag";

function podOf(ds: KubeObject): { labels: Record<string, string>; annotations?: Record<string, string>; spec: PodSpec } {
  const t = (ds.spec as { template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: PodSpec } } | undefined)?.template;
  if (!t?.spec?.containers) throw new Error(`${objectId(ds)} has no pod template; ${moved}`);
  return { labels: t.metadata?.labels ?? {}, annotations: t.metadata?.annotations, spec: t.spec };
}

/** The Agent DaemonSet: the one whose pod runs the trace-agent container (templates/daemonset.yaml includes `container-trace-agent`). */
function agentDaemonSet(objects: KubeObject[]): KubeObject {
  const found = objects.filter((o) => o.kind === "DaemonSet" && podOf(o).spec.containers.some((c) => c.name === TRACE_AGENT_CONTAINER));
  if (found.length !== 1) {
    const all = objects.filter((o) => o.kind === "DaemonSet").map(objectId);
    throw new Error(`expected one DaemonSet with a "${TRACE_AGENT_CONTAINER}" container, found ${found.length} (DaemonSets: ${all.join(", ") || "none"}; the chart renders the Agent DaemonSet only with datadog.apiKey or datadog.apiKeyExistingSecret set); ${moved}`);
  }
  return found[0];
}

/** The node-local Service: internalTrafficPolicy Local, selecting the Agent's pods (agent-services.yaml, `localService.name`). */
function localService(objects: KubeObject[], ds: KubeObject): KubeObject {
  const labels = podOf(ds).labels;
  const spec = (o: KubeObject) => (o.spec ?? {}) as { internalTrafficPolicy?: string; selector?: Record<string, string> };
  const local = objects.filter((o) => o.kind === "Service" && spec(o).internalTrafficPolicy === "Local");
  const selecting = local.filter((o) => spec(o).selector && Object.keys(spec(o).selector!).length > 0 && matchesSelector({ matchLabels: spec(o).selector }, labels));
  if (selecting.length !== 1) {
    throw new Error(
      `expected one Service with internalTrafficPolicy Local selecting the pods of ${objectId(ds)} (labels ${JSON.stringify(labels)}), found ${selecting.length} (node-local Services: ${local.map((o) => `${objectId(o)} selector ${JSON.stringify(spec(o).selector ?? {})}`).join(", ") || "none"}); ${moved}`,
    );
  }
  return selecting[0];
}

function traceAgentOf(ds: KubeObject): Container {
  return podOf(ds).spec.containers.find((c) => c.name === TRACE_AGENT_CONTAINER)!;
}

function envValue(c: Container, name: string, where: string): string {
  const e = c.env?.find((v) => v.name === name);
  if (!e || typeof e.value !== "string") throw new Error(`${where} has no env ${name} with a literal value; ${moved}`);
  return e.value;
}

/** What the profiler chart relies on, read from a render of the Datadog chart; throws when a fact is missing. */
export function agentFacts(objects: KubeObject[]): AgentFacts {
  const ds = agentDaemonSet(objects);
  const pod = podOf(ds);
  const svc = localService(objects, ds);
  const svcSpec = svc.spec as { internalTrafficPolicy: string; selector: Record<string, string>; ports?: ServicePort[] };
  const sp = svcSpec.ports?.find((p) => p.name === TRACE_PORT_NAME);
  if (!sp) throw new Error(`${objectId(svc)} has no port named ${TRACE_PORT_NAME} (ports: ${(svcSpec.ports ?? []).map((p) => p.name ?? p.port).join(", ") || "none"}); ${moved}`);
  const c = traceAgentOf(ds);
  const where = `container ${TRACE_AGENT_CONTAINER} of ${objectId(ds)}`;
  const cp = c.ports?.find((p) => p.name === TRACE_PORT_NAME);
  if (!cp) throw new Error(`${where} has no port named ${TRACE_PORT_NAME}; ${moved}`);
  // The Service must land on that port, by number or by name (a Service targetPort defaults to its port).
  const target = sp.targetPort ?? sp.port;
  if (target !== cp.containerPort && target !== cp.name) {
    throw new Error(`${objectId(svc)} port ${TRACE_PORT_NAME} targets ${target}, but ${where} listens on ${cp.containerPort} (${cp.name}); ${moved}`);
  }
  return {
    service: {
      name: svc.metadata.name,
      namespace: svc.metadata.namespace ?? "",
      internalTrafficPolicy: svcSpec.internalTrafficPolicy,
      selector: svcSpec.selector,
      traceport: { port: sp.port, targetPort: target },
    },
    daemonSet: { name: ds.metadata.name, namespace: ds.metadata.namespace ?? "", podLabels: pod.labels },
    traceAgent: {
      containerPort: cp.containerPort,
      hostPort: cp.hostPort,
      env: { DD_APM_RECEIVER_PORT: envValue(c, "DD_APM_RECEIVER_PORT", where), DD_APM_NON_LOCAL_TRAFFIC: envValue(c, "DD_APM_NON_LOCAL_TRAFFIC", where) },
    },
  };
}

export interface Trim {
  what: string;
  why: string;
}

// The API groups a bare kube-apiserver serves with no CRDs and no aggregated APIs installed.
const builtInGroups = new Set(["", "apps", "batch", "policy", "rbac.authorization.k8s.io", "networking.k8s.io", "scheduling.k8s.io", "storage.k8s.io", "node.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "autoscaling", "apiextensions.k8s.io", "admissionregistration.k8s.io", "apiregistration.k8s.io", "certificates.k8s.io", "flowcontrol.apiserver.k8s.io"]);
const groupOf = (o: KubeObject) => (o.apiVersion.includes("/") ? o.apiVersion.split("/")[0] : "");

function imagesOf(o: KubeObject): string {
  const spec = (o.spec as { template?: { spec?: PodSpec } } | undefined)?.template?.spec;
  return [...new Set([...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].map((c) => c.image))].join(", ");
}

/** ConfigMaps and Secrets a container's env, envFrom and the pod's volumes name. */
function references(containers: Container[], volumes: Volume[]): { configMaps: Set<string>; secrets: Set<string> } {
  // Names are optional in the API types; an unnamed reference names nothing to keep.
  const named = (set: Set<string>) => ({ add: (name: string | undefined) => name && set.add(name) });
  const configMapNames = new Set<string>();
  const secretNames = new Set<string>();
  const configMaps = named(configMapNames);
  const secrets = named(secretNames);
  for (const c of containers) {
    for (const e of c.env ?? []) {
      if (e.valueFrom?.configMapKeyRef) configMaps.add(e.valueFrom.configMapKeyRef.name);
      if (e.valueFrom?.secretKeyRef) secrets.add(e.valueFrom.secretKeyRef.name);
    }
    for (const f of c.envFrom ?? []) {
      if (f.configMapRef) configMaps.add(f.configMapRef.name);
      if (f.secretRef) secrets.add(f.secretRef.name);
    }
  }
  for (const v of volumes) {
    if (v.configMap) configMaps.add(v.configMap.name);
    if (v.secret) secrets.add(v.secret.secretName);
    for (const s of v.projected?.sources ?? []) {
      if (s.configMap) configMaps.add(s.configMap.name);
      if (s.secret) secrets.add(s.secret.name);
    }
  }
  return { configMaps: configMapNames, secrets: secretNames };
}

/** The trace-agent container made runnable by our stand-in: image, command, pull policy, hooks and probes. */
function trimTraceAgent(kept: Container, orig: Container, image: string, tracePort: number, dsId: string, trim: (what: string, why: string) => void): void {
  // The image: no Agent image on the node and no internet; our Go stand-in serves the receiver instead.
  trim(`${dsId} container ${TRACE_AGENT_CONTAINER} image`, `${orig.image} → ${image}: no real Agent image and no registry on the node; the Go stand-in answers GET /info and records POSTs`);
  kept.image = image;
  // The command: `trace-agent`/`trace-loader` live in the Agent image; the stand-in's mode listens on $DD_APM_RECEIVER_PORT.
  trim(`${dsId} container ${TRACE_AGENT_CONTAINER} command`, `${JSON.stringify(orig.command ?? [])} → ${JSON.stringify(STAND_IN_COMMAND)}: the Agent's binaries are not in the stand-in image`);
  kept.command = [...STAND_IN_COMMAND];
  if (kept.args) {
    // Arguments belong to the Agent's binary.
    trim(`${dsId} container ${TRACE_AGENT_CONTAINER} args`, "arguments of the Agent's binary, which the stand-in does not take");
    delete kept.args;
  }
  // Pull policy: the stand-in image is loaded into containerd by the node tier, never pulled.
  if (kept.imagePullPolicy !== "IfNotPresent") trim(`${dsId} container ${TRACE_AGENT_CONTAINER} imagePullPolicy`, `${String(kept.imagePullPolicy)} → IfNotPresent: the image is preloaded and there is no registry to pull from`);
  kept.imagePullPolicy = "IfNotPresent";
  if (kept.lifecycle) {
    // Lifecycle hooks (agents.lifecycle) run commands of the Agent image.
    trim(`${dsId} container ${TRACE_AGENT_CONTAINER} lifecycle`, "runs commands of the real Agent image");
    delete kept.lifecycle;
  }

  // Probes: a TCP probe of the trace port holds for the stand-in too; any other probe asks the real Agent.
  for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"] as const) {
    const p = kept[probe] as { tcpSocket?: { port: number | string } } | undefined;
    if (!p) continue;
    const onTracePort = p.tcpSocket && (p.tcpSocket.port === tracePort || p.tcpSocket.port === TRACE_PORT_NAME);
    if (!onTracePort) {
      trim(`${dsId} container ${TRACE_AGENT_CONTAINER} ${probe}`, `${JSON.stringify(p)} checks what only the real Agent serves`);
      delete kept[probe];
    }
  }

}

/** Mounts of what only dropped containers fill, and env naming objects the render does not hold. */
function trimMountsAndEnv(kept: Container, volumes: Volume[], all: Container[], objects: KubeObject[], ds: KubeObject, trim: (what: string, why: string) => void): void {
  const dsId = objectId(ds);
  // Mounts the trace-agent only reads of emptyDirs that dropped containers fill (`config` by init-volume/init-config
  // from the Agent image, `auth-token` by the core agent: _container-trace-agent.yaml, _containers-init-linux.yaml).
  const writers = (name: string) => all.filter((c) => c.name !== TRACE_AGENT_CONTAINER && c.volumeMounts?.some((m) => m.name === name && !m.readOnly)).map((c) => c.name);
  kept.volumeMounts = (kept.volumeMounts ?? []).filter((m) => {
    const v = volumes.find((x) => x.name === m.name);
    const w = writers(m.name);
    if (m.readOnly && v?.emptyDir && w.length > 0) {
      trim(`${dsId} container ${TRACE_AGENT_CONTAINER} volumeMount ${m.name} (${m.mountPath})`, `an emptyDir filled only by ${w.join(", ")} with the real Agent's files; dropped with them`);
      return false;
    }
    return true;
  });

  // Env pointing at objects the render does not hold (e.g. DD_API_KEY from datadog.apiKeyExistingSecret) would stop the
  // container from starting; the stand-in needs no API key.
  const has = (kind: string, name: string) => objects.some((x) => x.kind === kind && x.metadata?.name === name && (x.metadata.namespace ?? ds.metadata.namespace) === ds.metadata.namespace);
  kept.env = (kept.env ?? []).filter((e) => {
    const ref = e.valueFrom?.secretKeyRef ? { kind: "Secret", ...e.valueFrom.secretKeyRef } : e.valueFrom?.configMapKeyRef ? { kind: "ConfigMap", ...e.valueFrom.configMapKeyRef } : undefined;
    if (ref && !ref.optional && !has(ref.kind, ref.name ?? "")) {
      trim(`${dsId} container ${TRACE_AGENT_CONTAINER} env ${e.name}`, `reads ${ref.kind} ${ref.name}, which this render does not create; the stand-in does not use it`);
      return false;
    }
    return true;
  });
}

/** The objects applied beside the trimmed DaemonSet: the Service and what the kept pod uses; the rest trimmed with a reason. */
function objectsForNode(objects: KubeObject[], k: { srcDs: KubeObject; ds: KubeObject; svc: KubeObject }, trim: (what: string, why: string) => void): KubeObject[] {
  const { srcDs, ds, svc } = k;
  const pod = podOf(ds).spec;
  // What else the kept pod uses: its ServiceAccount, the RBAC bound to it, the ConfigMaps and Secrets it names.
  const ns = ds.metadata.namespace;
  const sa = pod.serviceAccountName ?? "default";
  const refs = references(pod.containers, pod.volumes ?? []);
  const boundToAgent = (b: KubeObject) => ((b as { subjects?: { kind: string; name: string; namespace?: string }[] }).subjects ?? []).some((s) => s.kind === "ServiceAccount" && s.name === sa && (s.namespace ?? b.metadata.namespace) === ns);
  const bindings = objects.filter((x) => (x.kind === "ClusterRoleBinding" || x.kind === "RoleBinding") && boundToAgent(x));
  const roles = new Set(bindings.map((b) => { const r = b.roleRef as { kind: string; name: string }; return `${r.kind}/${r.name}`; }));

  const out: KubeObject[] = [];
  for (const x of objects) {
    const id = objectId(x);
    const inNs = (x.metadata.namespace ?? ns) === ns;
    if (x === srcDs) out.push(ds);
    else if (x === svc) out.push(x);
    else if (!builtInGroups.has(groupOf(x))) trim(id, `a custom resource (${x.apiVersion}): a bare API server without its CRD refuses it`); // no CRDs installed
    else if (x.kind === "CustomResourceDefinition") trim(id, "a CRD for the Datadog Operator / Cluster Agent features (datadog-crds subchart); nothing between the profiler and the trace-agent uses it"); // operator-only
    else if (/WebhookConfiguration$|^APIService$/.test(x.kind)) trim(id, "points the API server at the Cluster Agent, which does not run here; calls through it would fail"); // no webhooks
    else if (x.kind === "ServiceAccount" && x.metadata.name === sa && inNs) out.push(x);
    else if (bindings.includes(x)) out.push(x);
    else if ((x.kind === "ClusterRole" || (x.kind === "Role" && inNs)) && roles.has(`${x.kind}/${x.metadata.name}`)) out.push(x);
    else if (x.kind === "ConfigMap" && inNs && refs.configMaps.has(x.metadata.name)) out.push(x);
    else if (x.kind === "Secret" && inNs && refs.secrets.has(x.metadata.name)) out.push(x);
    else if (["Deployment", "DaemonSet", "StatefulSet", "Job", "CronJob", "Pod", "ReplicaSet"].includes(x.kind)) trim(id, `a workload besides the Agent DaemonSet (Cluster Agent, Operator, ...): needs its real image (${imagesOf(x)}) and a Datadog backend`);
    else if (x.kind === "Service") trim(id, "not the node-local Agent Service; it selects pods of a dropped workload");
    else if (["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"].includes(x.kind)) trim(id, `identity or permissions of a dropped workload, not of ServiceAccount ${sa}`);
    else if (x.kind === "ConfigMap" || x.kind === "Secret") trim(id, `not named by the kept ${TRACE_AGENT_CONTAINER} container or its volumes`);
    else trim(id, "not on the path from the profiler to the trace-agent");
  }
  return out;
}

/**
 * What the node tier applies to a small real cluster (one kubelet with containerd, kube-proxy, CoreDNS;
 * no Datadog backend, no internet, no Agent image): the Agent DaemonSet reduced to its trace-agent
 * container run by `o.image`, the node-local Service, and the ServiceAccount, RBAC, ConfigMaps and
 * Secrets that pod uses. Every change is listed in `trims`.
 */
export function agentObjectsForNode(objects: KubeObject[], o: { image: string }): { objects: KubeObject[]; trims: Trim[] } {
  const facts = agentFacts(objects); // throws first if the render lacks what routing depends on
  const trims: Trim[] = [];
  const trim = (what: string, why: string) => trims.push({ what, why });
  const srcDs = agentDaemonSet(objects);
  const svc = localService(objects, srcDs);
  const ds = structuredClone(srcDs);
  const dsId = objectId(ds);
  const tpl = (ds.spec as { template: { metadata: { annotations?: Record<string, string> }; spec: PodSpec } }).template;
  const pod = tpl.spec;
  const all = [...(pod.initContainers ?? []), ...pod.containers];

  const kept = structuredClone(traceAgentOf(ds));
  const orig = traceAgentOf(srcDs);
  // Other containers (agent, process-agent, system-probe, ... per templates/daemonset.yaml): real Agent image and a backend needed.
  for (const c of pod.containers.filter((c) => c.name !== TRACE_AGENT_CONTAINER)) trim(`${dsId} container ${c.name}`, `needs the real Agent image (${c.image}) and a Datadog backend; the profiler only talks to ${TRACE_AGENT_CONTAINER}`);
  // Init containers (containers-init-linux in _containers-init-linux.yaml, seccomp/system-probe setup) prepare the real Agent's files.
  for (const c of pod.initContainers ?? []) trim(`${dsId} init container ${c.name}`, `prepares files for the real Agent from its image (${c.image}); the stand-in reads none of them`);
  delete pod.initContainers;

  trimTraceAgent(kept, orig, o.image, facts.traceAgent.containerPort, dsId, trim);

  const volumes = pod.volumes ?? [];
  trimMountsAndEnv(kept, volumes, all, objects, ds, trim);
  pod.containers = [kept];

  // Volumes no kept container mounts any more.
  pod.volumes = volumes.filter((v) => {
    if (kept.volumeMounts!.some((m) => m.name === v.name)) return true;
    trim(`${dsId} volume ${v.name}`, "mounted only by dropped containers");
    return false;
  });
  // Per-container pod annotations (container.apparmor.security.beta.kubernetes.io/<name>, ...) naming dropped containers:
  // the API server refuses an AppArmor annotation for a container the pod does not have.
  for (const k of Object.keys(tpl.metadata.annotations ?? {})) {
    const m = /^container\.[^/]+\/(.+)$/.exec(k);
    if (m && m[1] !== TRACE_AGENT_CONTAINER) {
      trim(`${dsId} pod annotation ${k}`, `names container ${m[1]}, which is dropped`);
      delete tpl.metadata.annotations![k];
    }
  }

  return { objects: objectsForNode(objects, { srcDs, ds, svc }, trim), trims };
}

// ---------------------------------------------------------------------------------------------
// On a cluster

export interface InstalledAgent {
  facts: AgentFacts;
  trims: Trim[];
  /** `app=<fullname>`: the Agent pods' selector, for reading them. */
  podSelector: string;
  /** The trace-agent stand-in's request lines (STANDIN-AGENT {...}), parsed, from every Agent pod. */
  requests(): Promise<{ method: string; path: string; remote: string; headers: Record<string, string>; parts: string[]; eventTags: string | null; status: number }[]>;
}

/** The API client and kubectl of a cluster (scripts/cluster/control-plane.ts ControlPlane). */
interface Cluster {
  api(method: string, path: string, body?: unknown, contentType?: string): Promise<{ body: any }>;
  kubectl(args: string[], input?: string): Promise<{ ok: boolean; stdout: string; stderr: string }>;
}

/**
 * The Datadog chart rendered with `values`, cut down by agentObjectsForNode with `image`, applied to
 * `cluster` in `namespace` (which must exist and allow privileged pods: the Agent runs with hostPID
 * and hostPath volumes), and its pods Ready. Applying again with other values updates it in place.
 */
export async function applyDatadogAgent(cluster: Cluster, helm: Helm, o: { release: string; namespace: string; values: object; image: string; kubeVersion?: string }): Promise<InstalledAgent> {
  const rendered = await renderDatadogChart(helm, o);
  const { objects, trims } = agentObjectsForNode(rendered, { image: o.image });
  const facts = agentFacts(objects);
  const yaml = objects.map((x) => dump(x)).join("---\n");
  const applied = await cluster.kubectl(["apply", "--server-side", "--force-conflicts", "--field-manager=dd-prof-datadog-agent", "-f", "-"], yaml);
  if (!applied.ok) throw new Error(`applying the Datadog chart's Agent objects failed:\n${applied.stderr}`);
  const podSelector = Object.entries(facts.daemonSet.podLabels).filter(([k]) => k === "app").map(([k, v]) => `${k}=${v}`).join(",");
  const ds = `/apis/apps/v1/namespaces/${o.namespace}/daemonsets/${facts.daemonSet.name}`;
  // Ready and rolled out: every pod of the current generation updated and available.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const s = (await cluster.api("GET", ds)).body;
    const st = s.status ?? {};
    if (st.observedGeneration === s.metadata.generation && st.desiredNumberScheduled > 0 && st.updatedNumberScheduled === st.desiredNumberScheduled && st.numberAvailable === st.desiredNumberScheduled) break;
    if (Date.now() > deadline) throw new Error(`the Datadog Agent DaemonSet ${o.namespace}/${facts.daemonSet.name} did not roll out in 120s: ${JSON.stringify(st)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    facts,
    trims,
    podSelector,
    async requests() {
      const r = await cluster.kubectl(["logs", "-n", o.namespace, "-l", podSelector, "-c", TRACE_AGENT_CONTAINER, "--tail=-1", "--prefix=false"]);
      if (!r.ok) throw new Error(`kubectl logs of the Agent pods: ${r.stderr}`);
      return r.stdout
        .split("\n")
        .filter((l) => l.startsWith("STANDIN-AGENT "))
        .map((l) => JSON.parse(l.slice("STANDIN-AGENT ".length)));
    },
  };
}
