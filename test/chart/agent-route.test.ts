// The three routes to the Agent's trace endpoint (agent.url, agent.service.*, the node's hostPort).
// The Service route against Datadog's own chart's render is test/datadog-chart/with-datadog-agent.test.ts.
import { describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import type { KubeObject } from "../../scripts/lib/manifests.ts";
import { daemonSet, renderOk } from "../helpers/render.ts";

function profilerEnv(objects: KubeObject[]) {
  return daemonSet(objects).container.env!;
}

describe.each(await helms())("the route to the Agent with $id", (helm) => {
  it("defaults to the node route: DD_AGENT_HOST from the node's IP and agent.port", async () => {
    const env = profilerEnv(await renderOk(helm, { agent: { port: 8200 } }));
    expect(env.find((e) => e.name === "DD_AGENT_HOST")).toEqual({ name: "DD_AGENT_HOST", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } });
    expect(env.find((e) => e.name === "DD_TRACE_AGENT_URL")!.value).toBe("http://$(DD_AGENT_HOST):8200");
  });

  it.each([
    { name: "the release's namespace and cluster.local by default", values: { agent: { service: { name: "datadog" } } }, url: "http://datadog.profiling.svc.cluster.local:8126" },
    {
      name: "its namespace, port and the cluster's domain when set, whatever agent.port says",
      values: { agent: { port: 9999, service: { name: "obs-datadog", namespace: "monitoring", port: 8200 } }, clusterDomain: "corp.internal" },
      url: "http://obs-datadog.monitoring.svc.corp.internal:8200",
    },
  ])("on the Service route sends to $name, with no DD_AGENT_HOST", async ({ values, url }) => {
    const env = profilerEnv(await renderOk(helm, values));
    expect(env.find((e) => e.name === "DD_TRACE_AGENT_URL")!.value).toBe(url);
    expect(env.map((e) => e.name)).not.toContain("DD_AGENT_HOST");
  });

  it("sends to agent.url as given, with no DD_AGENT_HOST", async () => {
    const env = profilerEnv(await renderOk(helm, { agent: { url: "https://agent.example.com:8443" } }));
    expect(env.find((e) => e.name === "DD_TRACE_AGENT_URL")!.value).toBe("https://agent.example.com:8443");
    expect(env.map((e) => e.name)).not.toContain("DD_AGENT_HOST");
  });
});
