// Every exception the profiler needs from the best-practice checks (best-practice.ts), declared
// once, here, each with its reason. A check that finds a matching exemption stays silent; any other
// object that does the same thing is reported. An exemption no render uses is reported as stale.
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
    allow: ["BPF", "PERFMON", "SYS_PTRACE", "SYS_RESOURCE", "DAC_READ_SEARCH", "SYSLOG", "CHECKPOINT_RESTORE", "IPC_LOCK"],
    reason: "leastPrivilege: what an eBPF profiler uses instead of privileged, one reason per capability in templates/_securitycontext.tpl",
  },
  {
    check: "run-as-root",
    kind: "DaemonSet",
    container: PROFILER,
    reason: "the profiler reads /proc/<pid> and the executables of every user's processes and loads eBPF programs; both modes run it as uid 0 (capabilities are bounded in leastPrivilege)",
  },
  {
    check: "unconfined-profile",
    kind: "DaemonSet",
    container: PROFILER,
    reason: "leastPrivilege: the runtime's default seccomp profile blocks bpf() and perf_event_open(), and AppArmor's default profile denies the tracefs and /proc access the profiler needs",
  },
  {
    check: "host-path",
    kind: "DaemonSet",
    allow: ["/sys/kernel/tracing"],
    reason: "leastPrivilege: the host's tracefs, mounted read-only, so the entrypoint needs no SYS_ADMIN to mount it",
  },
];
