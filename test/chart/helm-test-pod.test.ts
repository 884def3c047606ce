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

  async function runCheck(url: string) {
    const c = await testPod({ agent: { url } });
    expect(c.command).toEqual(["/bin/bash", "-c"]);
    return execa("bash", ["-c", c.args[0]], { env: { DD_TRACE_AGENT_URL: url }, reject: false, timeout: 20_000 });
  }

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
