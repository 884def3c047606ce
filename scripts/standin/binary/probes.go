// Steady-state probes: what the running profiler does to the processes it profiles, run once after
// start-up so the capability table (scripts/contract/capabilities.ts) can be measured on a real node.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

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
