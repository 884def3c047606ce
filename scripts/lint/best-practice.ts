// Best-practice checks on rendered manifests, in the spirit of kube-linter's defaults (which is not
// served here, so its rules are written out). Exceptions the profiler needs live in exemptions.ts.
import type { KubeObject } from "../lib/manifests.ts";
import { objectId } from "../lib/manifests.ts";
import type { Exemption } from "./exemptions.ts";
import type { Problem } from "./report.ts";

export type CheckName =
  | "probes"
  | "resources"
  | "image-tag"
  | "host-network"
  | "host-ipc"
  | "host-pid"
  | "host-port"
  | "privileged"
  | "privilege-escalation"
  | "read-only-root-fs"
  | "run-as-root"
  | "capabilities"
  | "unconfined-profile"
  | "host-path"
  | "host-path-writable"
  | "env-secret"
  | "token-automount"
  | "rbac-wildcard"
  | "labels";

type Dict = Record<string, any>;

const LONG_RUNNING = new Set(["DaemonSet", "Deployment", "StatefulSet", "ReplicaSet"]);
const REQUIRED_LABELS = ["app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version", "app.kubernetes.io/managed-by", "helm.sh/chart"];
const SECRET_NAME = /(^|_)(API_?KEY|APP_?KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIALS?)($|_)/i;

function podSpecOf(o: KubeObject): Dict | undefined {
  const spec = (o as Dict).spec;
  if (!spec) return undefined;
  if (o.kind === "Pod") return spec;
  if (o.kind === "CronJob") return spec.jobTemplate?.spec?.template?.spec;
  return spec.template?.spec;
}

export interface Render {
  /** Which values: "defaults" or the case file, repository-relative. */
  source: string;
  objects: KubeObject[];
  /** The values the case sets on top of the defaults ({} for the defaults). What a user asks for
   * by name (extraVolumes, rbac.create: false) is the user's choice, not the chart's. */
  values: Dict;
}

export interface BestPracticeResult {
  problems: Problem[];
  /** Exemptions some render needed (index into the exemptions list). */
  used: Set<number>;
}

/** Records a problem of one object. */
type Report = (check: CheckName, message: string) => void;
/** Whether an exemption covers this check (and container, and item); marks the exemption used. */
type Exempt = (check: CheckName, container?: Dict, item?: string) => boolean;

/** What the rules of one pod spec read. */
interface PodScope {
  object: KubeObject;
  pod: Dict;
  render: Render;
  /** The chart's RoleBindings and ClusterRoleBindings. */
  bindings: KubeObject[];
  report: Report;
  exempt: Exempt;
}

/** What the rules of one container read, on top of its pod's. */
interface ContainerScope extends PodScope {
  /** "containers" or "initContainers". */
  where: string;
  container: Dict;
  /** A field's path in the report: `containers[name].field`. */
  at: (field: string) => string;
  sc: Dict;
  podSc: Dict;
  privileged: boolean;
}

/**
 * The rules, run in this order on each object: the object's own, then (for an object with a pod
 * spec) the pod's, then each container's. The order is the order of the problems reported.
 */
const objectRules: ((o: KubeObject, report: Report) => void)[] = [requiredLabels, rbacWildcards];
const podRules: ((s: PodScope) => void)[] = [hostNamespaces, tokenAutomount, hostPaths];
const containerRules: ((s: ContainerScope) => void)[] = [
  probes,
  resources,
  imageTag,
  hostPorts,
  privilegedContainer,
  privilegeEscalation,
  readOnlyRootFs,
  runAsRoot,
  capabilities,
  unconfinedProfiles,
  envSecrets,
];

export function checkBestPractices(render: Render, exemptions: Exemption[], used = new Set<number>()): BestPracticeResult {
  const problems: Problem[] = [];
  const bindings = render.objects.filter((o) => o.kind === "ClusterRoleBinding" || o.kind === "RoleBinding");
  for (const object of render.objects) {
    const report: Report = (check, message) =>
      problems.push({ rule: `manifest/${check}`, file: render.source, message: `${objectId(object)}: ${message}` });
    for (const rule of objectRules) rule(object, report);
    const pod = podSpecOf(object);
    if (!pod) continue;
    const scope: PodScope = { object, pod, render, bindings, report, exempt: exempter(object, exemptions, used) };
    for (const rule of podRules) rule(scope);
    const podSc = pod.securityContext ?? {};
    for (const [where, container] of containersOf(pod)) {
      const sc = container.securityContext ?? {};
      const at = (field: string) => `${where}[${container.name}].${field}`;
      const c: ContainerScope = { ...scope, where, container, at, sc, podSc, privileged: sc.privileged === true };
      for (const rule of containerRules) rule(c);
    }
  }
  return { problems, used };
}

/** Init containers then containers, each with the field it sits under. */
function containersOf(pod: Dict): [string, Dict][] {
  return [
    ...(pod.initContainers ?? []).map((c: Dict) => ["initContainers", c] as [string, Dict]),
    ...(pod.containers ?? []).map((c: Dict) => ["containers", c] as [string, Dict]),
  ];
}

function exempter(o: KubeObject, exemptions: Exemption[], used: Set<number>): Exempt {
  return (check, container, item) => {
    const privileged = container?.securityContext?.privileged === true;
    const i = exemptions.findIndex(
      (e) =>
        e.check === check &&
        e.kind === o.kind &&
        (e.container === undefined || e.container === container?.name) &&
        (!e.onlyPrivileged || privileged) &&
        (item === undefined ? e.allow === undefined : e.allow?.includes(item) === true),
    );
    if (i >= 0) used.add(i);
    return i >= 0;
  };
}

// Rules of any object.

function requiredLabels(o: KubeObject, report: Report): void {
  const labels = o.metadata?.labels ?? {};
  const missing = REQUIRED_LABELS.filter((l) => !labels[l]);
  if (missing.length) report("labels", `metadata.labels lacks ${missing.join(", ")}`);
}

function rbacWildcards(o: KubeObject, report: Report): void {
  if (o.kind !== "ClusterRole" && o.kind !== "Role") return;
  for (const [i, r] of ((o as Dict).rules ?? []).entries()) {
    for (const field of ["verbs", "resources", "apiGroups"]) {
      if ((r[field] ?? []).includes("*")) report("rbac-wildcard", `rules[${i}].${field} has "*": grant only what is used`);
    }
  }
}

// Rules of a pod spec.

function hostNamespaces({ pod, report, exempt }: PodScope): void {
  if (pod.hostNetwork === true) report("host-network", "spec.hostNetwork is true");
  if (pod.hostIPC === true) report("host-ipc", "spec.hostIPC is true");
  if (pod.hostPID === true && !exempt("host-pid")) report("host-pid", "spec.hostPID is true");
}

/** A token is mounted only on purpose, and then for a service account the chart binds to something. */
function tokenAutomount({ pod, bindings, render, report }: PodScope): void {
  const sa = pod.serviceAccountName ?? "default";
  const bound = bindings.some((b) => ((b as Dict).subjects ?? []).some((s: Dict) => s.kind === "ServiceAccount" && s.name === sa));
  // rbac.create: false is the user's choice to bind the account themselves.
  const userRbac = render.values.rbac?.create === false;
  if (typeof pod.automountServiceAccountToken !== "boolean") {
    report("token-automount", "spec.automountServiceAccountToken is unset: say true only when the pod talks to the Kubernetes API");
  } else if (pod.automountServiceAccountToken && !bound && !userRbac) {
    report("token-automount", `the pod mounts a service account token but no RoleBinding or ClusterRoleBinding in the chart grants ${sa} anything (and rbac.create is not false)`);
  }
}

/** Host paths the chart mounts (not the user's extraVolumes), and never read-write. */
function hostPaths({ pod, render, report, exempt }: PodScope): void {
  const mountsByVolume = new Map<string, { mount: Dict; container: Dict }[]>();
  for (const [, c] of containersOf(pod)) for (const m of c.volumeMounts ?? []) mountsByVolume.set(m.name, [...(mountsByVolume.get(m.name) ?? []), { mount: m, container: c }]);
  const userVolumes = new Set<string>((render.values.extraVolumes ?? []).map((v: Dict) => v?.name));
  for (const v of pod.volumes ?? []) {
    if (!v.hostPath || userVolumes.has(v.name)) continue;
    if (!exempt("host-path", undefined, v.hostPath.path)) report("host-path", `volume ${v.name} mounts the host path ${v.hostPath.path}`);
    for (const { mount: m, container } of mountsByVolume.get(v.name) ?? []) {
      if (m.readOnly !== true && !exempt("host-path-writable", container, v.hostPath.path)) report("host-path", `volume ${v.name} (host path ${v.hostPath.path}) is mounted read-write at ${m.mountPath}`);
    }
  }
}

// Rules of a container.

function probes({ object, where, container, at, report, exempt }: ContainerScope): void {
  if (!LONG_RUNNING.has(object.kind) || where !== "containers") return;
  const lacking = ["livenessProbe", "readinessProbe"].filter((p) => !container[p]);
  if (lacking.length && !exempt("probes", container)) report("probes", `${at(lacking.join(" and "))} missing`);
}

function resources({ container, at, report }: ContainerScope): void {
  for (const kind of ["requests", "limits"]) for (const r of ["cpu", "memory"]) {
    if (container.resources?.[kind]?.[r] === undefined) report("resources", `${at(`resources.${kind}.${r}`)} is not set`);
  }
}

/** A tag that names one image: present, and not a moving "latest" (a digest pins any tag). */
function imageTag({ container, at, report }: ContainerScope): void {
  const image = String(container.image ?? "");
  const digest = image.includes("@sha256:");
  const ref = image.split("@")[0];
  const slash = ref.lastIndexOf("/");
  const colon = ref.lastIndexOf(":");
  const tag = colon > slash ? ref.slice(colon + 1) : "";
  if (!digest && !tag) report("image-tag", `${at("image")} "${image}" has no tag (the runtime pulls latest)`);
  else if (/(^|[-_.])latest$/.test(tag) && !digest) report("image-tag", `${at("image")} "${image}" uses a moving "${tag}" tag`);
}

function hostPorts({ container, at, report }: ContainerScope): void {
  for (const p of container.ports ?? []) if (p.hostPort) report("host-port", `${at("ports")} binds host port ${p.hostPort}`);
}

function privilegedContainer(s: ContainerScope): void {
  if (s.privileged && !s.exempt("privileged", s.container)) s.report("privileged", `${s.at("securityContext.privileged")} is true`);
}

/** Kubernetes refuses allowPrivilegeEscalation: false on a privileged container, so only the rest are asked. */
function privilegeEscalation({ sc, privileged, at, report }: ContainerScope): void {
  if (!privileged && sc.allowPrivilegeEscalation !== false) report("privilege-escalation", `${at("securityContext.allowPrivilegeEscalation")} must be false`);
}

function readOnlyRootFs({ sc, container, at, report, exempt }: ContainerScope): void {
  if (sc.readOnlyRootFilesystem !== true && !exempt("read-only-root-fs", container)) report("read-only-root-fs", `${at("securityContext.readOnlyRootFilesystem")} must be true`);
}

/** Root unless the container (or its pod) says otherwise: the image's user is not known here. */
function runAsRoot({ sc, podSc, container, at, report, exempt }: ContainerScope): void {
  const runAsUser = sc.runAsUser ?? podSc.runAsUser;
  const runAsNonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
  const root = runAsUser === 0 || (runAsUser === undefined && runAsNonRoot !== true);
  if (root && !exempt("run-as-root", container)) report("run-as-root", `${at("securityContext")} runs as root (runAsUser ${runAsUser ?? "unset"}, runAsNonRoot ${runAsNonRoot ?? "unset"})`);
}

function capabilities({ sc, privileged, container, at, report, exempt }: ContainerScope): void {
  const drop: string[] = sc.capabilities?.drop ?? [];
  if (!privileged && !drop.includes("ALL")) report("capabilities", `${at("securityContext.capabilities.drop")} must include ALL`);
  for (const cap of sc.capabilities?.add ?? []) {
    if (!exempt("capabilities", container, cap)) report("capabilities", `${at("securityContext.capabilities.add")} has ${cap}`);
  }
}

/** Seccomp and AppArmor profiles, from the container, its pod, or (AppArmor before 1.30) the annotation. */
function unconfinedProfiles({ object, sc, podSc, container, at, report, exempt }: ContainerScope): void {
  const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
  const annotation = (object as Dict).spec?.template?.metadata?.annotations?.[`container.apparmor.security.beta.kubernetes.io/${container.name}`];
  const apparmor = sc.appArmorProfile?.type ?? podSc.appArmorProfile?.type ?? (annotation === "unconfined" ? "Unconfined" : undefined);
  for (const [what, type] of [["seccompProfile", seccomp], ["appArmorProfile", apparmor]] as const) {
    if (type === "Unconfined" && !exempt("unconfined-profile", container)) report("unconfined-profile", `${at(`securityContext.${what}`)} is Unconfined`);
  }
}

function envSecrets({ container, at, report }: ContainerScope): void {
  for (const e of container.env ?? []) {
    if (SECRET_NAME.test(e.name) && e.value !== undefined && e.value !== "") report("env-secret", `${at("env")} ${e.name} holds a literal value: take it from a Secret (valueFrom.secretKeyRef)`);
  }
}

export function staleExemptions(exemptions: Exemption[], used: Set<number>): Problem[] {
  return exemptions.flatMap((e, i) =>
    used.has(i)
      ? []
      : [{
          rule: "manifest/stale-exemption",
          file: "scripts/lint/exemptions.ts",
          message: `the ${e.check} exemption for ${e.kind}${e.container ? `/${e.container}` : ""}${e.allow ? ` (${e.allow.join(", ")})` : ""} matched nothing in the defaults or any values case: remove it, or add the case that needs it`,
        }],
  );
}
