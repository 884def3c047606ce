// Small reads and writes of Kubernetes objects that every tier makes: namespaces with their default
// ServiceAccount, and what a pod's status says.
import type { ApiClient, ApiError } from "./api.ts";

/**
 * Namespace `name` with `labels`, and its "default" ServiceAccount: every real cluster has one in each
 * namespace (kube-controller-manager's serviceaccount controller makes it), and pods that name none,
 * like the chart's `helm test` pod, are refused without it. Either may exist already.
 */
export async function ensureNamespace(cp: ApiClient, name: string, labels: Record<string, string> = {}): Promise<void> {
  const create = async (path: string, body: object): Promise<void> => {
    try {
      await cp.api("POST", path, body);
    } catch (e) {
      if ((e as ApiError).status !== 409) throw e;
    }
  };
  await create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } });
  await create(`/api/v1/namespaces/${name}/serviceaccounts`, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default" } });
}

/** The node a DaemonSet pod is meant for: spec.nodeName, else its required node affinity on metadata.name. */
export function targetNode(pod: any): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) if (f.key === "metadata.name") return f.values?.[0];
  }
  return undefined;
}

export function isPodReady(pod: any): boolean {
  return (pod.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");
}
