// Loopback fixtures for the publishing tests: an isolated Helm home, a static HTTP server, a real
// OCI registry (scripts/lib/registry.ts), a throwaway GPG key.
import { createReadStream, existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, normalize } from "node:path";
import { execa } from "execa";
import { runHelm, type Helm } from "../../scripts/lib/helm.ts";

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `${prefix}-`));
}

/** Environment that keeps every Helm file (repositories, caches, registry logins) inside `home`. */
export function helmEnv(home: string): Record<string, string> {
  return {
    HELM_CONFIG_HOME: join(home, "config"),
    HELM_CACHE_HOME: join(home, "cache"),
    HELM_DATA_HOME: join(home, "data"),
    HELM_REPOSITORY_CONFIG: join(home, "config", "repositories.yaml"),
    HELM_REPOSITORY_CACHE: join(home, "cache", "repository"),
    HELM_REGISTRY_CONFIG: join(home, "config", "registry", "config.json"),
  };
}

export async function helmRun(helm: Helm, home: string, args: string[]) {
  const r = await runHelm(helm, args, { env: helmEnv(home) });
  if (!r.ok) throw new Error(`${helm.id} ${args.join(" ")} failed (${r.exitCode}):\n${r.all}`);
  return r.stdout;
}

/** Serves `dir` read-only on 127.0.0.1 at a random port. */
export async function serveDir(dir: string): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? "/").split("?")[0]));
    requests.push(path);
    const file = join(dir, path);
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": file.endsWith(".yaml") ? "text/yaml" : "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((ok) => server.close(() => ok())) };
}

export { registryBinary, startRegistry, type Registry } from "../../scripts/lib/registry.ts";

export interface GpgKey {
  home: string;
  name: string;
  secring: string;
  pubring: string;
}

/**
 * A throwaway RSA signing key without passphrase in a temp GNUPGHOME, exported in the legacy
 * keyring format Helm reads (secring.gpg / pubring.gpg).
 */
export async function makeGpgKey(): Promise<GpgKey> {
  const home = tempDir("gnupg");
  const name = "Chart Test Signer <chart-test@example.invalid>";
  const env = { GNUPGHOME: home };
  writeFileSync(
    join(home, "key.batch"),
    ["%no-protection", "Key-Type: RSA", "Key-Length: 2048", "Key-Usage: sign", `Name-Real: Chart Test Signer`, "Name-Email: chart-test@example.invalid", "Expire-Date: 1d", "%commit", ""].join("\n"),
  );
  await execa("gpg", ["--batch", "--gen-key", join(home, "key.batch")], { env });
  const secring = join(home, "secring.gpg");
  const pubring = join(home, "pubring.gpg");
  const sec = await execa("gpg", ["--batch", "--export-secret-keys"], { env, encoding: "buffer" });
  writeFileSync(secring, sec.stdout);
  const pub = await execa("gpg", ["--batch", "--export"], { env, encoding: "buffer" });
  writeFileSync(pubring, pub.stdout);
  return { home, name, secring, pubring };
}

export function stopGpgAgent(key: GpgKey): Promise<unknown> {
  return execa("gpgconf", ["--kill", "gpg-agent"], { env: { GNUPGHOME: key.home }, reject: false });
}

/**
 * Whether a system tool that .ci/run installs is absent: skip (and say so) on a machine without it,
 * fail where DD_REQUIRE_SYSTEM_TOOLS=1 (.ci/run sets it after installing them). Not CI=true: every CI
 * service sets that, and a user following README's two commands in any CI job must not go red for
 * a tool the project does not install through npm.
 */
export function requireInCI(present: boolean, what: string, install: string): "run" | "skip" {
  if (present) return "run";
  if (process.env.DD_REQUIRE_SYSTEM_TOOLS === "1") throw new Error(`${what} is not installed, and DD_REQUIRE_SYSTEM_TOOLS=1 requires this test to run: ${install}`);
  console.warn(`SKIPPED: ${what} is not installed (${install}); these tests run in CI`);
  return "skip";
}
