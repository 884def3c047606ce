// The reporter: once the start-up steps have passed, one small CPU profile per upload period to the
// Agent's profiling intake, shaped as dd-otel-host-profiler v0.4.0 shapes it. Read at the tag from
// reporter/datadog_reporter.go (NewDatadog, Start, reportProfile, getPprofProfile, createTags,
// createTagsForProfile, addProcessMetadata), reporter/datadog_upload.go (uploadProfiles,
// buildMultipartForm, uploadEvent), reporter/runloop.go (runLoop.Start), reporter/pprof/
// profile_builder.go (NewProfileBuilder), containermetadata/container.go (containerIDProvider),
// config/helpers.go (IntakeURLForAgent, AddTagsFromArgs) and runner/runner.go (Run).
//
// What differs, on purpose: the release starts its reporter (rep.Start in runner.Run) before it loads
// the eBPF tracer, the stand-in once every start-up step has passed (a failed start-up exits either
// way, well before the first period ends). Its profile holds one sample of its own, not what eBPF saw.
// It never sends a profile with no samples, so the release's "Skip sending of pprof profile with no
// samples" (debug) never applies.
//
// Name resolution. v0.4.0 is a cgo build: its Makefile builds with `go build
// -ldflags="... -extldflags=-static" -tags osusergo,netgo,debugtracer` on the release workflow's
// ubuntu-24.04 runners (.github/workflows/build.yml: `make VERSION=...`, CGO_ENABLED left at its
// default), and it must be, since reporter/datadog_reporter.go compresses with github.com/DataDog/zstd,
// cgo bindings to libzstd (its stub.go, `+build !cgo`, leaves the package empty). But the `netgo` tag
// makes even that cgo binary use Go's own resolver, never glibc's getaddrinfo: /etc/nsswitch.conf's
// hosts order, /etc/hosts and /etc/resolv.conf read by Go, as this stand-in (CGO_ENABLED=0) does. So a
// name the pod cannot resolve fails the same way in both, with Go's "lookup <name> on <server>: no such
// host" wording, not glibc's.
package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	// profilerName is reporter/datadog_reporter.go profilerName: the Dd-Evp-Origin header and profiler_name tag.
	profilerName = "dd-otel-host-profiler"
	// profileUploadWorkerCount, profileUploadQueueSize: reporter/datadog_reporter.go constants.
	profileUploadWorkerCount = 5
	profileUploadQueueSize   = 128
)

// serviceNameEnvVars is reporter/datadog_reporter.go ServiceNameEnvVars.
var serviceNameEnvVars = []string{"DD_SERVICE", "OTEL_SERVICE_NAME"}

// tag is reporter/config.go Tag.
type tag struct{ Key, Value string }

// tagsString is reporter/datadog_upload.go Tags.String: key:value joined by commas.
func tagsString(tags []tag) string {
	parts := make([]string, len(tags))
	for i, t := range tags {
		parts[i] = t.Key + ":" + t.Value
	}
	return strings.Join(parts, ",")
}

// uploadEvent is reporter/datadog_upload.go uploadEvent (same fields, same order, same JSON names).
type uploadEvent struct {
	Start       string   `json:"start"`
	End         string   `json:"end"`
	Attachments []string `json:"attachments"`
	Tags        string   `json:"tags_profiler"`
	Family      string   `json:"family"`
	Version     string   `json:"version"`
}

// uploadProfileData is reporter/datadog_reporter.go uploadProfileData.
type uploadProfileData struct {
	start, end time.Time
	entityID   string
	tags       []tag
	service    string
	seq        uint64
}

// UploadOutcome is the STANDIN-UPLOAD line (stdout): what one POST did.
type UploadOutcome struct {
	OK      bool   `json:"ok"`
	URL     string `json:"url"`
	Status  int    `json:"status,omitempty"`
	Error   string `json:"error,omitempty"`
	Service string `json:"service"`
	Seq     uint64 `json:"seq"`
}

type standinReporter struct {
	cfg       Config
	intakeURL string
	version   string
	family    string
	// tags: createTags' result (the user's validated tags, env, then the reporter's own).
	tags          []tag
	intervalStart time.Time
	profileSeq    uint64
	profiles      chan *uploadProfileData
	// outcomes, when set, receives every upload's outcome (the reporter-check mode counts them).
	outcomes chan UploadOutcome
}

// newReporter is what runner.Run hands reporter.NewDatadog: IntakeURL from config.IntakeURLForAgent
// (url.JoinPath(agentURL, "/profiling/v1/input")), Version from version.GetVersionInfo, Tags from
// config.ValidateTags plus config.AddTagsFromArgs (env last), ReportInterval the upload period.
// The API key goes to the reporter only in agentless mode (runner.Run: apiKey stays "" otherwise),
// and Agentless has no flag or variable in v0.4.0's config/cli_flags.go, so the release sends no
// Dd-Api-Key header to the Agent; nor does the stand-in.
func newReporter(cfg Config) (*standinReporter, error) {
	intake, err := url.JoinPath(cfg.AgentURL, "/profiling/v1/input")
	if err != nil {
		return nil, err
	}
	// config.ValidateTags' result; its "Rejected user-specified tag" warnings were logged by the
	// validate-tags step already (runner.Run validates once), so the tags are filtered quietly here.
	var user []tag
	if cfg.Tags != "" {
		for _, t := range strings.Split(cfg.Tags, ",") {
			if k, v, ok := strings.Cut(t, ":"); ok && tagKey.MatchString(k) && tagValue.MatchString(v) {
				user = append(user, tag{k, v})
			}
		}
	}
	if cfg.Environment != "" {
		user = append(user, tag{"env", cfg.Environment}) // config/helpers.go AddTagsFromArgs
	}
	version := standinVersion()
	// NewDatadog: runtimeTag, family := "ebpf", "ebpf".
	return &standinReporter{
		cfg: cfg, intakeURL: intake, version: version, family: "ebpf",
		tags:     createTags(user, "ebpf", version, cfg.EnableSplitByService),
		profiles: make(chan *uploadProfileData, profileUploadQueueSize),
	}, nil
}

// createTags is reporter/datadog_reporter.go createTags.
func createTags(userTags []tag, runtimeTag, version string, splitByService bool) []tag {
	tags := append([]tag{}, userTags...)
	const customContextTagKey = "ddprof.custom_ctx"
	if !splitByService {
		tags = append(tags, tag{customContextTagKey, "container_id"}, tag{customContextTagKey, "container_name"}, tag{customContextTagKey, "pod_name"})
	}
	return append(tags,
		tag{"runtime", runtimeTag},
		tag{"remote_symbols", "yes"},
		tag{"profiler_name", profilerName},
		tag{"profiler_version", version},
		tag{"cpu_arch", runtime.GOARCH},
		tag{customContextTagKey, "env"},
		tag{customContextTagKey, "runtime_id"},
	)
}

// createTagsForProfile is reporter/datadog_reporter.go createTagsForProfile.
func createTagsForProfile(tags []tag, profileSeq uint64, service string, inferred bool) []tag {
	out := append(append([]tag{}, tags...), tag{"profile_seq", strconv.FormatUint(profileSeq, 10)}, tag{"service", service})
	inferredTag := "no"
	if inferred {
		inferredTag = "yes"
	}
	return append(out, tag{"service_inferred", inferredTag})
}

// ownService is addProcessMetadata's service choice for the one process the stand-in profiles, itself:
// DD_SERVICE, then OTEL_SERVICE_NAME (the first that is set, even empty); a containerd-shim-* name
// becomes containerd-shim; no name: the executable's base name, inferred.
func ownService() (string, bool) {
	var service string
	for _, n := range serviceNameEnvVars {
		if v, ok := os.LookupEnv(n); ok {
			service = v
			break
		}
	}
	switch {
	case service != "":
		if strings.HasPrefix(service, "containerd-shim-") {
			service = "containerd-shim"
		}
		return strings.TrimSpace(service), false
	default:
		exe, err := os.Readlink("/proc/self/exe")
		if err != nil {
			return "unknown-service", true // unknownServiceStr
		}
		return strings.TrimSpace(path.Base(strings.TrimSuffix(exe, " (deleted)"))), true
	}
}

var (
	// containermetadata/container.go expLine, expContainerID (uuidSource, containerSource, taskSource).
	expLine        = regexp.MustCompile(`^\d+:[^:]*:(.+)$`)
	expContainerID = regexp.MustCompile(fmt.Sprintf(`(%s|%s|%s)(?:.scope)?$`, uuidSource, containerSource, taskSource))
)

const (
	uuidSource      = "[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12}|[0-9a-f]{8}(?:-[0-9a-f]{4}){4}$"
	containerSource = "[0-9a-f]{64}"
	taskSource      = "[0-9a-f]{32}-\\d+"
)

// ownEntityID is containermetadata/container.go containerIDProvider.GetContainerMetadata for this
// process (split-by-service mode): "ci-<container id>" from /proc/self/cgroup, else the cgroup node's
// inode "in-<ino>" (memory controller on cgroup v1, then the unified path) unless the process is in
// the host cgroup namespace (inode 0xEFFFFFFB). The release first takes the container ID its eBPF code
// found (cgroup v2 only) and falls back to this; the stand-in has only this.
func ownEntityID() string {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return ""
	}
	lines := strings.Split(string(b), "\n")
	for _, l := range lines {
		if m := expLine.FindStringSubmatch(l); len(m) == 2 {
			if p := expContainerID.FindStringSubmatch(m[1]); len(p) == 2 {
				return "ci-" + p[1]
			}
		}
	}
	var ns syscall.Stat_t
	if syscall.Stat("/proc/self/ns/cgroup", &ns) == nil && ns.Ino == 0xEFFFFFFB {
		return "" // readEntityID: host cgroup namespace
	}
	var v1, v2 string // parseCgroupNodePath
	for _, l := range lines {
		if t := strings.Split(l, ":"); len(t) == 3 {
			switch t[1] {
			case "memory":
				v1 = t[2]
			case "":
				v2 = t[2]
			}
		}
	}
	inode := func(p string) string { // inodeForPath
		var st syscall.Stat_t
		if syscall.Stat(p, &st) != nil {
			return ""
		}
		return fmt.Sprintf("in-%d", st.Ino)
	}
	if v1 != "" { // getCgroupInode: the memory controller's node first, then the unified one
		if id := inode(path.Join("/sys/fs/cgroup", "memory", v1)); id != "" {
			return id
		}
	}
	if v2 != "" {
		return inode(path.Join("/sys/fs/cgroup", v2))
	}
	return ""
}

// start is DatadogReporter.Start: intervalStart now, the run loop, five upload workers.
func (r *standinReporter) start(ctx context.Context) {
	r.intervalStart = time.Now()
	// runLoop.Start: a ticker at the report interval, reset to the interval with 5% jitter at each tick.
	go func() {
		tick := time.NewTicker(r.cfg.ReporterInterval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				tick.Reset(addJitter(r.cfg.ReporterInterval, 0.05))
				r.getPprofProfile()
			}
		}
	}()
	for range profileUploadWorkerCount {
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case p := <-r.profiles:
					r.report(ctx, p)
				}
			}
		}()
	}
}

// addJitter is ebpf-profiler libpf AddJitter: baseDuration +/- jitter.
func addJitter(base time.Duration, jitter float64) time.Duration {
	if jitter < 0.0 || jitter > 1.0 {
		return base
	}
	return time.Duration((1 + jitter - 2*jitter*rand.Float64()) * float64(base))
}

// getPprofProfile is DatadogReporter.getPprofProfile for the stand-in's one process, with its log lines.
func (r *standinReporter) getPprofProfile() {
	end := time.Now()
	start := r.intervalStart
	r.intervalStart = end
	seq := r.profileSeq
	r.profileSeq++
	const samples = 1
	if !r.cfg.EnableSplitByService {
		// One profile for the host, named after --host-service, with no entity ID.
		tags := createTagsForProfile(r.tags, seq, r.cfg.HostServiceName, false)
		r.profiles <- &uploadProfileData{start: start, end: end, tags: tags, service: r.cfg.HostServiceName, seq: seq}
		logInfo("Tags: %v", tagsString(tags))
		logInfo("Reporting single profile #%d from %v to %v: %d samples, %d PIDs with no process metadata",
			seq, start.Format(time.RFC3339), end.Format(time.RFC3339), samples, 0)
		return
	}
	service, inferred := ownService()
	tags := createTagsForProfile(r.tags, seq, service, inferred)
	r.profiles <- &uploadProfileData{start: start, end: end, entityID: ownEntityID(), tags: tags, service: service, seq: seq}
	logInfo("Reporting %d profiles #%d from %v to %v: %d samples, %d PIDs with no process metadata",
		1, seq, start.Format(time.RFC3339), end.Format(time.RFC3339), samples, 0)
}

// report is the upload worker's body: reportProfile, and on an error the release's
// `log.Errorf("Request failed: %v", err)` (DatadogReporter.Start), plus the stand-in's STANDIN-UPLOAD line.
func (r *standinReporter) report(ctx context.Context, p *uploadProfileData) {
	out := UploadOutcome{URL: r.intakeURL, Service: p.service, Seq: p.seq}
	status, err := r.upload(ctx, p)
	out.Status = status
	if err != nil {
		logError("Request failed: %v", err)
		out.Error = err.Error()
	} else {
		out.OK = true
	}
	b, _ := json.Marshal(out)
	fmt.Printf("STANDIN-UPLOAD %s\n", b)
	if r.outcomes != nil {
		r.outcomes <- out
	}
}

// upload is reportProfile (the pprof serialised uncompressed into a zstd stream, attachment
// "cpu.pprof") and uploadProfiles: POST with the request's context and http.DefaultClient, so no
// client timeout (only http.DefaultTransport's: 30 s to connect, 10 s for a TLS handshake, and
// HTTP(S)_PROXY/NO_PROXY from the environment); any 2xx is success, else the error is resp.Status.
// The status is returned for the stand-in's own line only.
func (r *standinReporter) upload(ctx context.Context, p *uploadProfileData) (int, error) {
	pprofBytes := minimalPprof(p.start, p.end, r.cfg.SamplesPerSecond)
	contentType, body, err := buildMultipartForm([]profileData{{name: "cpu.pprof", data: zstdFrame(pprofBytes)}}, p.start, p.end, p.tags, r.family)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.intakeURL, body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Dd-Evp-Origin", profilerName)
	req.Header.Set("Dd-Evp-Origin-Version", r.version)
	if p.entityID != "" {
		req.Header.Set("Datadog-Entity-Id", p.entityID)
		if strings.HasPrefix(p.entityID, "ci-") {
			req.Header.Set("Datadog-Container-Id", p.entityID[3:])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body) //nolint:errcheck // the release only closes it; draining keeps the connection reusable
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return resp.StatusCode, nil
	}
	return resp.StatusCode, errors.New(resp.Status)
}

type profileData struct {
	name string
	data []byte
}

// buildMultipartForm is reporter/datadog_upload.go buildMultipartForm: one form file per profile
// (CreateFormFile(name, name): application/octet-stream), then the "event" part, filename
// "event.json", application/json, written by json.Encoder (so it ends with a newline).
func buildMultipartForm(profiles []profileData, start, end time.Time, tags []tag, family string) (string, io.Reader, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	event := &uploadEvent{
		Version: "4",
		Family:  family,
		Start:   start.Format(time.RFC3339Nano),
		End:     end.Format(time.RFC3339Nano),
		Tags:    tagsString(tags),
	}
	for _, p := range profiles {
		event.Attachments = append(event.Attachments, p.name)
		f, err := mw.CreateFormFile(p.name, p.name)
		if err != nil {
			return "", nil, err
		}
		if _, err = f.Write(p.data); err != nil {
			return "", nil, err
		}
	}
	f, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Disposition": []string{`form-data; name="event"; filename="event.json"`},
		"Content-Type":        []string{"application/json"},
	})
	if err != nil {
		return "", nil, err
	}
	if err := json.NewEncoder(f).Encode(event); err != nil {
		return "", nil, err
	}
	if err := mw.Close(); err != nil {
		return "", nil, err
	}
	return mw.FormDataContentType(), &buf, nil
}

// zstdFrame wraps data in one zstd frame (RFC 8878) of raw blocks: a valid zstd stream, as the
// release's zstd.NewWriter produces, though stored rather than compressed (no zstd encoder here, and
// no new module). Frame header: single segment, 4-byte content size, no checksum, no dictionary.
func zstdFrame(data []byte) []byte {
	out := []byte{0x28, 0xB5, 0x2F, 0xFD, 0xA0}
	out = binary.LittleEndian.AppendUint32(out, uint32(len(data)))
	const maxBlock = 128 << 10
	for first := true; first || len(data) > 0; first = false {
		n := min(len(data), maxBlock)
		hdr := uint32(n) << 3 // Block_Type 0: Raw_Block
		if n == len(data) {
			hdr |= 1 // Last_Block
		}
		out = append(out, byte(hdr), byte(hdr>>8), byte(hdr>>16))
		out = append(out, data[:n]...)
		data = data[n:]
	}
	return out
}

// minimalPprof is a profile.proto message as reporter/pprof/profile_builder.go NewProfileBuilder
// types it: sample types cpu-samples/count and cpu-time/nanoseconds, period type cpu-time/nanoseconds,
// period 1e9/sampling rate, default sample type cpu-time, time and duration of the interval. One
// sample (count 1, one period of CPU time) at one location in one function naming the stand-in.
func minimalPprof(start, end time.Time, samplesPerSecond uint64) []byte {
	if samplesPerSecond == 0 {
		samplesPerSecond = 20
	}
	period := int64(1_000_000_000 / samplesPerSecond)
	strs := []string{"", "cpu-samples", "count", "cpu-time", "nanoseconds", "dd-otel-host-profiler-standin", "standin.go"}
	var p pb
	p.msg(1, func(v *pb) { v.varint(1, 1); v.varint(2, 2) }) // sample_type cpu-samples/count
	p.msg(1, func(v *pb) { v.varint(1, 3); v.varint(2, 4) }) // sample_type cpu-time/nanoseconds
	p.msg(2, func(s *pb) {                                   // sample
		s.packed(1, []uint64{1})
		s.packed(2, []uint64{1, uint64(period)})
	})
	p.msg(4, func(l *pb) { // location 1 -> function 1
		l.varint(1, 1)
		l.msg(4, func(ln *pb) { ln.varint(1, 1); ln.varint(2, 1) })
	})
	p.msg(5, func(f *pb) { f.varint(1, 1); f.varint(2, 5); f.varint(3, 5); f.varint(4, 6) }) // function 1
	for _, s := range strs {
		p.bytes(6, []byte(s))
	}
	p.varint(9, uint64(start.UnixNano()))
	p.varint(10, uint64(end.Sub(start).Nanoseconds()))
	p.msg(11, func(v *pb) { v.varint(1, 3); v.varint(2, 4) }) // period_type cpu-time/nanoseconds
	p.varint(12, uint64(period))
	p.varint(14, 3) // default_sample_type cpu-time
	return p.b
}

// pb is the little protobuf writer minimalPprof needs (varint and length-delimited fields).
type pb struct{ b []byte }

func (p *pb) key(field, wire int) { p.b = binary.AppendUvarint(p.b, uint64(field<<3|wire)) }
func (p *pb) varint(field int, v uint64) {
	p.key(field, 0)
	p.b = binary.AppendUvarint(p.b, v)
}
func (p *pb) bytes(field int, v []byte) {
	p.key(field, 2)
	p.b = binary.AppendUvarint(p.b, uint64(len(v)))
	p.b = append(p.b, v...)
}
func (p *pb) msg(field int, fill func(*pb)) {
	var m pb
	fill(&m)
	p.bytes(field, m.b)
}
func (p *pb) packed(field int, vs []uint64) {
	var m pb
	for _, v := range vs {
		m.b = binary.AppendUvarint(m.b, v)
	}
	p.bytes(field, m.b)
}

// reporterCheck is the reporter-check mode (tests only, never the chart's command): the configuration
// from the environment as the profiler parses it, then the reporter alone until it has made n
// uploads; exit 0 after them, 2 when the configuration does not parse.
func reporterCheck(n int) int {
	cfg, err := parseEnv(os.LookupEnv)
	if err != nil {
		logError("Failure to parse arguments: %v", err)
		return 2
	}
	validateTags(cfg.Tags) // the warnings the validate-tags step would log
	r, err := newReporter(cfg)
	if err != nil {
		logError("Failed to get intake URL from agent URL %v: %v", cfg.AgentURL, err)
		return 1
	}
	r.outcomes = make(chan UploadOutcome, n)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.start(ctx)
	for range n {
		<-r.outcomes
	}
	return 0
}
