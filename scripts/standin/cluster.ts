// The cluster the node tier and `npm run demo` run on: a control plane with the controllers a real
// node needs, one real node (scripts/cluster/node.ts) whose images are the profiler stand-in's, and
// the probe target the stand-in's probes look at (scripts/standin/target.ts).
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { ensureBinaries } from "../cluster/binaries.ts";
import { type ControlPlane, startControlPlane } from "../cluster/control-plane.ts";
import { type KubeNode, startNode } from "../cluster/node.ts";
import { buildStandin, type ImageSpec, PAUSE_IMAGE, profilerImage, writeImageArchive } from "./image.ts";
import { startTarget } from "./target.ts";

/**
 * Controllers beside the DaemonSet controller: the root CA publisher (token volumes), node lifecycle
 * (lifts the not-ready taint a new node registers with), EndpointSlices (kube-proxy routes Services by them).
 */
export const NODE_CONTROLLERS = ["root-ca-certificate-publisher-controller", "node-lifecycle-controller", "endpointslice-controller"];

export interface StandinNode extends KubeNode {
  /** Imports the stand-in under each reference (a bare reference has v0.4.0's entrypoint). */
  importImages(images: (string | ImageSpec)[]): Promise<void>;
}

export interface StandinCluster {
  cp: ControlPlane;
  node: StandinNode;
  stop(): Promise<void>;
}

/** The stand-in under each reference, as one OCI archive. */
async function archiveOf(standin: string, images: (string | ImageSpec)[]) {
  const specs = images.map((i) => (typeof i === "string" ? profilerImage(i) : i));
  const dir = mkdtempSync(join(tmpdir(), "ddprof-images-"));
  return { archive: await writeImageArchive(standin, specs, dir), refs: specs.map((s) => s.ref), dir };
}

export async function startCluster(o: { images: (string | ImageSpec)[]; log?: (line: string) => void }): Promise<StandinCluster> {
  const binaries = await ensureBinaries({ withNode: true });
  const standin = await buildStandin(o.log);
  const cp = await startControlPlane({ controllerManager: true, extraControllers: NODE_CONTROLLERS, binaries, log: o.log });
  const made: string[] = [];
  const archive = async (images: (string | ImageSpec)[]) => {
    const a = await archiveOf(standin, images);
    made.push(a.dir);
    return a;
  };
  let node: KubeNode;
  try {
    node = await startNode({ cp, sandbox: await archive([{ ref: PAUSE_IMAGE, entrypoint: ["/pause"] }]), images: [await archive(o.images)], log: o.log });
  } catch (e) {
    await cp.stop();
    throw e;
  } finally {
    for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
  }
  const target = startTarget(node.dir, standin);
  await target.ready();
  const standinNode: StandinNode = {
    ...node,
    async importImages(images) {
      const a = await archive(images);
      try {
        await node.importArchive(a);
      } finally {
        rmSync(a.dir, { recursive: true, force: true });
      }
    },
  };
  return {
    cp,
    node: standinNode,
    async stop() {
      await target.stop();
      await node.stop();
      await cp.stop();
    },
  };
}

if (import.meta.main) {
  // A live node for a person (or the teardown test): a control plane and one node with the stand-in
  // under the chart's default image, until Ctrl-C. Prints one JSON line: kubeconfig and host state.
  const { readChartMeta } = await import("../lib/chart.ts");
  const { hostStateJson } = await import("../cluster/host-state.ts");
  const log = (l: string) => process.stderr.write(`[node] ${l}\n`);
  const { cp, node } = await startCluster({ images: [`ghcr.io/datadog/dd-otel-host-profiler:v${readChartMeta().appVersion}`], log });
  process.stdout.write(`${JSON.stringify({ kubeconfig: cp.kubeconfig, node: node.name, ip: node.ip, logs: node.logs, state: hostStateJson(node.hostState()) })}\n`);
  log(`ready: KUBECONFIG=${cp.kubeconfig}; Ctrl-C stops and removes everything`);
  await new Promise(() => {});
}
