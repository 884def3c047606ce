// Upgrade and uninstall on a real node, with Helm 3 and Helm 4: `helm upgrade` to a new image replaces
// the running pod within the DaemonSet's maxUnavailable (every pod event replayed, see
// scripts/cluster/rollout.ts) and the old container stops; `helm uninstall` leaves no container running.
import { describe, expect, test } from "vitest";
import { followPods, maxUnavailableOf } from "../../scripts/cluster/rollout.ts";
import { helms } from "../../scripts/lib/helm.ts";
import { valuesFile } from "../helpers/render.ts";
import { chartDir, DEFAULT_IMAGE, describeHelm, helmOn, install, report, runningPod, ungrantable, until, useNode } from "./lib.ts";

const env = useNode();
const NEXT_TAG = "v0.4.1-standin";
const NEXT_IMAGE = DEFAULT_IMAGE.replace(/:[^:]+$/, `:${NEXT_TAG}`);

describe.each((await helms()).map((h) => [h.id, h] as const))("%s", (_id, helm) => {
  test("upgrade to a new image replaces the running pod within maxUnavailable; uninstall leaves no container on the node", async () => {
    await env.node.importImages([NEXT_IMAGE]);
    const leastPrivilege = { omitCapabilities: ungrantable(env.node) };
    const i = await install(env, helm, { securityMode: "leastPrivilege", leastPrivilege });
    const before = await runningPod(env, i.ns);
    const oldContainer = before.status.containerStatuses[0].containerID.replace(/^containerd:\/\//, "");
    expect(await env.node.runningTasks(), "the profiler's container runs on the node").toContain(oldContainer);

    const follow = await followPods(env.cp, i.ns, [env.node.name]);
    const values = valuesFile({ datadog: { apiKeyExistingSecret: "dd-secret" }, securityMode: "leastPrivilege", leastPrivilege, image: { tag: NEXT_TAG } });
    const up = await helmOn(env.cp, helm, ["upgrade", i.release, chartDir, "-n", i.ns, "-f", values, "--wait", "--timeout", "120s"]);
    expect(up.ok, `helm upgrade failed:\n${describeHelm(up)}`).toBe(true);
    await until("every pod replaced by one running the new image", 90_000, async () => follow.timeline.doneWith(NEXT_IMAGE));
    follow.stop();

    const ds = (await env.cp.api("GET", `/apis/apps/v1/namespaces/${i.ns}/daemonsets`)).body.items[0];
    const allowed = maxUnavailableOf(ds, 1);
    const seen = follow.timeline.report();
    expect(seen.maxUnavailable, `nodes without a ready profiler pod at once: ${JSON.stringify(seen)}, allowed ${allowed}`).toBeLessThanOrEqual(allowed);
    expect(seen.deleted, "the old pod was deleted").toBeGreaterThanOrEqual(1);

    const after = await runningPod(env, i.ns);
    expect(after.metadata.uid).not.toBe(before.metadata.uid);
    expect(after.status.containerStatuses[0].image).toBe(NEXT_IMAGE);
    // The new pod really runs the profiler (its report), and the old container is gone from the node.
    const { report: r } = await report(env, i.ns, after);
    expect(r.noNewPrivs).toBe("1");
    await until("the old container to stop on the node", 30_000, async () => !(await env.node.runningTasks()).includes(oldContainer));

    const un = await helmOn(env.cp, helm, ["uninstall", i.release, "-n", i.ns, "--wait", "--timeout", "120s"]);
    expect(un.ok, describeHelm(un)).toBe(true);
    // Pod sandboxes included: nothing of the release keeps running on the node.
    const left = await until("no container running on the node", 60_000, async () => ((await env.node.runningTasks()).length === 0 ? "none" : undefined)).catch(async (e) => {
      throw new Error(`${(e as Error).message}: still running ${JSON.stringify(await env.node.runningTasks())}`);
    });
    expect(left).toBe("none");
  });
});
