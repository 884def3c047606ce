// A throwaway Kubernetes control plane on 127.0.0.1: etcd + kube-apiserver (+ kube-controller-manager),
// with certificates, keys and data in one temporary folder that stop() removes.
//
// - kube-apiserver self-signs its serving certificate (--cert-dir); the kubeconfig trusts that file.
// - The service account signing key is made with node:crypto.
// - Authentication: a static token file; "admin" is in system:masters. Authorization: RBAC only.
// - Admission: the defaults, so PodSecurity is enforced per namespace label. --allow-privileged=true,
//   as on every real cluster that runs node agents (the default false would refuse privileged pods
//   whatever the namespace says).
// - No kubelet runs. Nodes are fake Node objects (createFakeNode); the DaemonSet controller creates
//   pods for them, which stay Pending unless a test marks them Ready (markPodsReady, a "fake kubelet").
import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request as httpsRequest, Agent } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { type Binaries, ensureBinaries } from "./binaries.ts";

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

export interface ApiError extends Error {
  status: number;
  body: unknown;
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  /** Warning headers (e.g. Pod Security admission warnings), decoded. */
  warnings: string[];
}

export interface ControlPlane {
  dir: string;
  server: string;
  kubeconfig: string;
  token: string;
  binaries: Binaries;
  /** Log files of each process, for failure messages. */
  logs: { etcd: string; apiserver: string; controllerManager?: string };
  /** Calls the API as the admin user; rejects on a status >= 400 with the API's message. */
  api<T = any>(method: string, path: string, body?: unknown, contentType?: string): Promise<ApiResponse<T>>;
  /** A watch (path with ?watch=1...): calls onEvent for each {type, object} until stop(). */
  watch(path: string, onEvent: (e: { type: string; object: any }) => void): { stop(): void; done: Promise<void> };
  /** kubectl with this control plane's kubeconfig; never throws. */
  kubectl(args: string[], input?: string): Promise<{ ok: boolean; stdout: string; stderr: string; exitCode: number }>;
  /** The environment a Helm or kubectl process needs to talk to this control plane. */
  env: Record<string, string>;
  stop(): Promise<void>;
  /** Process ids of etcd, kube-apiserver (and kube-controller-manager), for leak checks. */
  pids: number[];
}

const live = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let handlersInstalled = false;

/** Kills every child and removes every temp dir, synchronously: used on exit, SIGINT, SIGTERM. */
function emergencyCleanup(): void {
  for (const p of live) {
    try {
      p.kill("SIGKILL");
    } catch {}
  }
  live.clear();
  for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
  liveDirs.clear();
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", emergencyCleanup);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      emergencyCleanup();
      process.kill(process.pid, sig);
    });
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function startProcess(name: string, bin: string, args: string[], logFile: string): ChildProcess {
  const fd = openSync(logFile, "a");
  const p = spawn(bin, args, { stdio: ["ignore", fd, fd] });
  closeSync(fd);
  live.add(p);
  p.on("exit", () => live.delete(p));
  (p as ChildProcess & { e2eName?: string }).e2eName = name;
  return p;
}

/** The last lines of a log file, for failure messages. */
export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Polls `check` until it is true; fails early when `died` reports the process gone, with its log's tail. */
export async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>, died?: () => string | undefined, logFile?: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < end) {
    const d = died?.();
    if (d) throw new Error(`${what}: ${d}`);
    try {
      if (await check()) return;
    } catch (e) {
      lastErr = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `${what}: not ready after ${timeoutMs / 1000}s${lastErr ? ` (last error: ${(lastErr as Error).message})` : ""}` +
      (logFile ? `; its log ends with:\n${tail(logFile)}` : ""),
  );
}

/** For waitFor: says so, with the log's tail, once `p` has exited. */
export const diedCheck = (p: ChildProcess, name: string, logFile: string) => (): string | undefined =>
  p.exitCode !== null || p.signalCode !== null ? `${name} exited (${p.exitCode ?? p.signalCode}); its log ends with:\n${tail(logFile)}` : undefined;

async function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once("exit", () => r()));
  p.kill("SIGTERM");
  const t = setTimeout(() => p.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(t);
}

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  installHandlers();
  const log = opts.log ?? (() => {});
  const binaries = opts.binaries ?? (await ensureBinaries());
  const dir = mkdtempSync(join(tmpdir(), "dd-prof-e2e-"));
  liveDirs.add(dir);
  const procs: ChildProcess[] = [];
  const logs: ControlPlane["logs"] = { etcd: join(dir, "etcd.log"), apiserver: join(dir, "kube-apiserver.log") };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const p of [...procs].reverse()) await stopProcess(p);
    if (process.env.DD_E2E_KEEP_DIR === "1") {
      process.stderr.write(`[control-plane] DD_E2E_KEEP_DIR=1: kept ${dir}\n`);
      liveDirs.delete(dir);
      return;
    }
    rmSync(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
  };

  try {
    // etcd
    const etcdPort = await freePort();
    const etcdPeerPort = await freePort();
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const etcd = startProcess("etcd", binaries.etcd, [
      "--name=e2e",
      `--data-dir=${join(dir, "etcd")}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-cluster=e2e=http://127.0.0.1:${etcdPeerPort}`,
      "--unsafe-no-fsync=true",
      "--log-level=warn",
    ], logs.etcd);
    procs.push(etcd);
    await waitFor("etcd", 30_000, async () => (await fetch(`${etcdUrl}/health`)).ok, diedCheck(etcd, "etcd", logs.etcd));
    log(`etcd ready on ${etcdUrl}`);

    // credentials
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const saKey = join(dir, "sa.key");
    const saPub = join(dir, "sa.pub");
    writeFileSync(saKey, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    writeFileSync(saPub, publicKey.export({ type: "spki", format: "pem" }));
    const token = randomBytes(24).toString("hex");
    const kcmToken = randomBytes(24).toString("hex");
    writeFileSync(
      join(dir, "tokens.csv"),
      `${token},admin,admin-uid,"system:masters"\n${kcmToken},system:kube-controller-manager,kcm-uid,"system:masters"\n`,
      { mode: 0o600 },
    );

    const admissionArgs: string[] = [];
    if (opts.podSecurityDefault) {
      const file = join(dir, "admission.yaml");
      const level = opts.podSecurityDefault;
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
          `      enforce: ${level}`,
          "      enforce-version: latest",
          `      warn: ${level}`,
          "      warn-version: latest",
          `      audit: ${level}`,
          "      audit-version: latest",
          "    exemptions: {usernames: [], runtimeClasses: [], namespaces: []}",
          "",
        ].join("\n"),
      );
      admissionArgs.push(`--admission-control-config-file=${file}`);
    }

    // kube-apiserver
    const port = await freePort();
    const server = `https://127.0.0.1:${port}`;
    const certDir = join(dir, "certs");
    mkdirSync(certDir);
    const apiserver = startProcess("kube-apiserver", binaries.kubeApiserver, [
      `--etcd-servers=${etcdUrl}`,
      `--secure-port=${port}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--cert-dir=${certDir}`,
      `--token-auth-file=${join(dir, "tokens.csv")}`,
      "--authorization-mode=RBAC",
      "--allow-privileged=true",
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${saPub}`,
      `--service-account-signing-key-file=${saKey}`,
      "--service-cluster-ip-range=10.96.0.0/16",
      "--profiling=false",
      "--endpoint-reconciler-type=none",
      // Reach a kubelet (logs, exec) at its node IP: node names of the node tier resolve nowhere.
      "--kubelet-preferred-address-types=InternalIP",
      ...admissionArgs,
      "--v=0",
    ], logs.apiserver);
    procs.push(apiserver);
    const caFile = join(certDir, "apiserver.crt");
    let agent: Agent | undefined;
    const getAgent = () => (agent ??= new Agent({ ca: readFileSync(caFile), keepAlive: true, maxSockets: 32 }));

    const api = <T = any>(method: string, path: string, body?: unknown, contentType?: string): Promise<ApiResponse<T>> =>
      new Promise((resolve, reject) => {
        const data = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
        const req = httpsRequest(
          `${server}${path}`,
          {
            method,
            agent: getAgent(),
            headers: {
              Authorization: `Bearer ${token}`,
              Accept: "application/json",
              ...(data !== undefined ? { "Content-Type": contentType ?? "application/json" } : {}),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
              const text = Buffer.concat(chunks).toString("utf8");
              let parsed: any = text;
              try {
                parsed = JSON.parse(text);
              } catch {}
              const raw = res.headers["warning"];
              const warnings = (Array.isArray(raw) ? raw : raw ? [raw] : []).flatMap((w) =>
                [...w.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, "$1")),
              );
              const status = res.statusCode ?? 0;
              if (status >= 400) {
                const err = new Error(`${method} ${path}: ${status} ${parsed?.message ?? text}`) as ApiError;
                err.status = status;
                err.body = parsed;
                reject(err);
              } else resolve({ status, body: parsed as T, warnings });
            });
          },
        );
        req.on("error", reject);
        if (data !== undefined) req.write(data);
        req.end();
      });

    await waitFor(
      "kube-apiserver /readyz",
      90_000,
      async () => {
        try {
          readFileSync(caFile);
        } catch {
          return false;
        }
        return (await api("GET", "/readyz")).status === 200;
      },
      diedCheck(apiserver, "kube-apiserver", logs.apiserver),
      logs.apiserver,
    );
    log(`kube-apiserver ready on ${server}`);

    const kubeconfigText = (user: string, tok: string) =>
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: e2e",
        "  cluster:",
        `    server: ${server}`,
        `    certificate-authority: ${caFile}`,
        "users:",
        `- name: ${user}`,
        "  user:",
        `    token: ${tok}`,
        "contexts:",
        "- name: e2e",
        "  context:",
        "    cluster: e2e",
        `    user: ${user}`,
        "current-context: e2e",
        "",
      ].join("\n");
    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(kubeconfig, kubeconfigText("admin", token), { mode: 0o600 });

    if (opts.controllerManager) {
      const kcmConfig = join(dir, "kcm.kubeconfig");
      writeFileSync(kcmConfig, kubeconfigText("kcm", kcmToken), { mode: 0o600 });
      logs.controllerManager = join(dir, "kube-controller-manager.log");
      const qps = opts.controllerManagerQps ?? 200;
      const kcm = startProcess("kube-controller-manager", binaries.kubeControllerManager, [
        `--kubeconfig=${kcmConfig}`,
        `--controllers=${["daemonset-controller", "garbage-collector-controller", "namespace-controller", "serviceaccount-controller", ...(opts.extraControllers ?? [])].join(",")}`,
        // What the root CA publisher writes into each namespace's kube-root-ca.crt ConfigMap.
        `--root-ca-file=${caFile}`,
        "--leader-elect=false",
        `--secure-port=${await freePort()}`,
        "--bind-address=127.0.0.1",
        `--cert-dir=${join(dir, "kcm-certs")}`,
        `--kube-api-qps=${qps}`,
        `--kube-api-burst=${qps * 2}`,
        "--v=2",
      ], logs.controllerManager);
      procs.push(kcm);
      const kcmLog = logs.controllerManager;
      // Ready once the DaemonSet controller has started and the informers report synced; tests poll
      // for what the controller does anyway.
      await waitFor(
        "kube-controller-manager",
        60_000,
        async () => {
          const text = readFileSync(kcmLog, "utf8");
          const i = text.indexOf("Starting daemon sets controller");
          return i >= 0 && text.indexOf("Caches are synced", i) >= 0;
        },
        diedCheck(kcm, "kube-controller-manager", kcmLog),
        kcmLog,
      );
      log("kube-controller-manager ready");
    }

    const watch = (path: string, onEvent: (e: { type: string; object: any }) => void) => {
      let stopRequested = false;
      let req: ReturnType<typeof httpsRequest> | undefined;
      const done = new Promise<void>((resolve, reject) => {
        req = httpsRequest(`${server}${path}`, { method: "GET", agent: getAgent(), headers: { Authorization: `Bearer ${token}`, Accept: "application/json" } }, (res) => {
          if ((res.statusCode ?? 0) >= 400) {
            reject(new Error(`watch ${path}: ${res.statusCode}`));
            res.resume();
            return;
          }
          let buf = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            buf += chunk;
            let i: number;
            while ((i = buf.indexOf("\n")) >= 0) {
              const line = buf.slice(0, i).trim();
              buf = buf.slice(i + 1);
              if (line) onEvent(JSON.parse(line));
            }
          });
          res.on("end", () => resolve());
          res.on("error", (e) => (stopRequested ? resolve() : reject(e)));
        });
        req.on("error", (e) => (stopRequested ? resolve() : reject(e)));
        req.end();
      });
      return {
        stop() {
          stopRequested = true;
          req?.destroy();
        },
        done,
      };
    };
    const env = { KUBECONFIG: kubeconfig };
    const kubectl = async (args: string[], input?: string) => {
      const r = await execa(binaries.kubectl, args, { reject: false, input, env });
      return { ok: r.exitCode === 0, stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode ?? -1 };
    };
    return { dir, server, kubeconfig, token, binaries, logs, api, watch, kubectl, env, stop, pids: procs.map((p) => p.pid!).filter(Boolean) };
  } catch (e) {
    await stop();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Fake nodes and a fake kubelet

/**
 * Namespace `name` with `labels`, and its "default" ServiceAccount: every real cluster has one in each
 * namespace (kube-controller-manager's serviceaccount controller makes it), and pods that name none,
 * like the chart's `helm test` pod, are refused without it. Either may exist already.
 */
export async function ensureNamespace(cp: ControlPlane, name: string, labels: Record<string, string> = {}): Promise<void> {
  const create = async (path: string, body: object): Promise<void> => {
    try {
      await cp.api("POST", path, body);
    } catch (e) {
      if ((e as { status?: number }).status !== 409) throw e;
    }
  };
  await create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } });
  await create(`/api/v1/namespaces/${name}/serviceaccounts`, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default" } });
}

export async function createFakeNode(
  cp: ControlPlane,
  name: string,
  o: { labels?: Record<string, string>; taints?: { key: string; value?: string; effect: string }[] } = {},
): Promise<void> {
  const labels = { "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name, ...o.labels };
  await cp.api("POST", "/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name, labels }, spec: { taints: o.taints ?? [] } });
  const now = new Date().toISOString();
  await cp.api(
    "PATCH",
    `/api/v1/nodes/${name}/status`,
    {
      status: {
        conditions: [{ type: "Ready", status: "True", reason: "FakeKubeletReady", message: "fake node of the e2e tier", lastHeartbeatTime: now, lastTransitionTime: now }],
        capacity: { cpu: "8", memory: "32Gi", pods: "110" },
        allocatable: { cpu: "8", memory: "32Gi", pods: "110" },
        nodeInfo: { architecture: "amd64", operatingSystem: "linux", kubeletVersion: cp.binaries.version, containerRuntimeVersion: "fake://0", kernelVersion: "6.1.0", osImage: "fake", kubeProxyVersion: "", bootID: "", machineID: "", systemUUID: "" },
      },
    },
    "application/merge-patch+json",
  );
}

/** Runs `fn` over items with at most `n` in flight. */
export async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (i < items.length) await fn(items[i++]);
    }),
  );
}

/** The node a DaemonSet pod is meant for: spec.nodeName, else its required node affinity on metadata.name. */
export function targetNode(pod: any): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) if (f.key === "metadata.name") return f.values?.[0];
  }
  return undefined;
}

export function isPodReady(pod: any): boolean {
  return (pod.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");
}

/**
 * One pass of a fake kubelet over a namespace: every pod not yet Ready gets phase Running and a Ready
 * condition through the status subresource (pods stay unbound, so deleting them needs no kubelet).
 * Returns how many pods it marked.
 */
export async function markPodsReady(cp: ControlPlane, namespace: string, labelSelector?: string): Promise<number> {
  const q = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : "";
  const pods = (await cp.api("GET", `/api/v1/namespaces/${namespace}/pods${q}`)).body.items as any[];
  const todo = pods.filter((p) => !p.metadata.deletionTimestamp && !isPodReady(p));
  const now = new Date().toISOString();
  await pool(todo, 16, async (p) => {
    const containers = (p.spec.containers as any[]).map((c) => ({
      name: c.name,
      image: c.image,
      imageID: "",
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: now } },
    }));
    try {
      await cp.api(
        "PATCH",
        `/api/v1/namespaces/${namespace}/pods/${p.metadata.name}/status`,
        {
          status: {
            phase: "Running",
            startTime: now,
            conditions: [
              { type: "PodScheduled", status: "True", lastTransitionTime: now },
              { type: "Initialized", status: "True", lastTransitionTime: now },
              { type: "ContainersReady", status: "True", lastTransitionTime: now },
              { type: "Ready", status: "True", lastTransitionTime: now },
            ],
            containerStatuses: containers,
          },
        },
        "application/merge-patch+json",
      );
    } catch (e) {
      if ((e as ApiError).status !== 404 && (e as ApiError).status !== 409) throw e;
    }
  });
  return todo.length;
}

/** Marks one pod Running and Ready through the status subresource (what a kubelet reports). */
export async function markPodReady(cp: ControlPlane, p: any): Promise<void> {
  const now = new Date().toISOString();
  try {
    await cp.api(
      "PATCH",
      `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}/status`,
      {
        status: {
          phase: "Running",
          startTime: now,
          conditions: ["PodScheduled", "Initialized", "ContainersReady", "Ready"].map((type) => ({ type, status: "True", lastTransitionTime: now })),
          containerStatuses: (p.spec.containers as any[]).map((c) => ({
            name: c.name, image: c.image, imageID: "", ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } },
          })),
        },
      },
      "application/merge-patch+json",
    );
  } catch (e) {
    if ((e as ApiError).status !== 404 && (e as ApiError).status !== 409) throw e;
  }
}

/**
 * A fake kubelet driven by a watch: every pod that appears not Ready in the namespace is marked Ready,
 * `concurrency` at a time. Scales to hundreds of pods (no re-listing).
 */
export async function watchingKubelet(cp: ControlPlane, namespace: string, concurrency = 16): Promise<{ stop(): void; marked(): number }> {
  const list = (await cp.api("GET", `/api/v1/namespaces/${namespace}/pods`)).body;
  const queue: any[] = list.items.filter((p: any) => !p.metadata.deletionTimestamp && !isPodReady(p));
  const seen = new Set<string>(queue.map((p) => p.metadata.uid));
  let marked = 0;
  let running = true;
  let wake: (() => void) | undefined;
  const w = cp.watch(`/api/v1/namespaces/${namespace}/pods?watch=1&resourceVersion=${list.metadata.resourceVersion}`, (e) => {
    const p = e.object;
    if ((e.type === "ADDED" || e.type === "MODIFIED") && !p.metadata.deletionTimestamp && !isPodReady(p) && !seen.has(p.metadata.uid)) {
      seen.add(p.metadata.uid);
      queue.push(p);
      wake?.();
    }
  });
  w.done.catch(() => {});
  for (let i = 0; i < concurrency; i++) {
    void (async () => {
      while (running) {
        const p = queue.shift();
        if (!p) {
          await new Promise<void>((r) => {
            wake = r;
            setTimeout(r, 100);
          });
          continue;
        }
        await markPodReady(cp, p).catch(() => {});
        marked++;
      }
    })();
  }
  return {
    stop() {
      running = false;
      w.stop();
    },
    marked: () => marked,
  };
}

/** A fake kubelet running markPodsReady every intervalMs until stopped. */
export function fakeKubelet(cp: ControlPlane, namespace: string, intervalMs = 250): { stop(): Promise<void> } {
  let running = true;
  let errors = 0;
  const loop = (async () => {
    while (running) {
      try {
        await markPodsReady(cp, namespace);
      } catch (e) {
        if (++errors > 20) throw e;
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
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
