// What the released profiler does from container start to steady state, read from its source at the
// tag of the chart's appVersion. The chart's leastPrivilege command, its capability set, its checks of
// profiler.* knobs and the node tier's stand-in (scripts/standin/binary) all follow this table:
// - test/profiler/startup.test.ts fails when chart/Chart.yaml's appVersion is not `source.tag`, so a
//   new release cannot be pinned before this file is re-read at its tag;
// - the node tier (test/node/stand-in.test.ts) holds the stand-in to it: the same steps, in this
//   order, fatal or not, with these messages and exit codes.
//
// Where the library could not be read at the exact commit the tag pins, `source.library` says which
// commit was read instead and why it is the same code for these steps.

export const source = {
  repo: "DataDog/dd-otel-host-profiler",
  tag: "v0.4.0",
  commit: "e646c2205a52201462b777e2a3282e2dfe4a7179",
  library: {
    module: "go.opentelemetry.io/ebpf-profiler => github.com/DataDog/opentelemetry-ebpf-profiler v0.0.0-20250826074604-a0d30fe8277c",
    readAt: "open-telemetry/opentelemetry-ebpf-profiler dcae67d91a774da09e316e642435324c1da144be",
    why: "the fork commit is in no public snapshot and the module proxy refuses it; the go.mod hash in v0.4.0's go.sum matches upstream only at 2025-08-05/06 (b93e1ec4..dcae67d9), the first commits with tracer.Config.VerboseMode, and rlimit/, tracer/tracepoints.go and sched_monitor.ebpf.c are unchanged from there to 2025-09-11",
    /**
     * What could not be verified: that commit equals the fork only in the files the rows below name. The
     * fork differs elsewhere: v0.4.0's runner passes a trace cache size of 0 to tracehandler.Start, which
     * upstream's go-freelru (v0.16.0 at dcae67d9) refuses, yet the release runs (step trace-handling).
     */
    unverified: "the fork equals dcae67d9 in the files named by the rows (tracer/tracer.go, tracer/helper.go, tracer/maccess.go, maccess/, tracer/systemconfig.go, kallsyms/, rlimit/, processmanager/ebpf/ebpf.go, tracer/tracepoints.go); tracehandler/ is known to differ",
  },
} as const;

/** The release image (docker/release/Dockerfile at the tag). */
export const image = {
  binary: "/usr/local/bin/dd-otel-host-profiler",
  entrypoint: ["/entrypoint.sh"],
  cmd: ["/usr/local/bin/dd-otel-host-profiler"],
  /** Ubuntu 24.04 with binutils (objcopy, for symbol upload) and ca-certificates. */
  packages: ["binutils", "ca-certificates"],
} as const;

/**
 * docker/release/entrypoint.sh, by version: what each does before `exec "$@"`. The node tier's image
 * carries a shell script of our own for each that behaves the same (scripts/standin/image.ts).
 */
export const entrypoints = {
  /** v0.3.0 to v0.4.0: `set -e`; mount debugfs unless /sys/kernel/debug/tracing is a directory. */
  "v0.4.0": { test: "[ ! -d /sys/kernel/debug/tracing ]", mount: "mount -t debugfs none /sys/kernel/debug" },
  /** main since 2025-12-17 (f617178, no release yet): mount tracefs unless it is a mount point. */
  main: { test: "! mountpoint -q /sys/kernel/tracing", mount: "mount -t tracefs tracefs /sys/kernel/tracing" },
} as const;

export type Needs = "SYS_ADMIN" | "SYS_RESOURCE" | "BPF" | "PERFMON" | "SYSLOG" | "tracefs" | "objcopy" | "api+app key" | "kernel < 6.16";

export interface StartupStep {
  id: string;
  /** What the step does, as a reader would say it. */
  what: string;
  /** File and function at the tag (library paths are in the ebpf-profiler module). */
  source: string;
  /** What it needs from the container or node, and when. */
  needs: string;
  /** The conditions of `needs` the node tier can vary (capabilities are the leastPrivilege set's). */
  requires: Needs[];
  /** Whether a failure ends the process (logged at error level, then exit `exitCode`). */
  fatal: boolean;
  exitCode?: 1 | 2 | 32;
  /** The line logged on failure (Go format verbs as in the source; the stand-in prints the same). */
  failure: string;
  /** Logged on success at info level, when the source logs one. */
  success?: string;
  /** Who performs it: the image's entrypoint script, the profiler binary, or nobody at this tag. */
  by: "entrypoint" | "profiler" | "absent";
}

/** Every start-up step of the released profiler, in order. */
export const startupSteps: StartupStep[] = [
  {
    id: "entrypoint",
    what: "mount debugfs at /sys/kernel/debug unless /sys/kernel/debug/tracing is a directory, then exec the command",
    source: "docker/release/entrypoint.sh",
    needs: "SYS_ADMIN for the mount, which a container's fresh /sys always needs (the host tracefs leastPrivilege mounts at /sys/kernel/tracing does not stop it); skipped when the pod's command starts the binary",
    requires: ["SYS_ADMIN"],
    fatal: true,
    // `set -e` exits with mount's status: 32 (MNT_EX_FAIL) from util-linux; busybox's is 1. Not verified
    // here: the node tier's image has busybox, and the release image (util-linux 2.39, Ubuntu 24.04) could
    // not be pulled, so 32 is util-linux's documented code, not a measured one.
    exitCode: 32,
    // util-linux's mount in the release image; the node tier's busybox says "mount: permission denied (are you root?)".
    failure: "mount: /sys/kernel/debug: permission denied.",
    by: "entrypoint",
  },
  {
    id: "parse-flags",
    what: "parse flags and environment (DD_HOST_PROFILING_<FLAG> first, then the DD_ alias of agent-url, environment, tags, api-key, app-key, site); the API and APP key validators",
    source: "config/cli_flags.go ParseArgs (urfave/cli v3.1.1); main.go mainWithExitCode",
    needs: "values that parse: durations with a unit (time.ParseDuration), unsigned integers (strconv.ParseUint base 0), booleans (strconv.ParseBool), an API key of 32 and an APP key of 40 lowercase letters or digits",
    requires: [],
    fatal: true,
    exitCode: 2,
    failure: "Failure to parse arguments: %v",
    by: "profiler",
  },
  {
    id: "kernel-version",
    what: "read the kernel release with uname",
    source: "runner/runner.go getKernelVersion; tracer/probe_linux.go GetCurrentKernelVersion",
    needs: "nothing",
    requires: [],
    fatal: true,
    exitCode: 1,
    failure: "Failed to get kernel version: %v",
    by: "profiler",
  },
  {
    id: "sanity-check",
    what: "refuse a sampling rate < 1, a map scale factor > 8, a BPF log level > 2, a probabilistic interval outside 1m..5m, a probabilistic threshold outside 1..100, and (unless no-kernel-version-check) kernels older than 4.19 on amd64 or 5.5 on arm64",
    source: "runner/runner.go sanityCheck",
    needs: "settings inside those bounds; a recent enough kernel",
    requires: [],
    fatal: true,
    exitCode: 2,
    failure: "Invalid sampling frequency: %d | eBPF map scaling factor %d exceeds limit (max: %d) | Invalid eBPF verifier log level: %d | Invalid argument for probabilistic-interval: use a duration between 1 and 5 minutes | Invalid argument for probabilistic-threshold. Value should be between 1 and %d | Host Agent requires kernel version %d.%d or newer but got %d.%d.%d (exit 1)",
    by: "profiler",
  },
  {
    id: "probe-bpf-syscall",
    what: "call bpf() once to see that the syscall exists",
    source: "runner/runner.go Run; tracer/probe_linux.go ProbeBPFSyscall",
    needs: "a kernel with bpf(); only ENOSYS fails",
    requires: [],
    fatal: true,
    exitCode: 1,
    failure: "Failed to probe eBPF syscall: %v",
    by: "profiler",
  },
  {
    id: "parse-tracers",
    what: "parse the tracers list (perl, php, python, hotspot, ruby, v8, dotnet, go, labels, all; native is deprecated); go is then disabled and labels follows collect-context",
    source: "runner/runner.go Run; tracer/types/parse.go Parse",
    needs: "known tracer names",
    requires: [],
    fatal: true,
    exitCode: 1,
    failure: "Failed to parse the included tracers: %v",
    success: "Enabled tracers: %s",
    by: "profiler",
  },
  {
    id: "validate-tags",
    what: "drop tags whose key or value breaks the tag syntax, then add env:<environment>",
    source: "config/helpers.go ValidateTags, AddTagsFromArgs",
    needs: "nothing (a bad tag is dropped, not fatal)",
    requires: [],
    fatal: false,
    failure: "Rejected user-specified tag '%s'",
    by: "profiler",
  },
  {
    id: "container-metadata",
    what: "with split-by-service off, build an in-cluster Kubernetes client to read pod metadata of this node (with it on, only container IDs are read from /proc)",
    source: "runner/runner.go Run; containermetadata/containermetadata.go NewContainerMetadataProvider",
    needs: "when split-by-service is false: KUBERNETES_SERVICE_HOST and _PORT and a service account token (client-go rest.InClusterConfig reads it with os.ReadFile) and the node name (KUBERNETES_NODE_NAME, NODE_NAME or --node); RBAC (pods list/watch, nodes get) is not needed to start: without it the nodes get fails and getContainerMetadataCache logs \"Failed to size cache based on pods per node\" at info level and goes on, and the pod informer's list/watch fail in the background (client-go's log), leaving pods without metadata",
    requires: [],
    fatal: true,
    exitCode: 1,
    failure: "Failed to create container metadata provider: %v",
    by: "profiler",
  },
  {
    id: "intake-url",
    what: "join the agent URL with /profiling/v1/input, where profiles are POSTed",
    source: "runner/runner.go Run; config/helpers.go IntakeURLForAgent",
    needs: "an agent URL that url.JoinPath accepts (http(s)://host:port)",
    requires: [],
    fatal: true,
    exitCode: 1,
    failure: "Failed to get intake URL from agent URL %v: %v",
    by: "profiler",
  },
  {
    id: "host-service",
    what: "with split-by-service off, require a host service name",
    source: "runner/runner.go Run",
    needs: "DD_HOST_PROFILING_SERVICE when DD_HOST_PROFILING_SPLIT_BY_SERVICE is false",
    requires: [],
    fatal: true,
    exitCode: 1,
    failure: "Service name is required when running in non-split-by-service mode",
    by: "profiler",
  },
  {
    id: "symbol-uploader",
    what: "create the symbol uploader: run `objcopy --version`, then need an endpoint, i.e. site, API key and APP key all set",
    source: "reporter/datadog_reporter.go NewDatadog; reporter/symbol_uploader.go NewDatadogSymbolUploader; runner/runner.go Run (appendEndpoint)",
    needs: "objcopy in the image (binutils), DD_API_KEY and DD_APP_KEY; without them symbols are not uploaded and the profiler goes on",
    requires: ["objcopy", "api+app key"],
    fatal: false,
    failure: "Failed to create Datadog symbol uploader, symbol upload will be disabled: %v",
    success: "Enabling Datadog local symbol upload",
    by: "profiler",
  },
  {
    id: "kallsyms",
    what: "read /proc/kallsyms with addresses for the kernel symbolizer",
    source: "tracer/tracer.go NewTracer; kallsyms/kallsyms.go NewSymbolizer",
    needs: "addresses that kallsyms_show_value (kernel/ksyms_common.c) shows: with kernel.kptr_restrict=0 and perf_event_paranoid <= 1 nothing; with kptr_restrict=0 and perf_event_paranoid >= 2, or kptr_restrict=1, SYSLOG; with kptr_restrict=2 never (every address reads 0 and the step fails in both modes)",
    requires: ["SYSLOG"],
    fatal: true,
    exitCode: 1,
    failure: "Failed to load eBPF tracer: failed to read kernel symbols: %v",
    by: "profiler",
  },
  {
    id: "memlock-maps",
    what: "raise RLIMIT_MEMLOCK to unlimited (soft and hard) before creating the maps",
    source: "tracer/tracer.go loadAllMaps; rlimit/rlimit.go MaximizeMemlock",
    needs: "SYS_RESOURCE, on any kernel, unless the container's hard memlock limit is already unlimited",
    requires: ["SYS_RESOURCE"],
    fatal: true,
    exitCode: 1,
    failure: "Failed to load eBPF tracer: failed to load eBPF code: failed to load eBPF maps: failed to adjust rlimit: failed to set temporary rlimit: %v",
    by: "profiler",
  },
  {
    id: "create-maps",
    what: "create the eBPF maps",
    source: "tracer/tracer.go loadAllMaps (cebpf.NewMap)",
    needs: "BPF",
    requires: ["BPF"],
    fatal: true,
    exitCode: 1,
    failure: "Failed to load eBPF tracer: failed to load eBPF code: failed to load eBPF maps: failed to load %s: %v",
    by: "profiler",
  },
  {
    id: "kernel-bug-check",
    what: "on kernels 5.19, 6.0, 6.1.0-6.1.35, 6.2 and 6.3.0-6.3.9 (hasProbeReadBug), unless no-kernel-version-check: read the first 128 bytes of copy_from_user_nofault's code (a tracepoint program on syscalls/sys_enter_bpf that bpf_probe_read_kernel()s it, memlock raised first) and look for the call to nmi_uaccess_okay that the fix (kernel d319f344561d, 6.4; 6.1.36, 6.3.10) added; without it, exit",
    source: "tracer/tracer.go initializeMapsAndPrograms (under cfg.KernelVersionCheck = !no-kernel-version-check, runner/runner.go Run), after loadAllMaps and RewriteMaps, before loadPerfUnwinders; tracer/helper.go hasProbeReadBug; tracer/maccess.go checkForMaccessPatch; tracer/systemconfig.go loadKernelCode, executeSystemAnalysisBpfCode; maccess/maccess_amd64.go CopyFromUserNoFaultIsPatched; support/ebpf/system_config.ebpf.c read_kernel_memory",
    needs: "on those kernels only: SYS_RESOURCE (its own memlock raise), BPF, PERFMON (a tracepoint program) and tracefs (the event id of syscalls/sys_enter_bpf), and a kernel that carries the fix; there every one of these failures logs this step's line, the inner error after \"Error: \". DD_HOST_PROFILING_NO_KERNEL_VERSION_CHECK skips it",
    requires: ["SYS_RESOURCE", "BPF", "PERFMON", "tracefs"],
    fatal: true,
    exitCode: 1,
    failure:
      "Failed to load eBPF tracer: failed to load eBPF code: your kernel version %d.%d.%d may be affected by a Linux kernel bug that can lead to system freezes, terminating host agent now to avoid triggering this bug.\nIf you are certain your kernel is not affected, you can override this check at your own risk with -no-kernel-version-check.\nError: %v",
    by: "profiler",
  },
  {
    id: "memlock-programs",
    what: "raise RLIMIT_MEMLOCK again before loading each program",
    source: "tracer/tracer.go loadProgram; rlimit/rlimit.go MaximizeMemlock",
    needs: "SYS_RESOURCE, as memlock-maps",
    requires: ["SYS_RESOURCE"],
    fatal: true,
    exitCode: 1,
    failure: "Failed to load eBPF tracer: failed to load eBPF code: failed to load perf eBPF programs: failed to adjust rlimit: failed to set temporary rlimit: %v",
    by: "profiler",
  },
  {
    id: "load-programs",
    what: "load the perf_event unwinder programs (perf_unwind_stop first) and the sched_process_free tracepoint program, which reads the pid at offset 24 of the pre-6.16 record",
    source: "tracer/tracer.go loadPerfUnwinders, loadProgram; support/ebpf/sched_monitor.ebpf.c",
    needs: "BPF and PERFMON (perf_event and tracepoint programs)",
    requires: ["BPF", "PERFMON"],
    fatal: true,
    exitCode: 1,
    failure: "Failed to load eBPF tracer: failed to load eBPF code: failed to load perf eBPF programs: failed to load %s",
    by: "profiler",
  },
  {
    id: "system-config",
    what: "find kernel offsets: BTF from /sys/kernel/btf/vmlinux, then a raw tracepoint program on sys_enter reads task_struct (memlock raised first); without BTF, when perl, python or labels are on, the thread pointer offset from the code of x86_fsbase_write_task or aout_dump_debugregs, read by the tracepoint program on syscalls/sys_enter_bpf",
    source: "tracer/systemconfig.go loadSystemConfig, executeSystemAnalysisBpfCode, loadKernelCode; tracer/tpbase.go loadTPBaseOffset",
    needs: "SYS_RESOURCE (its own memlock raise), BPF and PERFMON; tracefs too on kernels without BTF when perl, python or labels are on",
    requires: ["SYS_RESOURCE", "BPF", "PERFMON", "tracefs"],
    fatal: true,
    exitCode: 1,
    failure: "Failed to load eBPF tracer: failed to load eBPF code: failed to load system config: %v",
    success: "Found offsets: task stack %#x, pt_regs %#x, tpbase %#x",
    by: "profiler",
  },
  {
    id: "batch-probes",
    what: "probe map batch operations on a hash map, then on an LPM trie: memlock raised, a map of 5 entries, BatchUpdate and BatchDelete of all 5; each logs its line only when both succeed, and a failure only means no batch operations, and is not logged",
    source: "tracer/tracer.go NewTracer (after initializeMapsAndPrograms); processmanager/ebpf/ebpf.go LoadMaps, probeBatchOperations",
    needs: "nothing (silent when it fails; it fails where the memlock raise does)",
    requires: [],
    fatal: false,
    failure: "",
    success: "Supports generic eBPF map batch operations | Supports LPM trie eBPF map batch operations",
    by: "profiler",
  },
  {
    id: "attach-tracer",
    what: "open a software CPU-clock sampling perf event (pid -1, freq = sampling rate) on every online CPU and attach native_tracer_entry to each",
    source: "runner/runner.go Run; tracer/tracer.go AttachTracer",
    needs: "PERFMON (system-wide events with perf_event_paranoid >= 1) and BPF",
    requires: ["PERFMON", "BPF"],
    fatal: true,
    exitCode: 1,
    failure: "Failed to attach to perf event: %v",
    success: "Attached tracer program",
    by: "profiler",
  },
  {
    id: "enable-profiling",
    what: "enable the perf events (probabilistic profiling instead when the threshold is below 100)",
    source: "runner/runner.go Run; tracer/tracer.go EnableProfiling",
    needs: "the events above",
    requires: [],
    fatal: true,
    exitCode: 1,
    failure: "Failed to enable perf events: %v",
    by: "profiler",
  },
  {
    id: "memlock-sched-monitor",
    what: "raise RLIMIT_MEMLOCK before attaching the sched monitor",
    source: "tracer/tracepoints.go AttachSchedMonitor; rlimit/rlimit.go MaximizeMemlock",
    needs: "SYS_RESOURCE, as memlock-maps",
    requires: ["SYS_RESOURCE"],
    fatal: true,
    exitCode: 1,
    failure: "Failed to attach scheduler monitor: failed to adjust rlimit: failed to set temporary rlimit: %v",
    by: "profiler",
  },
  {
    id: "sched-monitor",
    what: "read the id of sched/sched_process_free from tracefs (/sys/kernel/tracing, then /sys/kernel/debug/tracing), open its perf event and attach the program with a perf link",
    source: "tracer/tracepoints.go AttachSchedMonitor, attachToTracepoint; cilium/ebpf v0.19.0 link.Tracepoint",
    needs: "tracefs, PERFMON, BPF, and a kernel < 6.16: from 6.16 the record is 20 bytes, the program reads at 24, and the kernel refuses the link (fixed upstream in ebpf-profiler 161d3ffd, after v0.4.0)",
    requires: ["tracefs", "PERFMON", "BPF", "kernel < 6.16"],
    fatal: true,
    exitCode: 1,
    failure: 'Failed to attach scheduler monitor: failed to configure tracepoint on tracer.hookPoint{group:"sched", name:"sched_process_free"}: %v',
    success: "Attached sched monitor",
    by: "profiler",
  },
  {
    id: "pid1-namespaces",
    what: "enter PID 1's UTS and network namespaces for host metadata",
    source: "not at this tag: upstream internal/helpers/namespaces.go tryEnterRootNamespaces was deleted in 2a89b307 (2025-06-18), and neither v0.4.0 nor its library calls setns",
    needs: "nothing (v0.4.0 does not do it)",
    requires: [],
    fatal: false,
    failure: "",
    by: "absent",
  },
  {
    id: "map-monitors",
    what: "start the map monitors and the kallsyms monitor (a kobject netlink socket); a failed kallsyms monitor is a warning",
    source: "runner/runner.go startTraceHandling; tracer/tracer.go StartMapMonitors",
    needs: "nothing fatal",
    requires: [],
    fatal: false,
    failure: "Failed to start kallsyms monitor: %v",
    by: "profiler",
  },
  {
    id: "trace-handling",
    what: "start the trace handler (tracehandler.Start) with the trace cache size v0.4.0 passes, 0",
    source: "runner/runner.go startTraceHandling (traceHandlerCacheSize 0); tracehandler/tracehandler.go Start, newTraceHandler (lru.NewSynced)",
    needs: "a trace cache the pinned fork accepts at size 0 (the release runs); upstream's go-freelru refuses capacity 0 (lru.go NewWithConfig: \"Capacity must be positive\"; read at a stored commit of elastic/go-freelru, not at its v0.16.0 tag), so here the fork differs from the commit read (source.library.unverified); StartMapMonitors at dcae67d9 returns no error",
    requires: [],
    fatal: true,
    exitCode: 1,
    failure: "Failed to start trace handling: %v",
    by: "profiler",
  },
];

/** The steps the profiler binary itself performs, in order: what the stand-in replays. */
export const binarySteps = startupSteps.filter((s) => s.by === "profiler");

/**
 * Steps the node tier may mark as skipped, and only where the node cannot pass them for this known
 * reason: the stand-in first shows the step failing with the profiler's message (a test of that fact),
 * then the other checks run with the step skipped, printed in the test output.
 */
export const knownNodeFailures = {
  memlock: {
    /** system-config raises memlock too; with this failure known it goes on without the raise. */
    steps: ["memlock-maps", "memlock-programs", "memlock-sched-monitor"],
    when: "the runtime cannot grant SYS_RESOURCE (it is outside its bounding set) and the container's hard RLIMIT_MEMLOCK is finite",
  },
  "sched-monitor": {
    steps: ["sched-monitor"],
    when: "the kernel is 6.16 or newer, where v0.4.0's sched_process_free program is refused (ebpf-profiler 161d3ffd fixed it after the tag)",
  },
} as const;

export type KnownNodeFailure = keyof typeof knownNodeFailures;

/** A step's failure line as a pattern: its Go verbs (%v, %s, %d, %#x) stand for any text. */
export function failurePattern(failure: string): RegExp {
  return new RegExp(`^${failure.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/%#?[vsdx]/g, ".+")}$`);
}

