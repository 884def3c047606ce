// The capabilities securityMode leastPrivilege adds back after dropping ALL, in the order the chart
// renders them, each with what the profiler uses it for and what fails without it: the start-up step
// at which the released profiler exits (scripts/profiler/startup.ts, read from its source at the tag),
// or the operations of the running profiler that fail.
// chart/templates/_contract.tpl hands this list to _securitycontext.tpl (generated); the values
// contract takes its omitCapabilities enum from here; the README's capability table is generated from
// here; and the node tier (test/node/capabilities.test.ts) removes each capability in turn from a real
// pod and checks that exactly this happens.
import { startupSteps } from "../profiler/startup.ts";

/** What the running profiler does to the processes it profiles (the stand-in's probes, scripts/standin/binary/probes.go). */
export const probeOperations = {
  process_vm_readv: "read another process's memory (process_vm_readv)",
  open_other_user_executable: "open another user's executable through /proc/PID/root",
  map_files_open: "open a file another process mapped through /proc/PID/map_files",
  mlock_over_rlimit: "mlock more memory than RLIMIT_MEMLOCK",
  tmp_write: "write to /tmp",
} as const;

export type ProbeOperation = keyof typeof probeOperations;
export type StartupStepId = (typeof startupSteps)[number]["id"];

export interface LeastPrivilegeCapability {
  name: string;
  /** What the profiler does with it. */
  purpose: string;
  /** The fatal start-up step that fails without it: the profiler exits there and the pod crash-loops. */
  stops?: StartupStepId;
  /** Operations of the running profiler that fail without it (when start-up succeeds). */
  breaks: ProbeOperation[];
  /** The line the profiler logs as it exits there (the node tier checks the stand-in logs exactly this). */
  message?: string;
  /** The condition under which the failure shows, where there is one. */
  when?: string;
}

export const leastPrivilegeCapabilities: LeastPrivilegeCapability[] = [
  { name: "BPF", purpose: "create the unwinder's eBPF maps and load its programs (bpf(2), kernel >= 5.8)", stops: "create-maps", breaks: [], message: "Failed to load eBPF tracer: failed to load eBPF code: failed to load eBPF maps: failed to load perf_progs: map create: operation not permitted (MEMLOCK may be too low, consider rlimit.RemoveMemlock)", when: "always (the release names whichever map it creates first, not always perf_progs)" },
  { name: "PERFMON", purpose: "load perf_event and tracepoint programs and open the system-wide per-CPU perf events that drive sampling", stops: "load-programs", breaks: [], message: "Failed to load eBPF tracer: failed to load eBPF code: failed to load perf eBPF programs: failed to load perf_unwind_stop", when: "always (on kernels 5.19, 6.0, 6.1.0-6.1.35, 6.2 and 6.3.0-6.3.9, unless profiler.noKernelVersionCheck, it exits one step earlier, at kernel-bug-check, with that step's line: `your kernel version X.Y.Z may be affected by a Linux kernel bug ... Error: failed to load kernel code for 'copy_from_user_nofault': failed to load read_kernel_function_or_task_struct: ...`)" },
  { name: "SYS_PTRACE", purpose: "read other processes' memory (process_vm_readv) to unwind interpreter stacks", breaks: ["process_vm_readv", "open_other_user_executable", "map_files_open"] },
  {
    name: "SYS_RESOURCE",
    purpose: "raise RLIMIT_MEMLOCK to unlimited, which the profiler does before creating its maps and before loading each program, on every kernel",
    stops: "memlock-maps",
    breaks: [],
    message: "Failed to load eBPF tracer: failed to load eBPF code: failed to load eBPF maps: failed to adjust rlimit: failed to set temporary rlimit: operation not permitted",
    when: "the container's hard memlock limit is finite (systemd's default is 8 MiB)",
  },
  { name: "DAC_READ_SEARCH", purpose: "open executables and /proc/<pid> files of other users to extract symbols", breaks: ["open_other_user_executable", "map_files_open"] },
  { name: "SYSLOG", purpose: "read kernel symbol addresses in /proc/kallsyms, which the tracer needs to start", stops: "kallsyms", breaks: [], message: "Failed to load eBPF tracer: failed to read kernel symbols: unable to read kallsyms addresses - check capabilities", when: "kernel.kptr_restrict=1, or kernel.kptr_restrict=0 with kernel.perf_event_paranoid >= 2 (the kernel's kallsyms_show_value); with kptr_restrict=2 no capability helps and it exits there in both modes" },
  { name: "CHECKPOINT_RESTORE", purpose: "follow /proc/PID/map_files links to the files other processes mapped", breaks: ["map_files_open"] },
  { name: "IPC_LOCK", purpose: "lock memory past RLIMIT_MEMLOCK (mlock) for eBPF maps and perf ring buffers", breaks: ["mlock_over_rlimit"] },
];

export const leastPrivilegeCapabilityNames = leastPrivilegeCapabilities.map((c) => c.name);

/** The start-up step of the table with this id. */
export function stepOf(id: StartupStepId) {
  const s = startupSteps.find((x) => x.id === id);
  if (!s) throw new Error(`no start-up step ${id} in scripts/profiler/startup.ts`);
  return s;
}
