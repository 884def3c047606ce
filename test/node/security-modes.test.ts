// Both security modes on a real node, installed with Helm 3 and Helm 4: the pods run, the released
// profiler's start-up goes through (this node's known failures marked skipped, see lib.ts), every
// operation of the running profiler succeeds, and the container gets exactly what README.md and
// chart/templates/_securitycontext.tpl say (user, capabilities, no_new_privs, seccomp, root
// filesystem), with the agent URL expanded from status.hostIP and the API key from the Secret.
import { describe, expect, test } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import {
  expectAgentUrl,
  expectAllOpsSucceed,
  expectCapabilities,
  expectKeyDelivered,
  expectLeastPrivilegeContainer,
  expectStartup,
  install,
  podsOf,
  report,
  runningPod,
  ungrantable,
  uninstall,
  until,
  useNode,
  whyNotRunning,
} from "./lib.ts";

const env = useNode();
const HELMS = await helms();

describe.each(HELMS.map((h) => [h.id, h] as const))("%s", (_id, helm) => {
  test("privileged: runs as the upstream guide says, every operation succeeds", async () => {
    const i = await install(env, helm, {});
    const pod = await runningPod(env, i.ns);
    // The chart's default pull policy (IfNotPresent) started it from the image already on the node, with
    // no pull; that Always really pulls from the node's mirror of ghcr.io, and fails without it, is
    // test/node/image-cache.test.ts's.
    expect(await whyNotRunning(env, i.ns, pod)).toMatch(/Pulled: Container image "ghcr\.io\/datadog\/dd-otel-host-profiler:v[^"]*" already present on machine/);
    const { report: r, log } = await report(env, i.ns, pod);
    expect([r.uid, r.gid], "uid, gid").toEqual([0, 0]);
    // A privileged container gets every capability the runtime itself has.
    expectCapabilities(r, env.node.boundingSet);
    expect(r.noNewPrivs, "no_new_privs").toBe("0");
    expect(r.seccomp, "seccomp mode (0: none)").toBe("0");
    expect(r.rootfs, "root filesystem").toBe("rw");
    // A privileged container's /sys is fresh: v0.4.0's entrypoint mounts debugfs (SYS_ADMIN), and the
    // profiler finds tracefs inside it.
    expect(r.steps.find((s) => s.id === "sched-monitor")?.detail, "tracefs").toBe("tracefs at /sys/kernel/debug/tracing");
    expectStartup(r, i.known);
    expectAllOpsSucceed(r);
    expectAgentUrl(r, `http://${env.node.ip}:8126`);
    expect(r.env.DD_AGENT_HOST, "DD_AGENT_HOST (status.hostIP)").toBe(env.node.ip);
    // The pod network routes nowhere but the node's bridge: nothing the pods send leaves the machine.
    expect(r.defaultRoute, "a default route in the pod's network namespace").toBe(false);
    expect([r.env.DD_SITE, r.env.DD_SERVICE, r.env.KUBERNETES_NODE_NAME, r.env.DD_HOST_PROFILING_NODE]).toEqual(["datadoghq.com", "dd-otel-host-profiler", env.node.name, env.node.name]);
    expectKeyDelivered(i, r, log, pod);
    await uninstall(env, helm, i);
  });

  test("leastPrivilege: runs with exactly its capabilities, no_new_privs, a read-only root, and every operation succeeds", async () => {
    const omit = ungrantable(env.node);
    const i = await install(env, helm, { securityMode: "leastPrivilege", leastPrivilege: { omitCapabilities: omit }, datadog: { apiKeyExistingSecret: "dd-secret", site: "datadoghq.eu" } });
    const pod = await runningPod(env, i.ns);
    const { report: r, log } = await report(env, i.ns, pod);
    expect(pod.spec.containers[0].command, "leastPrivilege starts the binary, not the image's entrypoint").toEqual(["/usr/local/bin/dd-otel-host-profiler"]);
    expectStartup(r, i.known);
    expectLeastPrivilegeContainer(r, omit);
    expectAgentUrl(r, `http://${env.node.ip}:8126`);
    expect(r.env.DD_SITE).toBe("datadoghq.eu");
    expectKeyDelivered(i, r, log, pod);
    await uninstall(env, helm, i);
  });
});

test("leastPrivilege with the whole set on a node that cannot grant one: the pod does not start, and the runtime says why", async () => {
  const [helm] = HELMS;
  const missing = ungrantable(env.node);
  const i = await install(env, helm, { securityMode: "leastPrivilege" });
  if (missing.length === 0) {
    // A node that grants the whole set runs the defaults.
    await runningPod(env, i.ns);
  } else {
    // The failure users meet before they learn of leastPrivilege.omitCapabilities (README names this message).
    const why = await until("the runtime to refuse the container", 60_000, async () => {
      const [pod] = await podsOf(env, i.ns);
      if (!pod) return undefined;
      expect(pod.status?.containerStatuses?.[0]?.state?.running, `the pod runs although the node cannot grant ${missing.join(", ")}`).toBeUndefined();
      const text = await whyNotRunning(env, i.ns, pod);
      return /unable to apply caps/.test(text) ? text : undefined;
    }, 1000);
    expect(why).toMatch(/operation not permitted/);
  }
  await uninstall(env, helm, i);
});
