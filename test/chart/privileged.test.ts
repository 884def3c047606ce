// The default mode follows the profiler's upstream Kubernetes guide point by point.
import { describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { findObject } from "../../scripts/lib/manifests.ts";
import { daemonSet, env, renderOk } from "../helpers/render.ts";

describe.each(await helms())("privileged mode with $id", (helm) => {
  it("satisfies every point of the upstream guide with an existing Secret", async () => {
    const objects = await renderOk(helm, { datadog: { apiKeyExistingSecret: "datadog-secret" } });
    const { pod, container } = daemonSet(objects);
    expect(pod.hostPID).toBe(true);
    expect(container.name).toBe("dd-otel-host-profiler");
    expect(container.image).toBe("ghcr.io/datadog/dd-otel-host-profiler:v0.4.0");
    expect(container.securityContext).toEqual({ runAsUser: 0, privileged: true, capabilities: { add: ["SYS_ADMIN"] } });
    expect(env(container, "DD_TRACE_AGENT_URL")?.value).toBe("http://$(DD_AGENT_HOST):8126");
    expect(env(container, "DD_AGENT_HOST")?.valueFrom?.fieldRef?.fieldPath).toBe("status.hostIP");
    expect(env(container, "DD_SERVICE")?.value).toBe("dd-otel-host-profiler");
    expect(env(container, "DD_SITE")?.value).toBe("datadoghq.com");
    expect(env(container, "DD_API_KEY")).toEqual({ name: "DD_API_KEY", valueFrom: { secretKeyRef: { name: "datadog-secret", key: "api-key" } } });
    // $(DD_AGENT_HOST) only expands when DD_AGENT_HOST is defined earlier in the list.
    const names = container.env!.map((e) => e.name);
    expect(names.indexOf("DD_AGENT_HOST")).toBeLessThan(names.indexOf("DD_TRACE_AGENT_URL"));
    expect(findObject(objects, "Secret")).toBeUndefined();
  });

  it("takes the node name from the downward API", async () => {
    const { container } = daemonSet(await renderOk(helm));
    for (const name of ["KUBERNETES_NODE_NAME", "DD_HOST_PROFILING_NODE"]) {
      expect(env(container, name)?.valueFrom?.fieldRef?.fieldPath).toBe("spec.nodeName");
    }
  });

  it("uses an explicit agent URL as it is, without the node-IP variable", async () => {
    const url = "http://datadog-agent.datadog.svc.cluster.local:8126";
    const { container } = daemonSet(await renderOk(helm, { agent: { url } }));
    expect(env(container, "DD_TRACE_AGENT_URL")?.value).toBe(url);
    expect(env(container, "DD_AGENT_HOST")).toBeUndefined();
  });

  it("pins the image by digest when one is given, and honours a tag override", async () => {
    const digest = `sha256:${"a".repeat(64)}`;
    expect(daemonSet(await renderOk(helm, { image: { digest } })).container.image).toBe(`ghcr.io/datadog/dd-otel-host-profiler:v0.4.0@${digest}`);
    expect(daemonSet(await renderOk(helm, { image: { tag: "v0.4.1" } })).container.image).toBe("ghcr.io/datadog/dd-otel-host-profiler:v0.4.1");
  });

  it("runs on every Linux node by default, with requests and limits", async () => {
    const { pod, container, spec } = daemonSet(await renderOk(helm));
    expect(pod.nodeSelector).toEqual({ "kubernetes.io/os": "linux" });
    expect(pod.tolerations).toEqual([{ operator: "Exists" }]);
    expect(container.resources?.requests).toEqual({ cpu: "100m", memory: "256Mi" });
    expect(container.resources?.limits).toEqual({ cpu: "1", memory: "1Gi" });
    expect(spec.selector.matchLabels).toEqual({ "app.kubernetes.io/name": "dd-otel-host-profiler", "app.kubernetes.io/instance": "prof" });
  });
});

describe.each(await helms())("update strategy with $id", (helm) => {
  it("rolls out with a bounded maxUnavailable by default", async () => {
    expect(daemonSet(await renderOk(helm)).spec).toMatchObject({ updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } } });
  });

  it("drops the default rollingUpdate when the user picks OnDelete (Helm merges maps)", async () => {
    const { spec } = daemonSet(await renderOk(helm, { updateStrategy: { type: "OnDelete" } }));
    expect((spec as unknown as { updateStrategy: object }).updateStrategy).toEqual({ type: "OnDelete" });
  });
});

describe.each(await helms())("labels with $id", (helm) => {
  it("merges commonLabels and podLabels under the chart's labels, each key once", async () => {
    const objects = await renderOk(helm, { commonLabels: { team: "infra", tier: "all" }, podLabels: { tier: "pods" } });
    const { ds, spec } = daemonSet(objects);
    expect(ds.metadata.labels).toMatchObject({ team: "infra", tier: "all", "app.kubernetes.io/name": "dd-otel-host-profiler" });
    const podLabels = (spec.template.metadata as { labels: Record<string, string> }).labels;
    expect(podLabels).toMatchObject({ team: "infra", tier: "pods", ...spec.selector.matchLabels });
    for (const o of objects) expect(o.metadata.labels?.team, o.kind).toBe("infra");
  });
});
