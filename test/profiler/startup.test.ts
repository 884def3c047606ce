// The start-up table (scripts/profiler/startup.ts) is read at the tag the chart pins, and the chart
// follows it: leastPrivilege starts the binary the release image has, privileged keeps the image's
// entrypoint, and every capability that stops the profiler names a fatal step of the table.
import { describe, expect, it } from "vitest";
import { readChartMeta } from "../../scripts/lib/chart.ts";
import { helms } from "../../scripts/lib/helm.ts";
import { leastPrivilegeCapabilities } from "../../scripts/contract/capabilities.ts";
import { binarySteps, failurePattern, image, knownNodeFailures, source, startupSteps } from "../../scripts/profiler/startup.ts";
import { daemonSet, renderOk } from "../helpers/render.ts";

it("was read at the tag of the chart's appVersion: moving appVersion fails here until the table is re-read at the new tag", () => {
  const { appVersion } = readChartMeta();
  expect(source.tag, `scripts/profiler/startup.ts was read at ${source.tag}; re-read the profiler's source at v${appVersion} (entrypoint, runner/runner.go Run and sanityCheck, config/cli_flags.go, the ebpf-profiler start-up) and update it`).toBe(`v${appVersion}`);
});

it("lists each step once, with its source, what it needs, and an exit code for every fatal step", () => {
  const ids = startupSteps.map((s) => s.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const s of startupSteps) {
    expect(s.source, s.id).not.toBe("");
    expect(s.needs, s.id).not.toBe("");
    if (s.fatal) expect(s.by === "entrypoint" ? [32] : [1, 2], `${s.id} exit code`).toContain(s.exitCode);
    if (s.fatal) expect(s.failure, `${s.id} failure line`).not.toBe("");
  }
  // The entrypoint runs first, in the image; the binary's own steps follow in order.
  expect(startupSteps[0].by).toBe("entrypoint");
  expect(binarySteps.map((s) => s.id).slice(0, 3)).toEqual(["parse-flags", "kernel-version", "sanity-check"]);
  // The steps the issue of record asked about are all there, and the one v0.4.0 does not perform says so.
  for (const id of ["memlock-maps", "memlock-programs", "kallsyms", "attach-tracer", "sched-monitor", "symbol-uploader"]) expect(ids).toContain(id);
  expect(startupSteps.find((s) => s.id === "pid1-namespaces")?.by).toBe("absent");
});

it("skips on the node tier only steps of the table that fail fatally", () => {
  for (const [name, k] of Object.entries(knownNodeFailures)) {
    for (const id of k.steps) {
      const step = startupSteps.find((s) => s.id === id);
      expect(step, `${name}: ${id}`).toBeDefined();
      expect(step!.fatal, `${name}: ${id} is fatal`).toBe(true);
    }
  }
});

it("names, for each capability that stops the profiler, a fatal step that needs it and the line it logs", () => {
  for (const c of leastPrivilegeCapabilities.filter((c) => c.stops)) {
    const step = startupSteps.find((s) => s.id === c.stops)!;
    expect(step.fatal, `${c.name}: ${c.stops}`).toBe(true);
    expect(step.requires, `${c.name}: ${c.stops} requires it`).toContain(c.name);
    // The logged line is the step's failure format with its verbs filled in.
    expect(c.message, c.name).toMatch(failurePattern(step.failure));
  }
});

describe.each(await helms())("the profiler's command with $id", (helm) => {
  it("privileged keeps the image's entrypoint, exactly the upstream guide", async () => {
    const { container } = daemonSet(await renderOk(helm, {}));
    expect(container.command).toBeUndefined();
    expect(container.args).toBeUndefined();
  });

  it("leastPrivilege starts the binary, bypassing an entrypoint that mounts; command [] runs the entrypoint; another command is used as given", async () => {
    expect(daemonSet(await renderOk(helm, { securityMode: "leastPrivilege" })).container.command).toEqual([image.binary]);
    expect(daemonSet(await renderOk(helm, { securityMode: "leastPrivilege", leastPrivilege: { command: [] } })).container.command).toBeUndefined();
    expect(daemonSet(await renderOk(helm, { securityMode: "leastPrivilege", leastPrivilege: { command: ["/opt/profiler", "--verbose"] } })).container.command).toEqual(["/opt/profiler", "--verbose"]);
    // leastPrivilege.command is read in leastPrivilege only.
    expect(daemonSet(await renderOk(helm, { leastPrivilege: { command: ["/opt/profiler"] } })).container.command).toBeUndefined();
  });
});
