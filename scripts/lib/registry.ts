// A real OCI registry on 127.0.0.1 (Debian's docker-registry, the reference distribution registry):
// the publishing tests push charts to it, and the node tier's containerd pulls the profiler image
// from it as a mirror of ghcr.io.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findTool } from "../lint/tools.ts";

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((ok) => s.listen(0, "127.0.0.1", ok));
  const { port } = s.address() as { port: number };
  await new Promise((ok) => s.close(ok));
  return port;
}

/** Where the registry binary is: Debian's docker-registry, or a `registry` built from distribution. */
export async function registryBinary(): Promise<string | undefined> {
  return (await findTool("docker-registry")) ?? (await findTool("registry"));
}

export interface Registry {
  host: string;
  /** The registry's process, for callers that track what they started. */
  process: ChildProcess;
  stop: () => Promise<void>;
}

/** Starts a registry on 127.0.0.1 (random port, no auth), its config and storage in `dir` (default: a new temp dir, removed by stop). */
export async function startRegistry(bin: string, dir: string = mkdtempSync(join(tmpdir(), "oci-registry-"))): Promise<Registry> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const config = join(dir, "config.yml");
  writeFileSync(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: warn",
      "  accesslog:",
      "    disabled: true",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${join(dir, "storage")}`,
      "  delete:",
      "    enabled: true",
      "http:",
      `  addr: 127.0.0.1:${port}`,
      "",
    ].join("\n"),
  );
  mkdirSync(join(dir, "storage"), { recursive: true });
  const child: ChildProcess = spawn(bin, ["serve", config], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += String(d)));
  const host = `127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${bin} exited (${child.exitCode}): ${stderr}`);
    try {
      const r = await fetch(`http://${host}/v2/`);
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new Error(`${bin} did not answer on ${host} within 15 s: ${stderr}`);
    }
    await new Promise((ok) => setTimeout(ok, 100));
  }
  return {
    host,
    process: child,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((ok) => child.once("exit", ok));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((ok) => setTimeout(ok, 5000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
