{{/*
Nodes a host profiler can never run on, as required node-affinity expressions (ANDed). The default
tolerations (operator: Exists) accept every taint, these nodes' included, so only an affinity keeps a
DaemonSet's pods off them; without it they stay Pending and the rollout never completes
(aws/amazon-cloudwatch-agent-operator#183, fixed the same way in aws-observability/helm-charts#58).
- EKS Fargate: every Fargate node is labeled eks.amazonaws.com/compute-type=fargate (and tainted
  eks.amazonaws.com/compute-type=fargate:NoSchedule); Fargate runs no DaemonSet.
- virtual-kubelet nodes (AKS virtual nodes on ACI, and other providers): virtual-kubelet/node-cli's
  NodeFromProvider (internal/commands/root/node.go) labels each type=virtual-kubelet (tainted
  virtual-kubelet.io/provider=<provider>:NoSchedule); their pods run in a serverless sandbox, no host.
  kubernetes.io/role=agent is not used: AKS labels its ordinary nodes so too.
- non-Linux nodes (Windows): the kubelet labels every node kubernetes.io/os; the profiler is Linux eBPF.
*/}}
{{- define "dd-otel-host-profiler.nodeExclusions" -}}
- key: eks.amazonaws.com/compute-type
  operator: NotIn
  values:
    - fargate
- key: type
  operator: NotIn
  values:
    - virtual-kubelet
- key: kubernetes.io/os
  operator: In
  values:
    - linux
{{- end }}

{{/*
The pods' affinity: .Values.affinity with, unless scheduling.excludeNodes is false, the exclusions ANDed
into every term of its required node affinity (terms are ORed: an exclusion missing from one term would
let that term reach the node), or as the only term when it has none. A term with no requirement at all
matches no node and is kept as it is; an exclusion the term already has is not repeated. Works on a copy:
.Values stays as given for the next template that includes this.
*/}}
{{- define "dd-otel-host-profiler.affinity" -}}
{{- $affinity := deepCopy (.Values.affinity | default dict) }}
{{- if (.Values.scheduling | default dict).excludeNodes }}
{{- $exclusions := include "dd-otel-host-profiler.nodeExclusions" . | fromYamlArray }}
{{- $nodeAffinity := deepCopy ($affinity.nodeAffinity | default dict) }}
{{- $required := deepCopy ($nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution | default dict) }}
{{- $terms := list }}
{{- range $required.nodeSelectorTerms }}
{{- if or .matchExpressions .matchFields }}
{{- $expressions := .matchExpressions | default list }}
{{- range $exclusions }}{{ if not (has . $expressions) }}{{ $expressions = append $expressions . }}{{ end }}{{ end }}
{{- $terms = append $terms (set (deepCopy .) "matchExpressions" $expressions) }}
{{- else }}
{{- $terms = append $terms . }}
{{- end }}
{{- end }}
{{- if not $terms }}{{ $terms = list (dict "matchExpressions" $exclusions) }}{{ end }}
{{- $_ := set $required "nodeSelectorTerms" $terms }}
{{- $_ := set $nodeAffinity "requiredDuringSchedulingIgnoredDuringExecution" $required }}
{{- $_ := set $affinity "nodeAffinity" $nodeAffinity }}
{{- end }}
{{- with $affinity }}{{ toYaml . }}{{ end }}
{{- end }}
