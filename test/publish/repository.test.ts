// The chart repository end to end on loopback: `npm run package` (signed with a throwaway key,
// index merged with an earlier version), dist/ served over HTTP on 127.0.0.1, then with Helm 3 and
// Helm 4: repo add, search repo, pull --verify, verify, template from the repository.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readChartMeta } from "../../scripts/lib/chart.ts";
import { helms, type Helm } from "../../scripts/lib/helm.ts";
import { chartDir, repoRoot } from "../../scripts/lib/paths.ts";
import { findTool } from "../../scripts/lint/tools.ts";
import { packageChart } from "../../scripts/publish/package.ts";
import { helmRun, makeGpgKey, requireInCI, serveDir, stopGpgAgent, tempDir, type GpgKey } from "./helpers.ts";

const chart = readChartMeta();
const EARLIER = "0.0.1-earlier";
const all: Helm[] = await helms();
const gpg = requireInCI(Boolean(await findTool("gpg")), "gpg", "apt-get install -y gpg");

let work: string;
let dist: string;
let key: GpgKey | undefined;
let server: Awaited<ReturnType<typeof serveDir>>;

beforeAll(async () => {
  work = tempDir("chart-repo");
  dist = join(work, "dist");
  server = await serveDir(dist);
  // An earlier version, published before: a copy of the chart with another version, no signature.
  const earlier = join(work, "earlier");
  cpSync(chartDir, earlier, { recursive: true });
  const meta = readFileSync(join(earlier, "Chart.yaml"), "utf8").replace(/^version: .*$/m, `version: ${EARLIER}`).replace(/artifacthub.io\/prerelease: "false"/, 'artifacthub.io/prerelease: "true"');
  writeFileSync(join(earlier, "Chart.yaml"), meta);
  await packageChart({ chart: earlier, dest: dist, url: server.url });
  // The current version through the CLI, as CI runs it, signed when gpg is here.
  key = gpg === "run" ? await makeGpgKey() : undefined;
  const env: Record<string, string> = key ? { HELM_SIGN_KEY: key.name, HELM_SIGN_KEYRING: key.secring } : {};
  const r = await execa(process.execPath, [join(repoRoot, "scripts/publish/package.ts"), "--dest", dist, "--url", server.url], { env, reject: false, all: true });
  if (r.exitCode !== 0) throw new Error(`npm run package failed:\n${String(r.all)}`);
});

afterAll(async () => {
  await server?.close();
  if (key) {
    await stopGpgAgent(key);
    rmSync(key.home, { recursive: true, force: true });
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("npm run package", () => {
  it("writes the package, and an index that keeps the earlier version", () => {
    const tgz = join(dist, `${chart.name}-${chart.version}.tgz`);
    expect(existsSync(tgz)).toBe(true);
    const index = load(readFileSync(join(dist, "index.yaml"), "utf8")) as { entries: Record<string, { version: string; urls: string[]; digest: string }[]> };
    const versions = index.entries[chart.name].map((e) => e.version);
    expect(versions).toContain(chart.version);
    expect(versions).toContain(EARLIER);
    const current = index.entries[chart.name].find((e) => e.version === chart.version)!;
    expect(current.urls).toEqual([`${server.url}/${chart.name}-${chart.version}.tgz`]);
  });

  it.skipIf(gpg === "skip")("signs the package when HELM_SIGN_KEY is given", () => {
    const prov = readFileSync(join(dist, `${chart.name}-${chart.version}.tgz.prov`), "utf8");
    expect(prov).toContain("-----BEGIN PGP SIGNATURE-----");
    expect(prov).toContain(`version: ${chart.version}`);
  });

  it("refuses to replace a published version with another package", async () => {
    const published = join(work, "published-index.yaml");
    const index = readFileSync(join(dist, "index.yaml"), "utf8").replace(/digest: [0-9a-f]{64}/g, `digest: ${"f".repeat(64)}`);
    writeFileSync(published, index);
    await expect(packageChart({ dest: join(work, "again"), merge: published })).rejects.toThrow(/already in .* with another digest/);
  });
});

describe.each(all.map((h) => [h.id, h] as const))("chart repository over HTTP with %s", (_id, helm) => {
  let home: string;
  beforeAll(() => {
    home = tempDir(`helm-home-${helm.id}`);
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it("adds the repository and finds both versions", async () => {
    await helmRun(helm, home, ["repo", "add", "profiler", server.url]);
    const found = await helmRun(helm, home, ["search", "repo", `profiler/${chart.name}`, "--versions", "--devel", "-o", "json"]);
    const versions = (JSON.parse(found) as { version: string }[]).map((e) => e.version);
    expect(versions).toEqual(expect.arrayContaining([chart.version, EARLIER]));
    const latest = JSON.parse(await helmRun(helm, home, ["search", "repo", `profiler/${chart.name}`, "-o", "json"])) as { version: string }[];
    expect(latest[0].version).toBe(chart.version);
  });

  it.skipIf(gpg === "skip")("pulls with --verify, and helm verify accepts the provenance", async () => {
    const into = join(home, "pulled");
    mkdirSync(into, { recursive: true });
    await helmRun(helm, home, ["pull", `profiler/${chart.name}`, "--version", chart.version, "--verify", "--keyring", key!.pubring, "--destination", into]);
    const tgz = join(into, `${chart.name}-${chart.version}.tgz`);
    expect(existsSync(tgz)).toBe(true);
    expect(await helmRun(helm, home, ["verify", tgz, "--keyring", key!.pubring])).toMatch(/Signed by: Chart Test Signer/);
  });

  it("pulls the earlier version", async () => {
    const into = join(home, "earlier");
    mkdirSync(into, { recursive: true });
    await helmRun(helm, home, ["pull", `profiler/${chart.name}`, "--version", EARLIER, "--destination", into]);
    expect(existsSync(join(into, `${chart.name}-${EARLIER}.tgz`))).toBe(true);
  });

  it("renders the chart from the repository", async () => {
    const out = await helmRun(helm, home, ["template", "prof", `profiler/${chart.name}`, "--version", chart.version, "--namespace", "profiling"]);
    const kinds = (out.match(/^kind: \w+$/gm) ?? []).map((l) => l.slice(6));
    expect(kinds).toContain("DaemonSet");
    expect(out).toContain(`helm.sh/chart: ${chart.name}-${chart.version}`);
  });
});
