// `npm run demo`: the chart on a throwaway local node, as a user would try it. Starts the embedded
// control plane and one real node (scripts/standin/cluster.ts), the Datadog Agent as its own chart
// (datadog 3.240.0) installs it, with a stand-in serving its trace-agent container, installs this
// chart with `helm install` pointed at that chart's node-local Service, waits for the profiler pod to
// be Ready, prints its start-up report, the first profile the Agent pod received and the commands to
// look around, and on Ctrl-C removes everything (and says whether anything was left behind).
//
//   npm run demo -- [--mode privileged|leastPrivilege] [--values FILE] [--image REF] [--helm 3|4] [--once]
//
// --image REF pulls that image from its registry; where none can be reached (as on the project's
// machines) the demo says so and runs the profiler stand-in under the chart's default image.
// --once stops right after the report (for scripts and the node tier's teardown test). When its
// output is not a terminal it also prints one JSON line (DEMO-STATE) describing what it made on the host.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { helms, runHelm, type Helm } from "../lib/helm.ts";
import { chartDir, repoRoot } from "../lib/paths.ts";
import { pinnedKubectl } from "../lib/pinned-tools.ts";
import { readChartMeta, type ChartMeta } from "../lib/chart.ts";
import { ensureBinaries } from "../cluster/binaries.ts";
import { applyDatadogAgent, DATADOG_CHART, type InstalledAgent } from "../cluster/datadog-agent.ts";
import { ensureNamespace } from "../cluster/resources.ts";
import { knownFailures } from "../standin/known-failures.ts";
import { hostStateJson, leftoversOf, type HostState } from "../cluster/host-state.ts";
import { startCluster, type StandinCluster } from "../standin/cluster.ts";
import { missingPrerequisites } from "../cluster/prerequisites.ts";
import { knownNodeFailures } from "../profiler/startup.ts";
import { leastPrivilegeCapabilityNames } from "../contract/capabilities.ts";
import { valuesFileFor } from "./values.ts";
import { formatReport, type DemoReport } from "./report.ts";
import { redactKeys } from "../lib/redact.ts";
import { exitOf } from "../ci/await-profiler-start.ts";

const NAMESPACE = "profiling";
/** Where the demo installs the Datadog chart: its documented release name and a namespace of its own. */
const AGENT = { release: "datadog", namespace: "datadog" };
const RELEASE = "demo";

export interface DemoOptions {
  mode: "privileged" | "leastPrivilege";
  values?: string;
  image?: string;
  helmMajor: 3 | 4;
  once: boolean;
}

export function parseDemoArgs(argv: string[]): DemoOptions {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      mode: { type: "string", default: "privileged" },
      values: { type: "string" },
      image: { type: "string" },
      helm: { type: "string", default: "4" },
      once: { type: "boolean", default: false },
    },
  });
  if (v.mode !== "privileged" && v.mode !== "leastPrivilege") throw new Error(`--mode is "${v.mode}". Allowed: privileged, leastPrivilege.`);
  if (v.helm !== "3" && v.helm !== "4") throw new Error(`--helm is "${v.helm}". Allowed: 3, 4.`);
  if (v.values) readFileSync(v.values); // a missing file is an error now, not after the node is up
  return { mode: v.mode, values: v.values, image: v.image, helmMajor: Number(v.helm) as 3 | 4, once: v.once };
}

/** The demo's output, a line at a time (stdout), and the progress of slow steps (stderr, indented). */
const say = (line: string) => process.stdout.write(`${line}\n`);
const progress = (line: string) => process.stderr.write(`  ${line}\n`);

/** A running demo: what it was asked for, its cluster, and how to take it all down again. */
interface Demo {
  o: DemoOptions;
  meta: ChartMeta;
  cluster: StandinCluster;
  /** What the node changes on the host and what was there before: stop checks against it that nothing is left. */
  state: HostState;
  /** Time since the demo started, for the lines that report progress. */
  secs: () => string;
  /** The values file the demo wrote (its folder is removed on stop). */
  valuesFile?: string;
  /** Removes the node and the control plane, once however often called, and says what was left behind. */
  stop: () => Promise<void>;
}

async function main(): Promise<number> {
  const o = parseDemoArgs(process.argv.slice(2));
  addGoToPath();
  const missing = missingPrerequisites("npm run demo");
  if (missing.length) {
    process.stderr.write(`npm run demo starts a real node on this machine, which needs what is missing here:\n  ${missing.join("\n  ")}\n`);
    return 1;
  }
  const demo = await startDemo(o);
  try {
    const { node } = demo.cluster;
    say(`      node ${node.name} at ${node.ip}, kernel ${node.kernel}, up after ${demo.secs()}`);
    const helm = (await helms()).find((h) => h.major === o.helmMajor) as Helm;
    const { agent, agentUrl } = await installAgent(demo, helm);
    const { image, standin } = await chooseImage(demo);
    await installChart(demo, helm, image, standin);
    await showProfiler(demo, helm, agent, agentUrl, standin);
    if (o.once) {
      await demo.stop();
      return 0;
    }
    say("Press Ctrl-C to stop: everything the demo made is removed.");
    await new Promise(() => {});
    return 0;
  } catch (e) {
    say(`demo failed: ${(e as Error).message}`);
    await demo.stop();
    return 1;
  }
}

/** Go's official install location, in case a non-login shell's PATH lacks it (as scripts/node/run.sh does). */
function addGoToPath(): void {
  if (existsSync("/usr/local/go/bin/go") && !(process.env.PATH ?? "").split(":").includes("/usr/local/go/bin")) process.env.PATH = `${process.env.PATH}:/usr/local/go/bin`;
}

/** Steps 1 and 2: the Kubernetes binaries, then the control plane and the node; Ctrl-C stops them from here on. */
async function startDemo(o: DemoOptions): Promise<Demo> {
  const t0 = Date.now();
  const meta = readChartMeta();
  say(`dd-otel-host-profiler chart ${meta.version} (profiler v${meta.appVersion}) on a throwaway node, securityMode ${o.mode}`);
  say("[1/5] Kubernetes binaries (built once from the Go module proxy, then cached)");
  await ensureBinaries({ withNode: true, log: progress });
  say("[2/5] control plane and node");
  const cluster = await startCluster({ images: [`ghcr.io/datadog/dd-otel-host-profiler:v${meta.appVersion}`], log: progress });
  const state = cluster.node.hostState();
  let stopping: Promise<void> | undefined;
  const demo: Demo = {
    o,
    meta,
    cluster,
    state,
    secs: () => `${((Date.now() - t0) / 1000).toFixed(1)}s`,
    stop: () =>
      (stopping ??= (async () => {
        say("stopping: the node (its containers, network and mounts), then the control plane");
        await cluster.stop();
        if (demo.valuesFile) rmSync(dirname(demo.valuesFile), { recursive: true, force: true });
        const left = leftoversOf(state);
        say(left.length ? `LEFT BEHIND (remove by hand):\n  ${left.join("\n  ")}` : "stopped: nothing left behind");
      })()),
  };
  process.once("SIGINT", () => void demo.stop().then(() => process.exit(130)));
  process.once("SIGTERM", () => void demo.stop().then(() => process.exit(143)));
  return demo;
}

/** Step 3: the Datadog Agent as its own chart installs it; returns it and the URL the profiler sends to. */
async function installAgent({ cluster: { cp }, meta }: Demo, helm: Helm): Promise<{ agent: InstalledAgent; agentUrl: string }> {
  await ensureNamespace(cp, AGENT.namespace, { "pod-security.kubernetes.io/enforce": "privileged" });
  const agent = await applyDatadogAgent(cp, helm, { ...AGENT, values: { datadog: { apiKeyExistingSecret: "datadog-secret" } }, image: `ghcr.io/datadog/dd-otel-host-profiler:v${meta.appVersion}` });
  const { service } = agent.facts;
  const agentUrl = `http://${service.name}.${service.namespace}.svc.cluster.local:${service.traceport.port}`;
  say(`[3/5] the Datadog Agent as its chart ${DATADOG_CHART.version} installs it (release ${AGENT.release}, namespace ${AGENT.namespace}; its trace-agent is a stand-in): Service ${service.namespace}/${service.name}, internalTrafficPolicy ${service.internalTrafficPolicy}, no hostPort`);
  return { agent, agentUrl };
}

/** The image the pod runs: --image if the node can pull it, else the stand-in under the chart's default image. */
async function chooseImage({ o, cluster: { node } }: Demo): Promise<{ image?: { repository: string; tag: string }; standin: boolean }> {
  if (!o.image) return { standin: true };
  const pulled = await node.pull(o.image);
  if (!pulled.ok) {
    say(`      could not pull ${o.image} (${pulled.error}); this machine reaches no image registry, so the demo runs the profiler stand-in`);
    return { standin: true };
  }
  say(`      pulled ${o.image}: the pod runs it`);
  return { image: splitImageRef(o.image), standin: false };
}

/** Step 4: writes the values file (with what this node cannot do) and runs `helm install`. */
async function installChart(demo: Demo, helm: Helm, image: { repository: string; tag: string } | undefined, standin: boolean): Promise<void> {
  const { o, meta, cluster: { cp, node } } = demo;
  const known = standin ? knownFailures(node) : [];
  for (const k of known) say(`      NOTE: this node has the known failure "${k}" (${knownNodeFailures[k].when}). The real v${meta.appVersion} exits there; the stand-in marks ${knownNodeFailures[k].steps.join(", ")} skipped so you can watch the rest.`);
  const ungrantable = leastPrivilegeCapabilityNames.filter((c) => !node.boundingSet.includes(c));
  if (o.mode === "leastPrivilege" && ungrantable.length) say(`      NOTE: this node's runtime cannot grant ${ungrantable.join(", ")}, so the demo sets leastPrivilege.omitCapabilities: [${ungrantable.join(", ")}] (README: "A node that refuses a capability").`);
  const ours = (demo.valuesFile = valuesFileFor({ mode: o.mode, image, knownFailures: known, ungrantable, user: o.values ? readFileSync(o.values, "utf8") : undefined }));
  const args = ["install", RELEASE, chartDir, "-n", NAMESPACE, "-f", ours];
  say(`[4/5] helm install ${RELEASE} ./chart -n ${NAMESPACE} -f ${ours} (Helm ${helm.version}; securityMode ${o.mode}${o.values ? `, your ${o.values} merged in` : ""})`);
  await cp.api("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE, labels: { "pod-security.kubernetes.io/enforce": "privileged" } } });
  const installed = await runHelm(helm, [...args, "--kubeconfig", cp.kubeconfig]);
  if (!installed.ok) throw new Error(`helm install failed:\n${installed.stderr}`);
}

/** Step 5: waits for the profiler pod, then prints its report, the first profile and how to look around. */
async function showProfiler(demo: Demo, helm: Helm, agent: InstalledAgent, agentUrl: string, standin: boolean): Promise<void> {
  const { cp } = demo.cluster;
  const report = await waitForReport(cp, standin);
  say(`[5/5] pod ${NAMESPACE}/${report.pod} Ready after ${demo.secs()}`);
  say("");
  say(formatReport(report, { standin, agent: agentUrl, appVersion: demo.meta.appVersion }));
  if (standin) say(await firstProfile(agent, report.pod));
  say("");
  const kubectl = pinnedKubectl.path.replace(`${repoRoot}/`, "");
  say("Look around (in another terminal):");
  say(`  export KUBECONFIG=${cp.kubeconfig}`);
  say(`  ${kubectl} -n ${NAMESPACE} get pods -o wide`);
  say(`  ${kubectl} -n ${NAMESPACE} logs ds/${RELEASE}-dd-otel-host-profiler`);
  say(`  ${helm.path.replace(`${repoRoot}/`, "")} -n ${NAMESPACE} status ${RELEASE}`);
  say(`  ${helm.path.replace(`${repoRoot}/`, "")} -n ${NAMESPACE} test ${RELEASE}`);
  // For scripts and the teardown test: what the demo made on the host (scripts/cluster/host-state.ts HostState).
  // Only for a program reading the output (a terminal shows a person nothing raw).
  if (!process.stdout.isTTY) process.stdout.write(`DEMO-STATE ${JSON.stringify({ kubeconfig: cp.kubeconfig, state: hostStateJson(demo.state) })}\n`);
}

/** The first profile POST the Agent pod received, as a line for the user (the stand-in uploads every 10 s here). */
async function firstProfile(agent: InstalledAgent, pod: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const post = (await agent.requests()).find((r) => r.method === "POST" && r.path === "/profiling/v1/input");
    if (post) return `The Agent pod received a profile: POST ${post.path} from ${post.remote} (parts ${post.parts.join(", ")}; ${post.headers["Dd-Evp-Origin"]} ${post.headers["Dd-Evp-Origin-Version"]}), answered ${post.status}.`;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return `No profile reached the Agent pod within 30 s of ${pod} starting: see its log (kubectl -n ${NAMESPACE} logs ${pod}).`;
}

/** The profiler pod once Ready, and what its container printed. */
async function waitForReport(cp: Awaited<ReturnType<typeof startCluster>>["cp"], standin: boolean): Promise<DemoReport> {
  const deadline = Date.now() + 120_000;
  let last = "no pod yet";
  while (Date.now() < deadline) {
    const pods = (await cp.api("GET", `/api/v1/namespaces/${NAMESPACE}/pods?labelSelector=${encodeURIComponent(`app.kubernetes.io/instance=${RELEASE},app.kubernetes.io/component!=test`)}`)).body.items ?? [];
    const pod = pods[0];
    const status = pod?.status?.containerStatuses?.[0];
    const exit = exitOf(status);
    if (exit) {
      const logs = await cp.kubectl(["logs", "-n", NAMESPACE, pod.metadata.name, ...(status.restartCount > 0 ? ["--previous"] : [])]);
      throw new Error(`the profiler ${exit}; its log:\n${redactKeys(logs.stdout + logs.stderr)}`);
    }
    const ready = pod?.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True");
    if (ready) {
      const logs = await cp.kubectl(["logs", "-n", NAMESPACE, pod.metadata.name]);
      const line = logs.stdout.split("\n").find((l) => l.startsWith("STANDIN-REPORT "));
      if (!standin) return { pod: pod.metadata.name, log: logs.stdout };
      if (line) return { pod: pod.metadata.name, log: logs.stdout, standin: JSON.parse(line.slice("STANDIN-REPORT ".length)) };
    }
    last = pod ? `pod ${pod.metadata.name}: ${pod.status?.phase}` : last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the profiler pod was not Ready within 120s (${last})`);
}

/** repository[:tag][@digest], the tag being after the last "/" (a registry may have a port). */
export function splitImageRef(ref: string): { repository: string; tag: string; digest?: string } {
  const [name, digest] = ref.split("@");
  const slash = name.lastIndexOf("/");
  const colon = name.indexOf(":", slash + 1);
  return { repository: colon < 0 ? name : name.slice(0, colon), tag: colon < 0 ? "latest" : name.slice(colon + 1), ...(digest ? { digest } : {}) };
}

if (import.meta.main) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
