// Datadog's own chart (vendored 3.240.0) as the profiler chart relies on it: the node-local Service in
// front of the trace-agent, read from renders by scripts/cluster/datadog-agent.ts, and the cut-down
// objects the node tier applies. Every fact is read from the render, so a chart that moved them fails here.
import { beforeAll, describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import type { KubeObject } from "../../scripts/lib/manifests.ts";
import { DATADOG_CHART, STAND_IN_COMMAND, agentFacts, agentObjectsForNode, checkChartVersion, renderDatadogChart, vendoredChartVersion } from "../../scripts/cluster/datadog-agent.ts";

// The chart's defaults plus an API key from an existing Secret: the Agent DaemonSet renders only with a key.
const withKey = { datadog: { apiKeyExistingSecret: "datadog-secret" } };
const image = "localhost/dd-otel-host-profiler:stand-in";

function podSpec(o: KubeObject): any {
  return (o.spec as any)?.template?.spec;
}

describe.each(await helms())("the Datadog chart with $id", (helm) => {
  let defaults: KubeObject[];
  beforeAll(async () => {
    defaults = await renderDatadogChart(helm, { release: "datadog", namespace: "datadog", values: withKey });
  });

  it("is the version the code was written against", async () => {
    const found = await vendoredChartVersion(helm);
    expect(() => checkChartVersion(found)).not.toThrow();
    expect(found).toBe(DATADOG_CHART.version);
  });

  it("with its defaults puts a node-local Service `datadog` on traceport 8126 and leaves the host port closed", () => {
    const f = agentFacts(defaults);
    expect(f.service).toEqual({ name: "datadog", namespace: "datadog", internalTrafficPolicy: "Local", selector: { app: "datadog" }, traceport: { port: 8126, targetPort: 8126 } });
    expect(f.daemonSet.name).toBe("datadog");
    expect(f.daemonSet.podLabels.app).toBe("datadog");
    expect(f.traceAgent.containerPort).toBe(8126);
    expect(f.traceAgent.hostPort).toBeUndefined();
    expect(f.traceAgent.env).toEqual({ DD_APM_RECEIVER_PORT: "8126", DD_APM_NON_LOCAL_TRAFFIC: "true" });
  });

  it("names the Service <release>-datadog for a release without \"datadog\" in its name", async () => {
    const f = agentFacts(await renderDatadogChart(helm, { release: "agent", namespace: "monitoring", values: withKey }));
    expect(f.service.name).toBe("agent-datadog");
    expect(f.service.namespace).toBe("monitoring");
    expect(f.daemonSet.name).toBe("agent-datadog");
  });

  it("renames the Service with agents.localService.overrideName", async () => {
    const f = agentFacts(await renderDatadogChart(helm, { release: "datadog", namespace: "datadog", values: { ...withKey, agents: { localService: { overrideName: "dd-local" } } } }));
    expect(f.service.name).toBe("dd-local");
    expect(f.service.traceport.port).toBe(8126);
  });

  it("opens hostPort 8126 with datadog.apm.portEnabled: true", async () => {
    const f = agentFacts(await renderDatadogChart(helm, { release: "datadog", namespace: "datadog", values: { datadog: { ...withKey.datadog, apm: { portEnabled: true } } } }));
    expect(f.traceAgent.hostPort).toBe(8126);
  });

  it("keeps those facts in the node tier's objects, running only the given image", () => {
    const node = agentObjectsForNode(defaults, { image });
    expect(agentFacts(node.objects)).toEqual(agentFacts(defaults));
    const pods = node.objects.filter((o) => podSpec(o));
    expect(pods.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["DaemonSet/datadog"]);
    const pod = podSpec(pods[0]);
    expect(pod.initContainers).toBeUndefined();
    expect(pod.containers.map((c: any) => [c.name, c.image, c.command, c.imagePullPolicy])).toEqual([["trace-agent", image, STAND_IN_COMMAND, "IfNotPresent"]]);
    // every volume left is mounted, and no mount is left without its volume
    const mounts = pod.containers[0].volumeMounts.map((m: any) => m.name).sort();
    expect(pod.volumes.map((v: any) => v.name).sort()).toEqual(mounts);
    // what the kept pod names is applied with it (ServiceAccount, the cluster-agent token Secret, kpi ConfigMap)
    const ids = node.objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(ids).toContain(`ServiceAccount/${pod.serviceAccountName}`);
    for (const e of pod.containers[0].env) {
      const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
      if (ref) expect(ids).toContain(`${e.valueFrom.secretKeyRef ? "Secret" : "ConfigMap"}/${ref.name}`);
    }
    expect(ids.some((i) => /^(Deployment|CustomResourceDefinition)\//.test(i))).toBe(false);
    expect(ids).not.toContain("Deployment/datadog-cluster-agent");
    for (const t of node.trims) {
      expect(t.what).not.toBe("");
      expect(t.why).not.toBe("");
    }
    expect(node.trims.map((t) => t.what)).toEqual(expect.arrayContaining(["Deployment/datadog-cluster-agent", "DaemonSet/datadog container agent", "DaemonSet/datadog container trace-agent env DD_API_KEY"]));
  });

  it("keeps the hostPort in the node tier's objects when the chart renders one", async () => {
    const objects = await renderDatadogChart(helm, { release: "datadog", namespace: "datadog", values: { datadog: { ...withKey.datadog, apm: { portEnabled: true } } } });
    expect(agentFacts(agentObjectsForNode(objects, { image }).objects).traceAgent.hostPort).toBe(8126);
  });

  it("does not touch the render it is given", () => {
    const before = JSON.stringify(defaults);
    agentObjectsForNode(defaults, { image });
    expect(JSON.stringify(defaults)).toBe(before);
  });

  describe("refuses a render that moved what the profiler relies on", () => {
    const broken = (edit: (objects: any[]) => void): KubeObject[] => {
      const copy = structuredClone(defaults);
      edit(copy);
      return copy;
    };
    const service = (objects: any[]) => objects.find((o) => o.kind === "Service" && o.spec.internalTrafficPolicy === "Local");
    const traceAgent = (objects: any[]) => podSpec(objects.find((o) => o.kind === "DaemonSet")).containers.find((c: any) => c.name === "trace-agent");

    it("a Service without the traceport port", () => {
      const objects = broken((o) => {
        const s = service(o);
        s.spec.ports = s.spec.ports.filter((p: any) => p.name !== "traceport");
      });
      expect(() => agentFacts(objects)).toThrow(/Service\/datadog has no port named traceport/);
      expect(() => agentObjectsForNode(objects, { image })).toThrow(/no port named traceport/);
    });

    it("no node-local Service", () => {
      expect(() => agentFacts(broken((o) => delete service(o).spec.internalTrafficPolicy))).toThrow(/internalTrafficPolicy Local/);
    });

    it("a Service selecting other pods", () => {
      expect(() => agentFacts(broken((o) => (service(o).spec.selector = { app: "someone-else" })))).toThrow(/selecting the pods of DaemonSet\/datadog/);
    });

    it("a traceport that lands on another port", () => {
      expect(() => agentFacts(broken((o) => (service(o).spec.ports.find((p: any) => p.name === "traceport").targetPort = 9999)))).toThrow(/targets 9999/);
    });

    it("no Agent DaemonSet (the chart renders none without an API key)", async () => {
      const objects = await renderDatadogChart(helm, { release: "datadog", namespace: "datadog" });
      expect(() => agentFacts(objects)).toThrow(/expected one DaemonSet with a "trace-agent" container, found 0/);
    });

    it("a trace-agent without its receiver port env", () => {
      expect(() => agentFacts(broken((o) => (traceAgent(o).env = traceAgent(o).env.filter((e: any) => e.name !== "DD_APM_RECEIVER_PORT"))))).toThrow(/no env DD_APM_RECEIVER_PORT/);
    });

    it("a trace-agent container port under another name", () => {
      expect(() => agentFacts(broken((o) => (traceAgent(o).ports[0].name = "apm")))).toThrow(/container trace-agent of DaemonSet\/datadog has no port named traceport/);
    });
  });
});

it("refuses a vendored chart of another version, telling to re-read the cited templates", () => {
  expect(() => checkChartVersion("3.241.0")).toThrow(/vendored Datadog chart is 3\.241\.0.*re-read the cited templates/);
  expect(() => checkChartVersion(DATADOG_CHART.version)).not.toThrow();
});
