// examples/with-datadog-agent/ as a user applies it: datadog-values.yaml to the Datadog chart
// (3.240.0, vendored) as release `datadog` in namespace `datadog`, values.yaml to this chart. The two
// renders must agree: the profiler's agent URL names the Service, namespace and trace port the Datadog
// chart really renders, and the NetworkPolicy lets out DNS and exactly that traffic to the Agent's
// pods. Checked on both Helms, and shown to bite on a render whose Service is named otherwise.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { describe, expect, test } from "vitest";
import { agentFacts, type AgentFacts, renderDatadogChart } from "../../scripts/cluster/datadog-agent.ts";
import { helms } from "../../scripts/lib/helm.ts";
import { matchesSelector, type KubeObject } from "../../scripts/lib/manifests.ts";
import { repoRoot } from "../../scripts/lib/paths.ts";
import { daemonSet, env, renderOk } from "../helpers/render.ts";

const dir = join(repoRoot, "examples", "with-datadog-agent");
const agentValues = load(readFileSync(join(dir, "datadog-values.yaml"), "utf8")) as object;
const ourValues = load(readFileSync(join(dir, "values.yaml"), "utf8")) as object;
const HELMS = await helms();

/** Every disagreement between this chart's render and the Agent the Datadog chart renders, a line each. */
function routeMismatches(ours: KubeObject[], agent: AgentFacts, clusterDomain = "cluster.local"): string[] {
  const out: string[] = [];
  const c = daemonSet(ours).spec.template.spec.containers[0];
  const want = `http://${agent.service.name}.${agent.service.namespace}.svc.${clusterDomain}:${agent.service.traceport.port}`;
  const url = env(c, "DD_TRACE_AGENT_URL")?.value;
  if (url !== want) out.push(`DD_TRACE_AGENT_URL is ${url}, but the Datadog chart's node-local Service is ${want}`);
  if (env(c, "DD_AGENT_HOST")) out.push("DD_AGENT_HOST is set, though the Service route needs no node IP");
  const policy = ours.find((o) => o.kind === "NetworkPolicy");
  if (!policy) return [...out, "no NetworkPolicy, though the example sets networkPolicy.create"];
  const egress = ((policy.spec as any).egress ?? []) as any[];
  // The rule for the trace port: policies see the Agent pod after the Service's translation, so its
  // port is the pod's (the Service's targetPort) and its peer the Agent pods in their namespace.
  const target = agent.service.traceport.targetPort;
  const toAgent = egress.filter((r) => (r.ports ?? []).some((p: any) => p.port === target || p.port === agent.service.traceport.port));
  if (toAgent.length !== 1) out.push(`expected one egress rule on the trace port ${target}, found ${toAgent.length}`);
  for (const r of toAgent) {
    const peers = (r.to ?? []) as any[];
    if (peers.length === 0) out.push("the trace port is open to any address");
    for (const p of peers) {
      const ns = p.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"];
      if (ns !== agent.service.namespace) out.push(`a trace-port peer selects namespace ${ns ?? "(any)"}, not the Agent's ${agent.service.namespace}`);
      if (!p.podSelector || !matchesSelector(p.podSelector, agent.daemonSet.podLabels)) out.push(`a trace-port peer's podSelector ${JSON.stringify(p.podSelector)} does not select the Agent pods (${JSON.stringify(agent.daemonSet.podLabels)})`);
    }
  }
  const dns = egress.some((r) => (r.ports ?? []).some((p: any) => p.port === 53 && p.protocol === "UDP"));
  if (!dns) out.push("no egress rule lets DNS out (UDP 53): the Service name cannot resolve");
  return out;
}

describe.each(HELMS.map((h) => [h.id, h] as const))("%s", (_id, helm) => {
  test("the profiler's agent URL and NetworkPolicy match the Datadog chart's Service, port, namespace and Agent pods", async () => {
    const facts = agentFacts(await renderDatadogChart(helm, { release: "datadog", namespace: "datadog", values: agentValues }));
    expect(facts.traceAgent.hostPort, "the example leaves the Agent's hostPort closed").toBeUndefined();
    const ours = await renderOk(helm, ourValues, { release: "profiler", namespace: "profiling" });
    expect(routeMismatches(ours, facts)).toEqual([]);
  });

  test("a Datadog release whose name lacks \"datadog\" is <release>-datadog, and agent.service reaches it", async () => {
    const facts = agentFacts(await renderDatadogChart(helm, { release: "obs", namespace: "monitoring", values: agentValues }));
    expect(facts.service.name).toBe("obs-datadog");
    const ours = await renderOk(helm, { ...ourValues, agent: { service: { name: "obs-datadog", namespace: "monitoring" } } }, { release: "profiler", namespace: "profiling" });
    expect(routeMismatches(ours, facts)).toEqual([]);
  });

  test("bites: an Agent installed under another release name is reported as a mismatch", async () => {
    const facts = agentFacts(await renderDatadogChart(helm, { release: "agent", namespace: "monitoring", values: agentValues }));
    const ours = await renderOk(helm, ourValues, { release: "profiler", namespace: "profiling" });
    const problems = routeMismatches(ours, facts);
    expect(problems.join("\n")).toContain("but the Datadog chart's node-local Service is http://agent-datadog.monitoring.svc.cluster.local:8126");
    expect(problems.join("\n")).toContain("not the Agent's monitoring");
    expect(problems.join("\n")).toContain("does not select the Agent pods");
  });
});
