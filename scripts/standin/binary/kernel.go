// Raw kernel calls the start-up steps make: bpf(2) maps, programs and links, and perf events.
package main

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
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

// bpfLinkCreateAttr is union bpf_attr's link_create for a perf event (BPF_PERF_EVENT).
type bpfLinkCreateAttr struct {
	ProgFD     uint32
	TargetFD   uint32
	AttachType uint32
	Flags      uint32
	BpfCookie  uint64
}

type bpfRawTracepointAttr struct {
	Name   uint64
	ProgFD uint32
	_      uint32
}

func bpf(cmd int, attr unsafe.Pointer, size uintptr) (int, error) {
	fd, _, errno := unix.Syscall(unix.SYS_BPF, uintptr(cmd), uintptr(attr), size)
	if errno != 0 {
		return -1, errno
	}
	return int(fd), nil
}

func createMap(mapType uint32, keySize, valueSize, entries uint32) (int, error) {
	attr := bpfMapAttr{MapType: mapType, KeySize: keySize, ValueSize: valueSize, MaxEntries: entries}
	return bpf(unix.BPF_MAP_CREATE, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
}

// Programs as eBPF instructions (little-endian uint64 each).
var (
	// r0 = 0; exit
	progReturn0 = []uint64{0x00000000000000b7, 0x0000000000000095}
	// r0 = *(u32 *)(r1 + 24); r0 = 0; exit: v0.4.0's sched_process_free program reads the pid at offset
	// 24 of the pre-6.16 record (struct { skip[24]; pid_t pid; int prio; }), so the kernel records a
	// context access up to byte 28 and checks it against the tracepoint's record size when attaching.
	progReadPre616Pid = []uint64{0x0000000000181061, 0x00000000000000b7, 0x0000000000000095}
)

func loadProgram(progType uint32, insns []uint64) (int, error) {
	license := []byte("GPL\x00")
	attr := bpfProgAttr{
		ProgType: progType,
		InsnCnt:  uint32(len(insns)),
		Insns:    uint64(uintptr(unsafe.Pointer(&insns[0]))),
		License:  uint64(uintptr(unsafe.Pointer(&license[0]))),
	}
	fd, err := bpf(unix.BPF_PROG_LOAD, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
	// The attr holds the buffers' addresses as integers: keep them alive (and unmoved) past the call.
	runtime.KeepAlive(insns)
	runtime.KeepAlive(license)
	return fd, err
}

// perfLink attaches a program to a perf event with BPF_LINK_CREATE, as cilium/ebpf does on kernels >= 5.15.
func perfLink(progFD, eventFD int) (int, error) {
	attr := bpfLinkCreateAttr{ProgFD: uint32(progFD), TargetFD: uint32(eventFD), AttachType: unix.BPF_PERF_EVENT}
	return bpf(unix.BPF_LINK_CREATE, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
}

func rawTracepointOpen(name string, progFD int) (int, error) {
	b := append([]byte(name), 0)
	attr := bpfRawTracepointAttr{Name: uint64(uintptr(unsafe.Pointer(&b[0]))), ProgFD: uint32(progFD)}
	fd, err := bpf(unix.BPF_RAW_TRACEPOINT_OPEN, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
	runtime.KeepAlive(b)
	return fd, err
}

// cpuClockEvent opens a software CPU-clock sampling event for every thread on one CPU, in frequency
// mode, as go-perf does for the profiler's AttachTracer (perf.CPUClock, SetSampleFreq, AllThreads).
func cpuClockEvent(cpu int, freq uint64) (int, error) {
	attr := unix.PerfEventAttr{
		Type:   unix.PERF_TYPE_SOFTWARE,
		Config: unix.PERF_COUNT_SW_CPU_CLOCK,
		Size:   uint32(unsafe.Sizeof(unix.PerfEventAttr{})),
		Sample: freq,
		Bits:   unix.PerfBitFreq,
	}
	return unix.PerfEventOpen(&attr, -1, cpu, -1, unix.PERF_FLAG_FD_CLOEXEC)
}

// tracepointEvent opens a tracepoint perf event on CPU 0 for every thread, as cilium/ebpf's
// openTracepointPerfEvent does.
func tracepointEvent(id uint64) (int, error) {
	attr := unix.PerfEventAttr{
		Type:        unix.PERF_TYPE_TRACEPOINT,
		Config:      id,
		Size:        uint32(unsafe.Sizeof(unix.PerfEventAttr{})),
		Sample_type: unix.PERF_SAMPLE_RAW,
		Sample:      1,
		Wakeup:      1,
	}
	return unix.PerfEventOpen(&attr, -1, 0, -1, unix.PERF_FLAG_FD_CLOEXEC)
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
