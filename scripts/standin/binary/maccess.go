// The kernel bug check of v0.4.0's tracer (ebpf-profiler dcae67d9, the library commit the table reads):
// tracer/tracer.go initializeMapsAndPrograms, under cfg.KernelVersionCheck (runner/runner.go sets it to
// !no-kernel-version-check), calls tracer/helper.go hasProbeReadBug on the kernel release and, on
// 5.19, 6.0, 6.1.0-6.1.35, 6.2 and 6.3.0-6.3.9, tracer/maccess.go checkForMaccessPatch, which
//   - looks up copy_from_user_nofault and nmi_uaccess_okay in the kernel's kallsyms (kallsyms.Module.LookupSymbol),
//   - reads the first 128 bytes of copy_from_user_nofault's code with tracer/systemconfig.go loadKernelCode:
//     executeSystemAnalysisBpfCode writes {address, pid} into the system_analysis array map, raises
//     RLIMIT_MEMLOCK, loads read_kernel_memory (support/ebpf/system_config.ebpf.c: a tracepoint program on
//     syscalls/sys_enter_bpf that bpf_probe_read_kernel()s the code into the map value when it runs in the
//     profiler's pid), attaches it (cilium/ebpf link.Tracepoint: tracefs event id, perf event, perf link),
//     and reads the map back, which is a bpf() call that fires the tracepoint first;
//   - and on amd64 (maccess/maccess_amd64.go CopyFromUserNoFaultIsPatched) looks in those bytes for an E8
//     call whose target is nmi_uaccess_okay: the fix (kernel d319f344561d, in 6.4, backported to 6.1.36 and
//     6.3.10) added that call.
//
// The stand-in does all of this itself with the same kernel objects: its own copy of read_kernel_memory
// (below, hand-assembled), the same map layout (support/ebpf/types.h SystemAnalysis), the same
// tracepoint, the same scan. What it substitutes: the kernel release comes from DD_STANDIN_KERNEL_RELEASE
// where a test sets it (getKernelVersion), since this node's own kernel is not one the check runs on; and
// with DD_STANDIN_KERNEL_CODE=unpatched it replaces, in the bytes it read from the running (fixed) kernel,
// each call to nmi_uaccess_okay with NOPs, which is what the code of an unfixed kernel lacks.
package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// kernelBugCheckFailure is the line runner.Run logs ("Failed to load eBPF tracer: %v") around
// NewTracer's "failed to load eBPF code: %v" around initializeMapsAndPrograms' error.
const kernelBugCheckFailure = "Failed to load eBPF tracer: failed to load eBPF code: your kernel version %d.%d.%d may be " +
	"affected by a Linux kernel bug that can lead to system freezes, terminating host agent now to avoid " +
	"triggering this bug.\nIf you are certain your kernel is not affected, you can override this check at " +
	"your own risk with -no-kernel-version-check.\nError: %v"

// hasProbeReadBug is tracer/helper.go hasProbeReadBug.
func hasProbeReadBug(major, minor, patch uint32) bool {
	if major == 5 && minor >= 19 {
		return true
	} else if major == 6 {
		switch minor {
		case 0, 2:
			return true
		case 1:
			return patch < 36
		case 3:
			return patch < 10
		}
	}
	return false
}

// kallsymsLookup is kallsyms.Module.LookupSymbol on the vmlinux module: the symbol's address in
// /proc/kallsyms (lines without a [module] suffix).
func kallsymsLookup(names ...string) (map[string]uint64, error) {
	f, err := os.Open("/proc/kallsyms")
	if err != nil {
		return nil, fmt.Errorf("unable to open kallsyms: %v", err)
	}
	defer f.Close()
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	out := map[string]uint64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 3 || !want[fields[2]] {
			continue
		}
		if addr, err := strconv.ParseUint(fields[0], 16, 64); err == nil {
			out[fields[2]] = addr
		}
	}
	return out, sc.Err()
}

// systemAnalysis is support/ebpf/types.h SystemAnalysis: {u64 address; u32 pid; u8 code[128];}, 144 bytes.
type systemAnalysis struct {
	Address uint64
	Pid     uint32
	Code    [128]byte
	_       [4]byte
}

// insn encodes one eBPF instruction (opcode, dst and src registers, offset, immediate).
func insn(op, dst, src uint8, off int16, imm int32) uint64 {
	return uint64(op) | uint64(dst&0xf|src<<4)<<8 | uint64(uint16(off))<<16 | uint64(uint32(imm))<<32
}

// readKernelMemoryProg is read_kernel_memory (support/ebpf/system_config.ebpf.c) for the map fd mapFD.
func readKernelMemoryProg(mapFD int) []uint64 {
	return []uint64{
		insn(0x62, 10, 0, -4, 0),          // *(u32 *)(r10 - 4) = 0 (key0)
		insn(0x18, 1, 1, 0, int32(mapFD)), // r1 = &system_analysis (ld_imm64, BPF_PSEUDO_MAP_FD)
		insn(0x00, 0, 0, 0, 0),            //   (second half of ld_imm64)
		insn(0xbf, 2, 10, 0, 0),           // r2 = r10
		insn(0x07, 2, 0, 0, -4),           // r2 += -4
		insn(0x85, 0, 0, 0, 1),            // r0 = bpf_map_lookup_elem(r1, r2)
		insn(0x15, 0, 0, 11, 0),           // if r0 == 0 goto out
		insn(0xbf, 6, 0, 0, 0),            // r6 = r0 (sys)
		insn(0x85, 0, 0, 0, 14),           // r0 = bpf_get_current_pid_tgid()
		insn(0x77, 0, 0, 0, 32),           // r0 >>= 32
		insn(0x61, 1, 6, 8, 0),            // r1 = sys->pid
		insn(0x5d, 1, 0, 6, 0),            // if r1 != r0 goto out: only in the requesting task
		insn(0x62, 6, 0, 8, 0),            // sys->pid = 0 (request handled)
		insn(0xbf, 1, 6, 0, 0),            // r1 = r6
		insn(0x07, 1, 0, 0, 12),           // r1 += 12 (sys->code)
		insn(0xb7, 2, 0, 0, 128),          // r2 = sizeof(sys->code)
		insn(0x79, 3, 6, 0, 0),            // r3 = sys->address
		insn(0x85, 0, 0, 0, 113),          // bpf_probe_read_kernel(r1, r2, r3)
		insn(0xb7, 0, 0, 0, 0),            // out: r0 = 0
		insn(0x95, 0, 0, 0, 0),            // exit
	}
}

type bpfMapElemAttr struct {
	MapFD uint32
	_     uint32
	Key   uint64
	Value uint64
	Flags uint64
}

func mapElem(cmd int, fd int, key *uint32, value *systemAnalysis) error {
	attr := bpfMapElemAttr{MapFD: uint32(fd), Key: uint64(uintptr(unsafe.Pointer(key))), Value: uint64(uintptr(unsafe.Pointer(value)))}
	_, err := bpf(cmd, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
	runtime.KeepAlive(key)
	runtime.KeepAlive(value)
	return err
}

// loadKernelCode is tracer/systemconfig.go loadKernelCode with executeSystemAnalysisBpfCode: the first
// 128 bytes of kernel code at address, read by a tracepoint program on syscalls/sys_enter_bpf.
func loadKernelCode(st *state, address uint64) ([]byte, error) {
	code, err := executeSystemAnalysis(st, address)
	if err != nil {
		logWarn("Failed to load code: %v.\nPossible reasons include using a kernel without syscall tracepoints enabled.", err)
	}
	return code, err
}

func executeSystemAnalysis(st *state, address uint64) ([]byte, error) {
	// The release created system_analysis with its other maps (create-maps); the stand-in creates its copy here.
	mapFD, err := createMap(unix.BPF_MAP_TYPE_ARRAY, 4, uint32(unsafe.Sizeof(systemAnalysis{})), 1)
	if err != nil {
		return nil, fmt.Errorf("failed to write system_analysis 0x%x: %v", address, err)
	}
	defer unix.Close(mapFD)
	key0 := uint32(0)
	data := systemAnalysis{Address: address, Pid: uint32(os.Getpid())}
	if err := mapElem(unix.BPF_MAP_UPDATE_ELEM, mapFD, &key0, &data); err != nil {
		return nil, fmt.Errorf("failed to write system_analysis 0x%x: %v", address, err)
	}
	restore, err := maximizeMemlock()
	if err != nil {
		if !st.skippable("memlock") {
			return nil, fmt.Errorf("failed to adjust rlimit: failed to set temporary rlimit: %w", err)
		}
		st.detail = "memlock raise skipped (known failure): " + err.Error()
	} else {
		defer restore()
	}
	progFD, err := loadProgram(unix.BPF_PROG_TYPE_TRACEPOINT, readKernelMemoryProg(mapFD))
	if err != nil {
		return nil, fmt.Errorf("failed to load read_kernel_function_or_task_struct: load program: %v", err)
	}
	defer unix.Close(progFD)
	// cilium/ebpf link.Tracepoint("syscalls", "sys_enter_bpf", ...).
	link, err := attachTracepoint(progFD, "syscalls", "sys_enter_bpf")
	if err != nil {
		return nil, fmt.Errorf("failed to configure tracepoint: %v", err)
	}
	err = mapElem(unix.BPF_MAP_LOOKUP_ELEM, mapFD, &key0, &data)
	link()
	if err != nil {
		return nil, fmt.Errorf("failed to get analysis data: %v", err)
	}
	return data.Code[:], nil
}

// attachTracepoint is cilium/ebpf v0.19.0 link.Tracepoint: the event id from tracefs, a tracepoint perf
// event, a perf link. It returns the function that closes both.
func attachTracepoint(progFD int, group, name string) (func(), error) {
	dir, err := tracefsPath()
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(dir + "/events/" + group + "/" + name + "/id")
	if err != nil {
		return nil, fmt.Errorf("reading trace event ID of %s/%s: %w", group, name, err)
	}
	id, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("reading trace event ID of %s/%s: %w", group, name, err)
	}
	ev, err := tracepointEvent(id)
	if err != nil {
		return nil, fmt.Errorf("opening tracepoint perf event: %w", err)
	}
	l, err := perfLink(progFD, ev)
	if err != nil {
		unix.Close(ev)
		return nil, fmt.Errorf("cannot create bpf perf link: %v", err)
	}
	return func() { unix.Close(l); unix.Close(ev) }, nil
}

// copyFromUserNoFaultIsPatched is maccess/maccess_amd64.go CopyFromUserNoFaultIsPatched.
func copyFromUserNoFaultIsPatched(code []byte, faultyFuncAddr, newCheckFuncAddr uint64) (bool, error) {
	if len(code) == 0 {
		return false, errors.New("empty code blob")
	}
	if newCheckFuncAddr == 0 {
		return false, errors.New("nmi_uaccess_okay function not found")
	}
	for i := 0; i < len(code); {
		idx, offset := e8Call(code[i:])
		if idx < 0 {
			break
		}
		if faultyFuncAddr+uint64(i)+uint64(idx)+uint64(offset)+5 == newCheckFuncAddr {
			return true, nil
		}
		i += idx + 1
	}
	return false, nil
}

// e8Call is maccess_amd64.go getRelativeOffset: the first E8 byte and the rel32 after it.
func e8Call(code []byte) (int, int32) {
	idx := bytes.IndexByte(code, 0xe8)
	if idx == -1 || idx+5 > len(code) {
		return -1, 0
	}
	return idx, int32(binary.LittleEndian.Uint32(code[idx+1:]))
}

// withoutCallsTo replaces each E8 call to target with five NOPs: what the code of a kernel without the
// fix lacks (DD_STANDIN_KERNEL_CODE=unpatched, the stand-in's substitution for an unfixed kernel).
func withoutCallsTo(code []byte, funcAddr, target uint64) []byte {
	out := slicesClone(code)
	for i := 0; i+5 <= len(out); i++ {
		if out[i] == 0xe8 && funcAddr+uint64(i)+uint64(int32(binary.LittleEndian.Uint32(out[i+1:])))+5 == target {
			copy(out[i:i+5], []byte{0x90, 0x90, 0x90, 0x90, 0x90})
		}
	}
	return out
}

func slicesClone(b []byte) []byte { return append([]byte(nil), b...) }

// checkForMaccessPatch is tracer/maccess.go checkForMaccessPatch.
func checkForMaccessPatch(st *state) error {
	if runtime.GOARCH != "amd64" {
		return fmt.Errorf("the stand-in models only amd64's check (maccess_amd64.go), not %s's", runtime.GOARCH)
	}
	syms, err := kallsymsLookup("copy_from_user_nofault", "nmi_uaccess_okay")
	if err != nil {
		return fmt.Errorf("failed to lookup 'copy_from_user_nofault': %v", err)
	}
	faulty, ok := syms["copy_from_user_nofault"]
	if !ok {
		return fmt.Errorf("failed to lookup 'copy_from_user_nofault': %v", "symbol not found")
	}
	code, err := loadKernelCode(st, faulty)
	if err != nil {
		return fmt.Errorf("failed to load kernel code for 'copy_from_user_nofault': %v", err)
	}
	newCheck := syms["nmi_uaccess_okay"] // the release ignores this lookup's error: 0 then
	if os.Getenv("DD_STANDIN_KERNEL_CODE") == "unpatched" {
		code = withoutCallsTo(code, faulty, newCheck)
		st.detail = "DD_STANDIN_KERNEL_CODE=unpatched: calls to nmi_uaccess_okay removed from the code read"
	}
	patched, err := copyFromUserNoFaultIsPatched(code, faulty, newCheck)
	if err != nil {
		return fmt.Errorf("failed to check if 'copy_from_user_nofault' is patched: %v", err)
	}
	if !patched {
		return errors.New("kernel is not patched")
	}
	return nil
}

// tpbaseCodeRead is tracer/tpbase.go loadTPBaseOffset up to its code read: the first of
// x86_fsbase_write_task and aout_dump_debugregs (tpbase/assembly_decode_x86.go) that kallsyms has, read
// with loadKernelCode. The stand-in does not decode the offset from it.
func tpbaseCodeRead(st *state) error {
	syms, err := kallsymsLookup("x86_fsbase_write_task", "aout_dump_debugregs")
	if err != nil {
		return err
	}
	for _, name := range []string{"x86_fsbase_write_task", "aout_dump_debugregs"} {
		if addr, ok := syms[name]; ok {
			_, err := loadKernelCode(st, addr)
			return err
		}
	}
	return errors.New("no supported symbol found")
}

// probeBatchOperations is processmanager/ebpf/ebpf.go probeBatchOperations: memlock raised, a map of
// 5 entries (8-byte keys and values, BPF_F_NO_PREALLOC), BPF_MAP_UPDATE_BATCH of 5, BPF_MAP_DELETE_BATCH of 5.
func probeBatchOperations(mapType uint32) error {
	restore, err := maximizeMemlock()
	if err != nil {
		return fmt.Errorf("failed to adjust rlimit: %w", err)
	}
	defer restore()
	const updates = 5
	attr := bpfMapAttr{MapType: mapType, KeySize: 8, ValueSize: 8, MaxEntries: updates, MapFlags: unix.BPF_F_NO_PREALLOC}
	// generateSlice: 0..4 as 8-byte keys (for the LPM trie, prefix lengths 0..4 with 4 zero data bytes).
	keys := make([]uint64, updates)
	for i := range keys {
		keys[i] = uint64(i)
	}
	values := make([]uint64, updates)
	fd, err := bpf(unix.BPF_MAP_CREATE, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
	if err != nil {
		return fmt.Errorf("failed to create map for batch probing: %v", err)
	}
	defer unix.Close(fd)
	n, err := mapBatch(unix.BPF_MAP_UPDATE_BATCH, fd, keys, values)
	if err != nil {
		return err
	}
	if n != updates {
		return fmt.Errorf("unexpected batch update return: expected %d but got %d", updates, n)
	}
	m, err := mapBatch(unix.BPF_MAP_DELETE_BATCH, fd, keys, nil)
	if err != nil {
		return err
	}
	if m != updates {
		return fmt.Errorf("unexpected batch delete return: expected %d but got %d", updates, m)
	}
	return nil
}

// bpfBatchAttr is union bpf_attr's batch: in_batch, out_batch, keys, values, count, map_fd, elem_flags, flags.
type bpfBatchAttr struct {
	InBatch   uint64
	OutBatch  uint64
	Keys      uint64
	Values    uint64
	Count     uint32
	MapFD     uint32
	ElemFlags uint64
	Flags     uint64
}

func mapBatch(cmd int, fd int, keys, values []uint64) (int, error) {
	attr := bpfBatchAttr{Keys: uint64(uintptr(unsafe.Pointer(&keys[0]))), Count: uint32(len(keys)), MapFD: uint32(fd)}
	if values != nil {
		attr.Values = uint64(uintptr(unsafe.Pointer(&values[0])))
	}
	_, err := bpf(cmd, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
	runtime.KeepAlive(keys)
	runtime.KeepAlive(values)
	return int(attr.Count), err
}
