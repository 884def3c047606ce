// THE values contract of the chart: every key, its type, default, constraints and description.
// Change a value here, run `npm run generate`, and values.schema.json (both copies), the TypeScript
// types and the README's values reference follow. chart/values.yaml is written by hand and a test
// holds it to the defaults below.
import { leastPrivilegeCapabilityNames } from "./capabilities.ts";
import { CIDR } from "./apiserver-formats.ts";
import { image as profilerImage } from "../profiler/startup.ts";
import { boolean, described, durationKnob, enumeration, group, integer, knob, kube, list, maxDurationSeconds, patternWords, string, stringMap, type Group } from "./dsl.ts";

/** Datadog sites (DD_SITE): the profiler sends symbols to https://intake.profile.<site>. */
export const datadogSites = [
  "datadoghq.com",
  "us3.datadoghq.com",
  "us5.datadoghq.com",
  "datadoghq.eu",
  "ap1.datadoghq.com",
  "ap2.datadoghq.com",
  "ddog-gov.com",
  "us2.ddog-gov.com",
];

// Kubernetes naming rules, as the API server applies them.
const dnsLabel = described("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", 'a DNS label: up to 63 lowercase letters a-z, digits and "-", starting and ending with a letter or digit, e.g. my-profiler');
/** What a Service name must be (a DNS-1035 label: it starts with a letter). */
const dns1035Label = described("^[a-z]([-a-z0-9]*[a-z0-9])?$", 'a Service name: up to 63 lowercase letters a-z, digits and "-", starting with a letter and ending with a letter or digit, e.g. datadog');
const dnsSubdomain = described(
  "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
  'a DNS subdomain: up to 253 characters, parts of lowercase letters a-z, digits and "-" joined by ".", each part starting and ending with a letter or digit, e.g. my-secret or cluster.local',
);
const labelKey = described(
  "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$",
  'a label key: a name of up to 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit, optionally after a DNS subdomain and "/", e.g. team or app.kubernetes.io/name',
);
const labelValue = described("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$", 'a label value: empty, or up to 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit, e.g. v1.2 or infra');
const secretDataKey = described("^[-._a-zA-Z0-9]+$", 'a key of a Secret: letters, digits, "-", "_" and ".", e.g. api-key');
/** Tracer names the profiler's tracertypes.Parse accepts that choose something (go and labels are set by the profiler itself; native is always on). */
export const tracerNames = ["all", "perl", "php", "python", "hotspot", "ruby", "v8", "dotnet"];
/** At least 1ns (a ticker panics on 0, and Go truncates below 1ns), up to what time.Duration holds. */
const positive = { minSeconds: 1e-9, minExclusive: false, maxSeconds: maxDurationSeconds, allowed: "a Go duration of at least 1ns and at most 2562047h (e.g. 30s, 1m30s)" };
/** Zero is a setting of its own (see each knob), up to what time.Duration holds. */
const zeroOrMore = { minSeconds: 0, minExclusive: false, maxSeconds: maxDurationSeconds, allowed: "a Go duration of at most 2562047h (e.g. 30s, 1m30s), 0s included" };
/** The profiler's tag rules (config/helpers.go); it silently drops tags that break them. */
const ddTag = described(
  "^[a-zA-Z][a-zA-Z0-9._/-]+:[a-zA-Z0-9:._/-]*$",
  'a Datadog tag "key:value": a key of at least 2 letters, digits, ".", "_", "/" or "-" starting with a letter, ":", then a value of the same characters and ":", e.g. team:infra',
);

const emptyOr = (pattern: string) => described(`^$|${pattern}`, `empty (""), or ${patternWords.get(pattern)}`);
/** An IPv4 or IPv6 CIDR as NetworkPolicy ipBlock takes it. */

export const contract: Group = group("Values of the dd-otel-host-profiler chart.", {
  global: {
    kind: "field",
    description: "Values Helm hands every subchart of an umbrella chart; accepted, not used.",
    schema: { type: "object", additionalProperties: true },
    default: undefined,
    schemaOnly: true,
  },
  enabled: {
    kind: "field",
    description: "Set by umbrella charts that enable this chart with `condition: <name>.enabled`; not used by the chart itself.",
    schema: { type: "boolean" },
    default: undefined,
    schemaOnly: true,
  },
  nameOverride: string("Overrides the chart name used in object names and the app.kubernetes.io/name label.", {
    schema: { pattern: emptyOr(dnsLabel), maxLength: 63 },
  }),
  fullnameOverride: string(
    'Overrides the full object name (otherwise "<release>-<chart name>", or the release name when it contains the chart name).',
    { schema: { pattern: emptyOr(dnsLabel), maxLength: 63 } },
  ),
  commonLabels: stringMap("Labels added to every object the chart renders.", { keyPattern: labelKey, valuePattern: labelValue, valueMaxLength: 63 }),

  image: group("The profiler image.", {
    repository: string("Image repository of the profiler.", {
      default: "ghcr.io/datadog/dd-otel-host-profiler",
      schema: {
        minLength: 1,
        pattern: described("^[a-z0-9]([a-z0-9._:/-]*[a-z0-9])?$", 'an image repository: lowercase letters a-z, digits, ".", "_", ":", "/" and "-", starting and ending with a letter or digit, e.g. ghcr.io/datadog/dd-otel-host-profiler'),
      },
    }),
    tag: string('Image tag; empty means "v" + the chart\'s appVersion.', {
      schema: { pattern: emptyOr(described("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", 'an image tag: up to 128 letters, digits, "_", "." and "-", not starting with "." or "-", e.g. v0.4.0')) },
      examples: ["v0.4.0"],
    }),
    digest: string('Image digest ("sha256:" + 64 hex digits); when set, the image is pinned by digest.', {
      schema: { pattern: emptyOr(described("^sha256:[a-f0-9]{64}$", 'an image digest: "sha256:" and 64 hex digits (0-9, a-f), e.g. sha256:' + "0123456789abcdef".repeat(4))) },
    }),
    pullPolicy: enumeration(
      "Image pull policy, the helm test pod's too. IfNotPresent (the default): a pod restarts from the image on its node, with no registry; set image.digest to pin the exact image. Always: every pod start needs the registry.",
      ["Always", "IfNotPresent", "Never"],
      { default: "IfNotPresent" },
    ),
  }),
  imagePullSecrets: kube("Secrets for pulling the image from a private registry, as [{name: ...}], each named once.", "io.k8s.api.core.v1.LocalObjectReference", {
    array: true,
    // Server-side apply keys this list by name: a name listed twice is refused (Helm 4 applies server-side).
    schema: { uniqueItems: true },
  }),

  datadog: group("Where profiles go and how the profiler identifies itself.", {
    site: enumeration(
      "Datadog site the profiles and symbols go to (DD_SITE; symbols go to https://intake.profile.<site>). A site this list lacks: datadog.unlistedSite.",
      datadogSites,
      { default: "datadoghq.com" },
    ),
    unlistedSite: string(
      "A Datadog site the chart's list lacks (v0.4.0 takes any site), e.g. one newer than the chart; when set it is DD_SITE and datadog.site is not used. A DNS name; empty uses datadog.site.",
      { schema: { pattern: emptyOr(dnsSubdomain), maxLength: 253 }, examples: ["us7.datadoghq.com"] },
    ),
    apiKey: string(
      "Datadog API key as a literal (32 lowercase letters or digits); the chart stores it in a Secret of its own. Prefer apiKeyExistingSecret.",
      { secret: true },
    ),
    apiKeyExistingSecret: string("Name of an existing Secret holding the API key (mutually exclusive with apiKey).", {
      schema: { pattern: emptyOr(dnsSubdomain), maxLength: 253 },
    }),
    apiKeyExistingSecretKey: string("Key inside apiKeyExistingSecret that holds the API key.", {
      default: "api-key",
      schema: { pattern: secretDataKey, maxLength: 253 },
    }),
    appKey: string(
      "Datadog application key as a literal (40 lowercase letters or digits, DD_APP_KEY). The profiler uploads local symbols only when the API key and the application key are both set.",
      { secret: true },
    ),
    appKeyExistingSecret: string("Name of an existing Secret holding the application key (mutually exclusive with appKey).", {
      schema: { pattern: emptyOr(dnsSubdomain), maxLength: 253 },
    }),
    appKeyExistingSecretKey: string("Key inside appKeyExistingSecret that holds the application key.", {
      default: "app-key",
      schema: { pattern: secretDataKey, maxLength: 253 },
    }),
    service: string(
      "DD_SERVICE of the profiler container. v0.4.0 reads no such setting: its reporter reads DD_SERVICE from each profiled process's environment, so this names only the profiler's own samples, with splitByService (hosts: hostService).",
      { default: "dd-otel-host-profiler", schema: { minLength: 1 } },
    ),
    env: string("Environment shown in the Datadog UI (DD_ENV); empty renders nothing.", { examples: ["prod"] }),
    tags: list('Extra tags as "key:value" strings (DD_TAGS).', { type: "string", pattern: ddTag }, { examples: [["team:infra", "cluster:eu-1"]] }),
  }),

  agent: group(
    "The Datadog Agent the profiler sends profiles to, by one of three routes: agent.url when it is set; else the Agent's node-local Service when agent.service.name is set; else the Agent's hostPort on each node's IP (agent.port).",
    {
      url: string(
        "Datadog Agent trace endpoint as http(s)://host:port (DD_TRACE_AGENT_URL), used as given; not with agent.service.name. Empty: agent.service.name's Service if set, else the node's IP and agent.port. Unix sockets: not supported.",
        { examples: ["http://datadog-agent.datadog.svc.cluster.local:8126"] },
      ),
      port: integer("Trace port of the Agent on the node (its hostPort), used when agent.url and agent.service.name are empty.", { default: 8126, minimum: 1, maximum: 65535 }),
      service: group(
        "The Datadog Agent's node-local Service (internalTrafficPolicy: Local), which the Datadog chart renders by default; used when agent.service.name is set and agent.url is empty.",
        {
          name: string(
            'Name of the Agent\'s node-local Service, e.g. datadog (the Datadog chart\'s fullname: the release name if it contains "datadog", else <release>-datadog). Set: profiles go to http://<name>.<namespace>.svc.<clusterDomain>:<port>.',
            { schema: { pattern: emptyOr(dns1035Label), maxLength: 63 }, examples: ["datadog"] },
          ),
          namespace: string("Namespace of the Agent's Service; empty means the release's namespace. Only with agent.service.name.", {
            schema: { pattern: emptyOr(dnsLabel), maxLength: 63 },
            examples: ["datadog"],
          }),
          port: integer(
            "Port of the Agent's Service (the Datadog chart's traceport, 8126); the NetworkPolicy opens it to the Agent pods, which policies see after the Service's translation, so it must equal its targetPort.",
            { default: 8126, minimum: 1, maximum: 65535 },
          ),
          podLabels: stringMap(
            "Labels of the Agent pods the Service selects, used only by the NetworkPolicy to open the trace port to them; empty means app: <agent.service.name>, as the Datadog chart labels them. Only with agent.service.name.",
            { valuePattern: labelValue, valueMaxLength: 63, examples: [{ app: "datadog" }] },
          ),
        },
      ),
    },
  ),
  clusterDomain: string("DNS domain of the cluster, the last part of the Agent's Service name when agent.service.name is set (<name>.<namespace>.svc.<clusterDomain>).", {
    default: "cluster.local",
    schema: { pattern: dnsSubdomain, maxLength: 253 },
  }),

  securityMode: enumeration(
    '"privileged" (the upstream guide: privileged, SYS_ADMIN, root) or "leastPrivilege" (not privileged, only the capabilities an eBPF profiler needs, read-only root filesystem).',
    ["privileged", "leastPrivilege"],
    { default: "privileged" },
  ),
  leastPrivilege: group("Settings used only when securityMode is leastPrivilege.", {
    seccompProfile: kube("Seccomp profile of the profiler container (default Unconfined). It needs bpf() and perf_event_open(): containerd 1.6's RuntimeDefault allows both with CAP_BPF and CAP_PERFMON; older default profiles refuse them.", "io.k8s.api.core.v1.SeccompProfile", {
      default: { type: "Unconfined" },
    }),
    seccompAllowlist: group("The chart's own seccomp allowlist (chart/files/seccomp-allowlist.json), written to each node's kubelet seccomp directory by an init container; the profiler then runs under it as a Localhost profile.", {
      enabled: boolean("Run the profiler under the chart's seccomp allowlist (other system calls fail with EPERM) in place of seccompProfile; adds an init container that writes it to the node (uid 0, no capabilities, read-only root).", {
        default: false,
      }),
      kubeletSeccompDir: string("The kubelet's seccomp directory on the node (<kubelet --root-dir>/seccomp), under which Localhost profiles are looked up; the init container writes <this>/dd-otel-host-profiler/allowlist-<hash>.json.", {
        default: "/var/lib/kubelet/seccomp",
        schema: { pattern: described("^(/[-._a-zA-Z0-9]+)+$", 'an absolute path on the node of letters, digits, "-", "_" and "." between "/", without a trailing "/", e.g. /var/lib/kubelet/seccomp'), maxLength: 4096 },
      }),
    }),
    appArmorProfile: kube("AppArmor profile of the profiler container (a field from Kubernetes 1.30, an annotation before).", "io.k8s.api.core.v1.AppArmorProfile", {
      default: { type: "Unconfined" },
    }),
    omitCapabilities: list(
      "Capabilities to leave out of the leastPrivilege set, for nodes whose runtime refuses one (\"unable to apply caps\"); each costs what README's capability table says. Only names from the set; it never adds one.",
      { type: "string", enum: leastPrivilegeCapabilityNames },
      { schema: { uniqueItems: true }, examples: [["IPC_LOCK"]] },
    ),
    command: list(
      "The profiler container's command in leastPrivilege: the profiler binary, so the image's entrypoint (which in v0.3.0-v0.4.0 mounts debugfs, needing SYS_ADMIN) does not run. [] runs the image's entrypoint.",
      { type: "string", minLength: 1 },
      { default: [profilerImage.binary] },
    ),
    seLinuxOptions: kube("SELinux options of the profiler container; spc_t lets it read other containers' files on SELinux hosts.", "io.k8s.api.core.v1.SELinuxOptions", {
      default: { type: "spc_t" },
    }),
  }),

  profiler: group("Profiler settings. Each maps to one DD_HOST_PROFILING_* variable; null renders no variable.", {
    samplingRate: knob(
      "Stack sampling frequency in Hz (profiler default 20). Above the node's kernel.perf_event_max_sample_rate (default 100000) the kernel refuses it and the profiler exits at start-up; that sysctl is an int, hence the maximum.",
      { type: "integer", minimum: 1, maximum: 2147483647 },
    ),
    uploadPeriod: durationKnob("How often profiles are uploaded (profiler default 60s).", positive, { examples: ["60s"] }),
    monitorInterval: durationKnob("Interval of the profiler's internal monitors (profiler default 5s).", positive),
    clockSyncInterval: durationKnob("Interval of the sync with the realtime clock (profiler default 3m); 0s syncs once, at start-up.", zeroOrMore),
    probabilisticInterval: durationKnob("Interval after which probabilistic profiling is switched on or off (profiler default 1m).", {
      minSeconds: 60,
      minExclusive: false,
      maxSeconds: 300,
      allowed: "a Go duration from 1m to 5m, as the profiler's sanity check requires",
    }),
    probabilisticThreshold: knob("Probabilistic profiling threshold, 1 to 100; 100 (the profiler's maximum) or unset profiles all the time.", { type: "integer", minimum: 1, maximum: 100 }),
    mapScaleFactor: knob("Scale factor for eBPF map sizes, 0 to 8 (profiler default 0).", { type: "integer", minimum: 0, maximum: 8 }),
    tracers: knob(
      "Interpreter tracers to include, e.g. [python, hotspot]; unset means all. The native unwinder is always on; go and labels are set by the profiler (labels follows collectContext).",
      { type: "array", items: { type: "string", enum: tracerNames }, minItems: 1, uniqueItems: true },
      { examples: [["python", "hotspot", "ruby"]] },
    ),
    timeline: knob("Enable the timeline feature.", { type: "boolean" }),
    sendErrorFrames: knob("Send error frames.", { type: "boolean" }),
    verbose: knob("Verbose logging. v0.4.0 then logs its whole configuration, the API and application keys in clear text included.", { type: "boolean" }),
    verboseEbpf: knob("Verbose logging of the eBPF side.", { type: "boolean" }),
    bpfLogLevel: knob("Log level of the eBPF verifier output, 0 to 2.", { type: "integer", minimum: 0, maximum: 2 }),
    uploadSymbols: knob("Upload local symbols (profiler default true; needs the API key and the application key).", { type: "boolean" }),
    uploadDynamicSymbols: knob("Upload dynamic symbols (profiler default false).", { type: "boolean" }),
    uploadGopclntab: knob("Upload Go pclntab sections (profiler default true).", { type: "boolean" }),
    uploadSymbolsDryRun: knob("Symbol upload dry run (profiler default false).", { type: "boolean" }),
    uploadSymbolsHttp2: knob("Use HTTP/2 for symbol upload (profiler default false).", { type: "boolean" }),
    symbolQueryInterval: durationKnob("Batching interval of symbol queries (profiler default 5s); 0s disables batching.", zeroOrMore),
    splitByService: knob(
      "Split profiles by service (profiler default true). false makes the profiler read pod metadata from the Kubernetes API, so the chart then adds RBAC and a service account token.",
      { type: "boolean" },
    ),
    splitServiceSuffix: knob("Suffix added to service names when profiles are split by service.", { type: "string" }),
    hostService: knob("Service name of host profiles when splitByService is false (DD_HOST_PROFILING_SERVICE); required then, as the profiler exits without it.", { type: "string" }),
    collectContext: knob("Collect context (profiler default false).", { type: "boolean" }),
    noKernelVersionCheck: knob(
      "Skip the kernel checks: the minimum version (4.19 amd64, 5.5 arm64) and, on 5.19 to 6.3.9, the check for the copy_from_user_nofault fix (a bug that can freeze the system), without which the profiler exits.",
      { type: "boolean" },
    ),
  }),

  serviceAccount: group("The profiler's ServiceAccount.", {
    create: boolean("Create a ServiceAccount for the profiler.", { default: true }),
    name: string('Name of the ServiceAccount; empty means the full name when create is true, "default" otherwise.', {
      schema: { pattern: emptyOr(dnsSubdomain), maxLength: 253 },
    }),
    annotations: stringMap("Annotations of the ServiceAccount; each key a qualified name (checked by the chart).", { examples: [{ "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/profiler" }] }),
  }),
  rbac: group("RBAC for the profiler.", {
    create: boolean(
      "Create the ClusterRole and ClusterRoleBinding the profiler needs when profiler.splitByService is false (pods list/watch, nodes get).",
      { default: true },
    ),
  }),

  openshift: group("OpenShift.", {
    scc: group("A SecurityContextConstraints for the profiler's ServiceAccount, allowing exactly what securityMode needs.", {
      create: knob(
        "Render the SecurityContextConstraints: unset renders it when the cluster serves security.openshift.io/v1 (helm template: --api-versions security.openshift.io/v1), true always, false never.",
        { type: "boolean" },
      ),
    }),
  }),

  networkPolicy: group("A NetworkPolicy for the profiler pods (and the helm test pod): no ingress, egress only where the profiler sends.", {
    create: boolean("Render a NetworkPolicy: no ingress; egress to DNS in kube-system, the Agent's trace port, HTTPS (symbol upload) and the Kubernetes API (only when splitByService is false), plus extraEgress.", {
      default: false,
    }),
    agentNodeCIDRs: list(
      "CIDRs of the nodes, to which the Agent's trace port is opened on the node route (agent.url and agent.service.name empty: the Agent listens on the node's IP); empty opens that port to any address, as a NetworkPolicy cannot name \"this node\".",
      { type: "string", pattern: CIDR.pattern as string },
      { examples: [["10.0.0.0/16"]] },
    ),
    extraEgress: kube("Egress rules added to the chart's (NetworkPolicyEgressRule list), e.g. a node-local DNS cache or an HTTPS proxy.", "io.k8s.api.networking.v1.NetworkPolicyEgressRule", {
      array: true,
    }),
  }),

  goMemLimitRatio: {
    kind: "field",
    description:
      "GOMEMLIMIT (Go's soft memory limit) as this fraction of resources.limits.memory, in whole bytes rounded down (1Gi at 0.8: 858993459B); more than 0, at most 1. No memory limit, or null: no GOMEMLIMIT (extraEnv may then set it).",
    schema: { type: ["number", "null"], exclusiveMinimum: 0, maximum: 1 },
    default: 0.8,
    // null is a setting (no GOMEMLIMIT), not a mistake: Helm's deletion of a nulled key must pass.
    required: false,
    displayType: "number",
  },
  resources: kube("Resources of the profiler container (limits and requests of cpu, memory, ephemeral-storage or an extended resource); every quantity is checked against the Kubernetes syntax (100m, 256Mi, 1Gi, 2) and each request against its limit.", "io.k8s.api.core.v1.ResourceRequirements", {
    default: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
  }),
  nodeSelector: stringMap("Node labels the profiler pods are scheduled on.", {
    default: { "kubernetes.io/os": "linux" },
    keyPattern: labelKey,
    valuePattern: labelValue,
    valueMaxLength: 63,
  }),
  tolerations: kube(
    "Tolerations of the profiler pods; the default tolerates every taint, since profiling is wanted on every node.",
    "io.k8s.api.core.v1.Toleration",
    { array: true, default: [{ operator: "Exists" }] },
  ),
  affinity: kube(
    "Node affinity of the profiler pods (nodeAffinity only: pod (anti-)affinity does not fit a DaemonSet, which already runs one pod on each node it selects). scheduling.excludeNodes ANDs its exclusions into each required term.",
    "io.k8s.api.core.v1.Affinity",
  ),
  scheduling: group("Where the profiler pods may not go.", {
    excludeNodes: boolean(
      "Keep pods off nodes that can never run them, whose taints the default tolerations accept: EKS Fargate, virtual-kubelet nodes (e.g. AKS virtual nodes), non-Linux nodes; by a required node affinity ANDed into yours. false: affinity as given.",
      { default: true },
    ),
  }),
  providers: group("The platform the cluster runs on (the Datadog chart's key names).", {
    gke: group("Google Kubernetes Engine.", {
      autopilot: knob(
        "GKE Autopilot refuses hostPID, so the chart refuses it. Unset: Autopilot if the cluster serves auto.gke.io/v1/AllowlistSynchronizer (the Datadog chart's check); true: refuse; false: not Autopilot (GKE Standard may serve that API).",
        { type: "boolean" },
      ),
    }),
  }),
  priorityClassName: string("PriorityClass of the profiler pods, e.g. system-node-critical.", {
    schema: { pattern: emptyOr(dnsSubdomain), maxLength: 253 },
  }),
  updateStrategy: kube("DaemonSet update strategy.", "io.k8s.api.apps.v1.DaemonSetUpdateStrategy", {
    default: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } },
    required: true,
  }),
  revisionHistoryLimit: integer("Old DaemonSet revisions kept for rollback.", { default: 10, minimum: 0, maximum: 100 }),
  podAnnotations: stringMap("Annotations of the profiler pods; each key a qualified name (checked by the chart)."),
  podLabels: stringMap("Labels of the profiler pods (never part of the selector).", { keyPattern: labelKey, valuePattern: labelValue, valueMaxLength: 63 }),
  extraEnv: kube(
    "Extra environment variables of the profiler container (EnvVar list); variables the chart manages are refused.",
    "io.k8s.api.core.v1.EnvVar",
    { array: true },
  ),
  envFrom: kube("Extra environment sources of the profiler container (EnvFromSource list).", "io.k8s.api.core.v1.EnvFromSource", { array: true }),
  extraVolumes: kube("Extra volumes of the profiler pods, each of one source: hostPath, emptyDir, configMap, secret or persistentVolumeClaim.", "io.k8s.api.core.v1.Volume", { array: true }),
  extraVolumeMounts: kube("Extra volume mounts of the profiler container.", "io.k8s.api.core.v1.VolumeMount", { array: true }),
  terminationGracePeriodSeconds: integer("Seconds the profiler gets to flush its last profiles on shutdown.", {
    default: 30,
    minimum: 0,
    maximum: 3600,
  }),
  tests: group("The chart's `helm test` pod.", {
    enabled: boolean("Render the `helm test` pod that checks the Agent's trace endpoint answers.", { default: true }),
  }),
});
