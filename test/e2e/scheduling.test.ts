// The clusters users run: Node objects shaped like the nodes that can never run a host profiler (EKS
// Fargate, an AKS virtual node / virtual-kubelet, Windows) beside Ready Linux nodes, tainted
// control-plane and GPU nodes included, under the real DaemonSet controller. A fake kubelet makes pods
// Ready only on the Linux nodes (nothing on a Fargate or virtual node ever runs a DaemonSet's pod).
// The chart as it was before the exclusions (tolerations operator: Exists, no node affinity: the
// parent of the commit that added _scheduling.tpl) puts pods on the Fargate and virtual nodes, whose
// taints it tolerates, and its rollout never completes; the chart's required node affinity keeps them
// out, and the rollout completes.
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { repoRoot } from "../../scripts/lib/paths.ts";
import { helms } from "../../scripts/lib/helm.ts";
import { type ControlPlane, startControlPlane } from "../../scripts/cluster/control-plane.ts";
import { createFakeNode, markPodReady } from "../../scripts/cluster/fake-kubelet.ts";
import { isPodReady, targetNode } from "../../scripts/cluster/resources.ts";
import { chartDir, describeHelm, freshNamespace, helmOn, noWait, packageChartAt, PSA_LABEL, render, until } from "./lib.ts";

const HELMS = await helms();
const KEY = ["--set", "datadog.apiKeyExistingSecret=dd-secret"];

/** Nodes a profiler belongs on: plain, a tainted control-plane node, a tainted GPU node. */
const LINUX = ["linux-a", "linux-b", "control-plane-1", "gpu-1"];
/**
 * EKS Fargate: label eks.amazonaws.com/compute-type=fargate and taint eks.amazonaws.com/compute-type=fargate:NoSchedule
 * (aws/amazon-cloudwatch-agent-operator#183: a tolerate-everything DaemonSet "can't roll out completely as the pods will
 * never schedule on the fargate nodes"; fixed by node affinity in aws-observability/helm-charts#58).
 */
const FARGATE = "fargate-ip-192-168-10-20.eu-west-1.compute.internal";
/**
 * AKS virtual node (virtual-kubelet's ACI provider): virtual-kubelet/node-cli's NodeFromProvider
 * (internal/commands/root/node.go) labels every node type=virtual-kubelet, kubernetes.io/role=agent,
 * kubernetes.io/hostname, and kubernetes.io/os from the provider (linux); the taint is opts.DefaultTaintKey
 * virtual-kubelet.io/provider, valued the provider's name (azure on AKS), effect NoSchedule.
 */
const VIRTUAL = "virtual-node-aci-linux";
const WINDOWS = "windows-a";
const NEVER = [FARGATE, VIRTUAL, WINDOWS];

let cp: ControlPlane;
let stopKubelet: () => Promise<void>;
beforeAll(async () => {
  cp = await startControlPlane({ controllerManager: true });
  await createFakeNode(cp, "linux-a");
  await createFakeNode(cp, "linux-b");
  await createFakeNode(cp, "control-plane-1", {
    labels: { "node-role.kubernetes.io/control-plane": "" },
    taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }],
  });
  await createFakeNode(cp, "gpu-1", { labels: { "nvidia.com/gpu.present": "true" }, taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }] });
  await createFakeNode(cp, FARGATE, {
    labels: { "eks.amazonaws.com/compute-type": "fargate" },
    taints: [{ key: "eks.amazonaws.com/compute-type", value: "fargate", effect: "NoSchedule" }],
  });
  await createFakeNode(cp, VIRTUAL, {
    labels: { type: "virtual-kubelet", "kubernetes.io/role": "agent" },
    taints: [{ key: "virtual-kubelet.io/provider", value: "azure", effect: "NoSchedule" }],
  });
  await createFakeNode(cp, WINDOWS, { labels: { "kubernetes.io/os": "windows" } });
  // A kubelet on the Linux nodes only: their pods become Ready, the others' never do.
  let running = true;
  const loop = (async () => {
    while (running) {
      const pods = (await cp.api("GET", "/api/v1/pods").catch(() => ({ body: { items: [] } }))).body.items as any[];
      for (const p of pods) if (!p.metadata.deletionTimestamp && !isPodReady(p) && LINUX.includes(targetNode(p) ?? "")) await markPodReady(cp, p);
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  stopKubelet = async () => {
    running = false;
    await loop;
  };
});
afterAll(async () => {
  await stopKubelet?.();
  await cp?.stop();
});

async function dsStatus(ns: string, name: string): Promise<any> {
  return (await cp.api("GET", `/apis/apps/v1/namespaces/${ns}/daemonsets/${name}`)).body.status ?? {};
}
async function pods(ns: string): Promise<any[]> {
  return (await cp.api("GET", `/api/v1/namespaces/${ns}/pods`)).body.items;
}
/** `kubectl rollout status`, bounded: what a user (or a CD pipeline) waits on. */
function rolloutStatus(ns: string, name: string, timeout: string) {
  return cp.kubectl(["rollout", "status", `daemonset/${name}`, "-n", ns, `--timeout=${timeout}`]);
}

/** The commit that first added `path` (the history is there: a clone of the repository). */
async function commitThatAdded(path: string): Promise<string> {
  const r = await execa("git", ["log", "--diff-filter=A", "--format=%H", "--", path], { cwd: repoRoot });
  const commits = String(r.stdout).trim().split("\n").filter(Boolean);
  if (commits.length === 0) throw new Error(`no commit added ${path}: this test needs the repository's history`);
  return commits.at(-1)!;
}

describe.each(HELMS.map((h) => [h.id, h] as const))("%s", (_id, helm) => {
  test("the chart before the exclusions: pods wait forever on the Fargate and virtual nodes, and the rollout never completes", async () => {
    const old = await packageChartAt(helm, `${await commitThatAdded("chart/templates/_scheduling.tpl")}^`);
    try {
      const ns = await freshNamespace(cp, `sched-old-${helm.id}`, { [PSA_LABEL]: "privileged" });
      const release = `o${helm.major}`;
      const ds = (await render(helm, old.tgz, release, ns, KEY)).find((o) => o.kind === "DaemonSet");
      // Precondition: this really is the old scheduling (every taint tolerated, no node affinity).
      expect(ds.spec.template.spec.tolerations).toEqual([{ operator: "Exists" }]);
      expect(ds.spec.template.spec.affinity, "the chart before the exclusions has no node affinity").toBeUndefined();
      const inst = await helmOn(cp, helm, ["install", release, old.tgz, "-n", ns, noWait(helm), ...KEY]);
      expect(inst.ok, describeHelm(inst)).toBe(true);

      const want = LINUX.length + 2;
      const s = await until(`${want} scheduled pods, the ${LINUX.length} linux ones ready`, 60_000, async () => {
        const st = await dsStatus(ns, ds.metadata.name);
        return st.desiredNumberScheduled === want && st.numberReady === LINUX.length ? st : undefined;
      });
      const byNode = (await pods(ns)).map(targetNode).sort();
      expect(byNode, "the DaemonSet controller puts a pod on the Fargate and the virtual node (their taints are tolerated), none on Windows").toEqual([...LINUX, FARGATE, VIRTUAL].sort());
      // Bounded: 20 s after every Linux pod is Ready, the rollout is still incomplete.
      const r = await rolloutStatus(ns, ds.metadata.name, "20s");
      expect(r.ok, `kubectl rollout status should time out:\n${r.stdout}\n${r.stderr}`).toBe(false);
      expect(r.stderr).toMatch(/timed out/);
      const after = await dsStatus(ns, ds.metadata.name);
      expect([after.desiredNumberScheduled, after.numberReady, after.numberUnavailable], "desired, ready, unavailable").toEqual([want, LINUX.length, 2]);
      for (const p of (await pods(ns)).filter((p) => [FARGATE, VIRTUAL].includes(targetNode(p)!))) expect(isPodReady(p), `${p.metadata.name} on ${targetNode(p)}`).toBe(false);
      if (process.env.CI !== "true") console.log(`[e2e] ${helm.id}: chart before the exclusions: ${s.desiredNumberScheduled} pods desired, ${after.numberReady} ready, rollout still incomplete after 20s`);
      await helmOn(cp, helm, ["uninstall", release, "-n", ns, noWait(helm)]);
    } finally {
      old.cleanup();
    }
  });

  test("the chart's defaults: no pod targets a Fargate, virtual or Windows node, every Linux node (tainted ones included) gets one, and the rollout completes", async () => {
    const ns = await freshNamespace(cp, `sched-new-${helm.id}`, { [PSA_LABEL]: "privileged" });
    const release = `n${helm.major}`;
    const ds = (await render(helm, chartDir, release, ns, KEY)).find((o) => o.kind === "DaemonSet");
    const inst = await helmOn(cp, helm, ["install", release, chartDir, "-n", ns, noWait(helm), ...KEY]);
    expect(inst.ok, describeHelm(inst)).toBe(true);
    const r = await rolloutStatus(ns, ds.metadata.name, "60s");
    expect(r.ok, `kubectl rollout status:\n${r.stdout}\n${r.stderr}`).toBe(true);
    const st = await dsStatus(ns, ds.metadata.name);
    expect([st.desiredNumberScheduled, st.numberReady, st.numberUnavailable ?? 0]).toEqual([LINUX.length, LINUX.length, 0]);
    const byNode = (await pods(ns)).map(targetNode);
    expect([...byNode].sort()).toEqual([...LINUX].sort());
    for (const n of NEVER) expect(byNode, `no pod may target ${n}`).not.toContain(n);
    await helmOn(cp, helm, ["uninstall", release, "-n", ns, noWait(helm)]);
  });

  test("a user's own required node affinity keeps the exclusions (ANDed into its term), and scheduling.excludeNodes: false drops them", async () => {
    // The user wants amd64 nodes: every fake node is amd64, the Fargate and virtual ones too.
    const mine = ["--set-json", `affinity={"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"kubernetes.io/arch","operator":"In","values":["amd64"]}]}]}}}`];
    const ns = await freshNamespace(cp, `sched-user-${helm.id}`, { [PSA_LABEL]: "privileged" });
    const release = `u${helm.major}`;
    const ds = (await render(helm, chartDir, release, ns, [...KEY, ...mine])).find((o) => o.kind === "DaemonSet");
    expect((await helmOn(cp, helm, ["install", release, chartDir, "-n", ns, noWait(helm), ...KEY, ...mine])).ok).toBe(true);
    expect((await rolloutStatus(ns, ds.metadata.name, "60s")).ok).toBe(true);
    expect((await pods(ns)).map(targetNode).sort()).toEqual([...LINUX].sort());

    const up = await helmOn(cp, helm, ["upgrade", release, chartDir, "-n", ns, noWait(helm), ...KEY, ...mine, "--set", "scheduling.excludeNodes=false"]);
    expect(up.ok, describeHelm(up)).toBe(true);
    await until("pods on the Fargate and virtual nodes once the exclusions are off", 60_000, async () => {
      const on = (await pods(ns)).map(targetNode);
      return on.includes(FARGATE) && on.includes(VIRTUAL) ? on : undefined;
    });
    await helmOn(cp, helm, ["uninstall", release, "-n", ns, noWait(helm)]);
  });
});
