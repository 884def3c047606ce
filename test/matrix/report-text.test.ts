// The terminal summary groups failures: one line per (rule, object, path, message), with its cell
// count and the first cell showing it.
import { describe, expect, it } from "vitest";
import { formatGroup, groupFailures } from "../../scripts/matrix/report-text.ts";

const drop = { rule: "least-privilege-drop-all", object: "DaemonSet/x", path: "spec.template.spec.containers[0].securityContext.capabilities.drop", message: "must include ALL" };
const cell = (c: string, helm: string, kube: string, failures: (typeof drop | { rule: string; message: string })[]) => ({ case: c, helm, kube, failures });

describe("grouped failures", () => {
  it("one line per distinct failure, counted over cells, with the first cell as the example", () => {
    const cells = [
      ...["1.33", "1.34", "1.35"].flatMap((k) => [cell("least-privilege", "helm3", k, [drop]), cell("least-privilege", "helm4", k, [drop, drop])]),
      cell("other", "helm4", "1.35", [{ ...drop, message: "must include ALL, not NET_RAW" }, { rule: "render", message: "boom" }]),
    ];
    const lines = groupFailures(cells).map(formatGroup);
    expect(lines).toEqual([
      "FAIL least-privilege-drop-all: DaemonSet/x spec.template.spec.containers[0].securityContext.capabilities.drop: must include ALL (6 cells, e.g. least-privilege [helm3, Kubernetes 1.33])",
      "FAIL least-privilege-drop-all: DaemonSet/x spec.template.spec.containers[0].securityContext.capabilities.drop: must include ALL, not NET_RAW (1 cell: other [helm4, Kubernetes 1.35])",
      "FAIL render: boom (1 cell: other [helm4, Kubernetes 1.35])",
    ]);
  });

  it("no failures, no lines", () => {
    expect(groupFailures([cell("a", "helm4", "1.35", [])])).toEqual([]);
  });
});
