// Before any node test: the machine has what a node needs (else one message says what is missing and
// how to get it), and kubelet, kube-scheduler, the control plane and the profiler stand-in are built.
import { ensureBinaries } from "../../scripts/cluster/binaries.ts";
import { buildStandin } from "../../scripts/standin/image.ts";
import { missingPrerequisites } from "../../scripts/cluster/prerequisites.ts";

export default async function setup(): Promise<void> {
  const missing = missingPrerequisites();
  if (missing.length) throw new Error(`the node tier cannot run on this machine:\n  ${missing.join("\n  ")}`);
  const t0 = Date.now();
  const b = await ensureBinaries({ withNode: true });
  await buildStandin((l) => process.stderr.write(`[node] ${l}\n`));
  process.stderr.write(`[node] Kubernetes ${b.version}: kubelet (${b.sources.kubelet}), kube-scheduler (${b.sources.kubeScheduler}); ready in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
}
