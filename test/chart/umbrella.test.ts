// Used as a dependency of an umbrella chart: Helm hands the subchart `global` (and `enabled` when the
// parent uses `condition:`), which the strict schema must accept while still refusing typos. Beside
// Datadog's own chart (test/fixtures/datadog-chart) in the same umbrella, as README's "With the Datadog
// Agent chart" shows it, the profiler reaches that chart's node-local Service.
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { chartDir, repoRoot } from "../../scripts/lib/paths.ts";
import { matchesSelector } from "../../scripts/lib/manifests.ts";
import { daemonSet, render, renderOk } from "../helpers/render.ts";

/**
 * An umbrella chart with this chart as a dependency (condition dd-otel-host-profiler.enabled) and,
 * with `withDatadog`, README's: Datadog's chart 3.240.0 (test/fixtures/datadog-chart) beside it.
 */
function umbrellaChart(o: { withDatadog?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "umbrella-"));
  const datadog = o.withDatadog ? ["  - name: datadog", "    version: 3.240.0"] : [];
  writeFileSync(
    join(dir, "Chart.yaml"),
    ["apiVersion: v2", "name: observability", `version: ${o.withDatadog ? "0.1.0" : "1.0.0"}`, "dependencies:", ...datadog, "  - name: dd-otel-host-profiler", "    version: '>=0.0.0-0'", "    condition: dd-otel-host-profiler.enabled", ""].join("\n"),
  );
  mkdirSync(join(dir, "charts"));
  if (o.withDatadog) copyFileSync(join(repoRoot, "test", "fixtures", "datadog-chart", "datadog-3.240.0.tgz"), join(dir, "charts", "datadog-3.240.0.tgz"));
  cpSync(chartDir, join(dir, "charts", "dd-otel-host-profiler"), { recursive: true });
  return dir;
}

/** README's umbrella values.yaml ("With the Datadog Agent chart"): the Agent at its defaults, the profiler on its Service. */
const umbrellaValues = {
  datadog: { datadog: { apiKeyExistingSecret: "datadog-secret", site: "datadoghq.com" } },
  "dd-otel-host-profiler": {
    enabled: true,
    securityMode: "leastPrivilege",
    // The Datadog subchart's fullname: <release>-datadog for release observability.
    agent: { service: { name: "observability-datadog" } },
    datadog: { apiKeyExistingSecret: "datadog-secret", site: "datadoghq.com" },
    networkPolicy: { create: true },
  },
};


describe.each(await helms())("as a subchart with $id", (helm) => {
  const chart = umbrellaChart();

  it("accepts global values and the enabled condition key", async () => {
    const objects = await renderOk(
      helm,
      { global: { clusterName: "eu-1", imageRegistry: "mirror.example.com" }, "dd-otel-host-profiler": { enabled: true, securityMode: "leastPrivilege" } },
      { chart },
    );
    expect(daemonSet(objects).container.securityContext!.privileged).toBe(false);
  });

  it("is left out when the parent disables it", async () => {
    const objects = await renderOk(helm, { "dd-otel-host-profiler": { enabled: false } }, { chart });
    expect(objects.find((o) => o.kind === "DaemonSet")).toBeUndefined();
  });

  it("still refuses a typo under the subchart's key", async () => {
    const r = await render(helm, { global: { a: 1 }, "dd-otel-host-profiler": { imagee: {} } }, { chart });
    expect(r.ok).toBe(false);
    expect(r.stderr).toContain("imagee");
  });
});

describe.each(await helms())("beside Datadog's chart in one umbrella with $id", (helm) => {
  const chart = umbrellaChart({ withDatadog: true });

  it("sends to the Datadog subchart's node-local Service, and its NetworkPolicy selects that subchart's Agent pods", async () => {
    const objects = await renderOk(helm, umbrellaValues, { chart, release: "observability", namespace: "datadog", kubeVersion: "1.34.0" });
    type Obj = Record<string, any>;
    const service = objects.find((o) => o.kind === "Service" && o.metadata.name === "observability-datadog") as Obj;
    expect(service.spec.internalTrafficPolicy).toBe("Local");
    expect(service.spec.ports).toContainEqual(expect.objectContaining({ name: "traceport", port: 8126, targetPort: 8126 }));
    const agent = objects.find((o) => o.kind === "DaemonSet" && o.metadata.name === "observability-datadog") as Obj;
    const profiler = objects.find((o) => o.kind === "DaemonSet" && o.metadata.name !== "observability-datadog") as Obj;
    const env = profiler.spec.template.spec.containers[0].env as Obj[];
    expect(env.find((e) => e.name === "DD_TRACE_AGENT_URL")?.value).toBe("http://observability-datadog.datadog.svc.cluster.local:8126");
    expect(env.map((e) => e.name)).not.toContain("DD_AGENT_HOST");
    const np = objects.find((o) => o.kind === "NetworkPolicy" && (o.spec as Obj).egress?.some((r: Obj) => r.to?.some((t: Obj) => t.podSelector))) as Obj;
    const rule = np.spec.egress.find((r: Obj) => r.to?.some((t: Obj) => t.podSelector));
    expect(matchesSelector(rule.to[0].podSelector, agent.spec.template.metadata.labels)).toBe(true);
    expect(matchesSelector({ matchLabels: service.spec.selector }, agent.spec.template.metadata.labels)).toBe(true);
  });
});
