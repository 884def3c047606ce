// The Datadog Agent as its own chart installs it (datadog 3.240.0, vendored in test/fixtures), on the
// node tier's small real cluster (kube-proxy, CoreDNS behind kube-dns, the CNI portmap plugin): the
// chart's Agent DaemonSet and node-local Service, with our trace-agent stand-in in the trace-agent
// container (scripts/cluster/datadog-agent.ts says what is trimmed and why). Then this chart, and a
// profile POST leaving the profiler pod and arriving at the Agent pod:
// - through the Agent chart's node-local Service, the Agent at its defaults (no hostPort), in both
//   security modes;
// - through the hostPort, with the Agent chart's datadog.apm.portEnabled: true;
// and the mismatch users meet with defaults on both sides: no profiles, and `helm test` naming what to set.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { applyDatadogAgent, type InstalledAgent } from "../../scripts/cluster/datadog-agent.ts";
import { ensureNamespace } from "../../scripts/cluster/resources.ts";
import { helms } from "../../scripts/lib/helm.ts";
import { DEFAULT_IMAGE, describeHelm, helmOn, install, type NodeEnv, podsOf, runningPod, ungrantable, uninstall, until, useNode } from "./lib.ts";

const env = useNode();
const HELMS = await helms();
const AGENT = { release: "datadog", namespace: "datadog" };
/** The Agent chart's values: its defaults plus the API key Secret (the chart renders no Agent without one). */
const AGENT_DEFAULTS = { datadog: { apiKeyExistingSecret: "datadog-secret" } };
/** Short uploads, so a test sees a profile in seconds rather than the profiler's 60 s. */
const FAST = { profiler: { uploadPeriod: "2s" } };
const SERVICE_ROUTE = { agent: { service: { name: "datadog", namespace: AGENT.namespace } } };

let agent: InstalledAgent;
beforeAll(async () => {
  await ensureNamespace(env.cp, AGENT.namespace, { "pod-security.kubernetes.io/enforce": "privileged" });
  agent = await applyDatadogAgent(env.cp, HELMS[0], { ...AGENT, values: AGENT_DEFAULTS, image: DEFAULT_IMAGE });
});
afterAll(async () => {
  await env.cp.api("DELETE", `/api/v1/namespaces/${AGENT.namespace}`).catch(() => {});
});

/** STANDIN-UPLOAD lines of the profiler pod (scripts/standin/binary/reporter.go). */
async function uploads(e: NodeEnv, ns: string, pod: any): Promise<{ ok: boolean; url: string; status?: number; error?: string }[]> {
  const r = await e.cp.kubectl(["logs", "-n", ns, pod.metadata.name, "-c", "dd-otel-host-profiler"]);
  return r.stdout
    .split("\n")
    .filter((l) => l.startsWith("STANDIN-UPLOAD "))
    .map((l) => JSON.parse(l.slice("STANDIN-UPLOAD ".length)));
}

/** A profile POST the profiler made that the Agent pod received, with v0.4.0's shape. */
async function expectProfileArrives(ns: string, pod: any, url: string, o: { fromPodIP: boolean }): Promise<void> {
  const sent = await until("a profile upload the Agent accepted", 60_000, async () => (await uploads(env, ns, pod)).find((u) => u.ok), 1000).catch(async (e) => {
    throw new Error(`${(e as Error).message}; the profiler's uploads: ${JSON.stringify(await uploads(env, ns, pod))}`);
  });
  expect(sent.url).toBe(`${url}/profiling/v1/input`);
  const posts = (await agent.requests()).filter((r) => r.method === "POST" && r.path === "/profiling/v1/input");
  // Through a Service the Agent sees the profiler pod's own address (kube-proxy only DNATs traffic
  // from the pod network); through a hostPort the portmap plugin's hairpin SNAT may show the node's.
  const fromProfiler = posts.filter((p) => p.remote.split(":")[0] === pod.status.podIP || (!o.fromPodIP && p.remote.split(":")[0] === env.node.ip));
  expect(fromProfiler.length, `POSTs the Agent pod received: ${JSON.stringify(posts.map((p) => p.remote))}, profiler pod ${pod.status.podIP}`).toBeGreaterThan(0);
  const p = fromProfiler[0];
  expect(p.parts).toEqual(["cpu.pprof", "event"]);
  expect(p.headers["Dd-Evp-Origin"]).toBe("dd-otel-host-profiler");
  expect(p.status).toBe(200);
}

test("the Agent chart at its defaults opens no hostPort and renders a node-local Service, read from its render", () => {
  expect(agent.facts.traceAgent.hostPort).toBeUndefined();
  expect(agent.facts.service).toMatchObject({ name: "datadog", namespace: "datadog", internalTrafficPolicy: "Local", traceport: { port: 8126 } });
  expect(agent.trims.length, "what was trimmed is said").toBeGreaterThan(0);
});

describe.each(HELMS.map((h) => [h.id, h] as const))("%s", (_id, helm) => {
  test("defaults on both sides: nothing on the node IP's trace port, and helm test names the value to set", async () => {
    const i = await install(env, helm, FAST);
    const pod = await runningPod(env, i.ns);
    const failed = await until("a failed upload", 60_000, async () => (await uploads(env, i.ns, pod)).find((u) => !u.ok), 1000);
    expect(failed.error).toContain("connection refused");
    const t = await helmOn(env.cp, helm, ["test", i.release, "-n", i.ns, "--logs", "--timeout", "90s"]);
    expect(t.ok, `helm test must fail with the Agent chart's defaults:\n${describeHelm(t)}`).toBe(false);
    expect(t.all).toContain(`FAIL: nothing listens on ${env.node.ip}:8126`);
    expect(t.all).toContain("set agent.service.name and agent.service.namespace");
    expect(t.all).toContain("datadog.apm.portEnabled=true");
    await uninstall(env, helm, i);
  });
});

describe("through the Agent chart's node-local Service, the Agent at its defaults", () => {
  const url = `http://datadog.datadog.svc.cluster.local:8126`;
  test.each([
    ["privileged", HELMS[0].id, HELMS[0], {}],
    ["leastPrivilege", HELMS[HELMS.length - 1].id, HELMS[HELMS.length - 1], { securityMode: "leastPrivilege" }],
  ] as const)("%s (%s): a profile POST reaches the Agent pod, and helm test passes", async (mode, _id, helm, values) => {
    const extra = mode === "leastPrivilege" ? { leastPrivilege: { omitCapabilities: ungrantable(env.node) } } : {};
    const i = await install(env, helm, { ...FAST, ...SERVICE_ROUTE, ...values, ...extra });
    const pod = await runningPod(env, i.ns);
    const profiler = pod.spec.containers[0];
    expect(profiler.env.find((e: any) => e.name === "DD_TRACE_AGENT_URL")?.value).toBe(url);
    expect(profiler.env.some((e: any) => e.name === "DD_AGENT_HOST"), "no DD_AGENT_HOST on the Service route").toBe(false);
    await expectProfileArrives(i.ns, pod, url, { fromPodIP: true });
    const t = await helmOn(env.cp, helm, ["test", i.release, "-n", i.ns, "--timeout", "90s"]);
    expect(t.ok, `helm test must pass through the Service:\n${describeHelm(t)}`).toBe(true);
    await uninstall(env, helm, i);
  });

  test("a Service name that does not resolve: the upload fails with no such host, and helm test names the keys", async () => {
    const helm = HELMS[HELMS.length - 1];
    const i = await install(env, helm, { ...FAST, agent: { service: { name: "datadog-agent", namespace: AGENT.namespace } } });
    const pod = await runningPod(env, i.ns);
    const failed = await until("a failed upload", 60_000, async () => (await uploads(env, i.ns, pod)).find((u) => !u.ok), 1000);
    expect(failed.error).toContain("no such host");
    const t = await helmOn(env.cp, helm, ["test", i.release, "-n", i.ns, "--logs", "--timeout", "90s"]);
    expect(t.ok, describeHelm(t)).toBe(false);
    expect(t.all).toContain("FAIL: no such host datadog-agent.datadog.svc.cluster.local");
    expect(t.all).toMatch(/agent\.service\.name[\s\S]*agent\.service\.namespace[\s\S]*clusterDomain/);
    await uninstall(env, helm, i);
  });
});

test("through the hostPort, with the Agent chart's datadog.apm.portEnabled: true: a profile POST reaches the Agent pod", async () => {
  const helm = HELMS[HELMS.length - 1];
  const withPort = await applyDatadogAgent(env.cp, helm, { ...AGENT, values: { datadog: { ...AGENT_DEFAULTS.datadog, apm: { portEnabled: true } } }, image: DEFAULT_IMAGE });
  expect(withPort.facts.traceAgent.hostPort).toBe(8126);
  agent = withPort;
  const i = await install(env, helm, FAST);
  const pod = await runningPod(env, i.ns);
  await expectProfileArrives(i.ns, pod, `http://${env.node.ip}:8126`, { fromPodIP: false });
  const t = await helmOn(env.cp, helm, ["test", i.release, "-n", i.ns, "--timeout", "90s"]);
  expect(t.ok, `helm test must pass through the hostPort:\n${describeHelm(t)}`).toBe(true);
  expect((await podsOf(env, AGENT.namespace, agent.podSelector)).length, "one Agent pod on the node").toBe(1);
  await uninstall(env, helm, i);
});
