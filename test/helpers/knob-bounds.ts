// Every profiler.* knob at and just past its bounds: whether the chart accepts the value, and whether
// the released profiler's own checks (flag parsing, sanityCheck, tracer parsing, the host-service
// rule; scripts/profiler/startup.ts) accept it. The fast tier holds the chart to `chart`
// (test/chart/knob-bounds.test.ts); the node tier runs the stand-in's copy of the profiler's checks
// on what the chart renders (test/node/knob-bounds.test.ts), so no value the chart accepts is one the
// profiler refuses.

export interface KnobBound {
  knob: string;
  value: unknown;
  /** Other profiler.* values the case needs (e.g. hostService beside splitByService false). */
  with?: Record<string, unknown>;
  chart: "accepts" | "refuses";
  /**
   * What the profiler does with the raw value, when the chart refuses it: "refuses" (its checks exit),
   * or a reason the chart refuses a value the profiler's start-up checks would let through.
   */
  profiler?: "refuses" | { stricter: string };
}

const ticker = { stricter: "a zero duration passes the profiler's checks but is no interval: time.NewTicker panics on it" };
const truncated = { stricter: "Go truncates a duration below 1ns to 0, on which time.NewTicker panics" };

export const knobBounds: KnobBound[] = [
  { knob: "samplingRate", value: 1, chart: "accepts" },
  { knob: "samplingRate", value: 1001, chart: "accepts" },
  // The kernel's default kernel.perf_event_max_sample_rate: the most a node accepts unless its admin raised it.
  { knob: "samplingRate", value: 100000, chart: "accepts" },
  { knob: "samplingRate", value: 2147483647, chart: "accepts" },
  { knob: "samplingRate", value: 0, chart: "refuses", profiler: "refuses" },
  {
    knob: "samplingRate",
    value: 2147483648,
    chart: "refuses",
    profiler: { stricter: "sanityCheck takes any rate >= 1, but perf_event_open refuses a frequency above kernel.perf_event_max_sample_rate (EINVAL, measured on kernel 6.18: the profiler exits at attach-tracer), and that sysctl is an int, so no node runs more than 2147483647" },
  },
  { knob: "mapScaleFactor", value: 0, chart: "accepts" },
  { knob: "mapScaleFactor", value: 8, chart: "accepts" },
  { knob: "mapScaleFactor", value: 9, chart: "refuses", profiler: "refuses" },
  { knob: "bpfLogLevel", value: 0, chart: "accepts" },
  { knob: "bpfLogLevel", value: 2, chart: "accepts" },
  { knob: "bpfLogLevel", value: 3, chart: "refuses", profiler: "refuses" },
  { knob: "probabilisticThreshold", value: 1, chart: "accepts" },
  { knob: "probabilisticThreshold", value: 99, chart: "accepts" },
  // sanityCheck's maximum (tracer.ProbabilisticThresholdMax): the same as unset, profiling all the time.
  { knob: "probabilisticThreshold", value: 100, chart: "accepts" },
  { knob: "probabilisticThreshold", value: 0, chart: "refuses", profiler: "refuses" },
  { knob: "probabilisticThreshold", value: 101, chart: "refuses", profiler: "refuses" },
  { knob: "probabilisticInterval", value: "1m", chart: "accepts" },
  { knob: "probabilisticInterval", value: "60s", chart: "accepts" },
  { knob: "probabilisticInterval", value: "5m", chart: "accepts" },
  { knob: "probabilisticInterval", value: "4m59.5s", chart: "accepts" },
  { knob: "probabilisticInterval", value: "59s", chart: "refuses", profiler: "refuses" },
  { knob: "probabilisticInterval", value: "30s", chart: "refuses", profiler: "refuses" },
  { knob: "probabilisticInterval", value: "5m1s", chart: "refuses", profiler: "refuses" },
  { knob: "probabilisticInterval", value: "300001ms", chart: "refuses", profiler: "refuses" },
  ...(["uploadPeriod", "monitorInterval", "clockSyncInterval", "symbolQueryInterval"] as const).flatMap((knob): KnobBound[] => [
    { knob, value: "1ns", chart: "accepts" },
    { knob, value: "1h30m", chart: "accepts" },
    { knob, value: "2562047h", chart: "accepts" },
    { knob, value: "2562048h", chart: "refuses", profiler: "refuses" },
    { knob, value: "99999999999h", chart: "refuses", profiler: "refuses" },
    { knob, value: "60", chart: "refuses", profiler: "refuses" },
    { knob, value: "1d", chart: "refuses", profiler: "refuses" },
  ]),
  // Tickers: zero (or what truncates to it) is no interval.
  ...(["uploadPeriod", "monitorInterval"] as const).flatMap((knob): KnobBound[] => [
    { knob, value: "0s", chart: "refuses", profiler: ticker },
    { knob, value: "0.5ns", chart: "refuses", profiler: truncated },
  ]),
  // Zero is a setting: clock sync once at start-up (times.StartRealtimeSync), no symbol query batching (reporter/config.go).
  { knob: "clockSyncInterval", value: "0s", chart: "accepts" },
  { knob: "symbolQueryInterval", value: "0s", chart: "accepts" },
  { knob: "tracers", value: ["all"], chart: "accepts" },
  { knob: "tracers", value: ["perl", "php", "python", "hotspot", "ruby", "v8", "dotnet"], chart: "accepts" },
  { knob: "tracers", value: ["foo"], chart: "refuses", profiler: "refuses" },
  { knob: "tracers", value: ["go"], chart: "refuses", profiler: { stricter: "the profiler accepts go but disables it again (Go is symbolized remotely)" } },
  { knob: "tracers", value: ["native"], chart: "refuses", profiler: { stricter: "native is always on; the profiler warns that naming it is deprecated" } },
  { knob: "splitByService", value: false, with: { hostService: "cluster-hosts" }, chart: "accepts" },
  { knob: "splitByService", value: false, chart: "refuses", profiler: "refuses" },
  { knob: "hostService", value: "nodes", chart: "accepts" },
];

/** The profiler.* values of a case. */
export const knobValues = (b: KnobBound): Record<string, unknown> => ({ ...b.with, [b.knob]: b.value });

/** The environment the profiler would get for a case, with the value passed through as the chart would print it. */
export const rawEnvOf = (variable: string, value: unknown): string => (Array.isArray(value) ? value.join(",") : String(value));
