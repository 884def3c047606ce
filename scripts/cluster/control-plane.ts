// A throwaway Kubernetes control plane on 127.0.0.1: etcd + kube-apiserver (+ kube-controller-manager),
// with certificates, keys and data in one temporary folder that stop() removes.
//
// - kube-apiserver self-signs its serving certificate (--cert-dir); the kubeconfig trusts that file.
// - The service account signing key is made with node:crypto.
// - Authentication: a static token file; "admin" is in system:masters. Authorization: RBAC only.
// - Admission: the defaults, so PodSecurity is enforced per namespace label. --allow-privileged=true,
//   as on every real cluster that runs node agents (the default false would refuse privileged pods
//   whatever the namespace says).
// - No kubelet runs here: scripts/cluster/node.ts adds a real one, scripts/cluster/fake-kubelet.ts fakes them.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { type ApiClient, apiClient, writeKubeconfig } from "./api.ts";
import { type Binaries, ensureBinaries } from "./binaries.ts";
import { freePort, onEarlyExit, startProcess, type Supervised, waitReady } from "./process.ts";

export type { ApiError, ApiResponse } from "./api.ts";

/** The Service range the API server hands out; kube-proxy and the node's pod routes use it too. */
export const SERVICE_CIDR = "10.96.0.0/16";

export interface ControlPlaneOptions {
  /** Start kube-controller-manager too (daemonset, garbage collector, namespace, serviceaccount controllers). */
  controllerManager?: boolean;
  /**
   * Controllers started beside the default four, e.g. root-ca-certificate-publisher-controller, which
   * the node tier needs: a kubelet mounts the kube-root-ca.crt ConfigMap into every pod with a token.
   */
  extraControllers?: string[];
  /** Client QPS of kube-controller-manager (its default, 20, makes a 500-node DaemonSet take 25 s+). */
  controllerManagerQps?: number;
  /**
   * Cluster-wide Pod Security level for namespaces without a pod-security.kubernetes.io/enforce label
   * (an AdmissionConfiguration, as hardened clusters set it). Unset: Kubernetes' default, privileged.
   */
  podSecurityDefault?: "privileged" | "baseline" | "restricted";
  binaries?: Binaries;
  log?: (line: string) => void;
}

export interface ControlPlane extends ApiClient {
  dir: string;
  server: string;
  kubeconfig: string;
  token: string;
  binaries: Binaries;
  /** Log files of each process, for failure messages. */
  logs: { etcd: string; apiserver: string; controllerManager?: string };
  /** kubectl with this control plane's kubeconfig; never throws. */
  kubectl(args: string[], input?: string): Promise<{ ok: boolean; stdout: string; stderr: string; exitCode: number }>;
  /** The environment a Helm or kubectl process needs to talk to this control plane. */
  env: Record<string, string>;
  stop(): Promise<void>;
  /** Process ids of etcd, kube-apiserver (and kube-controller-manager), for leak checks. */
  pids: number[];
}

const CONTROLLERS = ["daemonset-controller", "garbage-collector-controller", "namespace-controller", "serviceaccount-controller"];

async function startEtcd(dir: string, bin: string): Promise<{ proc: Supervised; url: string }> {
  const port = await freePort();
  const peerPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const proc = startProcess("etcd", bin, [
    "--name=e2e",
    `--data-dir=${join(dir, "etcd")}`,
    `--listen-client-urls=${url}`,
    `--advertise-client-urls=${url}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=e2e=${peer}`,
    "--unsafe-no-fsync=true",
    "--log-level=warn",
  ], { logFile: join(dir, "etcd.log") });
  await waitReady(proc, "etcd", 30_000, async () => (await fetch(`${url}/health`)).ok);
  return { proc, url };
}

/** The service account key pair and the static tokens of the admin and of kube-controller-manager. */
function writeCredentials(dir: string): { saKey: string; saPub: string; tokens: string; admin: string; kcm: string } {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const saKey = join(dir, "sa.key");
  const saPub = join(dir, "sa.pub");
  writeFileSync(saKey, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  writeFileSync(saPub, publicKey.export({ type: "spki", format: "pem" }));
  const admin = randomBytes(24).toString("hex");
  const kcm = randomBytes(24).toString("hex");
  const tokens = join(dir, "tokens.csv");
  writeFileSync(tokens, `${admin},admin,admin-uid,"system:masters"\n${kcm},system:kube-controller-manager,kcm-uid,"system:masters"\n`, { mode: 0o600 });
  return { saKey, saPub, tokens, admin, kcm };
}

/** An AdmissionConfiguration that makes `level` the cluster-wide Pod Security default. */
function podSecurityAdmission(dir: string, level: string): string {
  const file = join(dir, "admission.yaml");
  writeFileSync(
    file,
    [
      "apiVersion: apiserver.config.k8s.io/v1",
      "kind: AdmissionConfiguration",
      "plugins:",
      "- name: PodSecurity",
      "  configuration:",
      "    apiVersion: pod-security.admission.config.k8s.io/v1",
      "    kind: PodSecurityConfiguration",
      "    defaults:",
      ...["enforce", "warn", "audit"].flatMap((mode) => [`      ${mode}: ${level}`, `      ${mode}-version: latest`]),
      "    exemptions: {usernames: [], runtimeClasses: [], namespaces: []}",
      "",
    ].join("\n"),
  );
  return file;
}

async function startApiserver(dir: string, bin: string, etcdUrl: string, creds: ReturnType<typeof writeCredentials>, opts: ControlPlaneOptions): Promise<{ proc: Supervised; server: string; caFile: string; client: ApiClient }> {
  const port = await freePort();
  const server = `https://127.0.0.1:${port}`;
  const certDir = join(dir, "certs");
  mkdirSync(certDir);
  const proc = startProcess("kube-apiserver", bin, [
    `--etcd-servers=${etcdUrl}`,
    `--secure-port=${port}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--cert-dir=${certDir}`,
    `--token-auth-file=${creds.tokens}`,
    "--authorization-mode=RBAC",
    "--allow-privileged=true",
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    `--service-account-key-file=${creds.saPub}`,
    `--service-account-signing-key-file=${creds.saKey}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    "--profiling=false",
    "--endpoint-reconciler-type=none",
    // Reach a kubelet (logs, exec) at its node IP: node names of the node tier resolve nowhere.
    "--kubelet-preferred-address-types=InternalIP",
    ...(opts.podSecurityDefault ? [`--admission-control-config-file=${podSecurityAdmission(dir, opts.podSecurityDefault)}`] : []),
    "--v=0",
  ], { logFile: join(dir, "kube-apiserver.log") });
  const caFile = join(certDir, "apiserver.crt");
  const client = apiClient(server, caFile, creds.admin);
  await waitReady(proc, "kube-apiserver /readyz", 90_000, async () => {
    try {
      readFileSync(caFile);
    } catch {
      return false;
    }
    return (await client.api("GET", "/readyz")).status === 200;
  });
  return { proc, server, caFile, client };
}

async function startControllerManager(dir: string, bin: string, kubeconfig: string, caFile: string, opts: ControlPlaneOptions): Promise<Supervised> {
  const qps = opts.controllerManagerQps ?? 200;
  const logFile = join(dir, "kube-controller-manager.log");
  const proc = startProcess("kube-controller-manager", bin, [
    `--kubeconfig=${kubeconfig}`,
    `--controllers=${[...CONTROLLERS, ...(opts.extraControllers ?? [])].join(",")}`,
    // What the root CA publisher writes into each namespace's kube-root-ca.crt ConfigMap.
    `--root-ca-file=${caFile}`,
    "--leader-elect=false",
    `--secure-port=${await freePort()}`,
    "--bind-address=127.0.0.1",
    `--cert-dir=${join(dir, "kcm-certs")}`,
    `--kube-api-qps=${qps}`,
    `--kube-api-burst=${qps * 2}`,
    "--v=2",
  ], { logFile });
  // Ready once the DaemonSet controller has started and the informers report synced; tests poll
  // for what the controller does anyway.
  await waitReady(proc, "kube-controller-manager", 60_000, async () => {
    const text = readFileSync(logFile, "utf8");
    const i = text.indexOf("Starting daemon sets controller");
    return i >= 0 && text.indexOf("Caches are synced", i) >= 0;
  });
  return proc;
}

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const log = opts.log ?? (() => {});
  const binaries = opts.binaries ?? (await ensureBinaries());
  const dir = mkdtempSync(join(tmpdir(), "dd-prof-e2e-"));
  const forget = onEarlyExit(() => rmSync(dir, { recursive: true, force: true }));
  const procs: Supervised[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const p of [...procs].reverse()) await p.stop(5000);
    forget();
    if (process.env.DD_E2E_KEEP_DIR === "1") process.stderr.write(`[control-plane] DD_E2E_KEEP_DIR=1: kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  };

  try {
    const etcd = await startEtcd(dir, binaries.etcd);
    procs.push(etcd.proc);
    log(`etcd ready on ${etcd.url}`);

    const creds = writeCredentials(dir);
    const apiserver = await startApiserver(dir, binaries.kubeApiserver, etcd.url, creds, opts);
    procs.push(apiserver.proc);
    const { server, caFile } = apiserver;
    log(`kube-apiserver ready on ${server}`);
    const kubeconfig = writeKubeconfig(join(dir, "kubeconfig"), { server, caFile, user: "admin", token: creds.admin });

    const logs: ControlPlane["logs"] = { etcd: etcd.proc.logFile, apiserver: apiserver.proc.logFile };
    if (opts.controllerManager) {
      const kcmConfig = writeKubeconfig(join(dir, "kcm.kubeconfig"), { server, caFile, user: "kcm", token: creds.kcm });
      const kcm = await startControllerManager(dir, binaries.kubeControllerManager, kcmConfig, caFile, opts);
      procs.push(kcm);
      logs.controllerManager = kcm.logFile;
      log("kube-controller-manager ready");
    }

    const env = { KUBECONFIG: kubeconfig };
    const kubectl = async (args: string[], input?: string) => {
      const r = await execa(binaries.kubectl, args, { reject: false, input, env });
      return { ok: r.exitCode === 0, stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode ?? -1 };
    };
    return { dir, server, kubeconfig, token: creds.admin, binaries, logs, ...apiserver.client, kubectl, env, stop, pids: procs.map((p) => p.pid) };
  } catch (e) {
    await stop();
    throw e;
  }
}

if (import.meta.main) {
  // Smoke run: start everything, print the kubeconfig path, wait for Ctrl-C (or --once: stop at once).
  const t0 = Date.now();
  const cp = await startControlPlane({ controllerManager: true, log: (l) => console.error(`[control-plane] ${l}`) });
  console.error(`[control-plane] up in ${((Date.now() - t0) / 1000).toFixed(1)}s; KUBECONFIG=${cp.kubeconfig}`);
  const v = await cp.api("GET", "/version");
  console.error(`[control-plane] server version ${v.body.gitVersion}; dir=${cp.dir} pids=${cp.pids.join(",")}`);
  if (process.argv.includes("--once")) {
    await cp.stop();
    console.error("[control-plane] stopped");
  } else {
    process.on("SIGINT", () => void cp.stop().then(() => process.exit(0)));
    await new Promise(() => {});
  }
}
