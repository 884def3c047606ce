{{/* Profiler knobs: values key -> environment variable (scripts/contract/knob-env.ts, through _contract.tpl). A null or absent knob renders nothing. */}}
{{- define "dd-otel-host-profiler.knobEnv" -}}
{{- (include "dd-otel-host-profiler.contract" . | fromYaml).knobEnv | toYaml }}
{{- end }}

{{/* The profiler container's env list. Keys only ever arrive through secretKeyRef. */}}
{{- define "dd-otel-host-profiler.env" -}}
{{- $dd := .Values.datadog }}
{{- with include "dd-otel-host-profiler.keyRef" (dict "root" . "kind" "apiKey" "secretKey" "api-key") }}
- name: DD_API_KEY
  valueFrom:
    secretKeyRef:
      {{- . | trim | nindent 6 }}
{{- end }}
{{- with include "dd-otel-host-profiler.keyRef" (dict "root" . "kind" "appKey" "secretKey" "app-key") }}
- name: DD_APP_KEY
  valueFrom:
    secretKeyRef:
      {{- . | trim | nindent 6 }}
{{- end }}
- name: DD_SITE
  value: {{ $dd.unlistedSite | default $dd.site | quote }}
- name: DD_SERVICE
  value: {{ $dd.service | quote }}
{{- with $dd.env }}
- name: DD_ENV
  value: {{ . | quote }}
{{- end }}
{{- with $dd.tags }}
- name: DD_TAGS
  value: {{ join "," . | quote }}
{{- end }}
{{- if eq (include "dd-otel-host-profiler.agentRoute" .) "node" }}
- name: DD_AGENT_HOST
  valueFrom:
    fieldRef:
      fieldPath: status.hostIP
{{- end }}
- name: DD_TRACE_AGENT_URL
  value: {{ include "dd-otel-host-profiler.agentURL" . | quote }}
{{- /* The container metadata provider matches pods on this node by name (both spellings read). */}}
- name: KUBERNETES_NODE_NAME
  valueFrom:
    fieldRef:
      fieldPath: spec.nodeName
- name: DD_HOST_PROFILING_NODE
  valueFrom:
    fieldRef:
      fieldPath: spec.nodeName
{{- $knobs := .Values.profiler }}
{{- range $key, $var := include "dd-otel-host-profiler.knobEnv" . | fromYaml }}
{{- $v := index $knobs $key }}
{{- if not (kindIs "invalid" $v) }}
- name: {{ $var }}
  {{- /* Numbers arrive as float64; every numeric knob is an integer, so print it as one (never 1e+06). */}}
  value: {{ if kindIs "slice" $v }}{{ join "," $v | quote }}{{ else if kindIs "float64" $v }}{{ int64 $v | toString | quote }}{{ else }}{{ toString $v | quote }}{{ end }}
{{- end }}
{{- end }}
{{- with include "dd-otel-host-profiler.goMemLimit" . }}
- name: GOMEMLIMIT
  value: {{ . | quote }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
GOMEMLIMIT: goMemLimitRatio times resources.limits.memory, in whole bytes rounded down, in the Go
runtime's syntax (runtime package docs: "a numeric value in bytes with an optional unit suffix", B, KiB,
MiB, GiB, TiB; runtime/string.go parseByteCount): digits and "B", e.g. 858993459B for 1Gi at 0.8.
A value the runtime cannot parse makes every Go program throw at start ("malformed GOMEMLIMIT",
runtime/mgcpacer.go readGOMEMLIMIT), so nothing is rendered unless the limit is a quantity and the
ratio a number in (0, 1], and nothing past int64 (a limit of 8Ei or more is no limit at all).
Empty (no variable) without a memory limit or with goMemLimitRatio null; the same in both securityModes.
*/}}
{{- define "dd-otel-host-profiler.goMemLimit" -}}
{{- $ratio := .Values.goMemLimitRatio }}
{{- $memory := "" }}
{{- with .Values.resources }}{{ with .limits }}{{ $memory = toString (.memory | default "") }}{{ end }}{{ end }}
{{- if and $memory (or (kindIs "float64" $ratio) (kindIs "int" $ratio) (kindIs "int64" $ratio)) (regexMatch (include "dd-otel-host-profiler.contract" . | fromYaml).nonNegativeQuantity $memory) }}
{{- $r := float64 $ratio }}
{{- if and (gt $r 0.0) (le $r 1.0) }}
{{- $bytes := floor (mulf (include "dd-otel-host-profiler.quantityValue" $memory | float64) $r) }}
{{- if lt $bytes 9.2e18 }}
{{- printf "%dB" (int64 $bytes) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
