// Cluster DNS (scripts/cluster/coredns.ts): the small CoreDNS built from the Go module proxy, on a
// control plane's Services. It answers the cluster domain from the API (A and PTR records of a
// Service's clusterIP, NXDOMAIN for names that do not exist), refuses every other name (nothing is
// forwarded off the machine), and stop() leaves no process and a removable folder.
// No bridge here: CoreDNS binds 127.0.0.1 on a free port (the node tier binds the node IP, port 53).
import { Resolver } from "node:dns/promises";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type ControlPlane, SERVICE_CIDR, startControlPlane } from "../../scripts/cluster/control-plane.ts";
import { COREDNS_PLUGINS, COREDNS_VERSION, ensureCoreDNS, startClusterDNS } from "../../scripts/cluster/coredns.ts";
import { freePort, waitFor } from "../../scripts/cluster/process.ts";
import { ensureNamespace } from "../../scripts/cluster/resources.ts";
import { alive } from "../helpers/cluster.ts";

const NS = "dnstest";
/** Progress for a person at a terminal; CI stays quiet. */
const say = (line: string) => {
  if (process.env.CI !== "true") process.stderr.write(`[cluster-dns] ${line}\n`);
};
const timing = (what: string, t0: number) => say(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)}s`);

let cp: ControlPlane;
const dirs: string[] = [];

beforeAll(async () => {
  // The first run on a machine builds CoreDNS (measured: 64-76 s on two cores, see scripts/cluster/coredns.ts); later runs find it.
  let t0 = Date.now();
  const b = await ensureCoreDNS(say);
  timing(`CoreDNS ${b.version} (${b.source})`, t0);
  t0 = Date.now();
  cp = await startControlPlane({ controllerManager: true });
  await ensureNamespace(cp, NS);
  timing("control plane", t0);
}, 20 * 60_000);

afterAll(async () => {
  await cp?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});


function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "dd-prof-dns-"));
  dirs.push(d);
  return d;
}

/** A resolver that asks only this CoreDNS, once per query (no retries hiding a slow answer). */
function resolverFor(port: number): Resolver {
  const r = new Resolver({ timeout: 3000, tries: 1 });
  r.setServers([`127.0.0.1:${port}`]);
  return r;
}

/** The error code a lookup fails with (ENOTFOUND = NXDOMAIN, EREFUSED = REFUSED), or "resolved: ...". */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    return `resolved: ${JSON.stringify(await p)}`;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? String(e);
  }
}

/** A ClusterIP Service without a selector (no endpoints needed: its A record is the clusterIP). */
async function createService(name: string): Promise<string> {
  const svc = await cp.api("POST", `/api/v1/namespaces/${NS}/services`, {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name },
    spec: { type: "ClusterIP", ports: [{ name: "http", port: 80, protocol: "TCP" }] },
  });
  const ip = svc.body.spec.clusterIP as string;
  expect(ip, "the API allocates a clusterIP from the service range").toMatch(new RegExp(`^${SERVICE_CIDR.split(".").slice(0, 2).join("\\.")}\\.`));
  return ip;
}

/** Waits until `name` resolves (the kubernetes plugin learns a new Service through its watch). */
async function resolvesTo(r: Resolver, name: string, ip: string): Promise<void> {
  await waitFor(`${name} to resolve to ${ip}`, 15_000, async () => (await r.resolve4(name)).includes(ip));
}

test("answers a Service's A and PTR records, NXDOMAIN for unknown names, REFUSED outside the cluster; stop() leaves nothing", async () => {
  const dir = tempDir();
  const port = await freePort();
  let t0 = Date.now();
  const dns = await startClusterDNS({ kubeconfig: cp.kubeconfig, listen: "127.0.0.1", port, dir });
  timing("startClusterDNS (to /ready 200)", t0);
  try {
    expect(dns.ip).toBe("127.0.0.1");
    expect(dns.port).toBe(port);
    expect(alive(dns.pid)).toBe(true);
    const corefile = readFileSync(dns.corefile, "utf8");
    expect(corefile).toContain(`kubeconfig ${cp.kubeconfig} e2e`);
    expect(corefile).toMatch(/kubernetes cluster\.local in-addr\.arpa ip6\.arpa \{/);
    expect(corefile).not.toMatch(/\bforward\b/);
    // The binary is the small one: exactly the Corefile's plugins, at the version kubeadm pins.
    expect(readFileSync(dns.logFile, "utf8")).toContain(`CoreDNS-${COREDNS_VERSION.slice(1)}`);
    expect(COREDNS_PLUGINS).toHaveLength(6);

    const ip = await createService("web");
    const r = resolverFor(port);
    t0 = Date.now();
    await resolvesTo(r, `web.${NS}.svc.cluster.local`, ip);
    timing("a new Service resolvable", t0);
    // Exactly that address, with the Corefile's ttl 5.
    expect(await r.resolve4(`web.${NS}.svc.cluster.local`, { ttl: true })).toEqual([{ address: ip, ttl: 5 }]);
    // The reverse zone answers for the clusterIP.
    expect(await r.reverse(ip)).toEqual([`web.${NS}.svc.cluster.local`]);
    // Names in the cluster domain that do not exist: NXDOMAIN.
    expect(await failure(r.resolve4(`nope.${NS}.svc.cluster.local`))).toBe("ENOTFOUND");
    expect(await failure(r.resolve4(`web.nosuchns.svc.cluster.local`))).toBe("ENOTFOUND");
    // Outside names are not forwarded: REFUSED, and fast (no upstream was tried).
    t0 = Date.now();
    expect(await failure(r.resolve4("example.com"))).toBe("EREFUSED");
    expect(await failure(r.resolve4("kubernetes.io"))).toBe("EREFUSED");
    expect(Date.now() - t0).toBeLessThan(2000);
    // A deleted Service goes away.
    await cp.api("DELETE", `/api/v1/namespaces/${NS}/services/web`);
    await waitFor("web to be NXDOMAIN after its deletion", 15_000, async () => (await failure(r.resolve4(`web.${NS}.svc.cluster.local`))) === "ENOTFOUND");
  } finally {
    t0 = Date.now();
    await dns.stop();
    timing("stop", t0);
  }
  expect(alive(dns.pid), `coredns ${dns.pid} still running after stop()`).toBe(false);
  // Nothing answers on the port any more.
  expect(await failure(resolverFor(port).resolve4(`web.${NS}.svc.cluster.local`))).toMatch(/^(ECONNREFUSED|ETIMEOUT)$/);
  rmSync(dir, { recursive: true });
  expect(existsSync(dir)).toBe(false);
});

test("a custom clusterDomain is served instead of cluster.local", async () => {
  const dir = tempDir();
  const port = await freePort();
  const dns = await startClusterDNS({ kubeconfig: cp.kubeconfig, listen: "127.0.0.1", port, dir, clusterDomain: "prof.internal" });
  try {
    expect(readFileSync(dns.corefile, "utf8")).toMatch(/kubernetes prof\.internal in-addr\.arpa ip6\.arpa \{/);
    const ip = await createService("api");
    const r = resolverFor(port);
    await resolvesTo(r, `api.${NS}.svc.prof.internal`, ip);
    expect(await r.resolve4(`api.${NS}.svc.prof.internal`)).toEqual([ip]);
    expect(await r.reverse(ip)).toEqual([`api.${NS}.svc.prof.internal`]);
    expect(await failure(r.resolve4(`nope.${NS}.svc.prof.internal`))).toBe("ENOTFOUND");
    // cluster.local is not this cluster's domain: an outside name like any other.
    expect(await failure(r.resolve4(`api.${NS}.svc.cluster.local`))).toBe("EREFUSED");
  } finally {
    await dns.stop();
  }
  expect(alive(dns.pid)).toBe(false);
});

test("a CoreDNS that cannot start fails startClusterDNS with its log", async () => {
  const dir = tempDir();
  // A kubeconfig whose current context does not exist: CoreDNS's kubernetes plugin refuses it at start-up.
  const kubeconfig = join(dir, "bad.kubeconfig");
  writeFileSync(kubeconfig, readFileSync(cp.kubeconfig, "utf8").replace(/^current-context: .*$/m, "current-context: no-such-context"), { mode: 0o600 });
  const t0 = Date.now();
  await expect(startClusterDNS({ kubeconfig, listen: "127.0.0.1", port: await freePort(), dir })).rejects.toThrow(/coredns exited[\s\S]*no-such-context/);
  expect(Date.now() - t0, "fails at once, not at the ready timeout").toBeLessThan(15_000);
});
