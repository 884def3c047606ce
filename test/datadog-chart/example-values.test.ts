// examples/with-datadog-agent/datadog-values.yaml, the values a user gives Datadog's own chart, renders
// (vendored 3.240.0, release `datadog` in namespace `datadog`) the node-local Service the profiler
// chart points at, with the trace-agent's host port closed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { repoRoot } from "../../scripts/lib/paths.ts";
import { agentFacts, renderDatadogChart } from "../../scripts/cluster/datadog-agent.ts";

const file = join(repoRoot, "examples", "with-datadog-agent", "datadog-values.yaml");
const values = load(readFileSync(file, "utf8")) as Record<string, any>;

describe.each(await helms())("examples/with-datadog-agent/datadog-values.yaml with $id", (helm) => {
  it("renders the node-local Service datadog and no hostPort", async () => {
    const objects = await renderDatadogChart(helm, { release: "datadog", namespace: "datadog", values });
    const f = agentFacts(objects);
    expect(f.service).toMatchObject({ name: "datadog", namespace: "datadog", internalTrafficPolicy: "Local", traceport: { port: 8126 } });
    expect(f.traceAgent.hostPort).toBeUndefined();
    // the API key is read from the user's Secret, so the chart renders none of its own holding a key
    const ds = objects.find((o) => o.kind === "DaemonSet");
    const key = ds.spec.template.spec.containers.find((c: any) => c.name === "trace-agent").env.find((e: any) => e.name === "DD_API_KEY");
    expect(key.valueFrom.secretKeyRef).toEqual({ name: values.datadog.apiKeyExistingSecret, key: "api-key" });
    expect(objects.some((o) => o.kind === "Secret" && o.data?.["api-key"] !== undefined)).toBe(false);
  });

  it("would be caught opening the host port", async () => {
    const opened = structuredClone(values);
    opened.datadog.apm.portEnabled = true;
    const f = agentFacts(await renderDatadogChart(helm, { release: "datadog", namespace: "datadog", values: opened }));
    expect(f.traceAgent.hostPort).toBe(8126);
  });
});
