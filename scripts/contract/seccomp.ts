// The chart's own seccomp allowlist for leastPrivilege (leastPrivilege.seccompAllowlist): the system
// calls the profiler may make, each group with where it comes from. `npm run generate` writes the
// profile from this list to chart/files/seccomp-allowlist.json (generate.ts; `--check` fails on drift);
// the chart ships it in a ConfigMap and an init container copies it into each node's kubelet seccomp
// directory (templates/_seccomp.tpl).
//
// Format: the Docker/containerd seccomp profile JSON that a Kubernetes Localhost profile names
// (kubelet: <root-dir>/seccomp/<localhostProfile>; containerd's contrib/seccomp LoadProfile reads it into
// the OCI runtime-spec `linux.seccomp`): `defaultAction`, and `syscalls` entries of `names` + `action`.
// defaultAction SCMP_ACT_ERRNO with no defaultErrnoRet: the OCI runtime spec (config-linux.md, "Seccomp")
// makes the errno EPERM when none is given. No `architectures`: the filter then covers the native ABI only,
// so a 32-bit (ia32/x32) system call never passes. Names that do not exist on an architecture (`access`,
// `epoll_wait`, `open` on arm64) are skipped by runc (libcontainer/seccomp: an unknown name is ignored).
//
// When the chart's appVersion moves, re-measure (README "Seccomp allowlist"): the profiler's system calls
// under `strace -f -c`, objcopy's, and run test/node/seccomp-allowlist.test.ts, which starts the stand-in
// under this profile and shows a call outside it refused.

export interface SyscallGroup {
  /** Where the names come from and why they are needed. */
  source: string;
  names: string[];
}

/**
 * v0.4.0 measured: ../shared/profiler-facts.md "The real profiler's system calls" (2026-12-04): a build of
 * v0.4.0 as root on kernel 6.18 for 45 s under `strace -f -c`, 19 profile POSTs, no symbol upload.
 * Exactly the 63 distinct calls of that run.
 */
export const measuredSyscalls: string[] = [
  "access", "arch_prctl", "bind", "bpf", "brk", "clone", "clone3", "close", "connect", "dup3",
  "epoll_create1", "epoll_ctl", "epoll_pwait", "epoll_wait", "eventfd2", "execve", "faccessat2", "fcntl", "fstat", "futex",
  "getpeername", "getpid", "getrandom", "getsockname", "getsockopt", "gettid", "ioctl", "lseek", "madvise", "mmap",
  "mprotect", "munmap", "nanosleep", "newfstatat", "openat", "perf_event_open", "pidfd_open", "pidfd_send_signal", "pipe2", "pread64",
  "prlimit64", "process_vm_readv", "read", "readlink", "readlinkat", "recvmsg", "restart_syscall", "rseq", "rt_sigaction", "rt_sigprocmask",
  "rt_sigreturn", "sched_getaffinity", "sched_yield", "set_robust_list", "set_tid_address", "setsockopt", "sigaltstack", "socket", "statfs", "tgkill",
  "uname", "waitid", "write",
];

export const syscallGroups: SyscallGroup[] = [
  { source: "dd-otel-host-profiler v0.4.0, measured (strace -f -c, 45 s, see measuredSyscalls)", names: measuredSyscalls },
  {
    // Go's runtime (runtime/sys_linux_amd64.s and sys_linux_arm64.s, os_linux.go) and standard library
    // on paths the measured run did not take: thread exit, signals and preemption, profiling timers,
    // memory returned to the OS, the arm64 spellings of calls amd64 makes under older names.
    source: "Go runtime and standard library, paths the measured run did not take",
    names: [
      "exit", "exit_group", "kill", "mincore", "membarrier", "sched_setaffinity", "setitimer", "timer_create", "timer_settime", "timer_delete",
      "clock_gettime", "clock_getres", "clock_nanosleep", "gettimeofday", "getuid", "geteuid", "getgid", "getegid", "getppid", "getpgrp",
      "open", "epoll_create", "epoll_pwait2", "pipe", "dup", "dup2", "getdents64", "fstatfs", "statx", "faccessat",
      "pwrite64", "readv", "writev", "sendto", "sendmsg", "recvfrom", "shutdown", "accept4", "listen", "socketpair",
      "rt_sigsuspend", "rt_sigtimedwait", "rt_sigqueueinfo", "tkill", "sysinfo", "getrlimit", "setrlimit",
    ],
  },
  {
    // The symbol uploader execs binutils' objcopy on executables it finds (v0.4.0 runs it only with the API
    // and APP keys; it runs `objcopy --version` at start-up either way). Measured here on GNU objcopy 2.40
    // (Debian) with `strace -f -c` for `--only-keep-debug IN OUT`, `--strip-debug IN` (in place) and
    // `--compress-debug-sections=zlib --strip-unneeded -p IN OUT`; the release image's 2.42 (Ubuntu 24.04)
    // is glibc-linked the same way. Headroom for its other write paths: renames, ownership, truncation,
    // realloc of large sections (mremap); the parent waits for it (wait4 where Go's os/exec has no pidfd).
    source: "objcopy, the symbol uploader's child (measured: GNU objcopy 2.40 under strace -f -c; plus its other write paths)",
    names: [
      "chmod", "fchmod", "umask", "unlink", "unlinkat", "utimensat", "rename", "renameat", "renameat2", "fchown",
      "chown", "ftruncate", "fsync", "fdatasync", "mremap", "getcwd", "stat", "lstat", "fadvise64", "wait4",
    ],
  },
  {
    // What the node tier runs under this profile besides the profiler's own calls: the stand-in
    // (scripts/standin/binary: mlock probe, netlink route dump, /proc walk) and the runtime's last steps
    // before exec (runc applies the filter just before execve and closes its file descriptors after it:
    // close_range, or a /proc/self/fd walk).
    source: "the node tier's stand-in (mlock probe, netlink route dump) and runc's last steps before execve",
    names: ["mlock", "mlock2", "munlock", "close_range", "execveat", "prctl", "capget", "getpgid", "setpgid", "getsid", "getresuid", "getresgid"],
  },
];

/** Calls the list must never hold: each is refused by the profile (test/contract/seccomp.test.ts). */
export const refusedSyscalls: Record<string, string> = {
  getcpu: "the stand-in's probe (a harmless read of the current CPU that the profiler does not make): refused under the profile, allowed without it",
  kexec_load: "loads a new kernel",
  kexec_file_load: "loads a new kernel",
  init_module: "loads a kernel module",
  finit_module: "loads a kernel module",
  delete_module: "unloads a kernel module",
  mount: "mounts (v0.4.0's entrypoint mount is not run in leastPrivilege: the chart starts the binary)",
  umount2: "unmounts",
  pivot_root: "changes the root filesystem",
  chroot: "changes the root directory",
  swapon: "adds swap",
  swapoff: "removes swap",
  reboot: "reboots",
  acct: "process accounting",
  ptrace: "the profiler reads other processes with process_vm_readv, never ptrace",
  setns: "entering PID 1's namespaces left the profiler before v0.4.0 (upstream 2a89b307)",
  unshare: "new namespaces",
  keyctl: "the kernel keyring",
  add_key: "the kernel keyring",
  open_by_handle_at: "opens files by handle, past mount boundaries",
  userfaultfd: "page-fault handling from user space",
  io_uring_setup: "io_uring",
};

/** Every allowed name, sorted and once. */
export function allowedSyscalls(): string[] {
  return [...new Set(syscallGroups.flatMap((g) => g.names))].sort();
}

export const seccompAllowlistPath = "chart/files/seccomp-allowlist.json";

/** The profile as the chart ships it (OCI/Docker seccomp JSON). */
export function seccompProfile(): { defaultAction: string; syscalls: { names: string[]; action: string }[] } {
  return { defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: allowedSyscalls(), action: "SCMP_ACT_ALLOW" }] };
}

export function seccompProfileText(): string {
  return `${JSON.stringify(seccompProfile(), null, 2)}\n`;
}
