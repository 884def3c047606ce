// `npm run package`: the chart as a chart repository would serve it.
//   helm package chart/ -> <dest>/<name>-<version>.tgz (signed, with a .prov, when a key is given)
//   helm repo index <dest> [--url URL] --merge <index>   (earlier versions in <index> are kept)
//
// Options: --dest DIR (default dist), --url URL (absolute download URLs; omitted: relative, which
// works wherever the folder is served), --merge FILE (an existing index.yaml, e.g. the gh-pages
// one; default <dest>/index.yaml when it exists), --chart DIR (default chart/).
// Signing, from the environment: HELM_SIGN_KEY (key name, e.g. the uid's e-mail), HELM_SIGN_KEYRING
// (a secret keyring in the legacy format: `gpg --export-secret-keys > secring.gpg`) and, for a key
// with a passphrase, HELM_SIGN_PASSPHRASE_FILE.
// A version already in the --merge index with a different digest is refused: a published version
// never changes (a re-run of `npm run package` into the same dist/ simply replaces its package).
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { load } from "js-yaml";
import { readChartMeta } from "../lib/chart.ts";
import { helms, runHelm } from "../lib/helm.ts";
import { chartDir, repoRoot } from "../lib/paths.ts";

export interface PackageOptions {
  chart?: string;
  dest?: string;
  url?: string;
  merge?: string;
  env?: NodeJS.ProcessEnv;
}

export interface PackageResult {
  tgz: string;
  prov?: string;
  index: string;
  name: string;
  version: string;
  digest: string;
}

type IndexEntry = { version: string; digest?: unknown };

function fail(message: string): never {
  throw new Error(message);
}

export async function packageChart(o: PackageOptions = {}): Promise<PackageResult> {
  const env = o.env ?? process.env;
  const chart = o.chart ? resolve(o.chart) : chartDir;
  const dest = resolve(repoRoot, o.dest ?? "dist");
  mkdirSync(dest, { recursive: true });
  const meta = readChartMeta(chart);
  const [helm] = await helms();

  const args = ["package", chart, "--destination", dest];
  const key = env.HELM_SIGN_KEY;
  if (key) {
    const keyring = env.HELM_SIGN_KEYRING ?? fail("HELM_SIGN_KEY is set but HELM_SIGN_KEYRING is not: give the secret keyring (gpg --export-secret-keys > secring.gpg)");
    if (!existsSync(keyring)) fail(`HELM_SIGN_KEYRING ${keyring} does not exist`);
    args.push("--sign", "--key", key, "--keyring", keyring);
    if (env.HELM_SIGN_PASSPHRASE_FILE) args.push("--passphrase-file", env.HELM_SIGN_PASSPHRASE_FILE);
  }
  const packaged = await runHelm(helm, args);
  if (!packaged.ok) fail(`helm package failed: ${packaged.stderr.trim()}`);
  const tgz = join(dest, `${meta.name}-${meta.version}.tgz`);
  if (!existsSync(tgz)) fail(`helm package did not write ${tgz}: ${packaged.stdout.trim()}`);
  const digest = createHash("sha256").update(readFileSync(tgz)).digest("hex");

  // The index to merge: copied aside first, since `helm repo index` rewrites <dest>/index.yaml.
  const index = join(dest, "index.yaml");
  const mergeFrom = o.merge ? resolve(o.merge) : existsSync(index) ? index : undefined;
  const work = mkdtempSync(join(tmpdir(), "chart-index-"));
  try {
    const indexArgs = ["repo", "index", dest];
    if (o.url) indexArgs.push("--url", o.url);
    if (mergeFrom && existsSync(mergeFrom)) {
      const old = load(readFileSync(mergeFrom, "utf8")) as { entries?: Record<string, IndexEntry[]> } | null;
      const published = old?.entries?.[meta.name]?.find((e) => e.version === meta.version);
      // Only against an index given with --merge (the published one): a local dist/ is rebuilt freely.
      if (o.merge && published && String(published.digest ?? "") !== digest) {
        fail(`${meta.name} ${meta.version} is already in ${mergeFrom} with another digest (${String(published.digest ?? "none")}): a published version never changes, bump chart/Chart.yaml version`);
      }
      const copy = join(work, "index.yaml");
      copyFileSync(mergeFrom, copy);
      indexArgs.push("--merge", copy);
    } else if (o.merge) {
      console.warn(`note: ${o.merge} does not exist yet: starting a new index`);
    }
    const indexed = await runHelm(helm, indexArgs);
    if (!indexed.ok) fail(`helm repo index failed: ${indexed.stderr.trim()}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const prov = existsSync(`${tgz}.prov`) && key ? `${tgz}.prov` : undefined;
  return { tgz, prov, index, name: meta.name, version: meta.version, digest };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { dest: { type: "string" }, url: { type: "string" }, merge: { type: "string" }, chart: { type: "string" } },
  });
  try {
    const cwdRelative = (p?: string) => (p && !isAbsolute(p) ? resolve(process.cwd(), p) : p);
    const r = await packageChart({ dest: cwdRelative(values.dest), url: values.url, merge: cwdRelative(values.merge), chart: cwdRelative(values.chart) });
    console.log(`packaged ${r.tgz} (sha256 ${r.digest})${r.prov ? `\nsigned   ${r.prov}` : ""}\nindexed  ${r.index}`);
  } catch (e) {
    console.error(`package: ${(e as Error).message}`);
    process.exit(1);
  }
}
