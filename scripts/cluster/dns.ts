// The cluster DNS as pods see it: CoreDNS (scripts/cluster/coredns.ts) as a host process on the node
// IP, behind the kube-dns Service in kube-system at the Service range's 10th address, as kubeadm
// places it (k8s.io/kubernetes v1.35.4 cmd/kubeadm/app/constants/constants.go GetDNSIP). The kubelet
// writes that IP into every pod's resolv.conf; kube-proxy turns it into the node IP.
import type { ApiError } from "./api.ts";
import type { ControlPlane } from "./control-plane.ts";
import { startClusterDNS } from "./coredns.ts";
import type { Supervised } from "./process.ts";

export const CLUSTER_DNS_IP = "10.96.0.10";
export const CLUSTER_DOMAIN = "cluster.local";

async function createOrReplace(cp: ControlPlane, path: string, name: string, body: object): Promise<void> {
  try {
    await cp.api("POST", path, body);
  } catch (e) {
    if ((e as ApiError).status !== 409) throw e;
    await cp.api("PUT", `${path}/${name}`, body);
  }
}

/**
 * The kube-dns Service (no selector: its one endpoint is the node, where CoreDNS runs) and its
 * EndpointSlice, labeled as its own so the EndpointSlice controller leaves it alone.
 */
async function kubeDnsService(cp: ControlPlane, nodeName: string, ip: string): Promise<void> {
  const ports = [
    { name: "dns", port: 53, protocol: "UDP" },
    { name: "dns-tcp", port: 53, protocol: "TCP" },
  ];
  await createOrReplace(cp, "/api/v1/namespaces/kube-system/services", "kube-dns", {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "kube-dns", namespace: "kube-system", labels: { "k8s-app": "kube-dns" } },
    spec: { clusterIP: CLUSTER_DNS_IP, ports: ports.map((p) => ({ ...p, targetPort: 53 })) },
  });
  await createOrReplace(cp, "/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices", "kube-dns-node", {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: "kube-dns-node", namespace: "kube-system", labels: { "kubernetes.io/service-name": "kube-dns", "endpointslice.kubernetes.io/managed-by": "dd-prof-node" } },
    addressType: "IPv4",
    endpoints: [{ addresses: [ip], conditions: { ready: true }, nodeName }],
    ports,
  });
}

/** CoreDNS on the node IP, port 53, and the kube-dns Service in front of it. */
export async function startNodeDNS(o: { cp: ControlPlane; nodeName: string; ip: string; dir: string }): Promise<{ proc: Supervised }> {
  const dns = await startClusterDNS({ kubeconfig: o.cp.kubeconfig, listen: o.ip, port: 53, clusterDomain: CLUSTER_DOMAIN, dir: o.dir });
  await kubeDnsService(o.cp, o.nodeName, o.ip);
  return { proc: { name: "coredns", pid: dns.pid, logFile: dns.logFile, died: () => undefined, stop: () => dns.stop() } as Supervised };
}
