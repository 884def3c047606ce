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

export function checkBestPractices(render: Render, exemptions: Exemption[], used = new Set<number>()): BestPracticeResult {
  const problems: Problem[] = [];
  const bindings = render.objects.filter((o) => o.kind === "ClusterRoleBinding" || o.kind === "RoleBinding");

  for (const o of render.objects) {
    const report = (check: CheckName, message: string) =>
      problems.push({ rule: `manifest/${check}`, file: render.source, message: `${objectId(o)}: ${message}` });

    const labels = o.metadata?.labels ?? {};
    const missing = REQUIRED_LABELS.filter((l) => !labels[l]);
    if (missing.length) report("labels", `metadata.labels lacks ${missing.join(", ")}`);

    if (o.kind === "ClusterRole" || o.kind === "Role") {
      for (const [i, r] of ((o as Dict).rules ?? []).entries()) {
        for (const field of ["verbs", "resources", "apiGroups"]) {
          if ((r[field] ?? []).includes("*")) report("rbac-wildcard", `rules[${i}].${field} has "*": grant only what is used`);
        }
      }
    }

    const pod = podSpecOf(o);
    if (!pod) continue;
    const exempt = (check: CheckName, container?: Dict, item?: string): boolean => {
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

    if (pod.hostNetwork === true) report("host-network", "spec.hostNetwork is true");
    if (pod.hostIPC === true) report("host-ipc", "spec.hostIPC is true");
    if (pod.hostPID === true && !exempt("host-pid")) report("host-pid", "spec.hostPID is true");

    const sa = pod.serviceAccountName ?? "default";
    const bound = bindings.some((b) => ((b as Dict).subjects ?? []).some((s: Dict) => s.kind === "ServiceAccount" && s.name === sa));
    const userRbac = render.values.rbac?.create === false;
    if (typeof pod.automountServiceAccountToken !== "boolean") {
      report("token-automount", "spec.automountServiceAccountToken is unset: say true only when the pod talks to the Kubernetes API");
    } else if (pod.automountServiceAccountToken && !bound && !userRbac) {
      report("token-automount", `the pod mounts a service account token but no RoleBinding or ClusterRoleBinding in the chart grants ${sa} anything (and rbac.create is not false)`);
    }

    const mountsByVolume = new Map<string, Dict[]>();
    const containers: [string, Dict][] = [
      ...(pod.initContainers ?? []).map((c: Dict) => ["initContainers", c] as [string, Dict]),
      ...(pod.containers ?? []).map((c: Dict) => ["containers", c] as [string, Dict]),
    ];
    for (const [, c] of containers) for (const m of c.volumeMounts ?? []) mountsByVolume.set(m.name, [...(mountsByVolume.get(m.name) ?? []), m]);
    const userVolumes = new Set<string>((render.values.extraVolumes ?? []).map((v: Dict) => v?.name));
    for (const v of pod.volumes ?? []) {
      if (!v.hostPath || userVolumes.has(v.name)) continue;
      if (!exempt("host-path", undefined, v.hostPath.path)) report("host-path", `volume ${v.name} mounts the host path ${v.hostPath.path}`);
      for (const m of mountsByVolume.get(v.name) ?? []) if (m.readOnly !== true) report("host-path", `volume ${v.name} (host path ${v.hostPath.path}) is mounted read-write at ${m.mountPath}`);
    }

    const podSc = pod.securityContext ?? {};
    for (const [where, c] of containers) {
      const at = (field: string) => `${where}[${c.name}].${field}`;
      const sc = c.securityContext ?? {};
      const privileged = sc.privileged === true;

      if (LONG_RUNNING.has(o.kind) && where === "containers") {
        const lacking = ["livenessProbe", "readinessProbe"].filter((p) => !c[p]);
        if (lacking.length && !exempt("probes", c)) report("probes", `${at(lacking.join(" and "))} missing`);
      }
      for (const kind of ["requests", "limits"]) for (const r of ["cpu", "memory"]) {
        if (c.resources?.[kind]?.[r] === undefined) report("resources", `${at(`resources.${kind}.${r}`)} is not set`);
      }

      const image = String(c.image ?? "");
      const digest = image.includes("@sha256:");
      const ref = image.split("@")[0];
      const slash = ref.lastIndexOf("/");
      const colon = ref.lastIndexOf(":");
      const tag = colon > slash ? ref.slice(colon + 1) : "";
      if (!digest && !tag) report("image-tag", `${at("image")} "${image}" has no tag (the runtime pulls latest)`);
      else if (/(^|[-_.])latest$/.test(tag) && !digest) report("image-tag", `${at("image")} "${image}" uses a moving "${tag}" tag`);

      for (const p of c.ports ?? []) if (p.hostPort) report("host-port", `${at("ports")} binds host port ${p.hostPort}`);

      if (privileged && !exempt("privileged", c)) report("privileged", `${at("securityContext.privileged")} is true`);
      if (!privileged && sc.allowPrivilegeEscalation !== false) report("privilege-escalation", `${at("securityContext.allowPrivilegeEscalation")} must be false`);
      if (sc.readOnlyRootFilesystem !== true && !exempt("read-only-root-fs", c)) report("read-only-root-fs", `${at("securityContext.readOnlyRootFilesystem")} must be true`);

      const runAsUser = sc.runAsUser ?? podSc.runAsUser;
      const runAsNonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
      const root = runAsUser === 0 || (runAsUser === undefined && runAsNonRoot !== true);
      if (root && !exempt("run-as-root", c)) report("run-as-root", `${at("securityContext")} runs as root (runAsUser ${runAsUser ?? "unset"}, runAsNonRoot ${runAsNonRoot ?? "unset"})`);

      const drop: string[] = sc.capabilities?.drop ?? [];
      if (!privileged && !drop.includes("ALL")) report("capabilities", `${at("securityContext.capabilities.drop")} must include ALL`);
      for (const cap of sc.capabilities?.add ?? []) {
        if (!exempt("capabilities", c, cap)) report("capabilities", `${at("securityContext.capabilities.add")} has ${cap}`);
      }

      const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
      const apparmor = sc.appArmorProfile?.type ?? podSc.appArmorProfile?.type ?? ((o as Dict).spec?.template?.metadata?.annotations?.[`container.apparmor.security.beta.kubernetes.io/${c.name}`] === "unconfined" ? "Unconfined" : undefined);
      for (const [what, type] of [["seccompProfile", seccomp], ["appArmorProfile", apparmor]] as const) {
        if (type === "Unconfined" && !exempt("unconfined-profile", c)) report("unconfined-profile", `${at(`securityContext.${what}`)} is Unconfined`);
      }

      for (const e of c.env ?? []) {
        if (SECRET_NAME.test(e.name) && e.value !== undefined && e.value !== "") report("env-secret", `${at("env")} ${e.name} holds a literal value: take it from a Secret (valueFrom.secretKeyRef)`);
      }
    }
  }
  return { problems, used };
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
