// A stand-in for the dd-otel-host-profiler image on the node tier (the real image cannot be pulled
// on these machines). It replays the released profiler's start-up step by step (startup.go, after
// the table in scripts/profiler/startup.ts): the same order, kernel calls, needs, log lines, fatal
// failures and exit codes. It then reports, as one JSON line on stdout, what its container was given
// (user, capabilities, no_new_privs, seccomp, root filesystem, environment), how each step went, and
// whether the operations the running profiler performs on other processes succeed (probes.go). Then
// it sends one small profile to the Agent every upload period as the release's reporter does
// (reporter.go: STANDIN-UPLOAD lines, and the release's "Request failed: ..." on a failed export)
// until SIGTERM, as the profiler would, so the pod stays Running. On a fatal step it prints the
// report and exits with the profiler's code, so the pod crash-loops as the release's would.
//
// Modes, by the name it is called as or its first argument:
//
//	dd-otel-host-profiler  the profiler stand-in (the image's command)
//	pause                  the pod sandbox image's process: sleep until signalled
//	ddprof-target          a process for the probes to look at, run by the test on the host as
//	                       another user from a directory only that user can read
//	--list-steps           print the start-up steps as JSON (the node tier compares them with the table)
//	check-config           run only the configuration steps on this environment and print the outcome as
//	                       JSON (the node tier checks the chart's profiler.* bounds against it)
//	trace-agent            a stand-in for the Datadog Agent's trace-agent receiver on
//	                       0.0.0.0:$DD_APM_RECEIVER_PORT (8126): /info, /profiling/v1/input; one
//	                       STANDIN-AGENT line per request (traceagent.go); exits 0 on SIGTERM
//	reporter-check N       tests only: the reporter alone, configured from the environment, until it
//	                       has made N uploads (reporter.go); never the chart's command
//
// DD_STANDIN_KNOWN_FAILURES (comma-separated: memlock, sched-monitor) asks to skip a step this node
// cannot pass for a known reason; it is honoured only where the reason holds, and every skip is
// printed (STANDIN-SKIPPED) and reported.
//
// Secrets: the API and application keys are never printed, only whether they are set, their
// length and their SHA-256, which the test compares with the Secret's.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// secretVar matches the variables whose values the report never prints.
var secretVar = regexp.MustCompile(`KEY|SECRET|TOKEN|PASSWORD|ENDPOINTS`)

// TargetComm is the command name of the process the probes read (see the ddprof-target mode).
const TargetComm = "ddprof-target"

func main() {
	mode := filepath.Base(os.Args[0])
	if len(os.Args) > 1 && (os.Args[1] == "pause" || os.Args[1] == "--list-steps" || os.Args[1] == "check-config" || os.Args[1] == "trace-agent" || os.Args[1] == "reporter-check") {
		mode = os.Args[1]
	}
	switch mode {
	case "pause":
		waitForSignal()
	case TargetComm:
		target()
	case "--list-steps":
		b, _ := json.Marshal(steps)
		fmt.Println(string(b))
	case "check-config":
		os.Exit(checkConfig())
	case "trace-agent":
		os.Exit(traceAgent())
	case "reporter-check":
		n := 1
		if len(os.Args) > 2 {
			if v, err := strconv.Atoi(os.Args[2]); err == nil && v > 0 {
				n = v
			}
		}
		os.Exit(reporterCheck(n))
	default:
		os.Exit(profiler())
	}
}

func waitForSignal() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
	<-c
}

// Result of one probe.
type Result struct {
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
	Error  string `json:"error,omitempty"`
}

// KeyReport says whether a secret arrived, never what it is.
type KeyReport struct {
	Present bool   `json:"present"`
	Length  int    `json:"length"`
	SHA256  string `json:"sha256,omitempty"`
}

// Exit is how a fatal step ended the start-up.
type Exit struct {
	Code    int    `json:"code"`
	Step    string `json:"step"`
	Message string `json:"message"`
}

// Report is the one JSON line the stand-in prints.
type Report struct {
	Kernel     string               `json:"kernel"`
	UID        int                  `json:"uid"`
	GID        int                  `json:"gid"`
	Status     map[string]string    `json:"status"`
	Caps       map[string][]string  `json:"caps"`
	NoNewPrivs string               `json:"noNewPrivs"`
	Seccomp    string               `json:"seccomp"`
	RootFS     string               `json:"rootfs"`
	AppArmor   string               `json:"apparmor"`
	Memlock    string               `json:"memlock"`
	Env        map[string]string    `json:"env"`
	Keys       map[string]KeyReport `json:"keys"`
	Steps      []StepResult         `json:"steps"`
	Exit       *Exit                `json:"exit,omitempty"`
	Target     string               `json:"target"`
	// DefaultRoute says whether the pod's network namespace has a default route (the node tier gives it none).
	DefaultRoute bool              `json:"defaultRoute"`
	Ops          map[string]Result `json:"ops"`
	// SyscallProbe: a call outside the chart's seccomp allowlist (seccompprobe.go); GoMemLimit: GOMEMLIMIT as the runtime took it.
	SyscallProbe *SyscallProbe `json:"syscallProbe,omitempty"`
	GoMemLimit   GoMemLimit    `json:"goMemLimit"`
}

func profiler() int {
	r := Report{Env: map[string]string{}, Keys: map[string]KeyReport{}, Ops: map[string]Result{}}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		r.Kernel = unix.ByteSliceToString(u.Release[:])
	}
	r.UID, r.GID = os.Getuid(), os.Getgid()
	r.Status = procStatus()
	r.Caps = map[string][]string{}
	for _, k := range []string{"CapEff", "CapPrm", "CapBnd", "CapInh", "CapAmb"} {
		r.Caps[k] = capNames(r.Status[k])
	}
	r.NoNewPrivs, r.Seccomp = r.Status["NoNewPrivs"], r.Status["Seccomp"]
	r.RootFS = rootFS()
	if b, err := os.ReadFile("/proc/self/attr/current"); err == nil {
		r.AppArmor = strings.TrimSpace(strings.TrimRight(string(b), "\x00"))
	}
	var lim unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_MEMLOCK, &lim) == nil {
		r.Memlock = fmt.Sprintf("%s/%s", rlim(lim.Cur), rlim(lim.Max))
	}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if secretVar.MatchString(k) {
			// Keys (and variables that may carry them, such as additional symbol endpoints): never their value.
			sum := sha256.Sum256([]byte(v))
			r.Keys[k] = KeyReport{Present: true, Length: len(v), SHA256: hex.EncodeToString(sum[:])}
		} else if strings.HasPrefix(k, "DD_") || k == "KUBERNETES_NODE_NAME" {
			r.Env[k] = v
		}
	}
	for _, k := range []string{"DD_API_KEY", "DD_APP_KEY"} {
		if _, ok := r.Keys[k]; !ok {
			r.Keys[k] = KeyReport{}
		}
	}
	r.DefaultRoute = hasDefaultRoute()
	r.GoMemLimit = goMemLimit()

	st := &state{known: map[string]bool{}}
	for _, k := range strings.Split(os.Getenv("DD_STANDIN_KNOWN_FAILURES"), ",") {
		if k != "" {
			st.known[k] = true
		}
	}
	steps, code, msg := runStartup(st)
	r.Steps = steps
	if code != 0 {
		r.Exit = &Exit{Code: code, Step: steps[len(steps)-1].ID, Message: msg}
		printReport(r)
		return code
	}

	r.Ops["mlock_over_rlimit"] = mlockOverRlimit()
	r.Ops["tmp_write"] = writeFile("/tmp/.standin-probe")
	r.Ops["rootfs_write"] = writeFile("/.standin-probe")
	pid, err := findTarget()
	if err != nil {
		r.Target = err.Error()
		for _, k := range []string{"process_vm_readv", "open_other_user_executable", "map_files_open"} {
			r.Ops[k] = Result{Error: "no target process: " + err.Error()}
		}
	} else {
		r.Target = strconv.Itoa(pid)
		r.Ops["process_vm_readv"] = processVMReadv(pid)
		r.Ops["open_other_user_executable"] = openOtherUserExecutable(pid)
		r.Ops["map_files_open"] = mapFilesOpen(pid)
	}
	probe := getcpuProbe()
	r.SyscallProbe = &probe
	printReport(r)
	// The reporter, with the configuration the steps parsed; runner.Run stops it (rep.Stop, which
	// cancels its context) between "Stop processing ..." and "Exiting ...".
	ctx, stopReporting := context.WithCancel(context.Background())
	defer stopReporting()
	if rep, err := newReporter(st.cfg); err == nil { // the intake-url step already passed, so err is nil
		rep.start(ctx)
	}
	waitForSignal()
	logInfo("Stop processing ...")
	stopReporting()
	logInfo("Exiting ...")
	return 0
}

func printReport(r Report) {
	b, _ := json.Marshal(r)
	fmt.Printf("STANDIN-REPORT %s\n", b)
	os.Stdout.Sync()
}

// configSteps are the steps that only read the configuration (no kernel objects, no Kubernetes API).
var configSteps = map[string]bool{"parse-flags": true, "kernel-version": true, "sanity-check": true, "parse-tracers": true, "validate-tags": true, "intake-url": true, "host-service": true}

// checkConfig runs the configuration steps on this process's environment: {"exitCode", "error", "steps"}.
func checkConfig() int {
	st := &state{}
	out := struct {
		ExitCode int          `json:"exitCode"`
		Error    string       `json:"error,omitempty"`
		Steps    []StepResult `json:"steps"`
	}{}
	for _, s := range steps {
		if !configSteps[s.ID] {
			continue
		}
		st.detail = ""
		err := s.run(st)
		out.Steps = append(out.Steps, StepResult{ID: s.ID, OK: err == nil, Detail: st.detail})
		if err != nil && s.Fatal {
			out.ExitCode, out.Error = s.ExitCode, err.Error()
			var f failed
			if errors.As(err, &f) && f.code != 0 {
				out.ExitCode = f.code
			}
			break
		}
	}
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
	return 0
}

func errResult(what string, err error) Result {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return Result{Error: err.Error()} // already names the operation and the path
	}
	return Result{Error: fmt.Sprintf("%s: %v", what, err)}
}
