// Profiler knobs: each set knob renders exactly its variable; an unset knob renders none.
import { describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { contract } from "../../scripts/contract/values.ts";
import { daemonSet, renderOk } from "../helpers/render.ts";

// One value per knob, with the variable and the text the profiler must receive.
const knobs: Record<string, [unknown, string, string]> = {
  samplingRate: [997, "DD_HOST_PROFILING_SAMPLING_RATE", "997"],
  uploadPeriod: ["30s", "DD_HOST_PROFILING_UPLOAD_PERIOD", "30s"],
  monitorInterval: ["10s", "DD_HOST_PROFILING_MONITOR_INTERVAL", "10s"],
  clockSyncInterval: ["5m", "DD_HOST_PROFILING_CLOCK_SYNC_INTERVAL", "5m"],
  probabilisticInterval: ["2m", "DD_HOST_PROFILING_PROBABILISTIC_INTERVAL", "2m"],
  probabilisticThreshold: [50, "DD_HOST_PROFILING_PROBABILISTIC_THRESHOLD", "50"],
  mapScaleFactor: [0, "DD_HOST_PROFILING_MAP_SCALE_FACTOR", "0"],
  tracers: [["python", "hotspot"], "DD_HOST_PROFILING_TRACERS", "python,hotspot"],
  timeline: [true, "DD_HOST_PROFILING_TIMELINE_ENABLED", "true"],
  sendErrorFrames: [true, "DD_HOST_PROFILING_SEND_ERROR_FRAMES", "true"],
  verbose: [true, "DD_HOST_PROFILING_VERBOSE", "true"],
  verboseEbpf: [true, "DD_HOST_PROFILING_VERBOSE_EBPF", "true"],
  bpfLogLevel: [2, "DD_HOST_PROFILING_BPF_LOG_LEVEL", "2"],
  uploadSymbols: [false, "DD_HOST_PROFILING_UPLOAD_SYMBOLS", "false"],
  uploadDynamicSymbols: [true, "DD_HOST_PROFILING_UPLOAD_DYNAMIC_SYMBOLS", "true"],
  uploadGopclntab: [false, "DD_HOST_PROFILING_UPLOAD_GOPCLNTAB", "false"],
  uploadSymbolsDryRun: [true, "DD_HOST_PROFILING_UPLOAD_SYMBOLS_DRY_RUN", "true"],
  uploadSymbolsHttp2: [true, "DD_HOST_PROFILING_UPLOAD_SYMBOLS_HTTP2", "true"],
  symbolQueryInterval: ["1s", "DD_HOST_PROFILING_SYMBOL_QUERY_INTERVAL", "1s"],
  splitByService: [true, "DD_HOST_PROFILING_SPLIT_BY_SERVICE", "true"],
  splitServiceSuffix: ["-k8s", "DD_HOST_PROFILING_SPLIT_SERVICE_SUFFIX", "-k8s"],
  hostService: ["nodes", "DD_HOST_PROFILING_SERVICE", "nodes"],
  collectContext: [true, "DD_HOST_PROFILING_COLLECT_CONTEXT", "true"],
  noKernelVersionCheck: [true, "DD_HOST_PROFILING_NO_KERNEL_VERSION_CHECK", "true"],
};

it("has a row for every knob of the contract", () => {
  const profiler = contract.fields.profiler;
  expect(profiler.kind).toBe("group");
  expect(Object.keys(knobs).sort()).toEqual(Object.keys(profiler.kind === "group" ? profiler.fields : {}).sort());
});

describe.each(await helms())("profiler knobs with $id", (helm) => {
  it("renders no DD_HOST_PROFILING_ variable but the node name by default", async () => {
    const names = daemonSet(await renderOk(helm)).container.env!.map((e) => e.name);
    expect(names.filter((n) => n.startsWith("DD_HOST_PROFILING_"))).toEqual(["DD_HOST_PROFILING_NODE"]);
  });

  it("renders each set knob as its variable, with integers never in exponent form", async () => {
    const profiler = Object.fromEntries(Object.entries(knobs).map(([k, [v]]) => [k, v]));
    const { container } = daemonSet(await renderOk(helm, { profiler }));
    const got = Object.fromEntries(container.env!.map((e) => [e.name, e.value]));
    for (const [, variable, text] of Object.values(knobs)) expect(got[variable], variable).toBe(text);
  });

  it("renders DD_ENV and DD_TAGS only when set", async () => {
    const { container } = daemonSet(await renderOk(helm, { datadog: { env: "prod", tags: ["team:infra", "cluster:eu-1"], site: "datadoghq.eu" } }));
    const got = Object.fromEntries(container.env!.map((e) => [e.name, e.value]));
    expect(got.DD_ENV).toBe("prod");
    expect(got.DD_TAGS).toBe("team:infra,cluster:eu-1");
    expect(got.DD_SITE).toBe("datadoghq.eu");
  });
});

describe.each(await helms())("extraEnv beside knobs with $id", (helm) => {
  it("accepts a profiler variable in extraEnv when its knob is unset", async () => {
    const extra = { name: "DD_HOST_PROFILING_SAMPLING_RATE", value: "10" };
    const { container } = daemonSet(await renderOk(helm, { extraEnv: [extra] }));
    expect(container.env!.filter((e) => e.name === extra.name)).toEqual([extra]);
  });
});
