// Finds or builds (once per machine, into ~/.cache) the control-plane binaries before any test file
// runs, so the build's progress shows once and no test's timeout covers it.
import { ensureBinaries } from "../../scripts/cluster/binaries.ts";

export default async function setup(): Promise<void> {
  const t0 = Date.now();
  const b = await ensureBinaries();
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  process.stderr.write(
    `[e2e] Kubernetes ${b.version}: kube-apiserver (${b.sources.kubeApiserver}), kube-controller-manager (${b.sources.kubeControllerManager}), ` +
      `etcd (${b.sources.etcd}), kubectl (${b.sources.kubectl}); ready in ${secs}s\n`,
  );
}
