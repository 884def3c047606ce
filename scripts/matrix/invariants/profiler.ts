// This chart's own rules (dd-otel-host-profiler): what the profiler needs (host PID namespace, the
// agent URL, a Datadog site), what each security mode promises, and how keys and the Kubernetes API
// token are handed out. They say nothing about another chart, so they run only on this one.
import { leastPrivilegeCapabilityNames } from "../../contract/capabilities.ts";
import { datadogSites } from "../../contract/values.ts";
import type { KubeObject } from "../../lib/manifests.ts";
import { secretFieldsIn } from "../../lib/values-schema.ts";
import type { Case } from "../cases.ts";
import { arr, containersOf, isObj, obj, podSpecOf, shown, violation, type ContainerRef, type EnvVar, type Obj } from "./objects.ts";
import type { CellContext, Invariant, Violation } from "./types.ts";
import { podSecurityInvariants } from "./pod-security.ts";
import { openshiftInvariants } from "./openshift.ts";

/** The chart these rules belong to (Chart.yaml name). */
export const PROFILER_CHART = "dd-otel-host-profiler";

export const PROFILER_CONTAINER = "dd-otel-host-profiler";

export function daemonSetOf(ctx: CellContext): KubeObject | undefined {
  return ctx.objects.find((o) => o.kind === "DaemonSet");
}

/** The profiler container of the DaemonSet. */
export function profilerOf(ctx: CellContext): ContainerRef | undefined {
  const ds = daemonSetOf(ctx);
  if (!ds) return undefined;
  const all = containersOf([ds]).filter((c) => c.path.includes(".containers["));
  return all.find((c) => c.container.name === PROFILER_CONTAINER) ?? all[0];
}

export function envOf(c: ContainerRef): EnvVar[] {
  return arr(c.container.env).map((e) => obj(e) as unknown as EnvVar);
}

export const securityModeOf = (c: Case): string => String(c.values.securityMode ?? "privileged");
/** The profiler reads the Kubernetes API only when split by service is off. */
export const needsKubeAPI = (c: Case): boolean => obj(c.values.profiler).splitByService === false;


/** Reports a missing DaemonSet/profiler container once, so a rule never passes vacuously. */
function withProfiler(ctx: CellContext, f: (p: ContainerRef, out: Violation[]) => void): Violation[] {
  const out: Violation[] = [];
  const p = profilerOf(ctx);
  if (!p) return [{ message: "no DaemonSet with a profiler container was rendered" }];
  f(p, out);
  return out;
}

const scOf = (p: ContainerRef): Obj => obj(p.container.securityContext);

/**
 * The value Kubernetes gives an env var after `$(VAR)` expansion, with env vars defined earlier in
 * the list expanded (`$$` escapes). Downward-API and Secret values are represented by samples.
 */
export function expandEnv(env: EnvVar[], name: string): { value: string; unresolved: string[] } | undefined {
  const known = new Map<string, string>();
  for (const e of env) {
    const unresolved: string[] = [];
    let value: string;
    if (e.value !== undefined) {
      value = String(e.value).replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, ref: string | undefined) => {
        if (m === "$$") return "$";
        const r = known.get(ref!);
        if (r === undefined) unresolved.push(ref!);
        return r ?? m;
      });
    } else {
      const fieldPath = obj(obj(e.valueFrom).fieldRef).fieldPath;
      value = fieldPath === "status.hostIP" || fieldPath === "status.podIP" ? "10.0.0.1" : fieldPath === "spec.nodeName" ? "node-1" : "from-reference";
    }
    if (e.name === name) return { value, unresolved };
    known.set(e.name, value);
  }
  return undefined;
}

function literalEnv(p: ContainerRef, name: string, out: Violation[]): string | undefined {
  const i = envOf(p).findIndex((e) => e.name === name);
  if (i < 0) {
    violation(out, p.owner, `${p.path}.env`, `${name} is not set`);
    return undefined;
  }
  const e = envOf(p)[i];
  if (typeof e.value !== "string" || e.value === "") {
    violation(out, p.owner, `${p.path}.env[${i}]`, `${name} must be a non-empty literal value`);
    return undefined;
  }
  return e.value;
}

/** The route to the Agent the case's values choose, and the DD_TRACE_AGENT_URL it must render (the chart's agentRoute). */
export function expectedAgentRoute(ctx: CellContext): { route: "url" | "service" | "node"; url: string; words: string } {
  const agent = obj(ctx.values.agent);
  const svc = obj(agent.service);
  if (typeof agent.url === "string" && agent.url !== "") return { route: "url", url: agent.url, words: "agent.url" };
  if (typeof svc.name === "string" && svc.name !== "") {
    // An empty namespace is the release's own (the chart's agentServiceNamespace).
    const ns = typeof svc.namespace === "string" && svc.namespace !== "" ? svc.namespace : ctx.namespace;
    return { route: "service", url: `http://${svc.name}.${ns}.svc.${String(ctx.values.clusterDomain)}:${String(svc.port)}`, words: `the Agent's node-local Service ${ns}/${svc.name}` };
  }
  return { route: "node", url: `http://$(DD_AGENT_HOST):${String(agent.port)}`, words: "the Agent's hostPort on each node's IP" };
}

const KEY_VARS = ["DD_API_KEY", "DD_HOST_PROFILING_API_KEY", "DD_APP_KEY", "DD_HOST_PROFILING_APP_KEY"];
const RBAC_KINDS = ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];
/** What the container metadata provider calls: pods on its node (list/watch), its node (get). */
export const ALLOWED_RBAC: Record<string, string[]> = { pods: ["list", "watch"], nodes: ["get"] };

// ---- the invariants ----

/** A check that applies only to cases of one security mode. */
function onlyIn(mode: string, check: (ctx: CellContext) => Violation[]): (ctx: CellContext) => Violation[] {
  return (ctx) => (securityModeOf(ctx.case) === mode ? check(ctx) : []);
}

export const profilerInvariants: Invariant[] = [
  {
    name: "host-pid",
    reason: "The profiler samples every process on the node, which it only sees in the host PID namespace (both security modes).",
    check: (ctx) =>
      withProfiler(ctx, (p, out) => {
        if (p.podSpec.hostPID !== true) violation(out, p.owner, `${p.podPath}.hostPID`, `must be true, got ${shown(p.podSpec.hostPID)}`);
      }),
  },
  {
    name: "privileged-mode-privileged",
    reason: "securityMode privileged follows the upstream guide: the container runs privileged.",
    check: onlyIn("privileged", (ctx) =>
      withProfiler(ctx, (p, out) => {
        if (scOf(p).privileged !== true) violation(out, p.owner, `${p.path}.securityContext.privileged`, `must be true in privileged mode, got ${shown(scOf(p).privileged)}`);
      })),
  },
  {
    name: "privileged-mode-sys-admin",
    reason: "The image's entrypoint mounts tracefs when the host has not, which needs CAP_SYS_ADMIN (upstream guide).",
    check: onlyIn("privileged", (ctx) =>
      withProfiler(ctx, (p, out) => {
        const add = arr(obj(scOf(p).capabilities).add);
        if (!add.includes("SYS_ADMIN")) violation(out, p.owner, `${p.path}.securityContext.capabilities.add`, `must include SYS_ADMIN in privileged mode, got ${shown(add)}`);
      })),
  },
  {
    name: "runs-as-root",
    reason: "The upstream guide runs the profiler as root (runAsUser 0); the image has no other user and leastPrivilege keeps uid 0 too.",
    check: (ctx) =>
      withProfiler(ctx, (p, out) => {
        const uid = scOf(p).runAsUser ?? obj(p.podSpec.securityContext).runAsUser;
        if (uid !== 0) violation(out, p.owner, `${p.path}.securityContext.runAsUser`, `must be 0, got ${shown(uid)}`);
      }),
  },
  {
    name: "least-privilege-not-privileged",
    reason: "leastPrivilege exists to avoid a privileged container: no container of any rendered pod may be privileged.",
    check: onlyIn("leastPrivilege", (ctx) => {
      const out: Violation[] = [];
      for (const c of containersOf(ctx.objects)) {
        if (obj(c.container.securityContext).privileged === true) violation(out, c.owner, `${c.path}.securityContext.privileged`, "must not be true in leastPrivilege mode");
      }
      return out;
    }),
  },
  {
    name: "least-privilege-drop-all",
    reason: "leastPrivilege drops every capability and adds back only those an eBPF profiler uses.",
    check: onlyIn("leastPrivilege", (ctx) =>
      withProfiler(ctx, (p, out) => {
        const caps = obj(scOf(p).capabilities);
        if (!arr(caps.drop).includes("ALL")) violation(out, p.owner, `${p.path}.securityContext.capabilities.drop`, `must include ALL, got ${shown(caps.drop)}`);
        const add = arr(caps.add);
        if (add.includes("SYS_ADMIN") || add.includes("ALL")) violation(out, p.owner, `${p.path}.securityContext.capabilities.add`, `must not add SYS_ADMIN or ALL in leastPrivilege mode, got ${shown(add)}`);
      })),
  },
  {
    name: "least-privilege-capabilities",
    reason: "leastPrivilege adds exactly its documented capability set, less what leastPrivilege.omitCapabilities leaves out; that key never adds one.",
    check: onlyIn("leastPrivilege", (ctx) =>
      withProfiler(ctx, (p, out) => {
        const omit = arr(obj(ctx.case.values.leastPrivilege).omitCapabilities);
        const want = leastPrivilegeCapabilityNames.filter((c) => !omit.includes(c));
        const add = arr(obj(scOf(p).capabilities).add);
        if (JSON.stringify(add) !== JSON.stringify(want)) {
          violation(out, p.owner, `${p.path}.securityContext.capabilities.add`, `must be ${shown(want)} (the set less omitCapabilities ${shown(omit)}), got ${shown(add)}`);
        }
      })),
  },
  {
    name: "least-privilege-no-escalation",
    reason: "A process of the profiler must not gain more privileges than the container has (setuid binaries, file capabilities).",
    check: onlyIn("leastPrivilege", (ctx) =>
      withProfiler(ctx, (p, out) => {
        const ape = scOf(p).allowPrivilegeEscalation;
        if (ape !== false) violation(out, p.owner, `${p.path}.securityContext.allowPrivilegeEscalation`, `must be false, got ${shown(ape)}`);
      })),
  },
  {
    name: "least-privilege-read-only-root",
    reason: "leastPrivilege runs with a read-only root filesystem; the profiler writes only to its /tmp emptyDir.",
    check: onlyIn("leastPrivilege", (ctx) =>
      withProfiler(ctx, (p, out) => {
        const ro = scOf(p).readOnlyRootFilesystem;
        if (ro !== true) violation(out, p.owner, `${p.path}.securityContext.readOnlyRootFilesystem`, `must be true, got ${shown(ro)}`);
      })),
  },
  {
    name: "trace-agent-url",
    reason: "The profiler sends profiles to DD_TRACE_AGENT_URL and speaks only HTTP(S); $(VAR) must name a variable defined earlier in env.",
    check: (ctx) =>
      withProfiler(ctx, (p, out) => {
        const env = envOf(p);
        const i = env.findIndex((e) => e.name === "DD_TRACE_AGENT_URL");
        if (i < 0) return violation(out, p.owner, `${p.path}.env`, "DD_TRACE_AGENT_URL is not set");
        if (typeof env[i].value !== "string") return violation(out, p.owner, `${p.path}.env[${i}].value`, "DD_TRACE_AGENT_URL must be a literal value");
        const x = expandEnv(env, "DD_TRACE_AGENT_URL")!;
        const where = `${p.path}.env[${i}].value`;
        if (x.unresolved.length) return violation(out, p.owner, where, `DD_TRACE_AGENT_URL references ${x.unresolved.map((r) => `$(${r})`).join(", ")}, not defined earlier in env`);
        let url: URL;
        try {
          url = new URL(x.value);
        } catch {
          return violation(out, p.owner, where, `DD_TRACE_AGENT_URL "${env[i].value}" is not a URL`);
        }
        if (url.protocol !== "http:" && url.protocol !== "https:") violation(out, p.owner, where, `DD_TRACE_AGENT_URL must be http(s), got ${url.protocol}`);
        else if (url.hostname === "") violation(out, p.owner, where, "DD_TRACE_AGENT_URL has no host");
        else if (url.pathname !== "/" || url.search || url.hash || url.username) violation(out, p.owner, where, `DD_TRACE_AGENT_URL must be http(s)://host:port with no path, got "${env[i].value}"`);
      }),
  },
  {
    name: "agent-route",
    reason:
      "DD_TRACE_AGENT_URL follows the one route the values choose: agent.url as given; else the Agent's node-local Service (http://<agent.service.name>.<namespace>.svc.<clusterDomain>:<agent.service.port>); else the node's IP (DD_AGENT_HOST from status.hostIP) and agent.port. DD_AGENT_HOST is set on the node route only, and the helm test pod checks the same endpoint.",
    check: (ctx) =>
      withProfiler(ctx, (p, out) => {
        const expected = expectedAgentRoute(ctx);
        const check = (c: ContainerRef, who: string) => {
          const env = envOf(c);
          const i = env.findIndex((e) => e.name === "DD_TRACE_AGENT_URL");
          if (i < 0) return violation(out, c.owner, `${c.path}.env`, `${who}DD_TRACE_AGENT_URL is not set (expected ${expected.url}, ${expected.words})`);
          if (env[i].value !== expected.url) violation(out, c.owner, `${c.path}.env[${i}].value`, `${who}DD_TRACE_AGENT_URL must be ${expected.url} (${expected.words}), got ${shown(env[i].value)}`);
          const h = env.findIndex((e) => e.name === "DD_AGENT_HOST");
          if (expected.route !== "node" && h >= 0) violation(out, c.owner, `${c.path}.env[${h}]`, `${who}DD_AGENT_HOST must not be set on the ${expected.route} route (${expected.words})`);
          if (expected.route === "node") {
            const fieldPath = h < 0 ? undefined : obj(obj(env[h].valueFrom).fieldRef).fieldPath;
            if (fieldPath !== "status.hostIP") violation(out, c.owner, `${c.path}.env${h < 0 ? "" : `[${h}]`}`, `${who}DD_AGENT_HOST must come from fieldRef status.hostIP on the node route, got ${h < 0 ? "none" : shown(env[h].valueFrom ?? env[h].value)}`);
          }
        };
        check(p, "");
        const testPod = ctx.objects.find((o) => o.kind === "Pod" && obj(o.metadata.annotations)["helm.sh/hook"] === "test");
        const checker = testPod ? containersOf([testPod]).find((c) => c.container.name === "check-agent") : undefined;
        if (checker) check(checker, "the helm test pod: ");
      }),
  },
  {
    name: "dd-service",
    reason: "The upstream guide sets DD_SERVICE, the service name the profiler reports itself under.",
    check: (ctx) => withProfiler(ctx, (p, out) => void literalEnv(p, "DD_SERVICE", out)),
  },
  {
    name: "dd-site",
    reason: "DD_SITE decides where symbols are uploaded (intake.profile.<site>); anything but a Datadog site loses them.",
    check: (ctx) =>
      withProfiler(ctx, (p, out) => {
        const site = literalEnv(p, "DD_SITE", out);
        const unlisted = obj(obj(ctx.case.values).datadog).unlistedSite; // datadog.unlistedSite: any site, by the user's choice
        if (site !== undefined && !datadogSites.includes(site) && site !== unlisted) violation(out, p.owner, `${p.path}.env`, `DD_SITE "${site}" is not a Datadog site (${datadogSites.join(", ")})`);
      }),
  },
  {
    name: "keys-from-secret-ref",
    reason: "API and application keys reach the pod only through secretKeyRef, pointing at the Secret and key the values name.",
    check: (ctx) => {
      const out: Violation[] = [];
      for (const c of containersOf(ctx.objects)) {
        arr(c.container.env).forEach((raw, i) => {
          const e = obj(raw) as unknown as EnvVar;
          if (!KEY_VARS.includes(e.name)) return;
          if (e.value !== undefined || !isObj(obj(e.valueFrom).secretKeyRef)) violation(out, c.owner, `${c.path}.env[${i}]`, `${e.name} must come from valueFrom.secretKeyRef, never a literal value`);
        });
      }
      const p = profilerOf(ctx);
      if (!p) return out;
      const dd = obj(ctx.case.values.datadog);
      for (const [kind, envName, defKey] of [
        ["apiKey", "DD_API_KEY", "api-key"],
        ["appKey", "DD_APP_KEY", "app-key"],
      ] as const) {
        const literal = typeof dd[kind] === "string" && dd[kind] !== "";
        const existing = typeof dd[`${kind}ExistingSecret`] === "string" && dd[`${kind}ExistingSecret`] !== "" ? String(dd[`${kind}ExistingSecret`]) : undefined;
        const i = envOf(p).findIndex((e) => e.name === envName);
        if (!literal && !existing) {
          if (i >= 0) violation(out, p.owner, `${p.path}.env[${i}]`, `${envName} is set although the values name no ${kind} source`);
          continue;
        }
        if (i < 0) {
          violation(out, p.owner, `${p.path}.env`, `${envName} is missing although datadog.${literal ? kind : `${kind}ExistingSecret`} is set`);
          continue;
        }
        const ref = obj(obj(envOf(p)[i].valueFrom).secretKeyRef);
        if (existing) {
          const key = String(dd[`${kind}ExistingSecretKey`] ?? defKey);
          if (ref.name !== existing || ref.key !== key) violation(out, p.owner, `${p.path}.env[${i}].valueFrom.secretKeyRef`, `${envName} must reference Secret ${existing} key ${key}, got ${ref.name} key ${ref.key}`);
        } else {
          const secret = ctx.objects.find((o) => o.kind === "Secret" && o.metadata.name === ref.name);
          const data = { ...obj(secret?.data), ...obj(secret?.stringData) };
          if (!secret || typeof ref.key !== "string" || !(ref.key in data)) violation(out, p.owner, `${p.path}.env[${i}].valueFrom.secretKeyRef`, `${envName} must reference a key of the Secret the chart renders, got ${ref.name} key ${ref.key}`);
        }
      }
      return out;
    },
  },
  {
    name: "no-secret-literal",
    reason: "A key given as a literal lives only in the chart's Secret: any other object (env, annotation, label, comment) would leak it.",
    check: (ctx) => {
      const needles = secretFieldsIn(ctx.case.values).flatMap(({ key: what, value: s }) => [
        { s, what },
        { s: Buffer.from(s).toString("base64"), what: `${what} (base64)` },
      ]);
      const out: Violation[] = [];
      for (const d of ctx.docs) {
        if (!d.object || d.object.kind === "Secret") continue;
        for (const n of needles) {
          if (!d.content.includes(n.s)) continue;
          let path = "";
          const find = (value: unknown, at: string): boolean => {
            if (typeof value === "string") return value.includes(n.s) && ((path = at), true);
            if (Array.isArray(value)) return value.some((x, i) => find(x, `${at}[${i}]`));
            if (isObj(value)) return Object.entries(value).some(([k, x]) => (k.includes(n.s) ? ((path = at), true) : find(x, at ? `${at}.${k}` : k)));
            return false;
          };
          find(d.object, "");
          // The value itself is never printed: it is a secret.
          violation(out, d.object, path || "(a comment)", `holds the literal of ${n.what} outside a Secret`);
        }
      }
      return out;
    },
  },
  {
    name: "token-only-when-needed",
    reason: "The profiler calls the Kubernetes API only when split by service is off; otherwise no pod and no ServiceAccount may hand out a token.",
    check: (ctx) => {
      const out: Violation[] = [];
      const needs = needsKubeAPI(ctx.case);
      for (const o of ctx.objects) {
        if (o.kind === "ServiceAccount" && !needs && o.automountServiceAccountToken !== false) {
          violation(out, o, "automountServiceAccountToken", `must be false while profiler.splitByService is not false, got ${shown(o.automountServiceAccountToken)}`);
        }
        const p = podSpecOf(o);
        if (!p) continue;
        const want = needs && o.kind === "DaemonSet";
        if (p.spec.automountServiceAccountToken !== want) violation(out, o, `${p.path}.automountServiceAccountToken`, `must be ${want}${want ? " (profiler.splitByService is false)" : ""}, got ${shown(p.spec.automountServiceAccountToken)}`);
      }
      return out;
    },
  },
  {
    name: "rbac-minimal",
    reason: "RBAC only when split by service is off (and rbac.create), and no wider than the profiler uses: pods list/watch, nodes get.",
    check: (ctx) => {
      const out: Violation[] = [];
      const rbac = ctx.objects.filter((o) => RBAC_KINDS.includes(o.kind));
      const wanted = needsKubeAPI(ctx.case) && obj(ctx.values.rbac).create === true;
      if (!wanted) {
        for (const o of rbac) violation(out, o, "", `no RBAC may be rendered ${needsKubeAPI(ctx.case) ? "when rbac.create is false" : "while profiler.splitByService is not false"}`);
        return out;
      }
      const roles = rbac.filter((o) => o.kind === "ClusterRole" || o.kind === "Role");
      const bindings = rbac.filter((o) => o.kind.endsWith("Binding"));
      if (roles.length === 0 || bindings.length === 0) out.push({ message: "profiler.splitByService is false and rbac.create is on, but no role and binding were rendered" });
      for (const r of roles) {
        arr(r.rules).forEach((raw, i) => {
          const rule = obj(raw);
          const at = `rules[${i}]`;
          if (rule.nonResourceURLs !== undefined) violation(out, r, `${at}.nonResourceURLs`, "the profiler calls no non-resource URL");
          if (arr(rule.apiGroups).some((g) => g !== "")) violation(out, r, `${at}.apiGroups`, `only the core group "" is used, got ${shown(rule.apiGroups)}`);
          for (const res of arr(rule.resources)) {
            const allowed = ALLOWED_RBAC[String(res)];
            if (!allowed) violation(out, r, `${at}.resources`, `resource ${JSON.stringify(res)} is not used by the profiler (allowed: ${Object.keys(ALLOWED_RBAC).join(", ")})`);
            else for (const verb of arr(rule.verbs)) if (!allowed.includes(String(verb))) violation(out, r, `${at}.verbs`, `verb ${JSON.stringify(verb)} on ${res} is wider than the profiler needs (${allowed.join(", ")})`);
          }
        });
      }
      const sa = podSpecOf(daemonSetOf(ctx) ?? ({} as KubeObject))?.spec.serviceAccountName;
      for (const b of bindings) {
        const ref = obj(b.roleRef);
        if (!roles.some((r) => r.kind === ref.kind && r.metadata.name === ref.name)) violation(out, b, "roleRef", `must reference the role the chart renders, got ${ref.kind}/${ref.name}`);
        const subjects = arr(b.subjects).map(obj);
        if (!subjects.some((s) => s.kind === "ServiceAccount" && s.name === sa && s.namespace === ctx.namespace)) {
          violation(out, b, "subjects", `must bind the DaemonSet's ServiceAccount ${ctx.namespace}/${String(sa)}`);
        }
      }
      return out;
    },
  },
  {
    name: "image-pinned",
    reason: "Every container runs the profiler release the chart was tested with: tag v<appVersion> (or the one given), plus the digest when given.",
    check: (ctx) => {
      const image = obj(ctx.values.image);
      const repo = String(image.repository);
      // An empty tag is the chart's appVersion (_helpers.tpl "dd-otel-host-profiler.image").
      const tag = String(image.tag || `v${ctx.chart.appVersion}`);
      const want = `${repo}:${tag}${image.digest ? `@${String(image.digest)}` : ""}`;
      const out: Violation[] = [];
      const all = containersOf(ctx.objects);
      if (all.length === 0) return [{ message: "no container was rendered" }];
      for (const c of all) if (c.container.image !== want) violation(out, c.owner, `${c.path}.image`, `must be ${want}, got ${shown(c.container.image)}`);
      return out;
    },
  },
  ...podSecurityInvariants,
  ...openshiftInvariants,
];

