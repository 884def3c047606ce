// The API server's field formats and cross-field rules for the embedded Kubernetes types
// (scripts/contract/apiserver-formats.ts) and the pod-level rules in _validate.tpl: every shape the
// fuzz tier saw the API server refuse is refused by the chart with both Helms, naming the key, and
// the forms people use still render.
import { expect, it } from "vitest";
import { describeRefusals, type Refused } from "../helpers/refusals.ts";

const lp = { securityMode: "leastPrivilege" };
const nodeTerm = (e: object) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [e] } } } });
const refused: Refused[] = [
  { name: "a volume with two sources", values: { extraVolumes: [{ name: "v", emptyDir: {}, hostPath: { path: "/x" } }] }, key: "extraVolumes" },
  { name: "a volume source the chart does not take (nfs)", values: { extraVolumes: [{ name: "v", nfs: { server: "s", path: "/p" } }] }, key: "nfs" },
  { name: "a volume name that is no DNS label", values: { extraVolumes: [{ name: "My_Vol", emptyDir: {} }] }, key: "name" },
  { name: "a hostPath with a .. element", values: { extraVolumes: [{ name: "v", hostPath: { path: "/var/../etc" } }] }, key: "path" },
  { name: "an unknown hostPath type", values: { extraVolumes: [{ name: "v", hostPath: { path: "/x", type: "Dir" } }] }, key: "type" },
  { name: "a configMap item path that climbs out", values: { extraVolumes: [{ name: "v", configMap: { name: "c", items: [{ key: "k", path: "../k" }] } }] }, key: "path" },
  { name: "a file mode above 0777", values: { extraVolumes: [{ name: "v", secret: { secretName: "s", defaultMode: 512 } }] }, key: "defaultMode" },
  { name: "a mount of no volume", values: { extraVolumeMounts: [{ name: "nope", mountPath: "/x" }] }, key: "extraVolumeMounts[0] mounts \"nope\"" },
  { name: "two mounts at one path", values: { extraVolumes: [{ name: "a", emptyDir: {} }], extraVolumeMounts: [{ name: "a", mountPath: "/x" }, { name: "a", mountPath: "/x" }] }, key: "extraVolumeMounts[1] mounts at \"/x\"" },
  { name: "a volume named as the chart's own", values: { ...lp, extraVolumes: [{ name: "tracefs", emptyDir: {} }] }, key: "extraVolumes[0] is named \"tracefs\"" },
  { name: "Bidirectional propagation in leastPrivilege", values: { ...lp, extraVolumes: [{ name: "a", emptyDir: {} }], extraVolumeMounts: [{ name: "a", mountPath: "/x", mountPropagation: "Bidirectional" }] }, key: "mountPropagation is Bidirectional" },
  { name: "subPath and subPathExpr together", values: { extraVolumes: [{ name: "a", emptyDir: {} }], extraVolumeMounts: [{ name: "a", mountPath: "/x", subPath: "a", subPathExpr: "b" }] }, key: "extraVolumeMounts" },
  { name: "an absolute subPath", values: { extraVolumes: [{ name: "a", emptyDir: {} }], extraVolumeMounts: [{ name: "a", mountPath: "/x", subPath: "/a" }] }, key: "subPath" },
  { name: "an env name with a space", values: { extraEnv: [{ name: "MY VAR", value: "x" }] }, key: "name" },
  { name: "an env variable set twice", values: { extraEnv: [{ name: "A", value: "1" }, { name: "A", value: "2" }] }, key: "extraEnv[1] sets A" },
  { name: "a downward API field the API server does not serve", values: { extraEnv: [{ name: "A", valueFrom: { fieldRef: { fieldPath: "spec.foo" } } }] }, key: "fieldPath" },
  { name: "valueFrom with two sources", values: { extraEnv: [{ name: "A", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" }, secretKeyRef: { name: "s", key: "k" } } }] }, key: "extraEnv" },
  { name: "a value beside valueFrom", values: { extraEnv: [{ name: "A", value: "x", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }] }, key: "extraEnv" },
  { name: "a CPU divisor of 1Mi", values: { extraEnv: [{ name: "A", valueFrom: { resourceFieldRef: { resource: "limits.cpu", divisor: "1Mi" } } }] }, key: "divisor" },
  { name: "a Secret key name with a slash", values: { extraEnv: [{ name: "A", valueFrom: { secretKeyRef: { name: "s", key: "a/b" } } }] }, key: "key" },
  { name: "an envFrom Secret name in upper case", values: { envFrom: [{ secretRef: { name: "My-Secret" } }] }, key: "name" },
  { name: "an envFrom prefix starting with a digit", values: { envFrom: [{ configMapRef: { name: "c" }, prefix: "1_" }] }, key: "prefix" },
  { name: "a toleration key with a space", values: { tolerations: [{ key: "a b", operator: "Exists" }] }, key: "key" },
  { name: "a toleration value that is no label value", values: { tolerations: [{ key: "a", value: "a b" }] }, key: "value" },
  { name: "tolerationSeconds without NoExecute", values: { tolerations: [{ key: "a", operator: "Exists", effect: "NoSchedule", tolerationSeconds: 5 }] }, key: "tolerations" },
  { name: "pod anti-affinity (not taken: a DaemonSet already puts one pod on each node)", values: { affinity: { podAntiAffinity: {} } }, key: "podAntiAffinity" },
  { name: "In with no values", values: nodeTerm({ matchExpressions: [{ key: "a", operator: "In" }] }), key: "values" },
  { name: "Exists with values", values: nodeTerm({ matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] }), key: "values" },
  { name: "Gt with a word", values: nodeTerm({ matchExpressions: [{ key: "a", operator: "Gt", values: ["x"] }] }), key: "values" },
  { name: "a node selector key with a space", values: nodeTerm({ matchExpressions: [{ key: "a b", operator: "Exists" }] }), key: "key" },
  { name: "a matchFields key other than metadata.name", values: nodeTerm({ matchFields: [{ key: "spec.x", operator: "In", values: ["n"] }] }), key: "key" },
  { name: "maxUnavailable 0 with no maxSurge", values: { updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0 } } }, key: "rollingUpdate" },
  { name: "maxUnavailable 150%", values: { updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "150%" } } }, key: "maxUnavailable" },
  { name: "maxSurge as a bare word", values: { updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "g" } } }, key: "maxSurge" },
  { name: "maxSurge beside a non-zero maxUnavailable", values: { updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } } }, key: "rollingUpdate" },
  { name: "a matchFields value that is no node name", values: nodeTerm({ matchFields: [{ key: "metadata.name", operator: "In", values: ["Node 1"] }] }), key: "values" },
  { name: "a seccomp localhostProfile without type Localhost", values: { ...lp, leastPrivilege: { seccompProfile: { type: "RuntimeDefault", localhostProfile: "p.json" } } }, key: "seccompProfile" },
  { name: "an AppArmor localhostProfile without type Localhost", values: { ...lp, leastPrivilege: { appArmorProfile: { type: "RuntimeDefault", localhostProfile: "" } } }, key: "appArmorProfile" },
  { name: "an agent node CIDR with an octet above 255", values: { networkPolicy: { agentNodeCIDRs: ["52.7.899.632/0"] } }, key: "agentNodeCIDRs" },
  { name: "a quantity with a ten-digit exponent (kube-apiserver spends its request timeout on it)", values: { extraVolumes: [{ name: "v", emptyDir: { sizeLimit: "+.852473572e+029630681293" } }] }, key: "sizeLimit" },
  { name: "a memory limit with a three-digit exponent", values: { resources: { limits: { memory: "1e100" } } }, key: "memory" },
  { name: "a negative memory request", values: { resources: { requests: { memory: "-1" } } }, key: "memory" },
  { name: "a resource name that is no container resource", values: { resources: { limits: { gpu: "1" } } }, key: "resources.limits has \"gpu\"" },
  { name: "a request above its limit", values: { resources: { requests: { cpu: "2" }, limits: { cpu: "1500m" } } }, key: "resources.requests.cpu is 2, above its limit 1500m" },
  { name: "an extended resource requested below its limit", values: { resources: { requests: { "example.com/gpu": 1 }, limits: { "example.com/gpu": 2 } } }, key: "cannot be overcommitted" },
  { name: "image pull secrets without names (the minimal file the fuzz tier found)", values: { imagePullSecrets: [{}, { name: "" }] }, key: "imagePullSecrets" },
  { name: "an image pull secret listed twice", values: { imagePullSecrets: [{ name: "a" }, { name: "a" }] }, key: "imagePullSecrets" },
  { name: "a resource claim (the pod declares none)", values: { resources: { claims: [{ name: "gpu" }] } }, key: "claims" },
  { name: "an egress port beyond 65535", values: { networkPolicy: { extraEgress: [{ ports: [{ port: 70000 }] }] } }, key: "port" },
  { name: "an egress port named by digits only", values: { networkPolicy: { extraEgress: [{ ports: [{ port: "0" }] }] } }, key: "port" },
  { name: "an egress port range that ends before it starts", values: { networkPolicy: { extraEgress: [{ ports: [{ port: 90, endPort: 80 }] }] } }, key: "endPort is 80" },
  { name: "an egress CIDR that is no CIDR", values: { networkPolicy: { extraEgress: [{ to: [{ ipBlock: { cidr: "10.0.0.1" } }] }] } }, key: "cidr" },
  { name: "an egress peer with ipBlock and a selector", values: { networkPolicy: { extraEgress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8" }, podSelector: {} }] }] } }, key: "to" },
  { name: "an egress peer with nothing", values: { networkPolicy: { extraEgress: [{ to: [{}] }] } }, key: "to" },
];

const accepted: { name: string; values: object }[] = [
  { name: "the supported volume sources, mounted", values: { extraVolumes: [{ name: "a", hostPath: { path: "/var/run/datadog/", type: "DirectoryOrCreate" } }, { name: "b", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } }, { name: "b2", emptyDir: { sizeLimit: "1e9" } }, { name: "c", configMap: { name: "c", items: [{ key: "k", path: "dir/k.json", mode: 420 }] } }, { name: "d", secret: { secretName: "s", defaultMode: 256 } }, { name: "e", persistentVolumeClaim: { claimName: "p" } }], extraVolumeMounts: [{ name: "a", mountPath: "/a", mountPropagation: "HostToContainer" }, { name: "c", mountPath: "/c", subPath: "dir" }] } },
  { name: "a mount of the chart's tracefs volume elsewhere in leastPrivilege", values: { ...lp, extraVolumeMounts: [{ name: "tmp", mountPath: "/scratch" }] } },
  { name: "env from every source", values: { extraEnv: [{ name: "A", value: "" }, { name: "my.var-1", value: "x" }, { name: "N", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }, { name: "M", valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1Mi" } } }, { name: "S", valueFrom: { secretKeyRef: { name: "s", key: "api.key" } } }, { name: "C", valueFrom: { configMapKeyRef: { name: "c", key: "k", optional: true } } }] } },
  { name: "node affinity with every operator", values: nodeTerm({ matchExpressions: [{ key: "kubernetes.io/os", operator: "In", values: ["linux"] }, { key: "a", operator: "DoesNotExist" }, { key: "b", operator: "Gt", values: ["3"] }], matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["node-1"] }] }) },
  { name: "tolerations with tolerationSeconds on NoExecute", values: { tolerations: [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }] } },
  { name: "resources with equal extended requests and limits, and memory written two ways", values: { resources: { requests: { cpu: "100m", memory: "1Gi", "example.com/gpu": 1 }, limits: { memory: 1073741824, "example.com/gpu": "1" } } } },
  { name: "rolling updates by count and percentage", values: { updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } } } },
  { name: "egress to a CIDR and a port range", values: { networkPolicy: { extraEgress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8" } }, { ipBlock: { cidr: "fd00::/8" } }, { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "proxy" } } }], ports: [{ protocol: "TCP", port: 3128, endPort: 3130 }, { port: "https" }] }] } } },
];

await describeRefusals("API-server formats", refused, accepted);

// _validate.tpl lists the chart's own volumes and mount paths; a new one in daemonset.yaml must be
// listed there too, or an extraVolumes entry of its name reaches the API server.
await describeChartVolumes();
async function describeChartVolumes(): Promise<void> {
  const { helms } = await import("../../scripts/lib/helm.ts");
  const { render } = await import("../helpers/render.ts");
  const [helm] = await helms();
  const ds = (await render(helm, lp)).objects.find((o) => o.kind === "DaemonSet") as any;
  const volumes: string[] = ds.spec.template.spec.volumes.map((v: any) => v.name);
  const paths: string[] = ds.spec.template.spec.containers[0].volumeMounts.map((m: any) => m.mountPath);
  it.each(volumes)("refuses an extraVolumes entry named as the chart's own volume %s", async (name) => {
    const r = await render(helm, { ...lp, extraVolumes: [{ name, emptyDir: {} }] });
    expect(r.stderr).toContain(`extraVolumes[0] is named "${name}"`);
  });
  it.each(paths)("refuses an extra mount at the chart's own mount path %s", async (at) => {
    const r = await render(helm, { ...lp, extraVolumes: [{ name: "x", emptyDir: {} }], extraVolumeMounts: [{ name: "x", mountPath: at }] });
    expect(r.stderr).toContain(`mounts at "${at}"`);
  });
}
