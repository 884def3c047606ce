// A stand-in for the Datadog Agent's trace endpoint on the node's IP: answers every request with
// `status` (GET /info with a small JSON body, as the trace agent does) and records what was asked.
// The node tier's `helm test` checks and `npm run demo` use it; nothing is routed off the machine.
import { createServer, type Server } from "node:http";

export interface AgentStandin {
  url: string;
  /** "METHOD /path" of every request, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startAgentStandin(host: string, port = 8126, status = 200): Promise<AgentStandin> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(status === 200 ? '{"version":"7.99.0-standin","endpoints":["/v0.4/traces","/profiling/v1/input"]}' : '{"error":"stand-in"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  return {
    url: `http://${host}:${port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
