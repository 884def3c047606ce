// Follows a DaemonSet's pods through a watch and replays every change, so that claims about a rollout
// ("never more than maxUnavailable nodes without a ready pod", "every pod replaced") are checked on
// each state the API went through, not on samples.
//
// With no kubelet, pods become Ready only when a test's fake kubelet says so (markPodsReady), so what
// this measures is the DaemonSet controller's pacing against the API, which is the chart's part of a
// rollout (updateStrategy, selector, template), not container start-up.
import { type ControlPlane } from "./control-plane.ts";
import { isPodReady, targetNode } from "./resources.ts";

interface PodState {
  node?: string;
  image: string;
  ready: boolean;
  terminating: boolean;
}

export interface RolloutReport {
  /** Greatest number of nodes, among those watched, with no ready and non-terminating pod. */
  maxUnavailable: number;
  /** Pods created and deleted during the watch. */
  created: number;
  deleted: number;
  events: number;
}

export class PodTimeline {
  private pods = new Map<string, PodState>();
  maxUnavailable = 0;
  created = 0;
  deleted = 0;
  events = 0;
  private readonly nodes: string[];
  constructor(nodes: string[], initial: any[] = []) {
    this.nodes = nodes;
    for (const p of initial) this.pods.set(p.metadata.name, this.stateOf(p));
    this.maxUnavailable = this.unavailable();
  }

  private stateOf(p: any): PodState {
    return { node: targetNode(p), image: p.spec.containers[0].image, ready: isPodReady(p), terminating: Boolean(p.metadata.deletionTimestamp) };
  }

  apply(e: { type: string; object: any }): void {
    if (e.type === "BOOKMARK" || e.type === "ERROR") return;
    this.events++;
    const name = e.object.metadata.name;
    if (e.type === "DELETED") {
      if (this.pods.delete(name)) this.deleted++;
    } else {
      if (!this.pods.has(name)) this.created++;
      this.pods.set(name, this.stateOf(e.object));
    }
    this.maxUnavailable = Math.max(this.maxUnavailable, this.unavailable());
  }

  /** Nodes with no ready, non-terminating pod right now. */
  unavailable(): number {
    const ok = new Set<string>();
    for (const p of this.pods.values()) if (p.node && p.ready && !p.terminating) ok.add(p.node);
    return this.nodes.filter((n) => !ok.has(n)).length;
  }

  /** True when every node has exactly one pod, ready, running `image`, and nothing else is left. */
  doneWith(image: string): boolean {
    const live = [...this.pods.values()];
    if (live.length !== this.nodes.length) return false;
    const nodes = new Set(live.map((p) => p.node));
    return this.nodes.every((n) => nodes.has(n)) && live.every((p) => p.image === image && p.ready && !p.terminating);
  }

  report(): RolloutReport {
    return { maxUnavailable: this.maxUnavailable, created: this.created, deleted: this.deleted, events: this.events };
  }
}

/** Lists the namespace's pods and watches from that list's resourceVersion, feeding a PodTimeline. */
export async function followPods(cp: ControlPlane, namespace: string, nodes: string[]): Promise<{ timeline: PodTimeline; stop(): void }> {
  const list = (await cp.api("GET", `/api/v1/namespaces/${namespace}/pods`)).body;
  const timeline = new PodTimeline(nodes, list.items);
  const w = cp.watch(`/api/v1/namespaces/${namespace}/pods?watch=1&resourceVersion=${list.metadata.resourceVersion}`, (e) => timeline.apply(e));
  w.done.catch(() => {});
  return { timeline, stop: () => w.stop() };
}

/** maxUnavailable of a RollingUpdate DaemonSet as the controller computes it (percentages round up). */
export function maxUnavailableOf(ds: any, nodeCount: number): number {
  const v = ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1;
  if (typeof v === "number") return v;
  const m = /^(\d+)%$/.exec(String(v));
  if (!m) return Number(v);
  return Math.ceil((Number(m[1]) * nodeCount) / 100);
}
