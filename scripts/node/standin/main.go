// A stand-in for the dd-otel-host-profiler image on the node tier (the real image cannot be pulled
// on these machines). It is installed under the chart's image reference and reports, as one JSON
// line on stdout, what its container was given (user, capabilities, no_new_privs, seccomp, root
// filesystem, environment) and whether each kernel operation an eBPF profiler performs succeeds.
// Then it waits for SIGTERM, as the profiler would, so the pod stays Running.
//
// Modes, by the name it is called as or its first argument:
//
//	dd-otel-host-profiler  the profiler stand-in (the image's entrypoint)
//	pause                  the pod sandbox image's process: sleep until signalled
//	ddprof-target          a process for the probes to look at, run by the test on the host as
//	                       another user from a directory only that user can read
//	memlock0               child of the profiler stand-in: create an eBPF map with RLIMIT_MEMLOCK 0
//
// Secrets: the API and application keys are never printed, only whether they are set, their
// length and their SHA-256, which the test compares with the Secret's.
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TargetComm is the command name of the process the probes read (see the ddprof-target mode).
const TargetComm = "ddprof-target"

const tracefs = "/sys/kernel/tracing"

func main() {
	mode := filepath.Base(os.Args[0])
	if len(os.Args) > 1 && (os.Args[1] == "memlock0" || os.Args[1] == "pause") {
		mode = os.Args[1]
	}
	switch mode {
	case "pause":
		waitForSignal()
	case TargetComm:
		target()
	case "memlock0":
		os.Exit(memlock0())
	default:
		profiler()
	}
}

func waitForSignal() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
	<-c
}

// ---------------------------------------------------------------------------------------------
// The profiler stand-in

// Result of one kernel operation.
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
	Tracefs    Result               `json:"tracefs"`
	Target     string               `json:"target"`
	// DefaultRoute says whether the pod's network namespace has a default route (the node tier gives it none).
	DefaultRoute bool              `json:"defaultRoute"`
	Ops          map[string]Result `json:"ops"`
}

func profiler() {
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
	for _, k := range []string{"DD_TRACE_AGENT_URL", "DD_AGENT_HOST", "DD_SITE", "DD_SERVICE", "DD_ENV", "DD_TAGS", "KUBERNETES_NODE_NAME", "DD_HOST_PROFILING_NODE"} {
		if v, ok := os.LookupEnv(k); ok {
			r.Env[k] = v
		}
	}
	for _, k := range []string{"DD_API_KEY", "DD_APP_KEY"} {
		v, ok := os.LookupEnv(k)
		kr := KeyReport{Present: ok, Length: len(v)}
		if ok {
			sum := sha256.Sum256([]byte(v))
			kr.SHA256 = hex.EncodeToString(sum[:])
		}
		r.Keys[k] = kr
	}

	r.DefaultRoute = hasDefaultRoute()

	// As the upstream entrypoint does: mount tracefs when it is not there (this needs SYS_ADMIN).
	r.Tracefs = ensureTracefs()

	r.Ops["bpf_map_create"] = bpfMapCreate()
	r.Ops["bpf_map_create_memlock0"] = runChild("memlock0")
	progFD, load := bpfProgLoadPerfEvent()
	r.Ops["bpf_prog_load_perf_event"] = load
	r.Ops["perf_event_attach_all_cpus"] = perfEventAttachAllCPUs(progFD, load.Error)
	if progFD >= 0 {
		unix.Close(progFD)
	}
	r.Ops["kallsyms_addresses"] = kallsyms()
	r.Ops["mlock_over_rlimit"] = mlockOverRlimit()
	r.Ops["tracefs_read"] = tracefsRead()
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

	b, _ := json.Marshal(r)
	fmt.Printf("STANDIN-REPORT %s\n", b)
	os.Stdout.Sync()
	waitForSignal()
}

func errResult(what string, err error) Result {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return Result{Error: err.Error()} // already names the operation and the path
	}
	return Result{Error: fmt.Sprintf("%s: %v", what, err)}
}

func procStatus() map[string]string {
	out := map[string]string{}
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && (strings.HasPrefix(k, "Cap") || k == "NoNewPrivs" || k == "Seccomp" || k == "Uid" || k == "Gid") {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out
}

var capabilityNames = []string{
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
	"LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
	"SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
	"SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
	"MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
	"CHECKPOINT_RESTORE",
}

// capNames decodes a /proc/self/status capability mask into names (CAP_ prefix left off).
func capNames(hexMask string) []string {
	names := []string{}
	mask, err := strconv.ParseUint(hexMask, 16, 64)
	if err != nil {
		return names
	}
	for i := 0; i < 64; i++ {
		if mask&(1<<uint(i)) == 0 {
			continue
		}
		if i < len(capabilityNames) {
			names = append(names, capabilityNames[i])
		} else {
			names = append(names, fmt.Sprintf("CAP_%d", i))
		}
	}
	return names
}

func rlim(v uint64) string {
	if v == unix.RLIM_INFINITY {
		return "unlimited"
	}
	return strconv.FormatUint(v, 10)
}

// rootFS reads the options of the mount at / from mountinfo: "ro" or "rw".
func rootFS() string {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return "unknown: " + err.Error()
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 5 && f[4] == "/" {
			for _, o := range strings.Split(f[5], ",") {
				if o == "ro" || o == "rw" {
					return o
				}
			}
		}
	}
	return "unknown"
}

func tracefsMounted() bool {
	b, _ := os.ReadFile("/proc/self/mountinfo")
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 4 && f[4] == tracefs && strings.Contains(line, " - tracefs ") {
			return true
		}
	}
	return false
}

func ensureTracefs() Result {
	if tracefsMounted() {
		return Result{OK: true, Detail: "already mounted"}
	}
	if err := unix.Mount("nodev", tracefs, "tracefs", 0, ""); err != nil {
		return errResult("mount -t tracefs nodev "+tracefs, err)
	}
	return Result{OK: true, Detail: "mounted by the entrypoint"}
}

func tracefsRead() Result {
	p := tracefs + "/events/sched/sched_process_exit/id"
	b, err := os.ReadFile(p)
	if err != nil {
		return errResult("read "+p, err)
	}
	return Result{OK: true, Detail: "sched_process_exit id " + strings.TrimSpace(string(b))}
}

// hasDefaultRoute reads the IPv4 routing table of the container's network namespace.
func hasDefaultRoute() bool {
	b, err := os.ReadFile("/proc/net/route")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n")[1:] {
		if f := strings.Fields(line); len(f) > 1 && f[1] == "00000000" {
			return true
		}
	}
	return false
}

func writeFile(p string) Result {
	if err := os.WriteFile(p, []byte("probe\n"), 0o600); err != nil {
		return errResult("write "+p, err)
	}
	os.Remove(p)
	return Result{OK: true}
}

// ---- eBPF and perf events ----

const (
	bpfMapCreateCmd  = 0
	bpfProgLoadCmd   = 5
	bpfMapTypeArray  = 2
	bpfProgPerfEvent = 7
)

type bpfMapAttr struct {
	MapType    uint32
	KeySize    uint32
	ValueSize  uint32
	MaxEntries uint32
	MapFlags   uint32
}

type bpfProgAttr struct {
	ProgType    uint32
	InsnCnt     uint32
	Insns       uint64
	License     uint64
	LogLevel    uint32
	LogSize     uint32
	LogBuf      uint64
	KernVersion uint32
	ProgFlags   uint32
}

func bpf(cmd int, attr unsafe.Pointer, size uintptr) (int, error) {
	fd, _, errno := unix.Syscall(unix.SYS_BPF, uintptr(cmd), uintptr(attr), size)
	if errno != 0 {
		return -1, errno
	}
	return int(fd), nil
}

func createMap() (int, error) {
	attr := bpfMapAttr{MapType: bpfMapTypeArray, KeySize: 4, ValueSize: 8, MaxEntries: 1024}
	return bpf(bpfMapCreateCmd, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
}

func bpfMapCreate() Result {
	fd, err := createMap()
	if err != nil {
		return errResult("bpf(BPF_MAP_CREATE)", err)
	}
	unix.Close(fd)
	return Result{OK: true}
}

// memlock0 runs in a child: with RLIMIT_MEMLOCK at 0 a map can only be created where the kernel
// charges eBPF memory to the cgroup instead (>= 5.11), i.e. where SYS_RESOURCE is not needed.
func memlock0() int {
	if err := unix.Setrlimit(unix.RLIMIT_MEMLOCK, &unix.Rlimit{Cur: 0, Max: 0}); err != nil {
		fmt.Printf("setrlimit(RLIMIT_MEMLOCK, 0): %v\n", err)
		return 2
	}
	fd, err := createMap()
	if err != nil {
		fmt.Printf("bpf(BPF_MAP_CREATE) with RLIMIT_MEMLOCK 0: %v\n", err)
		return 1
	}
	unix.Close(fd)
	fmt.Print("created with RLIMIT_MEMLOCK 0 (eBPF memory is charged to the cgroup)")
	return 0
}

func runChild(mode string) Result {
	self, err := os.Executable()
	if err != nil {
		return errResult("find own executable", err)
	}
	out, err := exec.Command(self, mode).CombinedOutput()
	text := strings.TrimSpace(string(out))
	if err != nil {
		return Result{Error: fmt.Sprintf("%s (%v)", text, err)}
	}
	return Result{OK: true, Detail: text}
}

func bpfProgLoadPerfEvent() (int, Result) {
	// r0 = 0; exit
	insns := []uint64{0x00000000000000b7, 0x0000000000000095}
	license := []byte("GPL\x00")
	logBuf := make([]byte, 4096)
	attr := bpfProgAttr{
		ProgType: bpfProgPerfEvent,
		InsnCnt:  uint32(len(insns)),
		Insns:    uint64(uintptr(unsafe.Pointer(&insns[0]))),
		License:  uint64(uintptr(unsafe.Pointer(&license[0]))),
		LogLevel: 1,
		LogSize:  uint32(len(logBuf)),
		LogBuf:   uint64(uintptr(unsafe.Pointer(&logBuf[0]))),
	}
	fd, err := bpf(bpfProgLoadCmd, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
	if err != nil {
		return -1, errResult("bpf(BPF_PROG_LOAD, BPF_PROG_TYPE_PERF_EVENT)", err)
	}
	return fd, Result{OK: true}
}

func onlineCPUs() ([]int, error) {
	b, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return nil, err
	}
	var cpus []int
	for _, part := range strings.Split(strings.TrimSpace(string(b)), ",") {
		lo, hi, found := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, err
		}
		z := a
		if found {
			if z, err = strconv.Atoi(hi); err != nil {
				return nil, err
			}
		}
		for c := a; c <= z; c++ {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}

// perfEventAttachAllCPUs opens a system-wide (pid -1) sampling event on every CPU, as the profiler
// does to drive its unwinder, and attaches the perf_event program to each.
func perfEventAttachAllCPUs(progFD int, loadErr string) Result {
	cpus, err := onlineCPUs()
	if err != nil {
		return errResult("read online CPUs", err)
	}
	for _, cpu := range cpus {
		attr := unix.PerfEventAttr{
			Type:   unix.PERF_TYPE_SOFTWARE,
			Config: unix.PERF_COUNT_SW_CPU_CLOCK,
			Size:   uint32(unsafe.Sizeof(unix.PerfEventAttr{})),
			Sample: 20,
			Bits:   unix.PerfBitFreq | unix.PerfBitDisabled,
		}
		fd, err := unix.PerfEventOpen(&attr, -1, cpu, -1, unix.PERF_FLAG_FD_CLOEXEC)
		if err != nil {
			return errResult(fmt.Sprintf("perf_event_open(pid -1, cpu %d)", cpu), err)
		}
		if progFD >= 0 {
			if err := unix.IoctlSetInt(fd, unix.PERF_EVENT_IOC_SET_BPF, progFD); err != nil {
				unix.Close(fd)
				return errResult(fmt.Sprintf("ioctl(PERF_EVENT_IOC_SET_BPF) on cpu %d", cpu), err)
			}
		}
		unix.Close(fd)
	}
	if progFD < 0 {
		return Result{Error: fmt.Sprintf("opened on %d CPUs, but there is no program to attach: %s", len(cpus), loadErr)}
	}
	return Result{OK: true, Detail: fmt.Sprintf("%d CPUs", len(cpus))}
}

// ---- reading other processes ----

func kallsyms() Result {
	f, err := os.Open("/proc/kallsyms")
	if err != nil {
		return errResult("open /proc/kallsyms", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for i := 0; s.Scan() && i < 1000; i++ {
		addr := strings.Fields(s.Text())[0]
		if strings.Trim(addr, "0") != "" {
			return Result{OK: true}
		}
	}
	return Result{Error: "/proc/kallsyms shows every address as 0 (kptr_restrict hides them without SYSLOG)"}
}

func mlockOverRlimit() Result {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_MEMLOCK, &lim); err != nil {
		return errResult("getrlimit(RLIMIT_MEMLOCK)", err)
	}
	if lim.Cur == unix.RLIM_INFINITY {
		return Result{OK: true, Detail: "RLIMIT_MEMLOCK is unlimited: mlock needs no capability here"}
	}
	size := int(lim.Cur) + 1<<20
	buf, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return errResult("mmap", err)
	}
	defer unix.Munmap(buf)
	if err := unix.Mlock(buf); err != nil {
		return errResult(fmt.Sprintf("mlock(%d bytes, RLIMIT_MEMLOCK %d)", size, lim.Cur), err)
	}
	unix.Munlock(buf)
	return Result{OK: true, Detail: fmt.Sprintf("%d bytes over RLIMIT_MEMLOCK %d", size, lim.Cur)}
}

func findTarget() (int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); err == nil && strings.TrimSpace(string(b)) == TargetComm {
			return pid, nil
		}
	}
	return 0, errors.New("no process named " + TargetComm + " is visible (is hostPID set, and is the test's target running?)")
}

type mapping struct {
	start, end uint64
	offset     uint64
	perms      string
	path       string
}

func mappings(pid int) ([]mapping, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return nil, err
	}
	var out []mapping
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		lo, hi, _ := strings.Cut(f[0], "-")
		m := mapping{perms: f[1]}
		m.start, _ = strconv.ParseUint(lo, 16, 64)
		m.end, _ = strconv.ParseUint(hi, 16, 64)
		m.offset, _ = strconv.ParseUint(f[2], 16, 64)
		if len(f) >= 6 {
			m.path = f[5]
		}
		out = append(out, m)
	}
	return out, nil
}

// processVMReadv reads the ELF header of the target's executable from its memory.
func processVMReadv(pid int) Result {
	maps, err := mappings(pid)
	if err != nil {
		return errResult(fmt.Sprintf("read /proc/%d/maps", pid), err)
	}
	for _, m := range maps {
		if m.offset != 0 || !strings.HasPrefix(m.perms, "r") || !strings.HasPrefix(m.path, "/") {
			continue
		}
		buf := make([]byte, 4)
		local := []unix.Iovec{{Base: &buf[0], Len: 4}}
		remote := []unix.RemoteIovec{{Base: uintptr(m.start), Len: 4}}
		if _, err := unix.ProcessVMReadv(pid, local, remote, 0); err != nil {
			return errResult(fmt.Sprintf("process_vm_readv(pid %d)", pid), err)
		}
		if !bytes.Equal(buf, []byte("\x7fELF")) {
			return Result{Error: fmt.Sprintf("read %q at the start of %s, expected an ELF header", buf, m.path)}
		}
		return Result{OK: true, Detail: "ELF header of " + m.path}
	}
	return Result{Error: fmt.Sprintf("no file mapping at offset 0 in /proc/%d/maps", pid)}
}

// openOtherUserExecutable opens the target's executable through its root, as symbol extraction does;
// the file and its folder belong to another user and only that user may read them.
func openOtherUserExecutable(pid int) Result {
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		return errResult(fmt.Sprintf("readlink /proc/%d/exe", pid), err)
	}
	p := fmt.Sprintf("/proc/%d/root%s", pid, exe)
	f, err := os.Open(p)
	if err != nil {
		return errResult("open "+p, err)
	}
	defer f.Close()
	head := make([]byte, 4)
	if _, err := f.Read(head); err != nil {
		return errResult("read "+p, err)
	}
	return Result{OK: true, Detail: exe}
}

// mapFilesOpen opens, through /proc/PID/map_files, a world-readable file the target mapped: only the
// map_files link itself is privileged there (CHECKPOINT_RESTORE), not the file.
func mapFilesOpen(pid int) Result {
	maps, err := mappings(pid)
	if err != nil {
		return errResult(fmt.Sprintf("read /proc/%d/maps", pid), err)
	}
	for _, m := range maps {
		if !strings.HasSuffix(m.path, ".shared-data") {
			continue
		}
		p := fmt.Sprintf("/proc/%d/map_files/%x-%x", pid, m.start, m.end)
		f, err := os.Open(p)
		if err != nil {
			return errResult("open "+p, err)
		}
		f.Close()
		return Result{OK: true, Detail: m.path}
	}
	return Result{Error: fmt.Sprintf("the target maps no *.shared-data file (/proc/%d/maps)", pid)}
}

// ---------------------------------------------------------------------------------------------
// The target

// target maps the world-readable data file named by its argument (for map_files_open) and sleeps. The test runs it on the host as another user, from a folder only that user can read.
func target() {
	if len(os.Args) > 1 {
		f, err := os.Open(os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if _, err := unix.Mmap(int(f.Fd()), 0, 4096, unix.PROT_READ, unix.MAP_SHARED); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	fmt.Println("ready")
	waitForSignal()
}
