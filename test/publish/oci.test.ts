// OCI publishing end to end on loopback: a real registry (Debian's docker-registry) on 127.0.0.1,
// `npm run publish:oci` pushes with Helm 3 and with Helm 4 (--plain-http), then each Helm pulls and
// renders the chart by version and by digest. The test starts and stops the registry itself.
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readChartMeta } from "../../scripts/lib/chart.ts";
import { helms, type Helm } from "../../scripts/lib/helm.ts";
import { repoRoot } from "../../scripts/lib/paths.ts";
import { packageChart } from "../../scripts/publish/package.ts";
import { pushChart } from "../../scripts/publish/oci.ts";
import { helmEnv, helmRun, registryBinary, requireInCI, startRegistry, tempDir, type Registry } from "./helpers.ts";

const chart = readChartMeta();
const all: Helm[] = await helms();
const bin = await registryBinary();
const gate = requireInCI(Boolean(bin), "the OCI registry (docker-registry)", "apt-get install -y docker-registry");

let work: string;
let tgz: string;
let registry: Registry;
/** Per pushing Helm: the repository it pushed to and the digest it got. */
const pushed = new Map<string, { repo: string; digest: string }>();

describe.skipIf(gate === "skip")("OCI registry on loopback", () => {
  beforeAll(async () => {
    work = tempDir("chart-oci");
    registry = await startRegistry(bin!);
    tgz = (await packageChart({ dest: join(work, "dist") })).tgz;
  });
  afterAll(async () => {
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it.each(all.map((h) => [h.id, h] as const))("npm run publish:oci pushes with %s", async (_id, helm) => {
    const repo = `${registry.host}/charts-${helm.id}`;
    const home = tempDir(`helm-push-${helm.id}`);
    try {
      // The CLI with the first Helm (what the release workflow runs), the module for the other.
      const r =
        helm === all[0]
          ? await execa(process.execPath, [join(repoRoot, "scripts/publish/oci.ts"), `oci://${repo}`, "--plain-http", "--package", tgz], { env: helmEnv(home), reject: false, all: true })
          : undefined;
      let digest: string;
      if (r) {
        expect(r.exitCode, String(r.all)).toBe(0);
        digest = /digest (sha256:[0-9a-f]{64})/.exec(String(r.stdout))![1];
      } else {
        digest = (await pushChart(`oci://${repo}`, { packageFile: tgz, plainHttp: true, helm, env: { ...process.env, ...helmEnv(home) } })).digest;
      }
      const manifest = await fetch(`http://${registry.host}/v2/charts-${helm.id}/${chart.name}/manifests/${chart.version}`, { headers: { accept: "application/vnd.oci.image.manifest.v1+json" } });
      expect(manifest.status).toBe(200);
      expect(manifest.headers.get("docker-content-digest")).toBe(digest);
      pushed.set(helm.id, { repo, digest });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  const pairs = all.flatMap((pusher) => all.map((puller) => [`pushed by ${pusher.id}, pulled by ${puller.id}`, pusher, puller] as const));
  describe.each(pairs)("%s", (_name, pusher, puller) => {
    let home: string;
    beforeAll(() => {
      home = tempDir(`helm-pull-${puller.id}`);
    });
    afterAll(() => rmSync(home, { recursive: true, force: true }));
    const ref = () => {
      const p = pushed.get(pusher.id);
      if (!p) throw new Error(`nothing was pushed by ${pusher.id}`);
      return { ...p, chartRef: `oci://${p.repo}/${chart.name}` };
    };
    const kinds = (out: string) => (out.match(/^kind: \w+$/gm) ?? []).map((l) => l.slice(6));

    it("pulls and renders by version", async () => {
      const { chartRef } = ref();
      const into = join(home, "by-version");
      mkdirSync(into, { recursive: true });
      await helmRun(puller, home, ["pull", chartRef, "--version", chart.version, "--plain-http", "--destination", into]);
      expect(existsSync(join(into, `${chart.name}-${chart.version}.tgz`))).toBe(true);
      const out = await helmRun(puller, home, ["template", "prof", chartRef, "--version", chart.version, "--plain-http", "--namespace", "profiling"]);
      expect(kinds(out)).toContain("DaemonSet");
    });

    it("pulls and renders by digest", async () => {
      const { chartRef, digest } = ref();
      const into = join(home, "by-digest");
      mkdirSync(into, { recursive: true });
      await helmRun(puller, home, ["pull", `${chartRef}@${digest}`, "--plain-http", "--destination", into]);
      // Helm names a chart pulled by digest "<name>@sha256-<hex>.tgz"; its Chart.yaml tells the version.
      const files = readdirSync(into);
      expect(files).toHaveLength(1);
      const shown = load(await helmRun(puller, home, ["show", "chart", join(into, files[0])])) as { name: string; version: string };
      expect(shown).toMatchObject({ name: chart.name, version: chart.version });
      const out = await helmRun(puller, home, ["template", "prof", `${chartRef}@${digest}`, "--plain-http", "--namespace", "profiling"]);
      expect(kinds(out)).toContain("DaemonSet");
      expect(out).toContain(`helm.sh/chart: ${chart.name}-${chart.version}`);
    });
  });
});
