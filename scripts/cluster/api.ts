// The Kubernetes API as the throwaway clusters' tests call it: JSON over HTTPS with a bearer token,
// a line-delimited watch, and the kubeconfig that Helm, kubectl and the cluster's own components read.
import { readFileSync, writeFileSync } from "node:fs";
import { Agent, request as httpsRequest } from "node:https";

export interface ApiError extends Error {
  status: number;
  body: unknown;
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  /** Warning headers (e.g. Pod Security admission warnings), decoded. */
  warnings: string[];
}

export interface ApiClient {
  /** Calls the API; rejects on a status >= 400 with the API's message. */
  api<T = any>(method: string, path: string, body?: unknown, contentType?: string): Promise<ApiResponse<T>>;
  /** A watch (path with ?watch=1...): calls onEvent for each {type, object} until stop(). */
  watch(path: string, onEvent: (e: { type: string; object: any }) => void): { stop(): void; done: Promise<void> };
}

/** Warning headers as RFC 7234 gives them (`299 - "text"`), decoded to their texts. */
function warningsOf(raw: string | string[] | undefined): string[] {
  return (Array.isArray(raw) ? raw : raw ? [raw] : []).flatMap((w) => [...w.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, "$1")));
}

/** A client for `server`, trusting the CA in `caFile` (read on first use: the server writes it at start-up). */
export function apiClient(server: string, caFile: string, token: string): ApiClient {
  let agent: Agent | undefined;
  const getAgent = () => (agent ??= new Agent({ ca: readFileSync(caFile), keepAlive: true, maxSockets: 32 }));
  const headers = { Authorization: `Bearer ${token}`, Accept: "application/json" };

  const api = <T = any>(method: string, path: string, body?: unknown, contentType?: string): Promise<ApiResponse<T>> =>
    new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
      const req = httpsRequest(
        `${server}${path}`,
        { method, agent: getAgent(), headers: { ...headers, ...(data !== undefined ? { "Content-Type": contentType ?? "application/json" } : {}) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: any = text;
            try {
              parsed = JSON.parse(text);
            } catch {}
            const status = res.statusCode ?? 0;
            if (status >= 400) {
              const err = new Error(`${method} ${path}: ${status} ${parsed?.message ?? text}`) as ApiError;
              err.status = status;
              err.body = parsed;
              reject(err);
            } else resolve({ status, body: parsed as T, warnings: warningsOf(res.headers["warning"]) });
          });
        },
      );
      req.on("error", reject);
      if (data !== undefined) req.write(data);
      req.end();
    });

  const watch = (path: string, onEvent: (e: { type: string; object: any }) => void) => {
    let stopRequested = false;
    let req: ReturnType<typeof httpsRequest> | undefined;
    const done = new Promise<void>((resolve, reject) => {
      req = httpsRequest(`${server}${path}`, { method: "GET", agent: getAgent(), headers }, (res) => {
        if ((res.statusCode ?? 0) >= 400) {
          reject(new Error(`watch ${path}: ${res.statusCode}`));
          res.resume();
          return;
        }
        let buf = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buf += chunk;
          let i: number;
          while ((i = buf.indexOf("\n")) >= 0) {
            const line = buf.slice(0, i).trim();
            buf = buf.slice(i + 1);
            if (line) onEvent(JSON.parse(line));
          }
        });
        res.on("end", () => resolve());
        res.on("error", (e) => (stopRequested ? resolve() : reject(e)));
      });
      req.on("error", (e) => (stopRequested ? resolve() : reject(e)));
      req.end();
    });
    return {
      stop() {
        stopRequested = true;
        req?.destroy();
      },
      done,
    };
  };
  return { api, watch };
}

/** A kubeconfig for one user with a bearer token, written to `file` (mode 0600: it holds the token). */
export function writeKubeconfig(file: string, o: { server: string; caFile: string; user: string; token: string }): string {
  const text = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: e2e",
    "  cluster:",
    `    server: ${o.server}`,
    `    certificate-authority: ${o.caFile}`,
    "users:",
    `- name: ${o.user}`,
    "  user:",
    `    token: ${o.token}`,
    "contexts:",
    "- name: e2e",
    "  context:",
    "    cluster: e2e",
    `    user: ${o.user}`,
    "current-context: e2e",
    "",
  ].join("\n");
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}
