// The capabilities securityMode leastPrivilege adds back after dropping ALL, in the order the chart
// renders them, each with what the profiler uses it for. chart/templates/_securitycontext.tpl holds
// the same list (a test keeps them equal); the values contract takes its omitCapabilities enum from
// here, and the node tier (test/node) removes each one in turn to show what breaks without it.

export interface LeastPrivilegeCapability {
  name: string;
  /** What the profiler does with it. */
  purpose: string;
}

export const leastPrivilegeCapabilities: LeastPrivilegeCapability[] = [
  { name: "BPF", purpose: "load the unwinder's eBPF programs and create its maps (bpf(2), kernel >= 5.8)" },
  { name: "PERFMON", purpose: "open the system-wide per-CPU perf events that drive sampling and attach programs to them" },
  { name: "SYS_PTRACE", purpose: "read other processes' memory (process_vm_readv) to unwind interpreter stacks" },
  { name: "SYS_RESOURCE", purpose: "raise RLIMIT_MEMLOCK for eBPF maps on kernels before memcg accounting (< 5.11)" },
  { name: "DAC_READ_SEARCH", purpose: "open executables and /proc/<pid> files of other users to extract symbols" },
  { name: "SYSLOG", purpose: "read kernel symbol addresses in /proc/kallsyms to symbolize kernel frames" },
  { name: "CHECKPOINT_RESTORE", purpose: "follow /proc/<pid>/map_files links to the files other processes mapped" },
  { name: "IPC_LOCK", purpose: "lock memory for eBPF maps and perf ring buffers (mlock)" },
];

export const leastPrivilegeCapabilityNames = leastPrivilegeCapabilities.map((c) => c.name);
