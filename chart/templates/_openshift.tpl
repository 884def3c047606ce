{{/* "true" when the SecurityContextConstraints is rendered: forced by openshift.scc.create, else when the cluster serves the SCC API. */}}
{{- define "dd-otel-host-profiler.sccEnabled" -}}
{{- $create := .Values.openshift.scc.create }}
{{- if kindIs "bool" $create }}{{ if $create }}true{{ end }}
{{- else if .Capabilities.APIVersions.Has "security.openshift.io/v1" }}true{{ end }}
{{- end }}

{{/* A seccompProfile as an SCC's seccompProfiles names it. */}}
{{- define "dd-otel-host-profiler.sccSeccompName" -}}
{{- if eq .type "RuntimeDefault" }}runtime/default
{{- else if eq .type "Localhost" }}localhost/{{ .localhostProfile }}
{{- else }}unconfined{{ end }}
{{- end }}

{{/* The volume types (VolumeSource field names) of the profiler pod, sorted, as a JSON list. */}}
{{- define "dd-otel-host-profiler.podVolumeTypes" -}}
{{- $types := list }}
{{- if eq .Values.securityMode "leastPrivilege" }}{{ $types = concat $types (list "hostPath" "emptyDir") }}{{ end }}
{{- if include "dd-otel-host-profiler.seccompAllowlistOn" . }}{{ $types = append $types "configMap" }}{{ end }}
{{- /* The ServiceAccount admission adds the token as a projected volume. */}}
{{- if include "dd-otel-host-profiler.needsKubeAPI" . }}{{ $types = append $types "projected" }}{{ end }}
{{- range .Values.extraVolumes }}
{{- range $k, $_ := . }}{{ if ne $k "name" }}{{ $types = append $types $k }}{{ end }}{{ end }}
{{- end }}
{{- toJson ($types | uniq | sortAlpha) }}
{{- end }}
