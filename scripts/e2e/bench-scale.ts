// Scale check: the chart's DaemonSet on N fake nodes (default 500) on a real kube-apiserver and
// kube-controller-manager on 127.0.0.1. Prints, as figures:
//   - install -> every pod created (the DaemonSet controller's slow-start batches against the API),
//   - install -> every pod Ready (a watch-driven fake kubelet marks each new pod Ready),
//   - image change -> every pod replaced by a Ready pod of the new image, and the most nodes that
//     were without a Ready pod at any moment (checked on every pod event) against maxUnavailable.
// With no kubelet and no containers, these time the controller and the API, which is the chart's
// part of an install or a rollout at scale (updateStrategy, template, selector), not container start.
//
// Usage: npx node scripts/e2e/bench-scale.ts [--nodes 500] [--helm 3|4] [--kcm-qps 20] [--json]
// --kcm-qps is kube-controller-manager's --kube-api-qps; 20 is Kubernetes' default, and it, not the chart,
// bounds how fast 500 pods are created (about 25 s at 20, about 2 s at 200, measured here).
import { parseArgs } from "node:util";
import { helms, helmTemplate, runHelm } from "../lib/helm.ts";
import { findObject, parseManifests } from "../lib/manifests.ts";
import { chartDir } from "../lib/paths.ts";
import { createFakeNode, watchingKubelet } from "../cluster/fake-kubelet.ts";
import { eachLimited } from "../lib/pool.ts";
import { startControlPlane } from "../cluster/control-plane.ts";
import { followPods, maxUnavailableOf } from "../cluster/rollout.ts";

const { values: args } = parseArgs({
  options: {
    nodes: { type: "string", default: "500" },
    helm: { type: "string", default: "4" },
    "kcm-qps": { type: "string", default: "20" },
    json: { type: "boolean", default: false },
  },
});
const N = Number(args.nodes);
const qps = Number(args["kcm-qps"]);
const helm = (await helms()).find((h) => String(h.major) === args.helm) ?? (await helms())[0];
const log = (l: string) => process.stderr.write(`[bench-scale] ${l}\n`);
const secs = (ms: number) => (ms / 1000).toFixed(2);

async function waitUntil(what: string, timeoutMs: number, fn: () => boolean | Promise<boolean>): Promise<number> {
  const t0 = Date.now();
  while (!(await fn())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000}s: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now();
}

const figures: Record<string, number | string> = { nodes: N, helm: helm.version, kcmQps: qps };
const tStart = Date.now();
const cp = await startControlPlane({ controllerManager: true, controllerManagerQps: qps, log });
try {
  figures.controlPlaneUpS = Number(secs(Date.now() - tStart));
  figures.kubernetes = cp.binaries.version;
  const nodes = Array.from({ length: N }, (_, i) => `node-${String(i).padStart(4, "0")}`);
  let t = Date.now();
  await eachLimited(nodes, 16, (n) => createFakeNode(cp, n, i(n) % 10 === 0 ? { taints: [{ key: "dedicated", value: "batch", effect: "NoSchedule" }] } : {}));
  figures.nodesCreatedS = Number(secs(Date.now() - t));
  log(`${N} fake nodes created in ${figures.nodesCreatedS}s (every 10th tainted NoSchedule)`);

  const ns = "bench";
  await cp.api("POST", "/api/v1/namespaces", { metadata: { name: ns, labels: { "pod-security.kubernetes.io/enforce": "privileged" } } });
  const flags = ["--set", "datadog.apiKeyExistingSecret=dd-secret"];
  const rendered = await helmTemplate(helm, chartDir, { release: "bench", namespace: ns, extraArgs: flags });
  const ds = findObject(parseManifests(rendered.stdout), "DaemonSet");
  if (!ds) throw new Error("the chart rendered no DaemonSet");
  const dsSpec = ds.spec as { updateStrategy?: { rollingUpdate?: { maxUnavailable?: number | string } }; template: { spec: { containers: { image: string }[] } } };
  const maxUnavailable = dsSpec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1;
  const allowed = maxUnavailableOf(ds, N);

  const kubelet = await watchingKubelet(cp, ns);
  const follow = await followPods(cp, ns, nodes);
  const created = () => follow.timeline.created;
  t = Date.now();
  const inst = await runHelm(helm, ["install", "bench", chartDir, "-n", ns, helm.major >= 4 ? "--wait=hookOnly" : "--wait=false", ...flags, "--kubeconfig", cp.kubeconfig]);
  if (!inst.ok) throw new Error(`helm install failed: ${inst.stderr}`);
  const tInstalled = Date.now();
  figures.helmInstallS = Number(secs(tInstalled - t));
  const tCreated = await waitUntil(`${N} pods created`, 600_000, () => created() >= N);
  figures.installToAllCreatedS = Number(secs(tCreated - t));
  log(`install -> ${N} pods created: ${figures.installToAllCreatedS}s`);
  const oldImage = dsSpec.template.spec.containers[0].image;
  const tReady = await waitUntil(`${N} pods ready`, 600_000, () => follow.timeline.doneWith(oldImage));
  figures.installToAllReadyS = Number(secs(tReady - t));
  log(`install -> ${N} pods ready (fake kubelet): ${figures.installToAllReadyS}s`);
  follow.stop();

  const roll = await followPods(cp, ns, nodes);
  const newImage = oldImage.replace(/:[^:@/]+$/, ":v0.4.1");
  t = Date.now();
  const up = await runHelm(helm, ["upgrade", "bench", chartDir, "-n", ns, helm.major >= 4 ? "--wait=hookOnly" : "--wait=false", ...flags, "--set", "image.tag=v0.4.1", "--kubeconfig", cp.kubeconfig]);
  if (!up.ok) throw new Error(`helm upgrade failed: ${up.stderr}`);
  const tRolled = await waitUntil(`${N} pods replaced`, 1_200_000, () => roll.timeline.doneWith(newImage));
  roll.stop();
  kubelet.stop();
  const rep = roll.timeline.report();
  figures.imageChangeToAllReplacedS = Number(secs(tRolled - t));
  figures.rolloutMaxUnavailable = rep.maxUnavailable;
  figures.rolloutAllowedUnavailable = allowed;
  figures.rolloutPodEvents = rep.events;
  log(`image change -> ${N} pods replaced and ready: ${figures.imageChangeToAllReplacedS}s (at most ${rep.maxUnavailable} nodes without a ready pod; maxUnavailable ${maxUnavailable} = ${allowed})`);
  if (rep.deleted !== N || rep.created !== N) throw new Error(`rollout replaced ${rep.deleted} old and created ${rep.created} new pods, expected ${N} each`);
  if (rep.maxUnavailable > allowed) throw new Error(`rollout had ${rep.maxUnavailable} nodes without a ready pod, more than maxUnavailable (${allowed})`);
} finally {
  await cp.stop();
}

if (args.json) console.log(JSON.stringify(figures));
else {
  console.log(`bench-scale: chart DaemonSet on ${N} fake nodes (Kubernetes ${figures.kubernetes}, Helm ${figures.helm}, kube-controller-manager QPS ${qps})`);
  console.log(`  control plane up                          ${figures.controlPlaneUpS} s`);
  console.log(`  ${N} fake nodes created                     ${figures.nodesCreatedS} s`);
  console.log(`  helm install (returns)                    ${figures.helmInstallS} s`);
  console.log(`  install -> every pod created              ${figures.installToAllCreatedS} s`);
  console.log(`  install -> every pod Ready (fake kubelet) ${figures.installToAllReadyS} s`);
  console.log(`  image change -> every pod replaced, Ready ${figures.imageChangeToAllReplacedS} s`);
  console.log(`  rollout: most nodes without a Ready pod   ${figures.rolloutMaxUnavailable} (maxUnavailable allows ${figures.rolloutAllowedUnavailable})`);
}

function i(name: string): number {
  return Number(name.slice(5));
}
