{{/* Names and labels. Selector labels are only name + instance: they never change on upgrade. */}}

{{- define "dd-otel-host-profiler.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "dd-otel-host-profiler.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "dd-otel-host-profiler.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dd-otel-host-profiler.name" . | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
{{- end }}

{{/* Labels the chart owns; commonLabels and podLabels may not set them (see _validate.tpl). */}}
{{- define "dd-otel-host-profiler.chartLabels" -}}
{{ include "dd-otel-host-profiler.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every object: the chart's own, then the user's commonLabels. No key is written twice (a
duplicate YAML key is rejected or, worse, silently resolved): _validate.tpl refuses a user label
that is one of the chart's. Written as text, not merged as maps: this runs for every object.
*/}}
{{- define "dd-otel-host-profiler.labels" -}}
{{ include "dd-otel-host-profiler.chartLabels" . }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels of the profiler pods: the chart's, then podLabels and commonLabels (podLabels win a key both set). */}}
{{- define "dd-otel-host-profiler.podLabels" -}}
{{ include "dd-otel-host-profiler.chartLabels" . }}
{{- with merge (deepCopy (.Values.podLabels | default dict)) (deepCopy (.Values.commonLabels | default dict)) }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "dd-otel-host-profiler.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "dd-otel-host-profiler.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository:tag, plus @digest when one is given (the runtime then pulls by digest). */}}
{{- define "dd-otel-host-profiler.image" -}}
{{- $tag := .Values.image.tag | default (printf "v%s" .Chart.AppVersion) }}
{{- $ref := printf "%s:%s" .Values.image.repository $tag }}
{{- if .Values.image.digest }}{{ $ref = printf "%s@%s" $ref .Values.image.digest }}{{ end }}
{{- $ref }}
{{- end }}

{{/*
"true" when the profiler reads pod metadata from the Kubernetes API: only when split-by-service is
off (profiler default: on). Then, and only then, the pod gets a token and RBAC is rendered.
*/}}
{{- define "dd-otel-host-profiler.needsKubeAPI" -}}
{{- if eq (toString .Values.profiler.splitByService) "false" }}true{{ end }}
{{- end }}

{{/* The Secret the chart renders for literal keys (empty when the user gave no literal). */}}
{{- define "dd-otel-host-profiler.secretName" -}}
{{- printf "%s-keys" (include "dd-otel-host-profiler.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
secretKeyRef for one key kind ("apiKey" or "appKey"): the chart's own Secret for a literal, the
user's Secret otherwise; empty when neither source is set.
*/}}
{{- define "dd-otel-host-profiler.keyRef" -}}
{{- $dd := .root.Values.datadog }}
{{- $existing := index $dd (printf "%sExistingSecret" .kind) }}
{{- if index $dd .kind }}
name: {{ include "dd-otel-host-profiler.secretName" .root | quote }}
key: {{ .secretKey | quote }}
{{- else if $existing }}
name: {{ $existing | quote }}
key: {{ index $dd (printf "%sExistingSecretKey" .kind) | quote }}
{{- end }}
{{- end }}

{{/*
The route to the Agent's trace endpoint, chosen by the values alone (never by looking the cluster up:
see README, "With the Datadog Agent chart"): "url" (agent.url, as given), "service" (the Agent's
node-local Service, agent.service.name) or "node" (the Agent's hostPort on the node's IP, the default).
*/}}
{{- define "dd-otel-host-profiler.agentRoute" -}}
{{- if .Values.agent.url }}url{{ else if (.Values.agent.service | default dict).name }}service{{ else }}node{{ end }}
{{- end }}

{{/* The Agent Service's namespace: agent.service.namespace, or the release's. */}}
{{- define "dd-otel-host-profiler.agentServiceNamespace" -}}
{{- (.Values.agent.service | default dict).namespace | default .Release.Namespace }}
{{- end }}

{{/* Where the profiler sends, in words (NOTES.txt and the helm test pod say it). */}}
{{- define "dd-otel-host-profiler.agentRouteWords" -}}
{{- $route := include "dd-otel-host-profiler.agentRoute" . }}
{{- if eq $route "service" }}the Agent's node-local Service {{ include "dd-otel-host-profiler.agentServiceNamespace" . }}/{{ .Values.agent.service.name }}
{{- else if eq $route "url" }}agent.url
{{- else }}the Agent's hostPort on each node's IP
{{- end }}
{{- end }}

{{/* The trace agent URL: explicit, the Agent's node-local Service, or the Agent on this node (hostIP from the downward API). */}}
{{- define "dd-otel-host-profiler.agentURL" -}}
{{- $route := include "dd-otel-host-profiler.agentRoute" . }}
{{- if eq $route "url" }}{{ .Values.agent.url }}
{{- else if eq $route "service" }}{{ printf "http://%s.%s.svc.%s:%d" .Values.agent.service.name (include "dd-otel-host-profiler.agentServiceNamespace" .) (.Values.clusterDomain | default "cluster.local") (int .Values.agent.service.port) }}
{{- else }}http://$(DD_AGENT_HOST):{{ .Values.agent.port }}{{ end }}
{{- end }}

{{/* The labels of the Agent pods behind agent.service.name: agent.service.podLabels, or app: <name> as the Datadog chart sets them. */}}
{{- define "dd-otel-host-profiler.agentPodLabels" -}}
{{- $svc := .Values.agent.service | default dict }}
{{- toYaml ($svc.podLabels | default (dict "app" $svc.name)) }}
{{- end }}

{{/* Kubernetes >= 1.30 has securityContext.appArmorProfile; older ones take a pod annotation. */}}
{{- define "dd-otel-host-profiler.appArmorField" -}}
{{- if semverCompare ">=1.30.0-0" .Capabilities.KubeVersion.Version }}true{{ end }}
{{- end }}

{{/*
Name of cluster-scoped objects (ClusterRole, ClusterRoleBinding). They carry the namespace too:
two releases of the same name in two namespaces must not fight over one ClusterRole.
*/}}
{{- define "dd-otel-host-profiler.clusterScopedName" -}}
{{- printf "%s-%s" (include "dd-otel-host-profiler.fullname" .) .Release.Namespace }}
{{- end }}
