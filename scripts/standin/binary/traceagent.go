// The trace-agent mode: a stand-in for the Datadog Agent's trace-agent HTTP receiver, as much of it as
// the profiler talks to. Read in DataDog/datadog-agent pkg/trace/api (the repository snapshot is over
// the fetch limit here, so the indexed files were read: profiles.go at commit 83179bb8 and at
// 016e2521, info.go at 0610c3a6, endpoints.go at 022e93a2; no tag could be tied to those commits):
//
//   - POST /profiling/v1/input: profileProxyHandler / newProfileProxy, an httputil.ReverseProxy to the
//     intake (https://intake.profile.<site>/api/v2/profile) through multiTransport, which relays the
//     main intake's response but turns 202 Accepted into 200 OK ("Hack for backwards-compatibility":
//     the old v1/input answered 200). The v2 intake accepts with 202, so an accepted profile gets
//     200 from the Agent, and that is what this answers, with an empty body (the intake's body is not
//     known here). Other methods on that path would be relayed to the intake too; this answers them
//     405, its own choice.
//   - /info: makeInfoHandler, the JSON of infoPayload (json.MarshalIndent with tabs), endpoints the
//     non-hidden patterns of the endpoints table; here a reduced payload with the same field names.
//   - any other path: the receiver's http.ServeMux has no pattern for it, so 404 "404 page not found".
//
// Each request prints one STANDIN-AGENT line on stdout: method, path, remote address, three headers
// (Content-Type, Dd-Evp-Origin, Dd-Evp-Origin-Version; never one that could carry a key), the names
// of the multipart parts, and the event part's tags_profiler.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// agentStandinVersion is the version /info reports (scripts/node/agent-standin.ts reports the same).
const agentStandinVersion = "7.99.0-standin"

// infoEndpoints are the non-hidden patterns of pkg/trace/api/endpoints.go (commit 022e93a2).
var infoEndpoints = []string{"/v0.3/traces", "/v0.3/services", "/v0.4/traces", "/v0.4/services", "/v0.5/traces", "/profiling/v1/input", "/v0.6/stats", "/appsec"}

// agentRequestHeaders are the only request headers a STANDIN-AGENT line shows.
var agentRequestHeaders = []string{"Content-Type", "Dd-Evp-Origin", "Dd-Evp-Origin-Version"}

// AgentRequest is one STANDIN-AGENT line.
type AgentRequest struct {
	Method    string            `json:"method"`
	Path      string            `json:"path"`
	Remote    string            `json:"remote"`
	Headers   map[string]string `json:"headers"`
	Parts     []string          `json:"parts"`
	EventTags *string           `json:"eventTags"`
	Status    int               `json:"status"`
	Error     string            `json:"error,omitempty"`
}

// agentPort is the port the trace-agent mode listens on.
var agentPort = 8126

func traceAgent() int {
	port := agentPort
	if v := os.Getenv("DD_APM_RECEIVER_PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 || p > 65535 {
			fmt.Fprintf(os.Stderr, "trace-agent stand-in: DD_APM_RECEIVER_PORT %q is not a port\n", v)
			return 1
		}
		port = p
	}
	agentPort = port
	ln, err := net.Listen("tcp", net.JoinHostPort("0.0.0.0", strconv.Itoa(port)))
	if err != nil {
		fmt.Fprintf(os.Stderr, "trace-agent stand-in: %v\n", err)
		return 1
	}
	srv := &http.Server{Handler: http.HandlerFunc(agentHandle), ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("STANDIN-AGENT-LISTENING {\"addr\":\"0.0.0.0:%d\"}\n", port)
	os.Stdout.Sync()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	select {
	case <-sig:
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx) //nolint:errcheck
		return 0
	case err := <-done:
		fmt.Fprintf(os.Stderr, "trace-agent stand-in: %v\n", err)
		return 1
	}
}

func agentHandle(w http.ResponseWriter, req *http.Request) {
	rec := AgentRequest{Method: req.Method, Path: req.URL.Path, Remote: req.RemoteAddr, Headers: map[string]string{}, Parts: []string{}}
	for _, h := range agentRequestHeaders {
		if v := req.Header.Get(h); v != "" {
			rec.Headers[h] = v
		}
	}
	switch req.URL.Path {
	case "/info":
		body, _ := json.MarshalIndent(map[string]any{
			"version": agentStandinVersion, "git_commit": "standin", "endpoints": infoEndpoints,
			"client_drop_p0s": true, "span_meta_structs": true, "long_running_spans": true, "span_events": true,
			"config": map[string]any{"default_env": "none", "receiver_port": agentPort, "receiver_socket": ""},
		}, "", "\t")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		rec.Status = http.StatusOK
		w.Write(body) //nolint:errcheck
	case "/profiling/v1/input":
		if req.Method != http.MethodPost {
			rec.Status = http.StatusMethodNotAllowed
			http.Error(w, http.StatusText(rec.Status), rec.Status)
			break
		}
		rec.Parts, rec.EventTags, rec.Error = readProfileForm(req)
		rec.Status = http.StatusOK // the intake's 202, as multiTransport.RoundTrip turns it into 200
		w.WriteHeader(rec.Status)
	default:
		rec.Status = http.StatusNotFound
		http.NotFound(w, req)
	}
	io.Copy(io.Discard, req.Body) //nolint:errcheck
	b, _ := json.Marshal(rec)
	fmt.Printf("STANDIN-AGENT %s\n", b)
	os.Stdout.Sync()
}

// readProfileForm lists the multipart parts' names and reads the event part's tags_profiler.
func readProfileForm(req *http.Request) ([]string, *string, string) {
	parts := []string{}
	mt, params, err := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return parts, nil, "not multipart/form-data"
	}
	mr := multipart.NewReader(io.LimitReader(req.Body, 64<<20), params["boundary"])
	var tags *string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return parts, tags, err.Error()
		}
		parts = append(parts, p.FormName())
		if p.FormName() == "event" {
			var ev struct {
				Tags *string `json:"tags_profiler"`
			}
			if err := json.NewDecoder(p).Decode(&ev); err != nil {
				return parts, tags, "event: " + err.Error()
			}
			tags = ev.Tags
		}
		io.Copy(io.Discard, p) //nolint:errcheck
	}
	return parts, tags, ""
}
