{{/*
Rules the values schema cannot express, one define per rule ("dd-otel-host-profiler.validate.<rule>"),
each returning its problems as a YAML list of lines. The driver joins them in the rules' order and
fails once, so every problem is reported at once, in the schema errors' style: the key, what was given
(never for a secret), what is allowed.
*/}}
{{- define "dd-otel-host-profiler.validate" -}}
{{- $errors := list }}
{{- /* Named one by one, not by a computed name: the matrix reads which templates a define reaches. */}}
{{- $errors = concat $errors (include "dd-otel-host-profiler.validate.keys" . | fromYamlArray) }}
{{- $errors = concat $errors (include "dd-otel-host-profiler.validate.omitCapabilities" . | fromYamlArray) }}
{{- $errors = concat $errors (include "dd-otel-host-profiler.validate.agentURL" . | fromYamlArray) }}
{{- $errors = concat $errors (include "dd-otel-host-profiler.validate.agentRoute" . | fromYamlArray) }}
{{- $errors = concat $errors (include "dd-otel-host-profiler.validate.durations" . | fromYamlArray) }}
{{- $errors = concat $errors (include "dd-otel-host-profiler.validate.hostService" . | fromYamlArray) }}
{{- $errors = concat $errors (include "dd-otel-host-profiler.validate.managedEnv" . | fromYamlArray) }}
{{- $errors = concat $errors (include "dd-otel-host-profiler.validate.podLists" . | fromYamlArray) }}
{{- $errors = concat $errors (include "dd-otel-host-profiler.validate.egressPorts" . | fromYamlArray) }}
{{- $errors = concat $errors (include "dd-otel-host-profiler.validate.managedLabels" . | fromYamlArray) }}
{{- $errors = concat $errors (include "dd-otel-host-profiler.validate.qualifiedKeys" . | fromYamlArray) }}
{{- $errors = concat $errors (include "dd-otel-host-profiler.validate.resources" . | fromYamlArray) }}
{{- $errors = concat $errors (include "dd-otel-host-profiler.validate.rbacAccount" . | fromYamlArray) }}
{{- $errors = concat $errors (include "dd-otel-host-profiler.validate.autopilot" . | fromYamlArray) }}
{{- if $errors }}
{{- fail (printf "\n[ERROR] %s" (join "\n[ERROR] " $errors)) }}
{{- end }}
{{- end }}

{{- define "dd-otel-host-profiler.validate.keys" -}}
{{- $errors := list }}
{{- $dd := .Values.datadog }}
{{- range $kind := list "apiKey" "appKey" }}
{{- $existing := printf "%sExistingSecret" $kind }}
{{- if and (index $dd $kind) (index $dd $existing) }}
{{- $errors = append $errors (printf "datadog.%s and datadog.%s are both set. Allowed: one of them (prefer datadog.%s, so the key stays out of your values file)." $kind $existing $existing) }}
{{- end }}
{{- end }}

{{- /* The profiler refuses to start on a malformed key ("API key is not valid"): say so now. */}}
{{- if and $dd.apiKey (not (regexMatch `^[a-z0-9]{32}$` $dd.apiKey)) }}
{{- $errors = append $errors (printf "datadog.apiKey is not a valid Datadog API key (value not shown: it is a secret; it has %d characters). Allowed: exactly 32 characters, each a lowercase letter a-z or a digit 0-9." (len $dd.apiKey)) }}
{{- end }}
{{- /* Checked here, not by a schema pattern: Helm 4 prints a value that misses its pattern. */}}
{{- /* The profiler's IsAPPKeyValid (config/helpers.go, v0.4.0): 40 ASCII lowercase letters or digits, else it exits. */}}
{{- if and $dd.appKey (not (regexMatch `^[a-z0-9]{40}$` (toString $dd.appKey))) }}
{{- $errors = append $errors (printf "datadog.appKey is not a valid Datadog application key (value not shown: it is a secret; it has %d characters). Allowed: exactly 40 characters, each a lowercase letter a-z or a digit 0-9, as the profiler requires." (len (toString $dd.appKey))) }}
{{- end }}
{{- toYaml $errors }}
{{- end }}

{{- define "dd-otel-host-profiler.validate.omitCapabilities" -}}
{{- $errors := list }}
{{- /* omitCapabilities only removes: a name outside the leastPrivilege set would read as if it added one. */}}
{{- $capSet := include "dd-otel-host-profiler.leastPrivilegeCapabilitySet" . | fromYamlArray }}
{{- range $i, $cap := .Values.leastPrivilege.omitCapabilities }}
{{- if not (has $cap $capSet) }}
{{- $errors = append $errors (printf "leastPrivilege.omitCapabilities[%d] is %q, which is not one of the capabilities leastPrivilege adds (this list can only leave capabilities out, never add one). Allowed: %s." $i (toString $cap) (join ", " $capSet)) }}
{{- end }}
{{- end }}
{{- toYaml $errors }}
{{- end }}

{{- define "dd-otel-host-profiler.validate.agentURL" -}}
{{- $errors := list }}
{{- $url := .Values.agent.url }}
{{- if $url }}
{{- if regexMatch `^unix:` $url }}
{{- $errors = append $errors (printf "agent.url is %q, a unix socket, but the profiler only speaks HTTP(S) to the Agent. Allowed: http(s)://host:port, e.g. http://datadog-agent.datadog.svc:8126, or leave it empty for the Agent on the same node." $url) }}
{{- else if not (regexMatch `^https?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:[0-9]{1,5})?/?$` $url) }}
{{- $errors = append $errors (printf "agent.url is %q, which is not an http(s)://host:port URL. Allowed: http(s)://host:port with no path, e.g. http://datadog-agent.datadog.svc:8126, or empty for the Agent on the same node." $url) }}
{{- else }}
{{- $port := regexFind `:[0-9]{1,5}/?$` $url | trimPrefix ":" | trimSuffix "/" }}
{{- if and $port (or (lt (atoi $port) 1) (gt (atoi $port) 65535)) }}
{{- $errors = append $errors (printf "agent.url is %q, whose port is out of range. Allowed: a port from 1 to 65535." $url) }}
{{- end }}
{{- end }}
{{- end }}
{{- toYaml $errors }}
{{- end }}

{{- define "dd-otel-host-profiler.validate.agentRoute" -}}
{{- $errors := list }}
{{- $url := .Values.agent.url }}
{{- /* The route to the Agent (see agentRoute in _helpers.tpl): one explicit choice, and no setting that would have no effect. */}}
{{- $svc := .Values.agent.service | default dict }}
{{- if and $url $svc.name }}
{{- $errors = append $errors (printf "agent.url and agent.service.name are both set (agent.url is %q, agent.service.name is %q). Allowed: one of them: agent.service.name for the Agent's node-local Service (e.g. the Datadog chart's), or agent.url for any other endpoint." $url (toString $svc.name)) }}
{{- end }}
{{- if not $svc.name }}
{{- if $svc.namespace }}
{{- $errors = append $errors (printf "agent.service.namespace is %q while agent.service.name is empty, so it would have no effect. Allowed: agent.service.name set too (the Agent's node-local Service, e.g. datadog), or agent.service.namespace left empty." (toString $svc.namespace)) }}
{{- end }}
{{- if $svc.podLabels }}
{{- $errors = append $errors "agent.service.podLabels is set while agent.service.name is empty, so it would have no effect. Allowed: agent.service.name set too (the Agent's node-local Service, e.g. datadog), or agent.service.podLabels left empty." }}
{{- end }}
{{- end }}
{{- /* Label keys as the API server checks them (ValidateLabels): here, not by a schema propertyNames, which Helm 4 reports without the key it is under. */}}
{{- range $key, $_ := $svc.podLabels }}
{{- if not (regexMatch (include "dd-otel-host-profiler.contract" $ | fromYaml).qualifiedName $key) }}
{{- $errors = append $errors (printf "agent.service.podLabels has the key %q, which is not a label key. Allowed: a name of up to 63 letters, digits, '-', '_' or '.', beginning and ending with a letter or digit, optionally after a DNS subdomain and '/' (e.g. app or app.kubernetes.io/name)." $key) }}
{{- end }}
{{- end }}
{{- toYaml $errors }}
{{- end }}

{{- define "dd-otel-host-profiler.validate.durations" -}}
{{- $errors := list }}
{{- /* Duration knobs the profiler would refuse (sanityCheck) or that overflow time.Duration: bounds from _durationbounds.tpl. */}}
{{- range $knob, $b := include "dd-otel-host-profiler.durationBounds" . | fromYaml }}
{{- $v := index $.Values.profiler $knob }}
{{- if and (kindIs "string" $v) (regexMatch (include "dd-otel-host-profiler.contract" $ | fromYaml).goDuration $v) }}
{{- $secs := include "dd-otel-host-profiler.durationSeconds" $v | float64 }}
{{- $min := float64 $b.min }}
{{- if or (gt $secs (float64 $b.max)) (lt $secs $min) (and $b.minExclusive (le $secs $min)) }}
{{- $errors = append $errors (printf "profiler.%s is %q, which the profiler refuses. Allowed: %s." $knob $v $b.allowed) }}
{{- end }}
{{- end }}
{{- end }}
{{- toYaml $errors }}
{{- end }}

{{- define "dd-otel-host-profiler.validate.hostService" -}}
{{- $errors := list }}
{{- /* runner/runner.go Run (v0.4.0): "Service name is required when running in non-split-by-service mode", then exit. */}}
{{- /* The variable may also come from extraEnv, or from envFrom, which the chart cannot read. */}}
{{- $hostServiceElsewhere := not (empty .Values.envFrom) }}
{{- range .Values.extraEnv }}{{ if eq (toString .name) "DD_HOST_PROFILING_SERVICE" }}{{ $hostServiceElsewhere = true }}{{ end }}{{ end }}
{{- if and (eq (toString .Values.profiler.splitByService) "false") (not .Values.profiler.hostService) (not $hostServiceElsewhere) }}
{{- $errors = append $errors "profiler.hostService is empty while profiler.splitByService is false, and the profiler then exits (\"Service name is required when running in non-split-by-service mode\"). Allowed: a service name for the host's profiles, e.g. profiler.hostService: my-cluster-hosts." }}
{{- end }}
{{- toYaml $errors }}
{{- end }}

{{- define "dd-otel-host-profiler.validate.managedEnv" -}}
{{- $errors := list }}
{{- /* Variables the chart sets itself: a duplicate in extraEnv would silently win or lose. */}}
{{- $managed := dict "DD_API_KEY" "datadog.apiKeyExistingSecret" "DD_HOST_PROFILING_API_KEY" "datadog.apiKeyExistingSecret" "DD_APP_KEY" "datadog.appKeyExistingSecret" "DD_HOST_PROFILING_APP_KEY" "datadog.appKeyExistingSecret" "DD_SITE" "datadog.site" "DD_HOST_PROFILING_SITE" "datadog.site" "DD_SERVICE" "datadog.service" "DD_ENV" "datadog.env" "DD_HOST_PROFILING_ENV" "datadog.env" "DD_TAGS" "datadog.tags" "DD_HOST_PROFILING_TAGS" "datadog.tags" "DD_TRACE_AGENT_URL" "agent.url" "DD_HOST_PROFILING_TRACE_AGENT_URL" "agent.url" "DD_AGENT_HOST" "agent.url" "KUBERNETES_NODE_NAME" "(set by the chart from spec.nodeName)" "DD_HOST_PROFILING_NODE" "(set by the chart from spec.nodeName)" }}
{{- /* GOMEMLIMIT is the chart's only when it renders one (a memory limit and goMemLimitRatio set): _env.tpl goMemLimit. */}}
{{- if include "dd-otel-host-profiler.goMemLimit" . }}
{{- $_ := set $managed "GOMEMLIMIT" "goMemLimitRatio (null leaves GOMEMLIMIT to extraEnv)" }}
{{- end }}
{{- /* A profiler knob that is set owns its variable too. */}}
{{- range $knob, $var := include "dd-otel-host-profiler.knobEnv" . | fromYaml }}
{{- if not (kindIs "invalid" (index $.Values.profiler $knob)) }}
{{- $_ := set $managed $var (printf "profiler.%s" $knob) }}
{{- end }}
{{- end }}
{{- range $i, $e := .Values.extraEnv }}
{{- if hasKey $managed (toString $e.name) }}
{{- $errors = append $errors (printf "extraEnv[%d] sets %s, which the chart manages. Allowed: set %s instead." $i $e.name (get $managed (toString $e.name))) }}
{{- end }}
{{- end }}
{{- toYaml $errors }}
{{- end }}

{{- define "dd-otel-host-profiler.validate.podLists" -}}
{{- $errors := list }}
{{- /*
The pod's lists as the API server keys them (server-side apply, which Helm 4 uses, refuses a repeated
key): env by name, volumes by name, volumeMounts by mountPath; and a mount must name a volume of the pod
(validateVolumeMounts), Bidirectional propagation only in a privileged container (validateMountPropagation).
*/}}
{{- $envSeen := dict }}
{{- range $i, $e := .Values.extraEnv }}
{{- $n := toString $e.name }}
{{- if hasKey $envSeen $n }}
{{- $errors = append $errors (printf "extraEnv[%d] sets %s, which extraEnv[%d] already sets. Allowed: each variable once." $i $n (get $envSeen $n)) }}
{{- else }}{{ $_ := set $envSeen $n $i }}{{ end }}
{{- end }}
{{- $leastPrivilege := eq (toString .Values.securityMode) "leastPrivilege" }}
{{- $volumes := dict }}
{{- $mounts := dict }}
{{- if $leastPrivilege }}
{{- $_ := set $volumes "tracefs" "the chart (leastPrivilege)" }}{{ $_ := set $volumes "tmp" "the chart (leastPrivilege)" }}
{{- $_ := set $mounts "/sys/kernel/tracing" "the chart (leastPrivilege)" }}{{ $_ := set $mounts "/tmp" "the chart (leastPrivilege)" }}
{{- end }}
{{- if include "dd-otel-host-profiler.seccompAllowlistOn" . }}
{{- $_ := set $volumes "seccomp-allowlist" "the chart (leastPrivilege.seccompAllowlist)" }}{{ $_ := set $volumes "seccomp-dir" "the chart (leastPrivilege.seccompAllowlist)" }}
{{- end }}
{{- range $i, $v := .Values.extraVolumes }}
{{- $n := toString $v.name }}
{{- if hasKey $volumes $n }}
{{- $errors = append $errors (printf "extraVolumes[%d] is named %q, as a volume of %s is. Allowed: a name no other volume of the pod has." $i $n (get $volumes $n)) }}
{{- else }}{{ $_ := set $volumes $n (printf "extraVolumes[%d]" $i) }}{{ end }}
{{- end }}
{{- range $i, $m := .Values.extraVolumeMounts }}
{{- if not (hasKey $volumes (toString $m.name)) }}
{{- $errors = append $errors (printf "extraVolumeMounts[%d] mounts %q, which is no volume of the pod. Allowed: the name of an extraVolumes entry%s." $i (toString $m.name) (ternary ", or tracefs or tmp (the chart's own)" "" $leastPrivilege)) }}
{{- end }}
{{- $at := toString $m.mountPath }}
{{- if hasKey $mounts $at }}
{{- $errors = append $errors (printf "extraVolumeMounts[%d] mounts at %q, where %s already mounts. Allowed: a path no other mount of the container uses." $i $at (get $mounts $at)) }}
{{- else }}{{ $_ := set $mounts $at (printf "extraVolumeMounts[%d]" $i) }}{{ end }}
{{- if and $leastPrivilege (eq (toString $m.mountPropagation) "Bidirectional") }}
{{- $errors = append $errors (printf "extraVolumeMounts[%d].mountPropagation is Bidirectional, which only a privileged container may use. Allowed: None or HostToContainer in securityMode leastPrivilege." $i) }}
{{- end }}
{{- end }}
{{- toYaml $errors }}
{{- end }}

{{- define "dd-otel-host-profiler.validate.egressPorts" -}}
{{- $errors := list }}
{{- /* networking ValidateNetworkPolicyPort: a port range ends at or after its start. */}}
{{- range $i, $rule := .Values.networkPolicy.extraEgress }}
{{- range $j, $p := $rule.ports }}
{{- if and (not (kindIs "invalid" $p.endPort)) (not (kindIs "invalid" $p.port)) (not (kindIs "string" $p.port)) }}
{{- if lt (int64 $p.endPort) (int64 $p.port) }}
{{- $errors = append $errors (printf "networkPolicy.extraEgress[%d].ports[%d].endPort is %d, below its port %d. Allowed: an endPort at or above port." $i $j (int64 $p.endPort) (int64 $p.port)) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- toYaml $errors }}
{{- end }}

{{- define "dd-otel-host-profiler.validate.managedLabels" -}}
{{- $errors := list }}
{{- /* The chart's labels hold the selector together; a user label of the same key would fight them. */}}
{{- $chartLabels := include "dd-otel-host-profiler.chartLabels" . | fromYaml }}
{{- range $key := list "commonLabels" "podLabels" }}
{{- range $label, $_ := index $.Values $key }}
{{- if or (hasKey $chartLabels $label) (and (eq $key "commonLabels") (eq $label "app.kubernetes.io/component")) }}
{{- $errors = append $errors (printf "%s sets %q, a label the chart manages. Allowed: any other label key." $key $label) }}
{{- end }}
{{- end }}
{{- end }}
{{- toYaml $errors }}
{{- end }}

{{- define "dd-otel-host-profiler.validate.qualifiedKeys" -}}
{{- $errors := list }}
{{- /* Keys the API server requires to be qualified names (ValidateAnnotations, ValidateResourceRequirements). Checked here, not by a schema propertyNames: Helm 4 reports those without the key they are under. */}}
{{- $qualifiedName := (include "dd-otel-host-profiler.contract" . | fromYaml).qualifiedName }}
{{- $keyed := dict "podAnnotations" .Values.podAnnotations "serviceAccount.annotations" .Values.serviceAccount.annotations }}
{{- with .Values.resources }}{{ $_ := set $keyed "resources.limits" .limits }}{{ $_ := set $keyed "resources.requests" .requests }}{{ end }}
{{- range $path := keys $keyed | sortAlpha }}
{{- range $key, $_ := index $keyed $path }}
{{- /* ValidateAnnotations lower-cases a key before checking it; resource names are checked as they are. */}}
{{- if not (regexMatch $qualifiedName (ternary (lower $key) $key (hasSuffix "nnotations" $path))) }}
{{- $errors = append $errors (printf "%s has the key %q, which is not a qualified name. Allowed: a name of up to 63 letters, digits, '-', '_' or '.', beginning and ending with a letter or digit, optionally after a DNS subdomain and '/' (e.g. example.com/team)." $path $key) }}
{{- end }}
{{- end }}
{{- end }}
{{- toYaml $errors }}
{{- end }}

{{- define "dd-otel-host-profiler.validate.resources" -}}
{{- $errors := list }}
{{- /*
ValidateResourceRequirements / validateContainerResourceName: a name without a domain is a standard
container resource (hugepages are left out: the profiler has no use for them), a domain is not
kubernetes.io's, a request is at most its limit, and an extended resource (one with a domain) cannot be
overcommitted: its request equals its limit.
*/}}
{{- with .Values.resources }}
{{- $limits := .limits | default dict }}
{{- $requests := .requests | default dict }}
{{- range $path, $map := dict "resources.limits" $limits "resources.requests" $requests }}
{{- range $name, $_ := $map }}
{{- if and (not (contains "/" $name)) (not (has $name (list "cpu" "memory" "ephemeral-storage"))) }}
{{- $errors = append $errors (printf "%s has %q, which is not a resource of a container. Allowed: cpu, memory, ephemeral-storage, or an extended resource with its domain (e.g. example.com/gpu)." $path $name) }}
{{- else if regexMatch `^([^/]*\.)?kubernetes\.io/` $name }}
{{- $errors = append $errors (printf "%s has %q, in the kubernetes.io domain, which only Kubernetes' own resources use. Allowed: cpu, memory, ephemeral-storage, or an extended resource of another domain." $path $name) }}
{{- end }}
{{- end }}
{{- end }}
{{- range $name, $request := $requests }}
{{- $extended := contains "/" $name }}
{{- /* The schema's non-negative quantity grammar (scripts/contract/quantity.ts, through _contract.tpl). */}}
{{- $grammar := (include "dd-otel-host-profiler.contract" $ | fromYaml).nonNegativeQuantity }}
{{- if not (and (regexMatch $grammar (toString $request)) (regexMatch $grammar (toString (index $limits $name | default "0")))) }}
{{- /* Not a quantity: the schema names it (scripts/validate.ts runs these rules even then). */}}
{{- else if hasKey $limits $name }}
{{- $r := include "dd-otel-host-profiler.quantityValue" $request | float64 }}
{{- $l := include "dd-otel-host-profiler.quantityValue" (index $limits $name) | float64 }}
{{- if gt $r $l }}
{{- $errors = append $errors (printf "resources.requests.%s is %v, above its limit %v. Allowed: a request at or below resources.limits.%s." $name $request (index $limits $name) $name) }}
{{- else if and $extended (lt $r $l) }}
{{- $errors = append $errors (printf "resources.requests.%s is %v, below its limit %v, and an extended resource cannot be overcommitted. Allowed: the request equal to the limit." $name $request (index $limits $name)) }}
{{- end }}
{{- else if $extended }}
{{- $errors = append $errors (printf "resources.requests.%s is set without resources.limits.%s, and an extended resource cannot be overcommitted. Allowed: a limit equal to the request." $name $name) }}
{{- end }}
{{- end }}
{{- end }}
{{- toYaml $errors }}
{{- end }}

{{- define "dd-otel-host-profiler.validate.rbacAccount" -}}
{{- $errors := list }}
{{- /* Binding the ClusterRole to the namespace's default ServiceAccount would grant it to every pod using that account. */}}
{{- if and (include "dd-otel-host-profiler.needsKubeAPI" .) .Values.rbac.create (not .Values.serviceAccount.create) (not .Values.serviceAccount.name) }}
{{- $errors = append $errors "serviceAccount.name is empty while serviceAccount.create is false and profiler.splitByService is false, so the ClusterRole would be bound to the namespace's default ServiceAccount (and every pod using it). Allowed: serviceAccount.create: true, or serviceAccount.name set to an account of the profiler's own." }}
{{- end }}
{{- toYaml $errors }}
{{- end }}

{{- define "dd-otel-host-profiler.validate.autopilot" -}}
{{- $errors := list }}
{{- /*
GKE Autopilot admits hostPID (and privileged containers) only for workloads on a Google-approved
allowlist (WorkloadAllowlist exemption autogke-disallow-hostnamespaces), and this chart's is on none:
its pods would be refused. Detected as the Datadog chart 3.240.0 does (templates/_helpers.tpl,
"gke-autopilot-workloadallowlists-enabled"), by the allowlist API; that chart also turns its own host
profiler off on Autopilot ("should-enable-host-profiler"). GKE serves that API on Standard clusters
too, so providers.gke.autopilot: false overrides the detection.
*/}}
{{- $said := ((.Values.providers | default dict).gke | default dict).autopilot }}
{{- $fix := "Allowed: a GKE Standard cluster (or a node pool of one), where hostPID is allowed; nothing makes this chart run on Autopilot." }}
{{- if eq (toString $said) "true" }}
{{- $errors = append $errors (printf "providers.gke.autopilot is true, and GKE Autopilot refuses the profiler's pods: they need hostPID, which Autopilot allows only to workloads on a Google allowlist, and this chart is on none. %s" $fix) }}
{{- else if and (kindIs "invalid" $said) (.Capabilities.APIVersions.Has "auto.gke.io/v1/AllowlistSynchronizer") }}
{{- $errors = append $errors (printf "the cluster serves auto.gke.io/v1/AllowlistSynchronizer, so it is taken for GKE Autopilot (as the Datadog chart detects it), which refuses the profiler's pods: they need hostPID, which Autopilot allows only to workloads on a Google allowlist, and this chart is on none. %s On a GKE Standard cluster that serves this API, set providers.gke.autopilot: false." $fix) }}
{{- end }}
{{- toYaml $errors }}
{{- end }}

{{/* A Go duration (already matching the schema's pattern) in seconds, as a float: the sum of its parts. */}}
{{- define "dd-otel-host-profiler.durationSeconds" -}}
{{- $scale := dict "ns" 0.000000001 "us" 0.000001 "µs" 0.000001 "ms" 0.001 "s" 1.0 "m" 60.0 "h" 3600.0 }}
{{- $total := 0.0 }}
{{- range regexFindAll `[0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h)` . -1 }}
{{- $unit := regexFind `(ns|us|µs|ms|s|m|h)$` . }}
{{- $total = addf $total (mulf (trimSuffix $unit . | float64) (get $scale $unit)) }}
{{- end }}
{{- $total }}
{{- end }}

{{/* A Kubernetes quantity (already matching the schema's grammar) as a float: the number times its suffix's scale. */}}
{{- define "dd-otel-host-profiler.quantityValue" -}}
{{- $q := toString . }}
{{- $number := regexFind `^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)` $q }}
{{- $suffix := trimPrefix $number $q }}
{{- if regexMatch `^[eE]` $suffix }}
{{- float64 $q }}
{{- else }}
{{- $scale := dict "" 1.0 "n" 0.000000001 "u" 0.000001 "m" 0.001 "k" 1000.0 "M" 1000000.0 "G" 1000000000.0 "T" 1000000000000.0 "P" 1000000000000000.0 "E" 1000000000000000000.0 "Ki" 1024.0 "Mi" 1048576.0 "Gi" 1073741824.0 "Ti" 1099511627776.0 "Pi" 1125899906842624.0 "Ei" 1152921504606846976.0 }}
{{- mulf (float64 $number) (get $scale $suffix) }}
{{- end }}
{{- end }}
