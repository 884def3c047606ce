// image.pullPolicy on a real kubelet, with the registry gone: the chart's default (IfNotPresent) starts
// a replacement pod from the image already on the node, as the kubelet says ("already present on
// machine"), while pullPolicy Always has the kubelet ask the registry at every pod start, so the same
// replacement fails (ErrImagePull, then ImagePullBackOff) while the registry is down. The registry is
// the node's own mirror of ghcr.io (scripts/cluster/containerd.ts); ghcr.io itself cannot be reached
// from here, so once the mirror stops nothing can serve a pull. One Helm: the pull policy is the
// kubelet's business, not Helm's. The mirror cannot be brought back, so the steps run in this order.
import { expect, test } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { DEFAULT_IMAGE, install, podsOf, runningPod, until, useNode, whyNotRunning } from "./lib.ts";

const env = useNode();
const [helm] = await helms();

async function podEvents(ns: string, pod: any): Promise<string[]> {
  return (await env.cp.api("GET", `/api/v1/namespaces/${ns}/events`)).body.items
    .filter((e: any) => e.involvedObject?.uid === pod.metadata.uid)
    .map((e: any) => `${e.reason}: ${e.message}`);
}

async function deletePod(ns: string, pod: any): Promise<void> {
  await env.cp.api("DELETE", `/api/v1/namespaces/${ns}/pods/${pod.metadata.name}?gracePeriodSeconds=0`);
}

/** The DaemonSet's replacement for `old`: a pod of another uid, not being deleted. */
function replacement(ns: string, old: any, what: string, f: (p: any) => boolean, timeoutMs = 90_000): Promise<any> {
  return until(what, timeoutMs, async () => (await podsOf(env, ns)).find((p) => p.metadata.uid !== old.metadata.uid && !p.metadata.deletionTimestamp && f(p)), 500);
}

test("with the registry down, IfNotPresent (the default) restarts from the cached image; Always fails to pull", async () => {
  // The default: the image is on the node (imported, as a node that ran it once has it), so no pull.
  const cached = await install(env, helm, {}, { prefix: "cache" });
  const first = await runningPod(env, cached.ns);
  expect(first.spec.containers[0].imagePullPolicy, "the chart's default pull policy").toBe("IfNotPresent");
  expect((await podEvents(cached.ns, first)).join("\n")).toContain(`Pulled: Container image "${DEFAULT_IMAGE}" already present on machine`);

  // Always, while the mirror is up: the kubelet pulls (the registry answers with the image's manifest).
  const always = await install(env, helm, { image: { pullPolicy: "Always" } }, { prefix: "always" });
  const alwaysFirst = await runningPod(env, always.ns);
  expect((await podEvents(always.ns, alwaysFirst)).join("\n")).toMatch(new RegExp(`Pulled: Successfully pulled image "${DEFAULT_IMAGE.replace(/[.]/g, "\\.")}"`));

  await env.node.stopRegistry();
  // ghcr.io now answers nowhere: the node's own pull says so (not the kubelet's, nothing cached in between).
  const probe = await env.node.pull(DEFAULT_IMAGE, 30_000);
  expect(probe.ok, "a pull must fail once the mirror is down").toBe(false);

  // IfNotPresent: the replacement runs from the cached image, and the kubelet says it did not pull.
  await deletePod(cached.ns, first);
  const second = await replacement(cached.ns, first, "the IfNotPresent replacement to run", (p) => p.status?.containerStatuses?.[0]?.state?.running);
  expect(second.status.containerStatuses[0].image).toBe(DEFAULT_IMAGE);
  expect((await podEvents(cached.ns, second)).join("\n")).toContain(`Pulled: Container image "${DEFAULT_IMAGE}" already present on machine`);
  console.log(`[node] IfNotPresent with no registry: ${second.metadata.name} running (${(await podEvents(cached.ns, second)).find((e) => e.startsWith("Pulled:"))})`);

  // Always: the same restart needs the registry, and fails.
  await deletePod(always.ns, alwaysFirst);
  const failed = await replacement(always.ns, alwaysFirst, "the Always replacement to fail its pull", (p) =>
    ["ErrImagePull", "ImagePullBackOff"].includes(p.status?.containerStatuses?.[0]?.state?.waiting?.reason),
  );
  const why = await whyNotRunning(env, always.ns, failed);
  expect(failed.status.phase).toBe("Pending");
  expect(why).toMatch(/Failed: Failed to pull image "ghcr\.io\/datadog\/dd-otel-host-profiler:v/);
  expect((await podsOf(env, always.ns)).some((p) => p.status?.containerStatuses?.[0]?.state?.running), "no Always pod runs without the registry").toBe(false);
  console.log(`[node] Always with no registry: ${failed.metadata.name} ${failed.status.containerStatuses[0].state.waiting.reason}`);
});
