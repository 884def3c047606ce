// Regenerate scripts/kubernetes/schemas/v1.NN.json from the OpenAPI v3 documents that each
// Kubernetes release publishes in its Go module (k8s.io/kubernetes@vX.Y.Z api/openapi-spec/v3).
// Needs Go and the Go module proxy; nothing else in the repository does (the outputs are committed).
//
//   npx node scripts/kubernetes/refresh-schemas.ts                 # default minors + newest served
//   npx node scripts/kubernetes/refresh-schemas.ts 1.30 1.34.2     # chosen minors or exact versions
//
// Each minor resolves to the newest patch `go list -m -versions k8s.io/kubernetes` lists, else to .0.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { buildBundle, mergeComponents, serialiseBundle, type OpenApiSchema } from "./openapi-to-jsonschema.ts";

export const schemasDir = join(dirname(fileURLToPath(import.meta.url)), "schemas");

/** Minors refreshed by default; the newest minor the proxy serves is added to them. */
export const DEFAULT_MINORS = ["1.29", "1.30", "1.31", "1.33", "1.35"];

/**
 * Every built-in kind of each release is kept (all non-alpha kinds of its OpenAPI documents), so a
 * chart's CustomResourceDefinition or webhook configuration is validated, not reported unknown.
 * These, the kinds charts render most, must exist in every refreshed release.
 */
export const KINDS = [
  "DaemonSet", "Deployment", "StatefulSet", "Job", "CronJob", "Pod",
  "ServiceAccount", "Secret", "ConfigMap", "Service", "Namespace",
  "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
  "PodDisruptionBudget", "PriorityClass", "NetworkPolicy", "HorizontalPodAutoscaler", "RuntimeClass",
  "Ingress", "PersistentVolumeClaim", "LimitRange", "ResourceQuota",
];

interface SemVer { major: number; minor: number; patch: number; text: string }

function parse(v: string): SemVer | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(v);
  return m ? { major: +m[1], minor: +m[2], patch: +m[3], text: `v${m[1]}.${m[2]}.${m[3]}` } : undefined;
}

async function go(args: string[], cwd: string): Promise<string> {
  const { stdout } = await execa("go", args, { cwd, env: { GOFLAGS: "-mod=mod", GO111MODULE: "on", GOWORK: "off" } });
  return stdout;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "k8s-openapi-"));
  try {
    // A throwaway module: `go list -m` and `go mod download` need one, and it keeps the caller's
    // go.mod/go.work (if any) out of the picture.
    writeFileSync(join(work, "go.mod"), "module refreshschemas\n\ngo 1.22\n");
    console.log("listing k8s.io/kubernetes versions on the Go module proxy ...");
    const listed = (await go(["list", "-m", "-versions", "k8s.io/kubernetes"], work))
      .trim().split(/\s+/).slice(1).map(parse).filter((v): v is SemVer => v !== undefined);
    if (listed.length === 0) throw new Error("the Go module proxy lists no k8s.io/kubernetes versions");
    const newestMinor = listed.reduce((a, b) => (b.major > a.major || (b.major === a.major && b.minor > a.minor) ? b : a));
    console.log(`  ${listed.length} versions listed, newest minor ${newestMinor.major}.${newestMinor.minor}`);

    const args = process.argv.slice(2);
    const wanted = args.length > 0 ? args : [...new Set([...DEFAULT_MINORS, `${newestMinor.major}.${newestMinor.minor}`])];
    const exact = wanted.map((w) => {
      const full = parse(w);
      if (full) return full;
      const m = /^v?(\d+)\.(\d+)$/.exec(w);
      if (!m) throw new Error(`"${w}" is neither a minor (1.30) nor an exact version (1.30.14)`);
      const patches = listed.filter((v) => v.major === +m[1] && v.minor === +m[2]).sort((a, b) => b.patch - a.patch);
      return patches[0] ?? parse(`${m[1]}.${m[2]}.0`)!;
    });

    mkdirSync(schemasDir, { recursive: true });
    for (const v of exact) {
      const started = Date.now();
      console.log(`k8s.io/kubernetes@${v.text}: go mod download ...`);
      const info = JSON.parse(await go(["mod", "download", "-json", `k8s.io/kubernetes@${v.text}`], work)) as { Dir?: string; Error?: string };
      if (info.Error || !info.Dir) throw new Error(`go mod download k8s.io/kubernetes@${v.text}: ${info.Error ?? "no Dir"}`);
      const specDir = join(info.Dir, "api", "openapi-spec", "v3");
      const files = readdirSync(specDir).filter((f) => f.endsWith(".json")).sort();
      const docs = files.map((f) => JSON.parse(readFileSync(join(specDir, f), "utf8")) as { components?: { schemas?: Record<string, OpenApiSchema> } });
      const components = mergeComponents(docs);
      const bundle = buildBundle(components, "all", v.text, KINDS);
      const out = join(schemasDir, `v${v.major}.${v.minor}.json`);
      const text = serialiseBundle(bundle);
      writeFileSync(out, text);
      console.log(
        `  ${files.length} documents, ${Object.keys(components).length} definitions -> ${Object.keys(bundle.kinds).length} kinds, ` +
          `${Object.keys(bundle.$defs).length} definitions, ${(text.length / 1024).toFixed(0)} KiB -> ${out} (${Date.now() - started} ms)`,
      );
    }
    const present = readdirSync(schemasDir).filter((f) => /^v\d+\.\d+\.json$/.test(f));
    const written = new Set(exact.map((v) => `v${v.major}.${v.minor}.json`));
    const stale = present.filter((f) => !written.has(f));
    if (stale.length > 0) console.log(`left as they were (not in this run's list): ${stale.join(", ")}`);
    console.log("done");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main();
}
