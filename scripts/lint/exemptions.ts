// Every exception the profiler needs from the best-practice checks (best-practice.ts), declared
// once, here, each with its reason. A check that finds a matching exemption stays silent; any other
// object that does the same thing is reported. An exemption no render uses is reported as stale.
import { leastPrivilegeCapabilityNames } from "../contract/capabilities.ts";
import type { CheckName } from "./best-practice.ts";

export interface Exemption {
  check: CheckName;
  /** Kind of the workload whose pod template is exempt. */
  kind: string;
  /** Container name; absent for pod-level checks. */
  container?: string;
  /** Only when that container runs privileged (securityMode: privileged). */
  onlyPrivileged?: boolean;
  /** For item checks (capabilities, host paths): exactly the items allowed. */
  allow?: string[];
  reason: string;
}

const PROFILER = "dd-otel-host-profiler";

export const exemptions: Exemption[] = [
  {
    check: "host-pid",
    kind: "DaemonSet",
    reason: "the profiler samples and unwinds every process on the node, which it can only see in the host's PID namespace",
  },
  {
    check: "probes",
    kind: "DaemonSet",
    container: PROFILER,
    reason: "the profiler serves no health endpoint (no port at all); a failure ends the process and the kubelet restarts it",
  },
  {
    check: "privileged",
    kind: "DaemonSet",
    container: PROFILER,
    onlyPrivileged: true,
    reason: "securityMode: privileged reproduces the upstream Kubernetes guide exactly; leastPrivilege is the unprivileged alternative",
  },
  {
    check: "read-only-root-fs",
    kind: "DaemonSet",
    container: PROFILER,
    onlyPrivileged: true,
    reason: "securityMode: privileged reproduces the upstream guide, whose image writes to its root filesystem; leastPrivilege mounts /tmp and is read-only",
  },
  {
    check: "capabilities",
    kind: "DaemonSet",
    container: PROFILER,
    onlyPrivileged: true,
    allow: ["SYS_ADMIN"],
    reason: "the upstream guide's entrypoint mounts tracefs itself, which needs SYS_ADMIN (the container is privileged anyway)",
  },
  {
    check: "capabilities",
    kind: "DaemonSet",
    container: PROFILER,
    allow: leastPrivilegeCapabilityNames,
    reason: "leastPrivilege: what an eBPF profiler uses instead of privileged, one reason per capability in scripts/contract/capabilities.ts (the README's table, checked on a real node)",
  },
  {
    check: "run-as-root",
    kind: "DaemonSet",
    container: PROFILER,
    reason: "the profiler reads /proc/<pid> and the executables of every user's processes and loads eBPF programs; both modes run it as uid 0 (capabilities are bounded in leastPrivilege)",
  },
  {
    check: "run-as-root",
    kind: "DaemonSet",
    container: "seccomp-allowlist",
    reason: "leastPrivilege.seccompAllowlist: the init container writes the profile into the kubelet's seccomp directory, which only root may write; it has no capability, a read-only root and no privilege escalation",
  },
  {
    check: "unconfined-profile",
    kind: "DaemonSet",
    container: "seccomp-allowlist",
    reason: "leastPrivilege.seccompAllowlist: the init container shares the pod's AppArmor profile; one of its own (RuntimeDefault) makes the kubelet refuse the pod on hosts without AppArmor, as the node tier saw. Its seccomp profile is RuntimeDefault",
  },
  {
    check: "unconfined-profile",
    kind: "DaemonSet",
    container: PROFILER,
    reason: "leastPrivilege: a runtime whose default seccomp profile predates CAP_BPF and CAP_PERFMON refuses bpf() and perf_event_open() (containerd 1.6.20 allows them, see README), and AppArmor's default profile denies the tracefs and /proc access the profiler needs",
  },
  {
    check: "host-path",
    kind: "DaemonSet",
    allow: ["/sys/kernel/tracing"],
    reason: "leastPrivilege: the host's tracefs, mounted read-only, so the entrypoint needs no SYS_ADMIN to mount it",
  },
  {
    check: "host-path",
    kind: "DaemonSet",
    allow: ["/var/lib/kubelet/seccomp/dd-otel-host-profiler", "/data/kubelet/seccomp/dd-otel-host-profiler"],
    reason: "leastPrivilege.seccompAllowlist: the chart's own folder in the kubelet's seccomp directory (default and the test case's kubelet root), written by the init container only, so the profiler can run under it as a Localhost profile",
  },
  {
    check: "host-path-writable",
    kind: "DaemonSet",
    container: "seccomp-allowlist",
    allow: ["/var/lib/kubelet/seccomp/dd-otel-host-profiler", "/data/kubelet/seccomp/dd-otel-host-profiler"],
    reason: "leastPrivilege.seccompAllowlist: the init container writes the profile file there, and nothing else; the profiler container does not mount it",
  },
];

/** A checkov check (scripts/lint/checkov.ts) the chart fails by design, for one kind of object. */
export interface CheckovExemption {
  check: string;
  /** "DaemonSet" (the profiler) or "Pod" (the helm test pod; graph checks name the DaemonSet's pods "Pod" too). */
  kind: "DaemonSet" | "Pod";
  reason: string;
}

const PRIVILEGED_MODE = "securityMode: privileged reproduces the upstream guide (a privileged container with SYS_ADMIN); leastPrivilege passes this check";

export const checkovExemptions: CheckovExemption[] = [
  { check: "CKV_K8S_17", kind: "DaemonSet", reason: "hostPID: the profiler samples every process of the node, which it only sees in the host's PID namespace" },
  { check: "CKV_K8S_8", kind: "DaemonSet", reason: "no liveness probe: the profiler serves no health endpoint; a failure ends the process and the kubelet restarts it" },
  { check: "CKV_K8S_9", kind: "DaemonSet", reason: "no readiness probe: the profiler serves nothing, so there is no traffic to hold back" },
  { check: "CKV_K8S_23", kind: "DaemonSet", reason: "root: the profiler reads /proc/<pid> and the executables of every user's processes and loads eBPF programs (capabilities are bounded in leastPrivilege)" },
  { check: "CKV_K8S_40", kind: "DaemonSet", reason: "uid 0, not a high uid: the same reason as running as root" },
  { check: "CKV_K8S_25", kind: "DaemonSet", reason: "added capabilities: SYS_ADMIN in privileged mode; in leastPrivilege exactly the eBPF set, one reason each in templates/_securitycontext.tpl" },
  { check: "CKV_K8S_31", kind: "DaemonSet", reason: "seccomp Unconfined by default: a runtime whose default profile predates CAP_BPF/CAP_PERFMON refuses bpf() and perf_event_open() (containerd 1.6's RuntimeDefault allows them; leastPrivilege.seccompProfile takes RuntimeDefault or a Localhost profile, and leastPrivilege.seccompAllowlist.enabled runs the chart's own allowlist, written to the node by an init container)" },
  { check: "CKV_K8S_35", kind: "DaemonSet", reason: "keys from environment variables: the profiler reads DD_API_KEY and DD_APP_KEY only from its environment (still through secretKeyRef, never a literal)" },
  { check: "CKV_K8S_38", kind: "DaemonSet", reason: "a service account token only with profiler.splitByService: false, when the profiler lists pods of its node" },
  { check: "CKV_K8S_43", kind: "DaemonSet", reason: "pinned by the release tag v<appVersion>; set image.digest to pin by digest as well (the check then passes)" },
  { check: "CKV_K8S_15", kind: "DaemonSet", reason: "pull policy IfNotPresent by default: a pod restarts from the image on the node with no registry reachable (test/node/image-cache.test.ts); set image.digest to pin the exact image whatever a node holds under the tag" },
  { check: "CKV_K8S_16", kind: "DaemonSet", reason: PRIVILEGED_MODE },
  { check: "CKV_K8S_20", kind: "DaemonSet", reason: `${PRIVILEGED_MODE}; a privileged container may always escalate` },
  { check: "CKV_K8S_22", kind: "DaemonSet", reason: `${PRIVILEGED_MODE}, whose image writes to its root filesystem` },
  { check: "CKV_K8S_28", kind: "DaemonSet", reason: `${PRIVILEGED_MODE}, which holds every capability, NET_RAW included` },
  { check: "CKV_K8S_37", kind: "DaemonSet", reason: `${PRIVILEGED_MODE}, which drops no capability` },
  { check: "CKV_K8S_39", kind: "DaemonSet", reason: `${PRIVILEGED_MODE}: its entrypoint mounts tracefs, which needs SYS_ADMIN` },
  { check: "CKV2_K8S_6", kind: "Pod", reason: "no NetworkPolicy unless networkPolicy.create: a policy that fits every cluster's DNS and Agent cannot be guessed (README: NetworkPolicy)" },
  { check: "CKV_K8S_8", kind: "Pod", reason: "helm test pod: runs once and exits; probes have nothing to watch" },
  { check: "CKV_K8S_9", kind: "Pod", reason: "helm test pod: runs once and exits; it serves nothing" },
  { check: "CKV_K8S_43", kind: "Pod", reason: "helm test pod: reuses the profiler's image reference (already on the node), digest only with image.digest" },
  { check: "CKV_K8S_15", kind: "Pod", reason: "helm test pod: follows image.pullPolicy (IfNotPresent by default), as it runs the profiler's image" },
  { check: "CKV_K8S_40", kind: "Pod", reason: "helm test pod on OpenShift: the namespace's SCC assigns its (non-root) uid, so the chart sets none" },
];
