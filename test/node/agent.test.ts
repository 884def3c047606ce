// The Datadog Agent side on a real node: the URL the profiler receives, and `helm test` against an
// Agent stand-in on the node's IP (answering /info), with nothing listening, and answering an error.
import { afterEach, describe, expect, test } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { type AgentStandin, startAgentStandin } from "../../scripts/standin/agent-standin.ts";
import { describeHelm, expectAgentUrl, helmOn, install, report, runningPod, uninstall, useNode } from "./lib.ts";

const env = useNode();
const HELMS = await helms();

let agent: AgentStandin | undefined;
/** An Agent stand-in on the node's IP and the trace port, answering every request with `status`. */
async function startAgent(status: number): Promise<{ requests: string[] }> {
  agent = await startAgentStandin(env.node.ip, 8126, status);
  return agent;
}
afterEach(async () => {
  await agent?.close();
  agent = undefined;
});

test("agent.url reaches the profiler verbatim, with no DD_AGENT_HOST", async () => {
  const [helm] = HELMS;
  const url = "http://datadog-agent.datadog.svc.cluster.local:8126";
  const i = await install(env, helm, { agent: { url } });
  const { report: r } = await report(env, i.ns, await runningPod(env, i.ns));
  expectAgentUrl(r, url);
  expect(r.env.DD_AGENT_HOST, "DD_AGENT_HOST must not be set when agent.url is").toBeUndefined();
  await uninstall(env, helm, i);
});

test("agent.port changes the port of the node URL", async () => {
  const [helm] = HELMS;
  const i = await install(env, helm, { agent: { port: 18126 } });
  const { report: r } = await report(env, i.ns, await runningPod(env, i.ns));
  expectAgentUrl(r, `http://${env.node.ip}:18126`);
  await uninstall(env, helm, i);
});

describe.each(HELMS.map((h) => [h.id, h] as const))("%s: helm test", (_id, helm) => {
  test("passes against an Agent answering /info on the node IP, fails with a clear message when nothing listens or the answer is not 200", async () => {
    const i = await install(env, helm, {});
    await runningPod(env, i.ns);
    const run = (logs = true) => helmOn(env.cp, helm, ["test", i.release, "-n", i.ns, ...(logs ? ["--logs"] : []), "--timeout", "90s"]);

    const { requests } = await startAgent(200);
    if (helm.major >= 4) {
      const ok = await run();
      expect(ok.ok, `helm test must pass with the Agent answering:\n${describeHelm(ok)}`).toBe(true);
      expect(ok.all).toContain(`Checking the Datadog Agent trace endpoint at http://${env.node.ip}:8126`);
      expect(ok.all).toMatch(/OK: the trace agent answered: HTTP\/1\.1 200/);
    } else {
      // Helm 3 deletes a passing test pod (hook-succeeded) before --logs reads its log, then reports
      // an error; README tells Helm 3 users so, and this keeps README true.
      const withLogs = await run(true);
      expect(withLogs.all, describeHelm(withLogs)).toMatch(/Phase:\s+Succeeded[\s\S]*unable to get pod logs/);
      const ok = await run(false);
      expect(ok.ok, `helm test must pass with the Agent answering:\n${describeHelm(ok)}`).toBe(true);
      expect(ok.all).toMatch(/Phase:\s+Succeeded/);
    }
    expect(requests.every((r) => r === "GET /info") && requests.length >= 1, `the test pod must ask the Agent for /info, asked: ${requests.join(", ")}`).toBe(true);
    await agent!.close();
    agent = undefined;

    const none = await run();
    expect(none.ok, `helm test must fail with nothing listening:\n${describeHelm(none)}`).toBe(false);
    expect(none.all).toContain(`FAIL: nothing listens on ${env.node.ip}:8126. Is the Datadog Agent running with APM enabled`);

    await startAgent(500);
    const bad = await run();
    expect(bad.ok, `helm test must fail on a 500:\n${describeHelm(bad)}`).toBe(false);
    expect(bad.all).toContain(`FAIL: http://${env.node.ip}:8126/info answered "HTTP/1.1 500 Internal Server Error", expected HTTP 200`);
    await uninstall(env, helm, i);
  });
});
