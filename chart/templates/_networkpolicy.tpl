{{/*
The egress rule to the Agent's trace port, as NetworkPolicyEgressRule YAML.
agent.url and agent.service.name empty: the Agent on the node, at the node's IP and agent.port; a NetworkPolicy cannot name
"this node", so networkPolicy.agentNodeCIDRs narrows it (empty: any address on that port).
agent.service.name set (and agent.url empty): the Agent pods behind that Service, by their namespace
and labels (agent.service.podLabels, else app: <name>), on agent.service.port. Policies see the Agent
pod after the Service's translation, so the port is the Service's targetPort: the Datadog chart's
traceport maps 8126 to targetPort 8126, which is why one port serves both. Nothing else gets that port.
agent.url set: its port (or 80/443 by scheme); an IP becomes an ipBlock, a Service name
<service>.<namespace>.svc[...] the Agent's namespace (policies see the Agent pod after the Service's
translation, so the port must be the Agent pod's too), any other host any address on that port.
*/}}
{{- define "dd-otel-host-profiler.agentEgressRule" -}}
{{- $url := .Values.agent.url }}
{{- $port := .Values.agent.port }}
{{- $peers := list }}
{{- $route := include "dd-otel-host-profiler.agentRoute" . }}
{{- if eq $route "node" }}
{{- range .Values.networkPolicy.agentNodeCIDRs }}
{{- $peers = append $peers (dict "ipBlock" (dict "cidr" .)) }}
{{- end }}
{{- else if eq $route "service" }}
{{- $port = .Values.agent.service.port }}
{{- $peers = append $peers (dict "namespaceSelector" (dict "matchLabels" (dict "kubernetes.io/metadata.name" (include "dd-otel-host-profiler.agentServiceNamespace" .))) "podSelector" (dict "matchLabels" (include "dd-otel-host-profiler.agentPodLabels" . | fromYaml))) }}
{{- else }}
{{- $hostport := regexReplaceAll `^https?://` (trimSuffix "/" $url) "" }}
{{- $host := regexReplaceAll `:[0-9]+$` $hostport "" }}
{{- $port = regexFind `:[0-9]+$` $hostport | trimPrefix ":" }}
{{- if not $port }}{{ $port = ternary 443 80 (hasPrefix "https://" $url) }}{{ end }}
{{- if regexMatch `^[0-9]{1,3}(\.[0-9]{1,3}){3}$` $host }}
{{- $peers = append $peers (dict "ipBlock" (dict "cidr" (printf "%s/32" $host))) }}
{{- else if hasPrefix "[" $host }}
{{- $peers = append $peers (dict "ipBlock" (dict "cidr" (printf "%s/128" (trimAll "[]" $host)))) }}
{{- else if regexMatch `^[^.]+\.[^.]+\.svc(\..*)?$` $host }}
{{- $ns := index (splitList "." $host) 1 }}
{{- $peers = append $peers (dict "namespaceSelector" (dict "matchLabels" (dict "kubernetes.io/metadata.name" $ns))) }}
{{- end }}
{{- end }}
{{- with $peers }}
to:
  {{- toYaml . | nindent 2 }}
{{- end }}
ports:
  - protocol: TCP
    port: {{ int $port }}
{{- end }}
