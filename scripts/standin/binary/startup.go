// The profiler's start-up, step by step, as v0.4.0 performs it (scripts/profiler/startup.ts is the
// table, read from runner/runner.go Run and the ebpf-profiler library at the tag): the same order,
// the same kernel calls with the same needs, fatal where the release's are, logging the release's
// lines. `--list-steps` prints this list so the node tier can hold it to the table.
package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"

	"golang.org/x/sys/unix"
)

// Step is one start-up step; Failure is the line logged when it fails (one %v: the inner error).
type Step struct {
	ID       string `json:"id"`
	Fatal    bool   `json:"fatal"`
	ExitCode int    `json:"exitCode,omitempty"`
	Failure  string `json:"failure"`
	Success  string `json:"success,omitempty"`
	run      func(st *state) error
}

// StepResult is what the report says of one step.
type StepResult struct {
	ID      string `json:"id"`
	OK      bool   `json:"ok"`
	Skipped bool   `json:"skipped,omitempty"`
	Error   string `json:"error,omitempty"`
	Detail  string `json:"detail,omitempty"`
}

// state is what the steps share: the configuration, the kernel, and what earlier steps made.
type state struct {
	cfg       Config
	kernel    kernelVersion // the release as the profiler reads it (DD_STANDIN_KERNEL_RELEASE in tests)
	real      kernelVersion // the running kernel's, which known failures are judged by
	restore   func()
	progs     map[string]int
	cpuEvents []int
	// Known failures of the node the test asked to skip (DD_STANDIN_KNOWN_FAILURES), each honoured only
	// where its condition holds (skippable).
	known   map[string]bool
	detail  string
	tracers string // the enabled tracers, comma-separated (parse-tracers)
}

// failed is a step's failure: the logged line, and a different exit code where the step has several.
type failed struct {
	msg  string
	code int
}

func (f failed) Error() string { return f.msg }

func fail(format string, inner any) error { return failed{msg: fmt.Sprintf(format, inner)} }

var steps = []Step{
	{ID: "parse-flags", Fatal: true, ExitCode: 2, Failure: "Failure to parse arguments: %v", run: func(st *state) error {
		c, err := parseEnv(os.LookupEnv)
		st.cfg = c
		if err != nil {
			return fail("Failure to parse arguments: %v", err)
		}
		return nil
	}},
	{ID: "kernel-version", Fatal: true, ExitCode: 1, Failure: "Failed to get kernel version: %v", run: func(st *state) error {
		k, err := getKernelVersion()
		st.kernel = k
		st.real, _ = realKernelVersion()
		if err != nil {
			return fail("Failed to get kernel version: %v", err)
		}
		return nil
	}},
	{ID: "sanity-check", Fatal: true, ExitCode: 2, Failure: "Invalid sampling frequency: %d | eBPF map scaling factor %d exceeds limit (max: %d) | Invalid eBPF verifier log level: %d | Invalid argument for probabilistic-interval: use a duration between 1 and 5 minutes | Invalid argument for probabilistic-threshold. Value should be between 1 and %d | Host Agent requires kernel version %d.%d or newer but got %d.%d.%d (exit 1)", run: func(st *state) error {
		if code, msg := sanityCheck(&st.cfg, st.kernel); code != 0 {
			return failed{msg: msg, code: code}
		}
		logInfo("Starting Datadog OTEL host profiler v%s (revision: %s, date: %s), arch: %v", standinVersion(), "standin", "", "amd64")
		return nil
	}},
	{ID: "probe-bpf-syscall", Fatal: true, ExitCode: 1, Failure: "Failed to probe eBPF syscall: %v", run: func(st *state) error {
		if _, _, errno := unix.Syscall(unix.SYS_BPF, 0, 0, 0); errno == unix.ENOSYS {
			return fail("Failed to probe eBPF syscall: %v", "eBPF syscall is not available on your system")
		}
		return nil
	}},
	{ID: "parse-tracers", Fatal: true, ExitCode: 1, Failure: "Failed to parse the included tracers: %v", Success: "Enabled tracers: %s", run: func(st *state) error {
		names, err := parseTracers(st.cfg.Tracers, st.cfg.CollectContext)
		if err != nil {
			return fail("Failed to parse the included tracers: %v", err)
		}
		logInfo("Enabled tracers: %s", strings.Join(names, ","))
		st.detail = strings.Join(names, ",")
		st.tracers = st.detail
		return nil
	}},
	{ID: "validate-tags", Failure: "Rejected user-specified tag '%s'", run: func(st *state) error {
		tags := validateTags(st.cfg.Tags)
		if st.cfg.Environment != "" {
			tags = append(tags, "env:"+st.cfg.Environment)
		}
		st.detail = strings.Join(tags, ",")
		return nil
	}},
	{ID: "container-metadata", Fatal: true, ExitCode: 1, Failure: "Failed to create container metadata provider: %v", run: func(st *state) error {
		if st.cfg.EnableSplitByService {
			return nil // containermetadata.NewContainerIDProvider: no Kubernetes API
		}
		// containermetadata.NewContainerMetadataProvider: off Kubernetes it only says so and goes on; on
		// Kubernetes createKubernetesClient needs client-go's in-cluster config (rest.InClusterConfig: both
		// service variables, then os.ReadFile of the token) and the node's name. Its errors are wrapped
		// "failed to create kubernetes client %w" (no colon in v0.4.0's format).
		const format = "Failed to create container metadata provider: %v"
		if os.Getenv("KUBERNETES_SERVICE_HOST") == "" {
			logInfo("Environment variable %s not set", "KUBERNETES_SERVICE_HOST")
			return nil
		}
		wrap := func(err error) error { return fail(format, fmt.Errorf("failed to create kubernetes client %w", err)) }
		if os.Getenv("KUBERNETES_SERVICE_PORT") == "" {
			return wrap(fmt.Errorf("failed to create in cluster configuration for Kubernetes: %w", errors.New("unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined")))
		}
		if _, err := os.ReadFile("/var/run/secrets/kubernetes.io/serviceaccount/token"); err != nil {
			return wrap(fmt.Errorf("failed to create in cluster configuration for Kubernetes: %w", err))
		}
		if st.cfg.Node == "" && os.Getenv("KUBERNETES_NODE_NAME") == "" && os.Getenv("NODE_NAME") == "" {
			return wrap(fmt.Errorf("failed to get kubernetes node name; %w", errors.New("kubernetes node name not configured")))
		}
		// RBAC is not needed to start: getContainerMetadataCache logs a failed nodes get at info level
		// ("Failed to size cache based on pods per node: %v") and goes on, and the pod informer's
		// list/watch errors are client-go's, in the background. The stand-in makes no API call here.
		st.detail = "in-cluster client configured (RBAC is not checked at start-up)"
		return nil
	}},
	{ID: "intake-url", Fatal: true, ExitCode: 1, Failure: "Failed to get intake URL from agent URL %v: %v", run: func(st *state) error {
		u, err := url.JoinPath(st.cfg.AgentURL, "/profiling/v1/input")
		if err != nil {
			return failed{msg: fmt.Sprintf("Failed to get intake URL from agent URL %v: %v", st.cfg.AgentURL, err)}
		}
		st.detail = u
		return nil
	}},
	{ID: "host-service", Fatal: true, ExitCode: 1, Failure: "Service name is required when running in non-split-by-service mode", run: func(st *state) error {
		if st.cfg.HostServiceName == "" && !st.cfg.EnableSplitByService {
			return failed{msg: "Service name is required when running in non-split-by-service mode"}
		}
		if st.cfg.HostServiceName != "" && st.cfg.EnableSplitByService {
			logWarn("Running in split-by-service mode with a host service name, the values of --host-service flag and DD_HOST_PROFILING_SERVICE environment variable will be discarded")
		}
		return nil
	}},
	{ID: "symbol-uploader", Failure: "Failed to create Datadog symbol uploader, symbol upload will be disabled: %v", Success: "Enabling Datadog local symbol upload", run: func(st *state) error {
		if !st.cfg.UploadSymbols {
			st.detail = "upload-symbols is false"
			return nil
		}
		logInfo("Enabling Datadog local symbol upload")
		if err := exec.Command("objcopy", "--version").Run(); err != nil {
			return fail("Failed to create Datadog symbol uploader, symbol upload will be disabled: %v", fmt.Errorf("objcopy is not available: %w", err))
		}
		if st.cfg.Site == "" || st.cfg.APIKey == "" || st.cfg.AppKey == "" {
			return fail("Failed to create Datadog symbol uploader, symbol upload will be disabled: %v", "no endpoints to upload symbols to")
		}
		return nil
	}},
	{ID: "kallsyms", Fatal: true, ExitCode: 1, Failure: "Failed to load eBPF tracer: failed to read kernel symbols: %v", run: func(st *state) error {
		r := kallsyms()
		if !r.OK {
			return fail("Failed to load eBPF tracer: failed to read kernel symbols: %v", r.Error)
		}
		return nil
	}},
	memlockStep("memlock-maps", "Failed to load eBPF tracer: failed to load eBPF code: failed to load eBPF maps: failed to adjust rlimit: failed to set temporary rlimit: %v", true),
	{ID: "create-maps", Fatal: true, ExitCode: 1, Failure: "Failed to load eBPF tracer: failed to load eBPF code: failed to load eBPF maps: failed to load %s: %v", run: func(st *state) error {
		defer st.restoreMemlock()
		for _, m := range []struct {
			name string
			typ  uint32
		}{{"perf_progs", unix.BPF_MAP_TYPE_PROG_ARRAY}, {"system_config", unix.BPF_MAP_TYPE_ARRAY}} {
			fd, err := createMap(m.typ, 4, 4, 16)
			if err != nil {
				// cilium/ebpf v0.19.0 handleMapCreateError adds its hint on EPERM. The release names whichever
				// map it creates first (it walks a Go map, in no fixed order); the stand-in's first is perf_progs.
				inner := fmt.Errorf("map create: %w", err)
				if errors.Is(err, unix.EPERM) {
					inner = fmt.Errorf("map create: %w (MEMLOCK may be too low, consider rlimit.RemoveMemlock)", err)
				}
				return failed{msg: fmt.Sprintf("Failed to load eBPF tracer: failed to load eBPF code: failed to load eBPF maps: failed to load %s: %v", m.name, inner)}
			}
			unix.Close(fd)
		}
		return nil
	}},
	{ID: "kernel-bug-check", Fatal: true, ExitCode: 1, Failure: kernelBugCheckFailure, run: func(st *state) error {
		// tracer/tracer.go initializeMapsAndPrograms, after the maps and before the programs (maccess.go).
		if st.cfg.NoKernelVersionCheck {
			st.detail = "no-kernel-version-check"
			return nil
		}
		k := st.kernel
		if !hasProbeReadBug(k.major, k.minor, k.patch) {
			st.detail = fmt.Sprintf("kernel %d.%d.%d is not one the check runs on", k.major, k.minor, k.patch)
			return nil
		}
		if err := checkForMaccessPatch(st); err != nil {
			return failed{msg: fmt.Sprintf(kernelBugCheckFailure, k.major, k.minor, k.patch, err)}
		}
		st.detail = strings.TrimPrefix(st.detail+"; ", "; ") + "copy_from_user_nofault calls nmi_uaccess_okay: patched"
		return nil
	}},
	memlockStep("memlock-programs", "Failed to load eBPF tracer: failed to load eBPF code: failed to load perf eBPF programs: failed to adjust rlimit: failed to set temporary rlimit: %v", false),
	{ID: "load-programs", Fatal: true, ExitCode: 1, Failure: "Failed to load eBPF tracer: failed to load eBPF code: failed to load perf eBPF programs: failed to load %s", run: func(st *state) error {
		st.progs = map[string]int{}
		for _, p := range []struct {
			name  string
			typ   uint32
			insns []uint64
		}{
			{"perf_unwind_stop", unix.BPF_PROG_TYPE_PERF_EVENT, progReturn0},
			{"tracepoint__sched_process_free", unix.BPF_PROG_TYPE_TRACEPOINT, progReadPre616Pid},
			{"native_tracer_entry", unix.BPF_PROG_TYPE_PERF_EVENT, progReturn0},
		} {
			// Each load is preceded by its own memlock raise (memlock-programs showed whether it works).
			if restore, err := maximizeMemlock(); err == nil {
				defer restore()
			}
			fd, err := loadProgram(p.typ, p.insns)
			if err != nil {
				logError("load program: %v", err)
				return failed{msg: fmt.Sprintf("Failed to load eBPF tracer: failed to load eBPF code: failed to load perf eBPF programs: failed to load %s", p.name)}
			}
			st.progs[p.name] = fd
		}
		return nil
	}},
	{ID: "system-config", Fatal: true, ExitCode: 1, Failure: "Failed to load eBPF tracer: failed to load eBPF code: failed to load system config: %v", Success: "Found offsets: task stack %#x, pt_regs %#x, tpbase %#x", run: func(st *state) error {
		const format = "Failed to load eBPF tracer: failed to load eBPF code: failed to load system config: %v"
		_, btfErr := os.Stat("/sys/kernel/btf/vmlinux")
		if btfErr != nil {
			logInfo("Using binary analysis (BTF not available: %s)", btfErr)
		}
		// executeSystemAnalysisBpfCode raises memlock itself; a known memlock failure was shown at memlock-maps.
		restore, err := maximizeMemlock()
		if err != nil {
			if !st.skippable("memlock") {
				return fail(format, fmt.Errorf("failed to adjust rlimit: failed to set temporary rlimit: %w", err))
			}
			st.detail = "memlock raise skipped (known failure): " + err.Error()
		} else {
			defer restore()
		}
		fd, err := loadProgram(unix.BPF_PROG_TYPE_RAW_TRACEPOINT, progReturn0)
		if err != nil {
			return fail(format, fmt.Errorf("failed to load read_kernel_function_or_task_struct: %w", err))
		}
		defer unix.Close(fd)
		link, err := rawTracepointOpen("sys_enter", fd)
		if err != nil {
			return fail(format, fmt.Errorf("failed to configure tracepoint: %w", err))
		}
		unix.Close(link)
		// Without BTF, loadTPBaseOffset reads kernel code (loadKernelCode: a tracepoint on
		// syscalls/sys_enter_bpf, so tracefs) when perl, python or labels are on.
		if btfErr != nil && slices.ContainsFunc(strings.Split(st.tracers, ","), func(t string) bool { return t == "perl" || t == "python" || t == "labels" }) {
			if err := tpbaseCodeRead(st); err != nil {
				return fail(format, err)
			}
		}
		// The stand-in does not read task_struct, so it reports no offsets of its own.
		logInfo("Found offsets: task stack %#x, pt_regs %#x, tpbase %#x", 0, 0, 0)
		return nil
	}},
	{ID: "batch-probes", Success: "Supports generic eBPF map batch operations | Supports LPM trie eBPF map batch operations", run: func(st *state) error {
		// processmanager/ebpf/ebpf.go LoadMaps: probeBatchOperations on a hash map, then on an LPM trie;
		// each logs its line only when BatchUpdate and BatchDelete of 5 entries both succeed. Every error
		// (its memlock raise's included) only means no batch operations, and is not logged.
		var got []string
		for _, p := range []struct {
			typ  uint32
			name string
			line string
		}{{unix.BPF_MAP_TYPE_HASH, "Hash", "Supports generic eBPF map batch operations"}, {unix.BPF_MAP_TYPE_LPM_TRIE, "LPMTrie", "Supports LPM trie eBPF map batch operations"}} {
			if err := probeBatchOperations(p.typ); err != nil {
				got = append(got, p.name+": "+err.Error())
				continue
			}
			logInfo("%s", p.line)
			got = append(got, p.name+": supported")
		}
		st.detail = strings.Join(got, "; ")
		return nil
	}},
	{ID: "attach-tracer", Fatal: true, ExitCode: 1, Failure: "Failed to attach to perf event: %v", Success: "Attached tracer program", run: func(st *state) error {
		const format = "Failed to attach to perf event: %v"
		cpus, err := onlineCPUs()
		if err != nil {
			return fail(format, fmt.Errorf("failed to get online CPUs: %w", err))
		}
		for _, cpu := range cpus {
			fd, err := cpuClockEvent(cpu, st.cfg.SamplesPerSecond)
			if err != nil {
				return fail(format, fmt.Errorf("failed to attach to perf event on CPU %d: perf_event_open: %w", cpu, err))
			}
			st.cpuEvents = append(st.cpuEvents, fd)
			if err := unix.IoctlSetInt(fd, unix.PERF_EVENT_IOC_SET_BPF, st.progs["native_tracer_entry"]); err != nil {
				return fail(format, fmt.Errorf("failed to attach eBPF program to perf event: %w", err))
			}
		}
		logInfo("Attached tracer program")
		st.detail = fmt.Sprintf("%d CPUs", len(cpus))
		return nil
	}},
	{ID: "enable-profiling", Fatal: true, ExitCode: 1, Failure: "Failed to enable perf events: %v", run: func(st *state) error {
		if st.cfg.ProbabilisticThreshold < probabilisticThresholdMax {
			logInfo("Enabled probabilistic profiling")
			return nil
		}
		for i, fd := range st.cpuEvents {
			if err := unix.IoctlSetInt(fd, unix.PERF_EVENT_IOC_ENABLE, 0); err != nil {
				return fail("Failed to enable perf events: %v", fmt.Errorf("failed to enable perf event on CPU %d: %w", i, err))
			}
		}
		return nil
	}},
	memlockStep("memlock-sched-monitor", "Failed to attach scheduler monitor: failed to adjust rlimit: failed to set temporary rlimit: %v", true),
	{ID: "sched-monitor", Fatal: true, ExitCode: 1, Failure: `Failed to attach scheduler monitor: failed to configure tracepoint on tracer.hookPoint{group:"sched", name:"sched_process_free"}: %v`, Success: "Attached sched monitor", run: func(st *state) error {
		defer st.restoreMemlock()
		const format = `Failed to attach scheduler monitor: failed to configure tracepoint on tracer.hookPoint{group:"sched", name:"sched_process_free"}: %v`
		dir, err := tracefsPath()
		if err != nil {
			return fail(format, err)
		}
		st.detail = "tracefs at " + dir
		idFile := dir + "/events/sched/sched_process_free/id"
		b, err := os.ReadFile(idFile)
		if err != nil {
			return fail(format, fmt.Errorf("reading trace event ID of %s/%s: %w", "sched", "sched_process_free", err))
		}
		var id uint64
		fmt.Sscanf(strings.TrimSpace(string(b)), "%d", &id)
		ev, err := tracepointEvent(id)
		if err != nil {
			return fail(format, fmt.Errorf("opening tracepoint perf event: %w", err))
		}
		if _, err := perfLink(st.progs["tracepoint__sched_process_free"], ev); err != nil {
			unix.Close(ev)
			return fail(format, fmt.Errorf("cannot create bpf perf link: %v", err))
		}
		logInfo("Attached sched monitor")
		return nil
	}},
	{ID: "map-monitors", Failure: "Failed to start kallsyms monitor: %v", run: func(st *state) error {
		fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_KOBJECT_UEVENT)
		if err == nil {
			err = unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: 1})
			unix.Close(fd)
		}
		if err != nil {
			logWarn("Failed to start kallsyms monitor: %v", fmt.Errorf("failed to create kobject netlink socket: %w", err))
		}
		return nil
	}},
	{ID: "trace-handling", Fatal: true, ExitCode: 1, Failure: "Failed to start trace handling: %v", run: func(st *state) error {
		// runner/runner.go startTraceHandling: tracehandler.Start with the trace cache size v0.4.0 passes,
		// 0. The fork the release pins accepts it (the release runs); upstream's go-freelru refuses a
		// capacity of 0, so the library the table reads is not the fork here. The stand-in has no trace
		// cache and always passes.
		st.detail = "trace cache size 0 (the pinned fork's behaviour: accepted)"
		return nil
	}},
}

// memlockStep is one of the raises of RLIMIT_MEMLOCK to unlimited before a load (rlimit.MaximizeMemlock).
// keep: the raised limit stays for the next step, which restores it (loadAllMaps and AttachSchedMonitor
// defer the restore past their loads); otherwise it is restored at once, as each program load does.
func memlockStep(id, failure string, keep bool) Step {
	return Step{ID: id, Fatal: true, ExitCode: 1, Failure: failure, run: func(st *state) error {
		restore, err := maximizeMemlock()
		if err != nil {
			return fail(failure, err)
		}
		if keep {
			st.restore = restore
		} else {
			restore()
		}
		return nil
	}}
}

// knownFailureOf names the known node failure (scripts/profiler/startup.ts knownNodeFailures) a step's failure can be.
var knownFailureOf = map[string]string{
	"memlock-maps": "memlock", "memlock-programs": "memlock", "memlock-sched-monitor": "memlock", "sched-monitor": "sched-monitor",
}

// knownSymptom is the error a known failure shows; any other failure of its steps is not skipped.
var knownSymptom = map[string]string{"memlock": "operation not permitted", "sched-monitor": "cannot create bpf perf link: permission denied"}

// skippable: the test asked to skip this known failure and this node really has it.
func (st *state) skippable(known string) bool {
	if !st.known[known] {
		return false
	}
	switch known {
	case "memlock":
		var lim unix.Rlimit
		unix.Getrlimit(unix.RLIMIT_MEMLOCK, &lim)
		return !slices.Contains(capNames(procStatus()["CapBnd"]), "SYS_RESOURCE") && lim.Max != unix.RLIM_INFINITY
	case "sched-monitor":
		return st.real.atLeast(6, 16)
	}
	return false
}

func (st *state) restoreMemlock() {
	if st.restore != nil {
		st.restore()
		st.restore = nil
	}
}

// maximizeMemlock is rlimit/rlimit.go MaximizeMemlock: soft and hard limit to unlimited, restorable.
func maximizeMemlock() (func(), error) {
	var old unix.Rlimit
	tmp := unix.Rlimit{Cur: unix.RLIM_INFINITY, Max: unix.RLIM_INFINITY}
	if err := unix.Prlimit(0, unix.RLIMIT_MEMLOCK, &tmp, &old); err != nil {
		return nil, err
	}
	return func() { unix.Setrlimit(unix.RLIMIT_MEMLOCK, &old) }, nil
}

// tracefsPath is cilium/ebpf internal/tracefs getTracefsPath: the first of these with the right magic.
func tracefsPath() (string, error) {
	for _, c := range []struct {
		path  string
		magic int64
	}{{"/sys/kernel/tracing", unix.TRACEFS_MAGIC}, {"/sys/kernel/debug/tracing", unix.TRACEFS_MAGIC}, {"/sys/kernel/debug/tracing", unix.DEBUGFS_MAGIC}} {
		var fs unix.Statfs_t
		if unix.Statfs(c.path, &fs) == nil && fs.Type == c.magic {
			return c.path, nil
		}
	}
	return "", errors.New("neither debugfs nor tracefs are mounted")
}

// kallsyms is kallsyms/kallsyms.go loadKallsyms: addresses must be readable (kptr_restrict, SYSLOG).
func kallsyms() Result {
	b, err := os.ReadFile("/proc/kallsyms")
	if err != nil {
		return Result{Error: fmt.Sprintf("unable to open kallsyms: %v", err)}
	}
	for _, line := range strings.SplitN(string(b), "\n", 1000) {
		if f := strings.Fields(line); len(f) > 0 && strings.Trim(f[0], "0") != "" {
			return Result{OK: true}
		}
	}
	return Result{Error: "unable to read kallsyms addresses - check capabilities"}
}

// runStartup performs every step in order. On a fatal failure it returns the exit code and line;
// a known failure the test asked to skip (and the node has) is recorded as skipped and passed.
func runStartup(st *state) ([]StepResult, int, string) {
	var out []StepResult
	for _, s := range steps {
		st.detail = ""
		err := s.run(st)
		r := StepResult{ID: s.ID, OK: err == nil, Detail: st.detail}
		if err != nil {
			r.Error = err.Error()
			if known := knownFailureOf[s.ID]; known != "" && st.skippable(known) && strings.HasSuffix(r.Error, knownSymptom[known]) {
				r.Skipped = true
				fmt.Printf("STANDIN-SKIPPED %s: %s (known failure %q of this node)\n", s.ID, r.Error, known)
				out = append(out, r)
				continue
			}
			if s.Fatal {
				logError("%s", r.Error)
				code := s.ExitCode
				var f failed
				if errors.As(err, &f) && f.code != 0 {
					code = f.code
				}
				return append(out, r), code, r.Error
			}
			logError("%s", r.Error)
		}
		out = append(out, r)
	}
	return out, 0, ""
}

func standinVersion() string {
	if v := os.Getenv("DD_STANDIN_VERSION"); v != "" {
		return v
	}
	return "0.0.0"
}
