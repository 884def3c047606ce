// How fast validateManifest is: compile time per version, then objects/second over a realistic mix
// (a profiler DaemonSet, its ServiceAccount, ClusterRole, ClusterRoleBinding, Secret, ConfigMap),
// with a share of broken objects so that the error path is measured too.
//
//   npx node scripts/kubernetes/bench-validate.ts [objectsPerVersion=2000]
import { performance } from "node:perf_hooks";
import { kubeVersions, validateManifest } from "./validate.ts";

function daemonSet(i: number, broken: boolean): Record<string, unknown> {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: `profiler-${i}`, namespace: "datadog", labels: { "app.kubernetes.io/name": "dd-otel-host-profiler", "app.kubernetes.io/instance": `r${i}` } },
    spec: {
      selector: { matchLabels: { "app.kubernetes.io/name": "dd-otel-host-profiler" } },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } },
      template: {
        metadata: { labels: { "app.kubernetes.io/name": "dd-otel-host-profiler" }, annotations: { "checksum/config": "abc" } },
        spec: {
          serviceAccountName: "profiler",
          hostPID: true,
          ...(broken ? { hostPid: true } : {}),
          tolerations: [{ operator: "Exists" }],
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/os", operator: "In", values: ["linux"] }] }] } } },
          containers: [
            {
              name: "profiler",
              image: "ghcr.io/datadog/dd-otel-host-profiler:v1.0.0",
              imagePullPolicy: "IfNotPresent",
              args: ["--collector-endpoint", "localhost:4317"],
              env: [
                { name: "DD_SITE", value: "datadoghq.com" },
                { name: "DD_API_KEY", valueFrom: { secretKeyRef: { name: "dd", key: "api-key" } } },
                { name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
              ],
              securityContext: { privileged: broken ? "yes" : true, runAsUser: 0 },
              resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
              volumeMounts: [{ name: "sys", mountPath: "/sys/kernel/debug", readOnly: true }],
            },
          ],
          volumes: [{ name: "sys", hostPath: { path: "/sys/kernel/debug", type: "Directory" } }],
        },
      },
    },
  };
}

function mix(i: number): Record<string, unknown>[] {
  const broken = i % 10 === 0;
  return [
    daemonSet(i, broken),
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "profiler", namespace: "datadog" } },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "profiler" }, rules: [{ apiGroups: [""], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] }] },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: "profiler" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "profiler" }, subjects: [{ kind: "ServiceAccount", name: "profiler", namespace: "datadog" }] },
    { apiVersion: "v1", kind: "Secret", metadata: { name: "dd" }, type: "Opaque", data: { "api-key": "MTIz" } },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg" }, data: { "config.yaml": "a: b" } },
  ];
}

const perVersion = Number(process.argv[2] ?? 2000);
const objects: Record<string, unknown>[] = [];
for (let i = 0; objects.length < perVersion; i++) objects.push(...mix(i));
objects.length = perVersion;

let total = 0;
let totalMs = 0;
for (const v of kubeVersions()) {
  const t0 = performance.now();
  for (const o of mix(1)) validateManifest(v, o); // first use: load the file and compile the kinds
  const compileMs = performance.now() - t0;
  const t1 = performance.now();
  let errors = 0;
  for (const o of objects) errors += validateManifest(v, o).length;
  const ms = performance.now() - t1;
  total += objects.length;
  totalMs += ms;
  console.log(
    `${v}: load+compile ${compileMs.toFixed(0)} ms; ${objects.length} objects in ${ms.toFixed(1)} ms ` +
      `= ${Math.round((objects.length / ms) * 1000)} objects/s (${errors} errors reported)`,
  );
}
console.log(`all versions: ${total} objects in ${totalMs.toFixed(1)} ms = ${Math.round((total / totalMs) * 1000)} objects/s (after compile)`);
