{{/*
The profiler container's securityContext for each securityMode.

privileged: exactly the upstream guide (runAsUser 0, privileged, SYS_ADMIN). The entrypoint mounts
tracefs itself, which needs SYS_ADMIN.

leastPrivilege: not privileged, every capability dropped, then only what an eBPF profiler uses
(leastPrivilegeCapabilitySet below; leastPrivilege.omitCapabilities leaves some out).
tracefs comes from the host (read-only), so the entrypoint finds it mounted and needs no SYS_ADMIN.
*/}}
{{/*
Every capability leastPrivilege can add, in render order. scripts/contract/capabilities.ts holds the
same list (a test keeps them equal), and the README's table of what breaks without each one is
measured by the node tier (test/node).
  BPF                load the unwinder's eBPF programs and create its maps (bpf(2), kernel >= 5.8)
  PERFMON            open the per-CPU perf events that drive sampling and attach programs to them
  SYS_PTRACE         read other processes' memory (process_vm_readv) to unwind interpreter stacks
  SYS_RESOURCE       raise RLIMIT_MEMLOCK for eBPF maps on kernels before memcg accounting (< 5.11)
  DAC_READ_SEARCH    open executables and /proc/<pid> files of other users to extract symbols
  SYSLOG             read kernel symbol addresses in /proc/kallsyms to symbolize kernel frames
  CHECKPOINT_RESTORE follow /proc/<pid>/map_files links to the files other processes mapped
  IPC_LOCK           lock memory for eBPF maps and perf ring buffers (mlock)
*/}}
{{- define "dd-otel-host-profiler.leastPrivilegeCapabilitySet" -}}
{{- /* The list lives in scripts/contract/capabilities.ts, handed over by _contract.tpl. */}}
{{- (include "dd-otel-host-profiler.contract" . | fromYaml).leastPrivilegeCapabilities | toYaml }}
{{- end }}

{{/* The capabilities leastPrivilege adds: the set above less leastPrivilege.omitCapabilities, as a list. */}}
{{- define "dd-otel-host-profiler.leastPrivilegeCapabilities" -}}
{{- $omit := .Values.leastPrivilege.omitCapabilities | default list }}
{{- $caps := list }}
{{- range include "dd-otel-host-profiler.leastPrivilegeCapabilitySet" . | fromYamlArray }}
{{- if not (has . $omit) }}{{ $caps = append $caps . }}{{ end }}
{{- end }}
{{- toJson $caps }}
{{- end }}

{{- define "dd-otel-host-profiler.securityContext" -}}
{{- if eq .Values.securityMode "privileged" }}
runAsUser: 0
privileged: true
capabilities:
  add:
    - SYS_ADMIN
{{- else }}
{{- $lp := .Values.leastPrivilege }}
runAsUser: 0
runAsGroup: 0
runAsNonRoot: false
privileged: false
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop:
    - ALL
  {{- with include "dd-otel-host-profiler.leastPrivilegeCapabilities" . | fromJsonArray }}
  add:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- /* leastPrivilege.seccompProfile, or the chart's allowlist as a Localhost profile (_seccomp.tpl). */}}
{{- with include "dd-otel-host-profiler.seccompProfile" . }}
seccompProfile:
  {{- . | trim | nindent 2 }}
{{- end }}
{{- if include "dd-otel-host-profiler.appArmorField" . }}
{{- with $lp.appArmorProfile }}
appArmorProfile:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
{{- with $lp.seLinuxOptions }}
seLinuxOptions:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
{{- end }}

{{/* Before Kubernetes 1.30 AppArmor is set by a pod annotation; its value spells the profile type differently. */}}
{{- define "dd-otel-host-profiler.appArmorAnnotation" -}}
{{- $p := .Values.leastPrivilege.appArmorProfile }}
{{- if and (eq .Values.securityMode "leastPrivilege") $p (not (include "dd-otel-host-profiler.appArmorField" .)) }}
{{- $value := "unconfined" }}
{{- if eq $p.type "RuntimeDefault" }}{{ $value = "runtime/default" }}{{ end }}
{{- if eq $p.type "Localhost" }}{{ $value = printf "localhost/%s" $p.localhostProfile }}{{ end }}
container.apparmor.security.beta.kubernetes.io/dd-otel-host-profiler: {{ $value | quote }}
{{- end }}
{{- end }}
