// The capabilities securityMode leastPrivilege adds back after dropping ALL, in the order the chart
// renders them, each with what the profiler uses it for and which kernel operations fail without it.
// chart/templates/_securitycontext.tpl holds the same list (a test keeps them equal); the values
// contract takes its omitCapabilities enum from here; the README's capability table is generated from
// here; and the node tier (test/node/capabilities.test.ts) removes each capability in turn from a real
// pod and checks that exactly the operations listed under `breaks` fail.

/** The kernel operations the profiler stand-in (scripts/node/standin) performs, as a reader would say them. */
export const probeOperations = {
  bpf_map_create: "create an eBPF map",
  bpf_map_create_memlock0: "create an eBPF map with RLIMIT_MEMLOCK 0",
  bpf_prog_load_perf_event: "load a perf_event eBPF program",
  perf_event_attach_all_cpus: "open a system-wide sampling perf event on every CPU and attach the program",
  process_vm_readv: "read another process's memory (process_vm_readv)",
  open_other_user_executable: "open another user's executable through /proc/PID/root",
  map_files_open: "open a file another process mapped through /proc/PID/map_files",
  kallsyms_addresses: "read kernel symbol addresses in /proc/kallsyms (with kernel.kptr_restrict=1)",
  mlock_over_rlimit: "mlock more memory than RLIMIT_MEMLOCK",
  tracefs_read: "read tracepoint ids from tracefs",
  tmp_write: "write to /tmp",
} as const;

export type ProbeOperation = keyof typeof probeOperations;

export interface LeastPrivilegeCapability {
  name: string;
  /** What the profiler does with it. */
  purpose: string;
  /** Operations that fail without it on the node tier's kernel (>= 5.11); empty: not needed there. */
  breaks: ProbeOperation[];
  /** Why it is kept when `breaks` is empty. */
  note?: string;
}

export const leastPrivilegeCapabilities: LeastPrivilegeCapability[] = [
  {
    name: "BPF",
    purpose: "load the unwinder's eBPF programs and create its maps (bpf(2), kernel >= 5.8)",
    breaks: ["bpf_map_create", "bpf_map_create_memlock0", "bpf_prog_load_perf_event", "perf_event_attach_all_cpus"],
  },
  {
    name: "PERFMON",
    purpose: "open the system-wide per-CPU perf events that drive sampling and attach programs to them",
    breaks: ["bpf_prog_load_perf_event", "perf_event_attach_all_cpus"],
  },
  {
    name: "SYS_PTRACE",
    purpose: "read other processes' memory (process_vm_readv) to unwind interpreter stacks",
    breaks: ["process_vm_readv", "open_other_user_executable", "map_files_open"],
  },
  {
    name: "SYS_RESOURCE",
    purpose: "raise RLIMIT_MEMLOCK for eBPF maps on kernels before memcg accounting (< 5.11)",
    breaks: [],
    note: "kernels >= 5.11 charge eBPF memory to the cgroup, so maps are created even with RLIMIT_MEMLOCK 0; keep it for older kernels",
  },
  {
    name: "DAC_READ_SEARCH",
    purpose: "open executables and /proc/<pid> files of other users to extract symbols",
    breaks: ["open_other_user_executable", "map_files_open"],
  },
  { name: "SYSLOG", purpose: "read kernel symbol addresses in /proc/kallsyms to symbolize kernel frames", breaks: ["kallsyms_addresses"] },
  { name: "CHECKPOINT_RESTORE", purpose: "follow /proc/PID/map_files links to the files other processes mapped", breaks: ["map_files_open"] },
  { name: "IPC_LOCK", purpose: "lock memory for eBPF maps and perf ring buffers (mlock)", breaks: ["mlock_over_rlimit"] },
];

export const leastPrivilegeCapabilityNames = leastPrivilegeCapabilities.map((c) => c.name);
