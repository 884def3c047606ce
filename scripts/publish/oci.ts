// `npm run publish:oci -- oci://host/path [--plain-http] [--package FILE]`: helm push of the
// packaged chart (dist/<name>-<version>.tgz for chart/Chart.yaml's version, from `npm run
// package`); a .prov beside it is pushed with it. Prints the pushed reference and its digest.
// Credentials, when the registry needs them: HELM_REGISTRY_USERNAME and HELM_REGISTRY_PASSWORD
// (e.g. github.actor and GITHUB_TOKEN for ghcr.io), used for `helm registry login` first.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { readChartMeta } from "../lib/chart.ts";
import { helms, runHelm, type Helm } from "../lib/helm.ts";
import { repoRoot } from "../lib/paths.ts";

export interface PushResult {
  ref: string;
  digest: string;
  output: string;
}

export async function pushChart(target: string, o: { packageFile?: string; plainHttp?: boolean; helm?: Helm; env?: NodeJS.ProcessEnv } = {}): Promise<PushResult> {
  if (!/^oci:\/\/[^/]+(\/\S*)?$/.test(target)) throw new Error(`"${target}" is not an oci://host/path reference`);
  const env = o.env ?? process.env;
  const helm = o.helm ?? (await helms())[0];
  const meta = readChartMeta();
  const file = o.packageFile ? resolve(o.packageFile) : join(repoRoot, "dist", `${meta.name}-${meta.version}.tgz`);
  if (!existsSync(file)) throw new Error(`${file} does not exist: run \`npm run package\` first`);
  const tls = o.plainHttp ? ["--plain-http"] : [];

  if (env.HELM_REGISTRY_USERNAME && env.HELM_REGISTRY_PASSWORD) {
    const host = target.slice("oci://".length).split("/")[0];
    const login = await runHelm(helm, ["registry", "login", host, "--username", env.HELM_REGISTRY_USERNAME, "--password-stdin", ...(o.plainHttp ? ["--insecure"] : [])], { input: env.HELM_REGISTRY_PASSWORD, env });
    if (!login.ok) throw new Error(`helm registry login ${host} failed: ${login.stderr.trim()}`);
  }
  const r = await runHelm(helm, ["push", file, target, ...tls], { env });
  const output = r.all;
  if (!r.ok) throw new Error(`helm push failed: ${output.trim()}`);
  const pushed = /Pushed:\s*(\S+)/.exec(output)?.[1];
  const digest = /Digest:\s*(sha256:[0-9a-f]{64})/.exec(output)?.[1];
  if (!pushed || !digest) throw new Error(`helm push printed no reference or digest: ${output.trim()}`);
  return { ref: pushed, digest, output };
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { "plain-http": { type: "boolean" }, package: { type: "string" } },
  });
  if (positionals.length !== 1) {
    console.error("usage: npm run publish:oci -- oci://host/path [--plain-http] [--package dist/<chart>-<version>.tgz]");
    process.exit(2);
  }
  try {
    const r = await pushChart(positionals[0], { packageFile: values.package, plainHttp: values["plain-http"] });
    console.log(`pushed ${r.ref}\ndigest ${r.digest}\ninstall: helm install <release> oci://${r.ref.replace(/:[^:/]+$/, "")} --version ${r.ref.split(":").pop()}`);
  } catch (e) {
    console.error(`publish:oci: ${(e as Error).message}`);
    process.exit(1);
  }
}
