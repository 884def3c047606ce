// Used as a dependency of an umbrella chart: Helm hands the subchart `global` (and `enabled` when the
// parent uses `condition:`), which the strict schema must accept while still refusing typos.
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { chartDir } from "../../scripts/lib/paths.ts";
import { daemonSet, render, renderOk } from "../helpers/render.ts";

function umbrellaChart(): string {
  const dir = mkdtempSync(join(tmpdir(), "umbrella-"));
  writeFileSync(
    join(dir, "Chart.yaml"),
    [
      "apiVersion: v2",
      "name: observability",
      "version: 1.0.0",
      "dependencies:",
      "  - name: dd-otel-host-profiler",
      "    version: '>=0.0.0-0'",
      "    condition: dd-otel-host-profiler.enabled",
      "",
    ].join("\n"),
  );
  mkdirSync(join(dir, "charts"));
  cpSync(chartDir, join(dir, "charts", "dd-otel-host-profiler"), { recursive: true });
  return dir;
}

describe.each(await helms())("as a subchart with $id", (helm) => {
  const chart = umbrellaChart();

  it("accepts global values and the enabled condition key", async () => {
    const objects = await renderOk(
      helm,
      { global: { clusterName: "eu-1", imageRegistry: "mirror.example.com" }, "dd-otel-host-profiler": { enabled: true, securityMode: "leastPrivilege" } },
      { chart },
    );
    expect(daemonSet(objects).container.securityContext!.privileged).toBe(false);
  });

  it("is left out when the parent disables it", async () => {
    const objects = await renderOk(helm, { "dd-otel-host-profiler": { enabled: false } }, { chart });
    expect(objects.find((o) => o.kind === "DaemonSet")).toBeUndefined();
  });

  it("still refuses a typo under the subchart's key", async () => {
    const r = await render(helm, { global: { a: 1 }, "dd-otel-host-profiler": { imagee: {} } }, { chart });
    expect(r.ok).toBe(false);
    expect(r.stderr).toContain("imagee");
  });
});
