// Helpers shared by the end-to-end tests: Helm against a control plane, fresh namespaces, rendered
// versus live objects, and the chart as it was at an older commit.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { type Helm, type HelmResult, runHelm } from "../../scripts/lib/helm.ts";
import { chartDir, repoRoot } from "../../scripts/lib/paths.ts";
import { renderOk } from "../helpers/render.ts";
import { type ControlPlane } from "../../scripts/cluster/control-plane.ts";

export { chartDir, repoRoot };
export { describeHelm, freshNamespace, helmOn, noWait, PSA_FIX, PSA_LABEL, until } from "../helpers/cluster.ts";
import { describeHelm } from "../helpers/cluster.ts";





export interface ObjRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export function refKey(r: ObjRef): string {
  return `${r.kind}/${r.namespace ? r.namespace + "/" : ""}${r.name}`;
}

export const CLUSTER_SCOPED = new Set(["ClusterRole", "ClusterRoleBinding", "Namespace", "PriorityClass", "PodSecurityPolicy", "CustomResourceDefinition"]);

export function refsOf(objects: any[], namespace: string): ObjRef[] {
  return objects.map((o) => ({
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name,
    namespace: CLUSTER_SCOPED.has(o.kind) ? undefined : (o.metadata.namespace ?? namespace),
  }));
}

/** `helm template` with the same release, namespace and flags as an install, hooks left out; throws with Helm's message. */
export function render(helm: Helm, chart: string, release: string, namespace: string, flags: string[]): Promise<any[]> {
  return renderOk(helm, {}, { chart, release, namespace, extraArgs: flags, hooks: false });
}

/** The live object, or undefined when the API says NotFound. */
export async function getLive(cp: ControlPlane, ref: ObjRef): Promise<any | undefined> {
  const args = ["get", ref.kind, ref.name, "-o", "json"];
  if (ref.namespace) args.push("-n", ref.namespace);
  const r = await cp.kubectl(args);
  if (r.ok) return JSON.parse(r.stdout);
  if (/NotFound|not found/.test(r.stderr)) return undefined;
  throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
}

/** Every object carrying the release's instance label, in the namespace and cluster-wide. */
export async function releaseObjects(cp: ControlPlane, release: string, namespace: string): Promise<string[]> {
  const sel = `app.kubernetes.io/instance=${release}`;
  const found: string[] = [];
  const namespaced = "daemonsets,pods,secrets,configmaps,serviceaccounts,services,roles,rolebindings,controllerrevisions,deployments,jobs";
  for (const [kinds, nsArgs] of [
    [namespaced, ["-n", namespace]],
    ["clusterroles,clusterrolebindings,priorityclasses", []],
  ] as const) {
    const r = await cp.kubectl(["get", kinds, ...nsArgs, "-l", sel, "-o", "name"]);
    if (!r.ok) throw new Error(`kubectl get ${kinds}: ${r.stderr}`);
    found.push(...r.stdout.split("\n").filter(Boolean));
  }
  // Helm's own release records (Secrets of type helm.sh/release.v1) carry name=<release>, not the instance label.
  const h = await cp.kubectl(["get", "secrets", "-n", namespace, "-l", `owner=helm,name=${release}`, "-o", "name"]);
  found.push(...h.stdout.split("\n").filter(Boolean));
  return found;
}

/** Values files the dry-run test applies: test/cases/*.yaml when that folder exists, else test/e2e/values/*.yaml. */
export function valuesCases(): { dir: string; files: string[] } {
  for (const dir of [join(repoRoot, "test", "cases"), join(repoRoot, "test", "e2e", "values")]) {
    if (!existsSync(dir)) continue;
    const files = readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => join(dir, f));
    if (files.length > 0) return { dir, files };
  }
  return { dir: "", files: [] };
}

function git(args: string[]): string {
  return execFileSync("git", args, { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/**
 * The commit the upgrade test starts from: $DD_E2E_UPGRADE_FROM if set, else `git merge-base HEAD origin/main`
 * when that branch exists and has the chart, else the first commit that added chart/Chart.yaml.
 */
export function upgradeBase(): { rev: string; how: string } | undefined {
  if (process.env.DD_E2E_UPGRADE_FROM) return { rev: git(["rev-parse", process.env.DD_E2E_UPGRADE_FROM]), how: "DD_E2E_UPGRADE_FROM" };
  try {
    const mb = git(["merge-base", "HEAD", "origin/main"]);
    git(["cat-file", "-e", `${mb}:chart/Chart.yaml`]);
    return { rev: mb, how: "merge-base HEAD origin/main" };
  } catch {}
  try {
    const first = git(["log", "--diff-filter=A", "--format=%H", "--", "chart/Chart.yaml"]).split("\n").filter(Boolean).pop();
    if (first) return { rev: first, how: "first commit with chart/Chart.yaml" };
  } catch {}
  return undefined;
}

/** `git archive <rev> chart` into a temp dir, then `helm package`; returns the .tgz and a cleanup. */
export async function packageChartAt(helm: Helm, rev: string): Promise<{ tgz: string; cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), "dd-prof-chart-"));
  const tar = execFileSync("git", ["archive", "--format=tar", rev, "chart"], { cwd: repoRoot, maxBuffer: 64 << 20 });
  await execa("tar", ["-x", "-C", dir], { input: tar });
  const r = await runHelm(helm, ["package", join(dir, "chart"), "--destination", dir]);
  if (!r.ok) throw new Error(`helm package of chart at ${rev} failed: ${describeHelm(r)}`);
  const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz"));
  if (!tgz) throw new Error(`helm package wrote no .tgz in ${dir}`);
  return { tgz: join(dir, tgz), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}


/** Core events of a namespace, as "reason: message" lines, optionally for one involved object. */
export async function eventLines(cp: ControlPlane, namespace: string, involvedName?: string): Promise<string[]> {
  const r = await cp.api("GET", `/api/v1/namespaces/${namespace}/events`);
  return (r.body.items as any[]).filter((e) => !involvedName || e.involvedObject?.name === involvedName).map((e) => `${e.reason}: ${e.message}`);
}


/** Pod Security admission warnings in Helm's output (Helm 3 logs them through klog, Helm 4 through slog). */
export function psaWarnings(r: HelmResult): string[] {
  return `${r.stdout}\n${r.stderr}`
    .split("\n")
    .filter((l) => /would violate PodSecurity/.test(l))
    .map((l) => l.replace(/\\"/g, '"'));
}
