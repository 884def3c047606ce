// networkPolicy.create: no ingress, and egress only to DNS, the Agent's trace port, HTTPS and (when
// the profiler reads pods) the API server, plus the user's extra rules. Off by default.
import { describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { findObject, matchesSelector, type KubeObject } from "../../scripts/lib/manifests.ts";
import { daemonSet, render, renderOk } from "../helpers/render.ts";

type Rule = { to?: object[]; ports: { protocol: string; port: number }[] };
const policy = (objects: KubeObject[]) => findObject(objects, "NetworkPolicy") as KubeObject & { spec: { podSelector: { matchLabels: Record<string, string> }; policyTypes: string[]; ingress?: unknown; egress: Rule[] } };
const dns: Rule = {
  to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }],
  ports: [
    { protocol: "UDP", port: 53 },
    { protocol: "TCP", port: 53 },
  ],
};
const https: Rule = { ports: [{ protocol: "TCP", port: 443 }] };
const tcp = (port: number) => [{ protocol: "TCP", port }];

describe.each(await helms())("NetworkPolicy with $id", (helm) => {
  it("is not rendered by default", async () => {
    expect(findObject(await renderOk(helm), "NetworkPolicy")).toBeUndefined();
  });

  it("denies all ingress and allows DNS, the node Agent's port and HTTPS, selecting the profiler and helm test pods", async () => {
    const objects = await renderOk(helm, { networkPolicy: { create: true } });
    const np = policy(objects);
    expect(np.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(np.spec.ingress).toBeUndefined();
    expect(np.spec.egress).toEqual([dns, { ports: tcp(8126) }, https]);
    const selects = (labels: Record<string, string>) => matchesSelector(np.spec.podSelector, labels);
    const podLabels = (daemonSet(objects).spec.template.metadata as { labels: Record<string, string> }).labels;
    expect(selects(podLabels)).toBe(true);
    expect(selects(findObject(objects, "Pod")!.metadata.labels!)).toBe(true);
    // Not the pods of another release of the chart in the same namespace.
    expect(selects({ ...podLabels, "app.kubernetes.io/instance": "other" })).toBe(false);
  });

  it.each([
    { name: "node CIDRs", values: { agent: { port: 8200 }, networkPolicy: { agentNodeCIDRs: ["10.0.0.0/16", "fd00::/64"] } }, rule: { to: [{ ipBlock: { cidr: "10.0.0.0/16" } }, { ipBlock: { cidr: "fd00::/64" } }], ports: tcp(8200) } },
    { name: "an Agent Service", values: { agent: { url: "http://datadog-agent.datadog.svc.cluster.local:8126" } }, rule: { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "datadog" } } }], ports: tcp(8126) } },
    {
      name: "the Agent pods behind its node-local Service (agent.service.name), by namespace and the Datadog chart's app label",
      values: { agent: { port: 9999, service: { name: "datadog", namespace: "datadog" } }, networkPolicy: { agentNodeCIDRs: ["10.0.0.0/16"] } },
      rule: { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "datadog" } }, podSelector: { matchLabels: { app: "datadog" } } }], ports: tcp(8126) },
    },
    {
      name: "the Agent pods of a Service in the release's namespace, with their own labels and port",
      values: { agent: { service: { name: "obs-datadog", port: 8200, podLabels: { "app.kubernetes.io/name": "datadog-agent", tier: "node" } } } },
      rule: { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "profiling" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "datadog-agent", tier: "node" } } }], ports: tcp(8200) },
    },
    { name: "an IPv4 address with https and no port", values: { agent: { url: "https://10.1.2.3" } }, rule: { to: [{ ipBlock: { cidr: "10.1.2.3/32" } }], ports: tcp(443) } },
    { name: "an IPv6 address", values: { agent: { url: "http://[fd00::1]:8126/" } }, rule: { to: [{ ipBlock: { cidr: "fd00::1/128" } }], ports: tcp(8126) } },
    { name: "any other host, plain http without a port", values: { agent: { url: "http://agent.example.com" } }, rule: { ports: tcp(80) } },
  ])("opens the Agent rule to $name", async ({ values, rule }) => {
    const np = policy(await renderOk(helm, { ...values, networkPolicy: { create: true, ...(values as { networkPolicy?: object }).networkPolicy } }));
    expect(np.spec.egress[1]).toEqual(rule);
  });

  it("on the Service route, opens the trace port to nothing but the Agent pods", async () => {
    const np = policy(await renderOk(helm, { agent: { service: { name: "datadog", namespace: "datadog" } }, networkPolicy: { create: true } }));
    expect(np.spec.egress).toHaveLength(3);
    const withPort = np.spec.egress.filter((r) => r.ports.some((p) => p.port === 8126));
    expect(withPort).toHaveLength(1);
    expect(withPort[0].to).toHaveLength(1);
    expect(withPort[0].to![0]).toHaveProperty("podSelector");
  });

  it("allows the API server's port only when the profiler reads pods, then appends extraEgress", async () => {
    const extra = { to: [{ ipBlock: { cidr: "169.254.20.10/32" } }], ports: [{ protocol: "UDP", port: 53 }] };
    const off = policy(await renderOk(helm, { networkPolicy: { create: true, extraEgress: [extra] } }));
    expect(off.spec.egress).toEqual([dns, { ports: tcp(8126) }, https, extra]);
    const on = policy(await renderOk(helm, { profiler: { splitByService: false, hostService: "cluster-hosts" }, networkPolicy: { create: true, extraEgress: [extra] } }));
    expect(on.spec.egress).toEqual([dns, { ports: tcp(8126) }, https, { ports: tcp(6443) }, extra]);
  });

  it("refuses a node CIDR that is not one, naming the key", async () => {
    const r = await render(helm, { networkPolicy: { create: true, agentNodeCIDRs: ["10.0.0.0"] } });
    expect(r.ok).toBe(false);
    expect(r.stderr).toMatch(/networkPolicy[./]agentNodeCIDRs/);
  });
});
