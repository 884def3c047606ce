// The rollout checker used by daemonset.test.ts and bench-scale.ts, on made-up pod events: it must
// catch a rollout that takes more nodes down than allowed, or the rollout tests would prove nothing.
import { expect, test } from "vitest";
import { maxUnavailableOf, PodTimeline } from "../../scripts/cluster/rollout.ts";

const pod = (name: string, node: string, image: string, ready: boolean, terminating = false) => ({
  metadata: { name, ...(terminating ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}) },
  spec: { containers: [{ image }], affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [node] }] }] } } } },
  status: { conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
});

test("one node at a time: max 1 unavailable, done when every node runs the new image", () => {
  const t = new PodTimeline(["a", "b"], [pod("a1", "a", "v1", true), pod("b1", "b", "v1", true)]);
  for (const n of ["a", "b"]) {
    t.apply({ type: "MODIFIED", object: pod(`${n}1`, n, "v1", true, true) });
    t.apply({ type: "DELETED", object: pod(`${n}1`, n, "v1", true, true) });
    t.apply({ type: "ADDED", object: pod(`${n}2`, n, "v2", false) });
    t.apply({ type: "MODIFIED", object: pod(`${n}2`, n, "v2", true) });
  }
  expect(t.report()).toMatchObject({ maxUnavailable: 1, created: 2, deleted: 2 });
  expect(t.doneWith("v2")).toBe(true);
});

test("both nodes down at once is seen as 2 unavailable", () => {
  const t = new PodTimeline(["a", "b"], [pod("a1", "a", "v1", true), pod("b1", "b", "v1", true)]);
  t.apply({ type: "DELETED", object: pod("a1", "a", "v1", true) });
  t.apply({ type: "DELETED", object: pod("b1", "b", "v1", true) });
  t.apply({ type: "ADDED", object: pod("a2", "a", "v2", true) });
  t.apply({ type: "ADDED", object: pod("b2", "b", "v2", true) });
  expect(t.report().maxUnavailable).toBe(2);
});

test("maxUnavailable as the DaemonSet controller reads it: percentages of the node count, rounded up", () => {
  const ds = (v: unknown) => ({ spec: { updateStrategy: { rollingUpdate: { maxUnavailable: v } } } });
  expect(maxUnavailableOf(ds("10%"), 5)).toBe(1);
  expect(maxUnavailableOf(ds("10%"), 500)).toBe(50);
  expect(maxUnavailableOf(ds(3), 500)).toBe(3);
});
