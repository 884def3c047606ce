// The `helm test` pod's check, run for real: its bash script, taken from the rendered Pod, against
// trace-agent stand-ins on 127.0.0.1 (answering 200, answering 404, and nothing listening).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { findObject } from "../../scripts/lib/manifests.ts";
import { renderOk, type Container } from "../helpers/render.ts";

function agent(status: number): Promise<Server> {
  const server = createServer((req, res) => {
    res.writeHead(req.url === "/info" ? status : 404, { "content-type": "application/json" });
    res.end('{"version":"7.60.0"}');
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}
const port = (s: Server) => (s.address() as AddressInfo).port;

let healthy: Server;
let broken: Server;
beforeAll(async () => {
  healthy = await agent(200);
  broken = await agent(500);
});
afterAll(() => {
  healthy.close();
  broken.close();
});

describe.each(await helms())("helm test pod with $id", (helm) => {
  async function testPod(values: object = {}) {
    const pod = findObject(await renderOk(helm, values), "Pod")!;
    expect(pod.metadata.annotations?.["helm.sh/hook"]).toBe("test");
    return (pod.spec as { containers: (Container & { command: string[]; args: string[] })[] }).containers[0];
  }

  async function runCheck(url: string, values: object = { agent: { url } }) {
    const c = await testPod(values);
    expect(c.command).toEqual(["/bin/bash", "-c"]);
    return execa("bash", ["-c", c.args[0]], { env: { DD_TRACE_AGENT_URL: url }, reject: false, timeout: 20_000 });
  }
  const closedPort = async () => {
    const closed = await agent(200);
    const p = port(closed);
    await new Promise((r) => closed.close(r));
    return p;
  };
  const serviceRoute = { agent: { service: { name: "datadog", namespace: "datadog" } } };

  it("passes when the trace agent answers /info with 200", async () => {
    const r = await runCheck(`http://127.0.0.1:${port(healthy)}`);
    expect(r.stdout).toContain("OK: the trace agent answered: HTTP/1.1 200");
    expect(r.exitCode).toBe(0);
  });

  it("fails, saying so, when the endpoint answers something else", async () => {
    const r = await runCheck(`http://127.0.0.1:${port(broken)}`);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("expected HTTP 200 from the Datadog trace agent");
  });

  it("fails, saying what to check, when nothing listens", async () => {
    const closed = await agent(200);
    const p = port(closed);
    await new Promise((r) => closed.close(r));
    const r = await runCheck(`http://127.0.0.1:${p}`);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(`nothing listens on 127.0.0.1:${p}`);
  });

  it("on the node route, names the hostPort the Datadog chart does not open and what to set instead", async () => {
    const p = await closedPort();
    // The rendered defaults; the URL is what the pod's DD_AGENT_HOST would expand to.
    const r = await runCheck(`http://127.0.0.1:${p}`, {});
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(`Checking the Datadog Agent trace endpoint at http://127.0.0.1:${p} (the Agent's hostPort on each node's IP)`);
    expect(r.stdout).toContain(
      `FAIL: nothing listens on 127.0.0.1:${p}. Is the Datadog Agent running with APM enabled (the Agent's hostPort on each node's IP, port ${p})? The Datadog chart (datadog/datadog) opens no hostPort by default: set agent.service.name and agent.service.namespace to use its node-local Service (no change to the Agent), or datadog.apm.portEnabled=true on the Agent chart.`,
    );
  });

  it("on the Service route, passes when the Agent answers and says which Service it checked", async () => {
    const r = await runCheck(`http://127.0.0.1:${port(healthy)}`, serviceRoute);
    expect(r.stdout).toContain(`Checking the Datadog Agent trace endpoint at http://127.0.0.1:${port(healthy)} (the Agent's node-local Service datadog/datadog)`);
    expect(r.stdout).toContain("OK: the trace agent answered: HTTP/1.1 200");
    expect(r.exitCode).toBe(0);
  });

  it("on the Service route, a refused connection names the Agent's APM port", async () => {
    const p = await closedPort();
    const r = await runCheck(`http://127.0.0.1:${p}`, serviceRoute);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(
      `FAIL: nothing listens on 127.0.0.1:${p} (the Agent's node-local Service datadog/datadog). Is a Datadog Agent pod running on this node with APM enabled, its APM port (trace port) equal to agent.service.port (8126)? The Service sends only to the Agent on the same node (internalTrafficPolicy: Local).`,
    );
  });

  it("on the Service route, a name that does not resolve names agent.service.name, agent.service.namespace and clusterDomain", async () => {
    // .invalid never resolves (RFC 6761): glibc says "Name or service not known", or "Temporary failure
    // in name resolution" where no resolver answers; the check reports either as "no such host".
    const r = await runCheck("http://datadog.datadog.svc.example.invalid:8126", { ...serviceRoute, clusterDomain: "example.invalid" });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(
      /FAIL: no such host datadog\.datadog\.svc\.example\.invalid \((Name or service not known|Temporary failure in name resolution|No address associated with hostname)\): the Agent's node-local Service datadog\/datadog does not resolve\. Check agent\.service\.name \(datadog: the Datadog chart's Service is named after its release, datadog or <release>-datadog\), agent\.service\.namespace \(datadog: the Agent's namespace\) and clusterDomain \(example\.invalid\)\./,
    );
    expect(r.stdout).not.toContain("nothing listens");
  });

  it("on the agent.url route, says whether the host does not resolve or nothing listens there", async () => {
    const unresolved = await runCheck("http://agent.example.invalid:8126");
    expect(unresolved.exitCode).toBe(1);
    expect(unresolved.stdout).toMatch(/FAIL: no such host agent\.example\.invalid \((Name or service not known|Temporary failure in name resolution|No address associated with hostname)\)\. Check the host name in agent\.url\./);
    const p = await closedPort();
    const refused = await runCheck(`http://127.0.0.1:${p}`);
    expect(refused.stdout).toContain(`FAIL: nothing listens on 127.0.0.1:${p}. Is the Datadog Agent running with APM enabled there (agent.url)?`);
  });

  it("targets the Agent's node-local Service on the Service route, with no DD_AGENT_HOST", async () => {
    const c = await testPod({ agent: { service: { name: "datadog" } }, clusterDomain: "corp.internal" });
    expect(c.env).toEqual([{ name: "DD_TRACE_AGENT_URL", value: "http://datadog.profiling.svc.corp.internal:8126" }]);
  });

  it("runs unprivileged and targets the node's Agent by default", async () => {
    const pod = findObject(await renderOk(helm), "Pod")!;
    const spec = pod.spec as { securityContext: Record<string, unknown>; containers: Container[] };
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534 });
    expect(spec.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    expect(spec.containers[0].env).toEqual([
      { name: "DD_AGENT_HOST", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } },
      { name: "DD_TRACE_AGENT_URL", value: "http://$(DD_AGENT_HOST):8126" },
    ]);
  });

  it("is left out with tests.enabled=false", async () => {
    expect(findObject(await renderOk(helm, { tests: { enabled: false } }), "Pod")).toBeUndefined();
  });
});
