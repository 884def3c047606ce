// Fake nodes and a fake kubelet for the e2e tier: Node objects that report Ready, and pods marked
// Running and Ready through the status subresource, so the DaemonSet controller and Helm see what a
// cluster of any size would show, with no kubelet running.
import { eachLimited } from "../lib/pool.ts";
import type { ApiError } from "./api.ts";
import type { ControlPlane } from "./control-plane.ts";
import { isPodReady } from "./resources.ts";

export async function createFakeNode(
  cp: ControlPlane,
  name: string,
  o: { labels?: Record<string, string>; taints?: { key: string; value?: string; effect: string }[] } = {},
): Promise<void> {
  const labels = { "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name, ...o.labels };
  await cp.api("POST", "/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name, labels }, spec: { taints: o.taints ?? [] } });
  const now = new Date().toISOString();
  await cp.api(
    "PATCH",
    `/api/v1/nodes/${name}/status`,
    {
      status: {
        conditions: [{ type: "Ready", status: "True", reason: "FakeKubeletReady", message: "fake node of the e2e tier", lastHeartbeatTime: now, lastTransitionTime: now }],
        capacity: { cpu: "8", memory: "32Gi", pods: "110" },
        allocatable: { cpu: "8", memory: "32Gi", pods: "110" },
        nodeInfo: { architecture: "amd64", operatingSystem: "linux", kubeletVersion: cp.binaries.version, containerRuntimeVersion: "fake://0", kernelVersion: "6.1.0", osImage: "fake", kubeProxyVersion: "", bootID: "", machineID: "", systemUUID: "" },
      },
    },
    "application/merge-patch+json",
  );
}

/** Marks one pod Running and Ready through the status subresource (what a kubelet reports). */
export async function markPodReady(cp: ControlPlane, p: any): Promise<void> {
  const now = new Date().toISOString();
  try {
    await cp.api(
      "PATCH",
      `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}/status`,
      {
        status: {
          phase: "Running",
          startTime: now,
          conditions: ["PodScheduled", "Initialized", "ContainersReady", "Ready"].map((type) => ({ type, status: "True", lastTransitionTime: now })),
          containerStatuses: (p.spec.containers as any[]).map((c) => ({
            name: c.name, image: c.image, imageID: "", ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } },
          })),
        },
      },
      "application/merge-patch+json",
    );
  } catch (e) {
    // The pod went away (404) or changed under us (409): the next pass sees it as it is now.
    if ((e as ApiError).status !== 404 && (e as ApiError).status !== 409) throw e;
  }
}

/**
 * One pass of a fake kubelet over a namespace: every pod not yet Ready gets phase Running and a Ready
 * condition (pods stay unbound, so deleting them needs no kubelet). Returns how many pods it marked.
 */
export async function markPodsReady(cp: ControlPlane, namespace: string, labelSelector?: string): Promise<number> {
  const q = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : "";
  const pods = (await cp.api("GET", `/api/v1/namespaces/${namespace}/pods${q}`)).body.items as any[];
  const todo = pods.filter((p) => !p.metadata.deletionTimestamp && !isPodReady(p));
  await eachLimited(todo, 16, (p) => markPodReady(cp, p));
  return todo.length;
}

/**
 * A fake kubelet driven by a watch: every pod that appears not Ready in the namespace is marked Ready,
 * `concurrency` at a time. Scales to hundreds of pods (no re-listing).
 */
export async function watchingKubelet(cp: ControlPlane, namespace: string, concurrency = 16): Promise<{ stop(): void; marked(): number }> {
  const list = (await cp.api("GET", `/api/v1/namespaces/${namespace}/pods`)).body;
  const queue: any[] = list.items.filter((p: any) => !p.metadata.deletionTimestamp && !isPodReady(p));
  const seen = new Set<string>(queue.map((p) => p.metadata.uid));
  let marked = 0;
  let running = true;
  let wake: (() => void) | undefined;
  const w = cp.watch(`/api/v1/namespaces/${namespace}/pods?watch=1&resourceVersion=${list.metadata.resourceVersion}`, (e) => {
    const p = e.object;
    if ((e.type === "ADDED" || e.type === "MODIFIED") && !p.metadata.deletionTimestamp && !isPodReady(p) && !seen.has(p.metadata.uid)) {
      seen.add(p.metadata.uid);
      queue.push(p);
      wake?.();
    }
  });
  w.done.catch(() => {});
  for (let i = 0; i < concurrency; i++) {
    void (async () => {
      while (running) {
        const p = queue.shift();
        if (!p) {
          await new Promise<void>((r) => {
            wake = r;
            setTimeout(r, 100);
          });
          continue;
        }
        await markPodReady(cp, p).catch(() => {});
        marked++;
      }
    })();
  }
  return {
    stop() {
      running = false;
      w.stop();
    },
    marked: () => marked,
  };
}

/** A fake kubelet running markPodsReady every intervalMs until stopped. */
export function fakeKubelet(cp: ControlPlane, namespace: string, intervalMs = 250): { stop(): Promise<void> } {
  let running = true;
  let errors = 0;
  const loop = (async () => {
    while (running) {
      try {
        await markPodsReady(cp, namespace);
      } catch (e) {
        if (++errors > 20) throw e;
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}
