{{/*
The profiler pod's securityContext: the same identity and confinement as its container, stated once
more at pod level so scanners and admission see them without reading each container. The container
sets every one of these fields itself, so this changes nothing the profiler process gets.
privileged: uid 0 and no seccomp filter (a privileged container runs unconfined anyway).
leastPrivilege: uid/gid 0 and the mode's seccomp profile and SELinux options.
*/}}
{{- define "dd-otel-host-profiler.podSecurityContext" -}}
runAsUser: 0
{{- if eq .Values.securityMode "privileged" }}
seccompProfile:
  type: Unconfined
{{- else }}
{{- $lp := .Values.leastPrivilege }}
runAsGroup: 0
runAsNonRoot: false
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
