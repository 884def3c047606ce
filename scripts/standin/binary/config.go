// The profiler's configuration as v0.4.0 reads it from the environment, and its start-up checks.
// Written from config/cli_flags.go ParseArgs (urfave/cli v3.1.1), runner/runner.go sanityCheck and
// tracer/types/parse.go Parse at the tag; scripts/profiler/startup.ts is the table these follow.
//
// urfave/cli looks each flag's variables up in order (DD_HOST_PROFILING_<FLAG> before the DD_ alias),
// and applies a value only if it parses: an empty value keeps the default of a number or duration,
// sets a boolean to false and a string to "".
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Config holds the settings the start-up steps read (names as in config.Config).
type Config struct {
	AgentURL, HostServiceName, Environment, Tags, Tracers, Node, APIKey, AppKey, Site string
	SplitServiceSuffix                                                                string
	// Read and kept only (reporter/datadog_reporter.go, runner/runner.go use them; the stand-in does not).
	PprofPrefix, GoRuntimeMetricsStatsdAddress, AdditionalSymbolEndpoints             string
	BPFVerifierLogLevel, MapScaleFactor, ProbabilisticThreshold, SamplesPerSecond     uint64
	MonitorInterval, ClockSyncInterval, ProbabilisticInterval, ReporterInterval       time.Duration
	UploadSymbolQueryInterval, GoRuntimeProfilerPeriod                                time.Duration
	NoKernelVersionCheck, Timeline, SendErrorFrames, Verbose, VerboseeBPF             bool
	UploadSymbols, UploadDynamicSymbols, UploadGoPCLnTab, UploadSymbolsDryRun         bool
	EnableGoRuntimeProfiler, EnableSplitByService, UploadSymbolsHTTP2, CollectContext bool
}

// probabilisticThresholdMax is tracer.ProbabilisticThresholdMax.
const probabilisticThresholdMax = 100

type flagSpec struct {
	name   string
	env    []string
	target any // *string, *uint64, *time.Duration or *bool
	// secret: a value never printed (the real profiler echoes a refused key; the stand-in does not).
	secret    bool
	validator func(string) error
}

func defaultConfig() Config {
	return Config{
		AgentURL: "http://localhost:8126", Tracers: "all", Site: "datadoghq.com",
		ProbabilisticThreshold: probabilisticThresholdMax, SamplesPerSecond: 20,
		MonitorInterval: 5 * time.Second, ClockSyncInterval: 3 * time.Minute, ProbabilisticInterval: time.Minute,
		ReporterInterval: 60 * time.Second, UploadSymbolQueryInterval: 5 * time.Second,
		UploadSymbols: true, UploadGoPCLnTab: true, EnableSplitByService: true,
	}
}

// isKey is config/helpers.go IsAPIKeyValid / IsAPPKeyValid: n ASCII lowercase letters or digits.
func isKey(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if c > 127 || !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			return false
		}
	}
	return true
}

// symbolEndpoint is reporter/symbol_endpoint.go SymbolEndpoint.
type symbolEndpoint struct {
	Site   string `json:"site"`
	APIKey string `json:"api_key"`
	AppKey string `json:"app_key"`
}

// validateSymbolEndpoints is config/config.go additionalSymbolEndpoints.Set: "" is no endpoint; otherwise
// a JSON list of {site, api_key, app_key}, each set and each key valid.
func validateSymbolEndpoints(value string) error {
	if value == "" {
		return nil
	}
	var s []symbolEndpoint
	if err := json.Unmarshal([]byte(value), &s); err != nil {
		return errors.New("invalid JSON")
	}
	for _, e := range s {
		if e.Site == "" || e.APIKey == "" || e.AppKey == "" {
			return errors.New("site, API key and application key should all be set and non-empty strings")
		}
		if !isKey(e.APIKey, 32) {
			return fmt.Errorf("API key for site %s is not valid", e.Site)
		}
		if !isKey(e.AppKey, 40) {
			return fmt.Errorf("application key for site %s is not valid", e.Site)
		}
	}
	return nil
}

func flagSpecs(c *Config) []flagSpec {
	e := func(names ...string) []string { return names }
	hp := func(n string) []string { return e("DD_HOST_PROFILING_" + n) }
	return []flagSpec{
		{name: "bpf-log-level", env: hp("BPF_LOG_LEVEL"), target: &c.BPFVerifierLogLevel},
		{name: "agent-url", env: e("DD_HOST_PROFILING_TRACE_AGENT_URL", "DD_TRACE_AGENT_URL"), target: &c.AgentURL},
		{name: "host-service", env: hp("SERVICE"), target: &c.HostServiceName},
		{name: "environment", env: e("DD_HOST_PROFILING_ENV", "DD_ENV"), target: &c.Environment},
		{name: "tags", env: e("DD_HOST_PROFILING_TAGS", "DD_TAGS"), target: &c.Tags},
		{name: "map-scale-factor", env: hp("MAP_SCALE_FACTOR"), target: &c.MapScaleFactor},
		{name: "monitor-interval", env: hp("MONITOR_INTERVAL"), target: &c.MonitorInterval},
		{name: "clock-sync-interval", env: hp("CLOCK_SYNC_INTERVAL"), target: &c.ClockSyncInterval},
		{name: "no-kernel-version-check", env: hp("NO_KERNEL_VERSION_CHECK"), target: &c.NoKernelVersionCheck},
		{name: "probabilistic-interval", env: hp("PROBABILISTIC_INTERVAL"), target: &c.ProbabilisticInterval},
		{name: "probabilistic-threshold", env: hp("PROBABILISTIC_THRESHOLD"), target: &c.ProbabilisticThreshold},
		{name: "upload-period", env: hp("UPLOAD_PERIOD"), target: &c.ReporterInterval},
		{name: "sampling-rate", env: hp("SAMPLING_RATE"), target: &c.SamplesPerSecond},
		{name: "timeline", env: hp("TIMELINE_ENABLED"), target: &c.Timeline},
		{name: "send-error-frames", env: hp("SEND_ERROR_FRAMES"), target: &c.SendErrorFrames},
		{name: "tracers", env: hp("TRACERS"), target: &c.Tracers},
		{name: "verbose", env: hp("VERBOSE"), target: &c.Verbose},
		{name: "verbose-ebpf", env: hp("VERBOSE_EBPF"), target: &c.VerboseeBPF},
		{name: "pprof-prefix", env: hp("PPROF_PREFIX"), target: &c.PprofPrefix},
		{name: "node", env: hp("NODE"), target: &c.Node},
		{name: "upload-symbols", env: hp("UPLOAD_SYMBOLS"), target: &c.UploadSymbols},
		{name: "upload-dynamic-symbols", env: hp("UPLOAD_DYNAMIC_SYMBOLS"), target: &c.UploadDynamicSymbols},
		{name: "upload-gopclntab", env: hp("UPLOAD_GOPCLNTAB"), target: &c.UploadGoPCLnTab},
		{name: "upload-symbols-dry-run", env: hp("UPLOAD_SYMBOLS_DRY_RUN"), target: &c.UploadSymbolsDryRun},
		{name: "api-key", env: e("DD_HOST_PROFILING_API_KEY", "DD_API_KEY"), target: &c.APIKey, secret: true, validator: func(s string) error {
			if s == "" || isKey(s, 32) {
				return nil
			}
			return errors.New("API key is not valid")
		}},
		{name: "app-key", env: e("DD_HOST_PROFILING_APP_KEY", "DD_APP_KEY"), target: &c.AppKey, secret: true, validator: func(s string) error {
			if s == "" || isKey(s, 40) {
				return nil
			}
			return errors.New("APP key is not valid")
		}},
		{name: "site", env: e("DD_HOST_PROFILING_SITE", "DD_SITE"), target: &c.Site},
		// A cli.GenericFlag whose Set (config/config.go additionalSymbolEndpoints.Set) refuses a value, so
		// the profiler exits 2; its message names the type *config.additionalSymbolEndpoints, here "string".
		{name: "additional-symbol-endpoints", env: hp("ADDITIONAL_SYMBOL_ENDPOINTS"), target: &c.AdditionalSymbolEndpoints, secret: true, validator: validateSymbolEndpoints},
		{name: "profile", env: hp("RUNTIME_PROFILER"), target: &c.EnableGoRuntimeProfiler},
		{name: "runtime-profile-period", env: hp("RUNTIME_PROFILER_PERIOD"), target: &c.GoRuntimeProfilerPeriod},
		{name: "runtime-metrics-statsd-address", env: hp("RUNTIME_METRICS_STATSD_ADDRESS"), target: &c.GoRuntimeMetricsStatsdAddress},
		{name: "symbol-query-interval", env: hp("SYMBOL_QUERY_INTERVAL"), target: &c.UploadSymbolQueryInterval},
		{name: "split-by-service", env: hp("SPLIT_BY_SERVICE"), target: &c.EnableSplitByService},
		{name: "split-by-service-suffix", env: hp("SPLIT_SERVICE_SUFFIX"), target: &c.SplitServiceSuffix},
		{name: "upload-symbols-http2", env: hp("UPLOAD_SYMBOLS_HTTP2"), target: &c.UploadSymbolsHTTP2},
		{name: "collect-context", env: hp("COLLECT_CONTEXT"), target: &c.CollectContext},
	}
}

// parseEnv applies the environment to the defaults; the error is urfave/cli's FlagBase.PostParse one.
func parseEnv(lookup func(string) (string, bool)) (Config, error) {
	c := defaultConfig()
	for _, f := range flagSpecs(&c) {
		var name, val string
		found := false
		for _, n := range f.env {
			if v, ok := lookup(n); ok {
				name, val, found = n, v, true
				break
			}
		}
		if !found {
			continue
		}
		var err error
		typ := ""
		switch t := f.target.(type) {
		case *string:
			typ = "string"
			if f.validator != nil {
				err = f.validator(val)
			}
			if err == nil {
				*t = val
			}
		case *bool:
			typ = "bool"
			if val == "" {
				*t = false
			} else if b, e := strconv.ParseBool(val); e != nil {
				err = errors.New("parse error")
			} else {
				*t = b
			}
		case *uint64:
			typ = "uint64"
			if val != "" {
				var u uint64
				if u, err = strconv.ParseUint(val, 0, 64); err == nil {
					*t = u
				}
			}
		case *time.Duration:
			typ = "time.Duration"
			if val != "" {
				var d time.Duration
				if d, err = time.ParseDuration(val); err == nil {
					*t = d
				}
			}
		}
		if err != nil {
			shown := strconv.Quote(val)
			if f.secret {
				shown = fmt.Sprintf("<%d characters, not shown>", len(val))
			}
			return c, fmt.Errorf("could not parse %s as %s value from environment variable %q for flag %s: %s", shown, typ, name, f.name, err)
		}
	}
	return c, nil
}

type kernelVersion struct{ major, minor, patch uint32 }

func (k kernelVersion) atLeast(major, minor uint32) bool {
	return k.major > major || (k.major == major && k.minor >= minor)
}

// getKernelVersion is tracer.GetCurrentKernelVersion: uname's release read as %d.%d.%d. The
// stand-in (never the release) reads DD_STANDIN_KERNEL_RELEASE instead of uname's release when it is
// set, so a test can replay what v0.4.0 does on a kernel this node does not run (kernel-bug-check);
// the steps then still talk to the running kernel, and known failures are judged by realKernelVersion.
func getKernelVersion() (kernelVersion, error) {
	if r := os.Getenv("DD_STANDIN_KERNEL_RELEASE"); r != "" {
		var k kernelVersion
		_, _ = fmt.Sscanf(r, "%d.%d.%d", &k.major, &k.minor, &k.patch)
		return k, nil
	}
	return realKernelVersion()
}

// realKernelVersion is uname's release, whatever DD_STANDIN_KERNEL_RELEASE says.
func realKernelVersion() (kernelVersion, error) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return kernelVersion{}, fmt.Errorf("could not get Kernel Version: %v", err)
	}
	var k kernelVersion
	_, _ = fmt.Fscanf(bytes.NewReader(u.Release[:]), "%d.%d.%d", &k.major, &k.minor, &k.patch)
	return k, nil
}

// sanityCheck is runner/runner.go sanityCheck (amd64, the architecture the stand-in is built for).
// It returns the exit code and the line logged, or 0 and "".
func sanityCheck(c *Config, k kernelVersion) (int, string) {
	switch {
	case c.SamplesPerSecond < 1:
		return 2, fmt.Sprintf("Invalid sampling frequency: %d", c.SamplesPerSecond)
	case c.MapScaleFactor > 8:
		return 2, fmt.Sprintf("eBPF map scaling factor %d exceeds limit (max: %d)", c.MapScaleFactor, 8)
	case c.BPFVerifierLogLevel > 2:
		return 2, fmt.Sprintf("Invalid eBPF verifier log level: %d", c.BPFVerifierLogLevel)
	case c.ProbabilisticInterval < time.Minute || c.ProbabilisticInterval > 5*time.Minute:
		return 2, "Invalid argument for probabilistic-interval: use a duration between 1 and 5 minutes"
	case c.ProbabilisticThreshold < 1 || c.ProbabilisticThreshold > probabilisticThresholdMax:
		return 2, fmt.Sprintf("Invalid argument for probabilistic-threshold. Value should be between 1 and %d", probabilisticThresholdMax)
	}
	if !c.NoKernelVersionCheck && !k.atLeast(4, 19) {
		return 1, fmt.Sprintf("Host Agent requires kernel version %d.%d or newer but got %d.%d.%d", 4, 19, k.major, k.minor, k.patch)
	}
	return 0, ""
}

// tracerNames are tracer/types/parse.go's names; "all" and "native" are handled on their own.
var tracerNames = []string{"perl", "php", "python", "hotspot", "ruby", "v8", "dotnet", "go", "labels"}

// parseTracers is tracertypes.Parse: comma-separated, trimmed, lower-cased, empty entries ignored.
// It returns the enabled names after the runner disables go and sets labels from collect-context.
func parseTracers(list string, collectContext bool) ([]string, error) {
	enabled := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		switch {
		case name == "":
		case name == "all":
			for _, n := range tracerNames {
				enabled[n] = true
			}
		case name == "native":
			logWarn("Enabling the `native` tracer explicitly is deprecated (it's always-on)")
		case slices.Contains(tracerNames, name):
			enabled[name] = true
		default:
			return nil, fmt.Errorf("unknown tracer: %s", name)
		}
	}
	enabled["go"] = false
	enabled["labels"] = collectContext
	var out []string
	for _, n := range tracerNames {
		if enabled[n] {
			out = append(out, n)
		}
	}
	return out, nil
}

var (
	tagKey   = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-._/]+$`)
	tagValue = regexp.MustCompile(`^[a-zA-Z0-9-:._/]*$`)
)

// validateTags is config/helpers.go ValidateTags: key ^[a-zA-Z][a-zA-Z0-9-._/]+$, value ^[a-zA-Z0-9-:._/]*$.
func validateTags(tags string) []string {
	var out []string
	if tags == "" {
		return out
	}
	for _, tag := range strings.Split(tags, ",") {
		k, v, ok := strings.Cut(tag, ":")
		if !ok || !tagKey.MatchString(k) || !tagValue.MatchString(v) {
			logWarn("Rejected user-specified tag '%s'", tag)
			continue
		}
		out = append(out, tag)
	}
	return out
}

func envLookup(env []string) func(string) (string, bool) {
	if env == nil {
		return os.LookupEnv
	}
	m := map[string]string{}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}
