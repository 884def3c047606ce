// Helpers of the node tier: a control plane and a real node per test file, the chart installed with
// Helm as a user would, and the profiler stand-in's report read back from the pod's log. The stand-in
// replays the released profiler's start-up (scripts/profiler/startup.ts); a step this node cannot pass
// for a known reason (knownFailures) is shown failing by test/node/known-failures.test.ts and is
// marked skipped, and printed, everywhere else.
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect } from "vitest";
import { leastPrivilegeCapabilities, leastPrivilegeCapabilityNames, probeOperations, type ProbeOperation } from "../../scripts/contract/capabilities.ts";
import { binarySteps, knownNodeFailures, type KnownNodeFailure } from "../../scripts/profiler/startup.ts";
import { type ControlPlane } from "../../scripts/cluster/control-plane.ts";
import type { Helm, HelmResult } from "../../scripts/lib/helm.ts";
import { readChartMeta } from "../../scripts/lib/chart.ts";
import { startCluster, type StandinNode } from "../../scripts/standin/cluster.ts";
import { KNOWN_FAILURES_VAR, knownFailures } from "../../scripts/standin/known-failures.ts";
import { valuesFile } from "../helpers/render.ts";
import { describeHelm, freshNamespace, helmOn, noWait, PSA_LABEL, until } from "../helpers/cluster.ts";
import { chartDir } from "../../scripts/lib/paths.ts";

export { chartDir, describeHelm, helmOn, knownFailures, noWait, until };

export const chartMeta = readChartMeta();
/** The chart's default image: what the stand-in is imported as. */
export const DEFAULT_IMAGE = `ghcr.io/datadog/dd-otel-host-profiler:v${chartMeta.appVersion}`;
export const CONTAINER = "dd-otel-host-profiler";

/** Progress of the node on a terminal; quiet in CI. */
const nodeLog = (line: string) => {
  if (process.env.CI !== "true") process.stderr.write(`[node] ${line}\n`);
};

export interface NodeEnv {
  cp: ControlPlane;
  node: StandinNode;
}

/**
 * Starts a control plane and one real node (scripts/standin/cluster.ts startCluster) before the file's
 * tests, and stops both after; the file fails if anything the node started survives.
 */
export function useNode(): NodeEnv {
  const env = {} as NodeEnv;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const c = await startCluster({ images: [DEFAULT_IMAGE], log: nodeLog });
    Object.assign(env, { cp: c.cp, node: c.node });
    stop = c.stop;
    // Never silent: every file says which start-up steps it marks skipped on this node, and why.
    for (const k of knownFailures(c.node)) console.log(`SKIPPED on this node (known failure "${k}"): ${knownNodeFailures[k].steps.join(", ")}, because ${knownNodeFailures[k].when} (kernel ${c.node.kernel}, memlock hard limit ${c.node.memlockHard}); test/node/known-failures.test.ts shows the failure`);
  });
  afterAll(async () => {
    await stop?.();
    if (env.node) expect(env.node.leftovers(), "the node tier left something behind").toEqual([]);
  });
  return env;
}

/** Capabilities of the chart's leastPrivilege set that this node's runtime cannot grant at all. */
export function ungrantable(node: StandinNode): string[] {
  return leastPrivilegeCapabilityNames.filter((c) => !node.boundingSet.includes(c));
}

/** A random key in the Datadog API key format, unique to the test. */
export function randomApiKey(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return [...randomBytes(32)].map((b) => alphabet[b % alphabet.length]).join("");
}

export const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export interface Install {
  ns: string;
  release: string;
  apiKey: string;
  result: HelmResult;
  /** The known failures the stand-in was asked to skip. */
  known: KnownNodeFailure[];
}

/**
 * `helm install` into a fresh namespace labeled for privileged pods, with the API key in a Secret
 * of the user's (datadog.apiKeyExistingSecret). Does not wait: the tests wait for what they expect.
 * The stand-in skips this node's known failures (`known`, by default all of them; [] replays every step).
 */
export async function install(env: NodeEnv, helm: Helm, values: Record<string, any>, o: { chart?: string; prefix?: string; known?: KnownNodeFailure[] } = {}): Promise<Install> {
  const ns = await freshNamespace(env.cp, o.prefix ?? `n${helm.major}`, { [PSA_LABEL]: "privileged" });
  const apiKey = randomApiKey();
  await env.cp.api("POST", `/api/v1/namespaces/${ns}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "dd-secret" }, stringData: { "api-key": apiKey } });
  const release = "prof";
  const known = o.known ?? knownFailures(env.node);
  const extraEnv = [...(values.extraEnv ?? []), ...(known.length ? [{ name: KNOWN_FAILURES_VAR, value: known.join(",") }] : [])];
  const all = { datadog: { apiKeyExistingSecret: "dd-secret" }, ...values, extraEnv };
  const result = await helmOn(env.cp, helm, ["install", release, o.chart ?? chartDir, "-n", ns, "-f", valuesFile(all), noWait(helm)]);
  expect(result.ok, `helm install failed:\n${describeHelm(result)}`).toBe(true);
  return { ns, release, apiKey, result, known };
}

export async function uninstall(env: NodeEnv, helm: Helm, i: Install): Promise<void> {
  const r = await helmOn(env.cp, helm, ["uninstall", i.release, "-n", i.ns, "--wait", "--timeout", "60s"]);
  expect(r.ok, describeHelm(r)).toBe(true);
}

export async function podsOf(env: NodeEnv, ns: string, selector = "app.kubernetes.io/component!=test"): Promise<any[]> {
  return (await env.cp.api("GET", `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`)).body.items;
}

/** Why a pod is not running, in the words the kubelet and the runtime used (events and container state). */
export async function whyNotRunning(env: NodeEnv, ns: string, pod: any): Promise<string> {
  const events = (await env.cp.api("GET", `/api/v1/namespaces/${ns}/events`)).body.items
    .filter((e: any) => e.involvedObject?.name === pod.metadata.name)
    .map((e: any) => `${e.reason}: ${e.message}`);
  const states = (pod.status?.containerStatuses ?? []).map((c: any) => `${c.name}: ${JSON.stringify(c.state)}`);
  return [`phase ${pod.status?.phase}`, ...states, ...events].join("\n");
}

/** The profiler pod once its container runs, or a failure that says why it does not. */
export async function runningPod(env: NodeEnv, ns: string, timeoutMs = 90_000): Promise<any> {
  let last: any;
  try {
    return await until("the profiler pod to run", timeoutMs, async () => {
      const pods = await podsOf(env, ns);
      last = pods[0];
      return pods.find((p) => !p.metadata.deletionTimestamp && p.status?.containerStatuses?.[0]?.state?.running && p.status.conditions?.some((c: any) => c.type === "Ready" && c.status === "True"));
    }, 500);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${last ? await whyNotRunning(env, ns, last) : "no pod was created"}`);
  }
}

export interface Result {
  ok: boolean;
  detail?: string;
  error?: string;
}

export interface StepResult {
  id: string;
  ok: boolean;
  skipped?: boolean;
  error?: string;
  detail?: string;
}

/** What the stand-in printed (see scripts/standin/binary/main.go, Report). */
export interface StandinReport {
  kernel: string;
  uid: number;
  gid: number;
  caps: Record<"CapEff" | "CapPrm" | "CapBnd" | "CapInh" | "CapAmb", string[]>;
  noNewPrivs: string;
  seccomp: string;
  rootfs: string;
  memlock: string;
  env: Record<string, string>;
  keys: Record<string, { present: boolean; length: number; sha256?: string }>;
  steps: StepResult[];
  /** Set when a fatal step ended the start-up (the container then exits with `code`). */
  exit?: { code: number; step: string; message: string };
  target: string;
  ops: Record<ProbeOperation | "rootfs_write", Result>;
  defaultRoute: boolean;
}

/** The pod's log through the API server (kubectl logs), and the stand-in's report in it. */
export async function report(env: NodeEnv, ns: string, pod: any, o: { previous?: boolean } = {}): Promise<{ report: StandinReport; log: string }> {
  let last = "";
  const log = await until("the stand-in's report in the pod's log", 30_000, async () => {
    const r = await env.cp.kubectl(["logs", "-n", ns, pod.metadata.name, "-c", CONTAINER, ...(o.previous ? ["--previous"] : [])]);
    if (!r.ok) throw new Error(r.stderr);
    last = r.stdout;
    return r.stdout.includes("STANDIN-REPORT ") ? r.stdout : undefined;
  }).catch((e) => {
    throw new Error(`${(e as Error).message}; the log so far:\n${last}`);
  });
  const line = log.split("\n").find((l) => l.startsWith("STANDIN-REPORT "))!;
  return { report: JSON.parse(line.slice("STANDIN-REPORT ".length)), log };
}

/** The profiler container once it has exited (a crash loop), with the log of the run that ended. */
export async function exitedPod(env: NodeEnv, ns: string, timeoutMs = 90_000): Promise<{ pod: any; status: any; log: string }> {
  const pod = await until("the profiler container to exit", timeoutMs, async () => {
    const [p] = await podsOf(env, ns);
    const c = p?.status?.containerStatuses?.[0];
    return c && (c.state?.terminated || c.lastState?.terminated) ? p : undefined;
  }, 500);
  const status = pod.status.containerStatuses[0];
  const r = await env.cp.kubectl(["logs", "-n", ns, pod.metadata.name, "-c", CONTAINER, ...(status.state?.terminated ? [] : ["--previous"])]);
  return { pod, status, log: r.stdout + r.stderr };
}

/** The report of a container that exited, which must have stopped at `step` logging `message` and exiting `code`. */
export async function expectExitAt(env: NodeEnv, ns: string, want: { step: string; message: string | RegExp; code?: number }): Promise<StandinReport> {
  const { log } = await exitedPod(env, ns);
  const line = log.split("\n").find((l) => l.startsWith("STANDIN-REPORT "));
  expect(line, `the exited container printed no report; its log:\n${log}`).toBeDefined();
  const r: StandinReport = JSON.parse(line!.slice("STANDIN-REPORT ".length));
  expect(r.exit, `the profiler did not exit; steps: ${JSON.stringify(r.steps)}`).toBeDefined();
  expect(r.exit!.step, `exited at ${r.exit!.step}: ${r.exit!.message}`).toBe(want.step);
  if (typeof want.message === "string") expect(r.exit!.message).toBe(want.message);
  else expect(r.exit!.message).toMatch(want.message);
  const table = binarySteps.find((s) => s.id === want.step)!;
  expect(r.exit!.code, "exit code").toBe(want.code ?? table.exitCode);
  // The line the profiler logs, in logrus's format, is in the container's log as a user sees it.
  expect(log).toContain(`level=error msg=${JSON.stringify(r.exit!.message)}`);
  return r;
}

/**
 * The start-up went through: every step of the table ran in order, none stopped it, and the only
 * skipped steps are known failures this install asked for, each of which really failed here.
 */
export function expectStartup(r: StandinReport, known: KnownNodeFailure[]): void {
  expect(r.exit, `the profiler exited at ${r.exit?.step}: ${r.exit?.message}`).toBeUndefined();
  expect(r.steps.map((s) => s.id), "the steps of scripts/profiler/startup.ts, in order").toEqual(binarySteps.map((s) => s.id));
  const allowed = new Set(known.flatMap((k) => knownNodeFailures[k].steps as readonly string[]));
  const skipped = r.steps.filter((s) => s.skipped);
  expect(skipped.filter((s) => !allowed.has(s.id)).map((s) => s.id), "skipped steps that are no known failure").toEqual([]);
  for (const k of known) {
    expect(skipped.some((s) => (knownNodeFailures[k].steps as readonly string[]).includes(s.id)), `known failure ${k} was asked for but no step of it failed: it must not be skipped here`).toBe(true);
  }
  for (const s of skipped) expect(s.error, `${s.id} skipped without the profiler's message`).toBeTruthy();
}

/** Every probe operation that failed, as "op: error" lines. */
export function failedOps(r: StandinReport): string[] {
  return (Object.keys(probeOperations) as ProbeOperation[]).filter((op) => !r.ops[op]?.ok).map((op) => `${op}: ${r.ops[op]?.error ?? "not run"}`);
}

/**
 * The container's effective capabilities must be exactly `want`; each missing one is named with the
 * operations it is documented for and what they reported, so a broken template reads as its cause.
 */
export function expectCapabilities(r: StandinReport, want: string[]): void {
  const got = r.caps.CapEff;
  const missing = want.filter((c) => !got.includes(c));
  const extra = got.filter((c) => !want.includes(c));
  const lines = missing.map((c) => `capability ${c} is missing from the container (CapEff ${got.join(",") || "empty"})`);
  lines.push(...extra.map((c) => `capability ${c} is in the container but not expected`));
  expect(lines, lines.join("\n")).toEqual([]);
}

/** Every operation must succeed; a failure names the operation, its error and what it is for. */
export function expectAllOpsSucceed(r: StandinReport): void {
  const failed = (Object.keys(probeOperations) as ProbeOperation[]).filter((op) => !r.ops[op]?.ok);
  const lines = failed.map((op) => {
    const caps = capsFor(op);
    return `${op} (${probeOperations[op]}) failed: ${r.ops[op]?.error ?? "not run"}${caps.length ? `; it needs ${caps.join(", ")}` : ""}`;
  });
  expect(lines, lines.join("\n")).toEqual([]);
}

function capsFor(op: ProbeOperation): string[] {
  return leastPrivilegeCapabilities.filter((c) => c.breaks.includes(op)).map((c) => c.name);
}

/** DD_TRACE_AGENT_URL must arrive as `want`, with every $(VAR) expanded by the kubelet. */
export function expectAgentUrl(r: StandinReport, want: string): void {
  const got = r.env.DD_TRACE_AGENT_URL;
  const unexpanded = /\$\(([A-Za-z_][A-Za-z0-9_]*)\)/.exec(got ?? "");
  expect(unexpanded, `DD_TRACE_AGENT_URL arrived as ${got}: $(${unexpanded?.[1]}) was not expanded (${unexpanded?.[1]} must be defined before DD_TRACE_AGENT_URL in env)`).toBeNull();
  expect(got, "DD_TRACE_AGENT_URL").toBe(want);
}

/** The API key arrived, equal to the Secret's, and no log or pod spec shows it. */
export function expectKeyDelivered(i: Install, r: StandinReport, log: string, pod: any): void {
  expect(r.keys.DD_API_KEY, "DD_API_KEY").toEqual({ present: true, length: 32, sha256: sha256(i.apiKey) });
  expect(log.includes(i.apiKey), "the API key appears in the pod's log").toBe(false);
  expect(JSON.stringify(pod).includes(i.apiKey), "the API key appears in the pod spec").toBe(false);
}

/**
 * What README.md and _securitycontext.tpl promise a leastPrivilege container: uid 0, exactly the
 * documented capabilities less `omit` in every set, no_new_privs, a read-only root with the host's
 * tracefs, and every profiler operation succeeding. `seccomp` is the expected mode ("0" Unconfined).
 */
export function expectLeastPrivilegeContainer(r: StandinReport, omit: string[], seccomp = "0"): void {
  expect(r.exit, `the profiler exited at ${r.exit?.step}: ${r.exit?.message}`).toBeUndefined();
  expect([r.uid, r.gid], "uid, gid").toEqual([0, 0]);
  expectCapabilities(r, leastPrivilegeCapabilityNames.filter((c) => !omit.includes(c)));
  // drop ALL bounds every capability set, not only the effective one.
  expect(r.caps.CapPrm, "permitted").toEqual(r.caps.CapEff);
  expect(r.caps.CapBnd, "bounding set").toEqual(r.caps.CapEff);
  expect(r.caps.CapAmb, "ambient").toEqual([]);
  expect(r.noNewPrivs, "no_new_privs (allowPrivilegeEscalation: false)").toBe("1");
  expect(r.seccomp, "seccomp mode").toBe(seccomp);
  expect(r.rootfs, "root filesystem").toBe("ro");
  expect(r.ops.rootfs_write.ok, "writing to / must fail on a read-only root").toBe(false);
  // The profiler found the host's tracefs the chart mounts (cilium/ebpf tries /sys/kernel/tracing first).
  expect(r.steps.find((s) => s.id === "sched-monitor")?.detail, "tracefs").toBe("tracefs at /sys/kernel/tracing");
  expectAllOpsSucceed(r);
}
