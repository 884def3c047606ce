// Probes for the chart's seccomp allowlist and GOMEMLIMIT (test/node/seccomp-allowlist.test.ts,
// test/node/gomemlimit.test.ts). Neither changes the start-up: both run after the report's other
// fields, before it is printed.
package main

import (
	"os"
	"runtime/debug"
	"unsafe"

	"golang.org/x/sys/unix"
)

// SyscallProbe is one system call outside the chart's allowlist (scripts/contract/seccomp.ts
// refusedSyscalls), made to show whether a seccomp filter refuses it.
type SyscallProbe struct {
	Syscall string `json:"syscall"`
	OK      bool   `json:"ok"`
	// Errno is the error number when refused (1: EPERM, what SCMP_ACT_ERRNO returns by default), else 0.
	Errno int    `json:"errno"`
	Error string `json:"error,omitempty"`
}

// getcpuProbe calls getcpu(2), which only reads the CPU and NUMA node the thread runs on: harmless when
// allowed, and a call neither the profiler nor Go's runtime makes (it is not in the allowlist).
func getcpuProbe() SyscallProbe {
	var cpu, node uint32
	_, _, e := unix.Syscall(unix.SYS_GETCPU, uintptr(unsafe.Pointer(&cpu)), uintptr(unsafe.Pointer(&node)), 0)
	p := SyscallProbe{Syscall: "getcpu", OK: e == 0}
	if e != 0 {
		p.Errno, p.Error = int(e), e.Error()
	}
	return p
}

// GoMemLimit is what the Go runtime made of GOMEMLIMIT: the variable as the container got it and the
// soft limit in force (debug.SetMemoryLimit(-1) reads it; math.MaxInt64 means none). A value the runtime
// cannot parse never gets here: the runtime throws at start ("malformed GOMEMLIMIT").
type GoMemLimit struct {
	Env   string `json:"env"`
	Set   bool   `json:"set"`
	Bytes int64  `json:"bytes"`
}

func goMemLimit() GoMemLimit {
	v, set := os.LookupEnv("GOMEMLIMIT")
	return GoMemLimit{Env: v, Set: set, Bytes: debug.SetMemoryLimit(-1)}
}

