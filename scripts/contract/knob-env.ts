// Each profiler.* knob and the one variable v0.4.0 reads it from (config/cli_flags.go at the tag;
// test/profiler/flag-coverage.test.ts holds the stand-in's copy of that table to this map). The chart
// reads the map from the generated _contract.tpl; nothing else writes it down.
export const profilerKnobEnv: Record<string, string> = {
  samplingRate: "DD_HOST_PROFILING_SAMPLING_RATE",
  uploadPeriod: "DD_HOST_PROFILING_UPLOAD_PERIOD",
  monitorInterval: "DD_HOST_PROFILING_MONITOR_INTERVAL",
  clockSyncInterval: "DD_HOST_PROFILING_CLOCK_SYNC_INTERVAL",
  probabilisticInterval: "DD_HOST_PROFILING_PROBABILISTIC_INTERVAL",
  probabilisticThreshold: "DD_HOST_PROFILING_PROBABILISTIC_THRESHOLD",
  mapScaleFactor: "DD_HOST_PROFILING_MAP_SCALE_FACTOR",
  tracers: "DD_HOST_PROFILING_TRACERS",
  timeline: "DD_HOST_PROFILING_TIMELINE_ENABLED",
  sendErrorFrames: "DD_HOST_PROFILING_SEND_ERROR_FRAMES",
  verbose: "DD_HOST_PROFILING_VERBOSE",
  verboseEbpf: "DD_HOST_PROFILING_VERBOSE_EBPF",
  bpfLogLevel: "DD_HOST_PROFILING_BPF_LOG_LEVEL",
  uploadSymbols: "DD_HOST_PROFILING_UPLOAD_SYMBOLS",
  uploadDynamicSymbols: "DD_HOST_PROFILING_UPLOAD_DYNAMIC_SYMBOLS",
  uploadGopclntab: "DD_HOST_PROFILING_UPLOAD_GOPCLNTAB",
  uploadSymbolsDryRun: "DD_HOST_PROFILING_UPLOAD_SYMBOLS_DRY_RUN",
  uploadSymbolsHttp2: "DD_HOST_PROFILING_UPLOAD_SYMBOLS_HTTP2",
  symbolQueryInterval: "DD_HOST_PROFILING_SYMBOL_QUERY_INTERVAL",
  splitByService: "DD_HOST_PROFILING_SPLIT_BY_SERVICE",
  splitServiceSuffix: "DD_HOST_PROFILING_SPLIT_SERVICE_SUFFIX",
  hostService: "DD_HOST_PROFILING_SERVICE",
  collectContext: "DD_HOST_PROFILING_COLLECT_CONTEXT",
  noKernelVersionCheck: "DD_HOST_PROFILING_NO_KERNEL_VERSION_CHECK",
};
