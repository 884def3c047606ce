// Both ways between the chart and the profiler's flags: every DD_* variable the chart can give the
// profiler container is read by a flag of the stand-in's table, and every variable of that table is
// rendered by the chart or listed in `unexposed` below with its reason.
//
// The table is scripts/standin/binary/config.go flagSpecs, which mirrors v0.4.0's config/cli_flags.go
// parseCLIArgs (one entry per flag, in its order, with its cli.EnvVars sources). It is read here as text,
// not from a data file: config.go is what the stand-in binary parses the environment with, so reading
// it keeps one copy; a data file would be a second copy (or would need the Go side changed to load it)
// and this test needs no Go toolchain. The parse refuses any entry it does not understand.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { helms, type Helm } from "../../scripts/lib/helm.ts";
import { chartDir, repoRoot } from "../../scripts/lib/paths.ts";
import { readChartMeta } from "../../scripts/lib/chart.ts";
import { daemonSet, renderOk } from "../helpers/render.ts";

const configGoPath = join(repoRoot, "scripts/standin/binary/config.go");

// v0.4.0 config/cli_flags.go parseCLIArgs has 36 flags with a `Sources: cli.EnvVars(...)` (version and
// copyright have none), and the stand-in's table has one entry for each.
const flagsWithSources = 36;

export interface Flag {
  name: string;
  env: string[];
}

/** The flagSpecs table of config.go: flag names and their variables, in order. Throws on what it cannot read. */
export function parseFlagTable(goSource: string): Flag[] {
  const start = goSource.indexOf("func flagSpecs(c *Config) []flagSpec {");
  if (start < 0) throw new Error("config.go: no func flagSpecs(c *Config) []flagSpec");
  const body = goSource.slice(start, goSource.indexOf("\n}\n", start));
  // The two helpers the entries use; if they change, this parse must change with them.
  if (!body.includes("e := func(names ...string) []string { return names }")) throw new Error("config.go flagSpecs: helper e changed");
  if (!body.includes('hp := func(n string) []string { return e("DD_HOST_PROFILING_" + n) }')) throw new Error("config.go flagSpecs: helper hp changed");
  const flags: Flag[] = [];
  for (const line of body.split("\n")) {
    if (!line.includes("{name: ")) continue;
    const m = /^\t\t\{name: "([a-z0-9-]+)", env: (?:hp\("([A-Z0-9_]+)"\)|e\(((?:"[A-Z0-9_]+"(?:, )?)+)\)), target: &c\.[A-Za-z0-9]+[,}]/.exec(line);
    if (!m) throw new Error(`config.go flagSpecs: cannot read the entry ${line.trim()}`);
    const env = m[2] ? [`DD_HOST_PROFILING_${m[2]}`] : [...m[3].matchAll(/"([A-Z0-9_]+)"/g)].map((x) => x[1]);
    flags.push({ name: m[1], env });
  }
  return flags;
}

/** The knobEnv map the chart reads (the contract define of the generated _contract.tpl): values key -> variable. */
export function knobEnv(contractTpl: string): Record<string, string> {
  const m = /\{\{- define "dd-otel-host-profiler\.contract" -\}\}\n([\s\S]*?)\{\{- end \}\}/.exec(contractTpl);
  if (!m) throw new Error("_contract.tpl: no contract define");
  return (load(m[1]) as { knobEnv: Record<string, string> }).knobEnv;
}

/** Literal `- name: DD_...` entries of the env define of _env.tpl (the profiler container's env list). */
export function literalEnv(envTpl: string): string[] {
  const start = envTpl.indexOf('{{- define "dd-otel-host-profiler.env" -}}');
  if (start < 0) throw new Error("_env.tpl: no env define");
  return [...envTpl.slice(start).matchAll(/^- name: (DD_[A-Z0-9_]+)$/gm)].map((m) => m[1]);
}

// Values that make the chart render every variable it can: every knob (test/cases/profiler-knobs-all.yaml),
// both keys, env and tags; the agent's default route is the node one, which adds DD_AGENT_HOST.
const allKnobs = load(readFileSync(join(repoRoot, "test/cases/profiler-knobs-all.yaml"), "utf8")) as { profiler: Record<string, unknown> };
const everything = {
  ...allKnobs,
  datadog: { apiKeyExistingSecret: "dd-api", appKeyExistingSecret: "dd-app", env: "prod", tags: ["team:infra"] },
};

/** Each DD_* variable the chart can render for the profiler container, with where it was found. */
export async function chartVariables(helm: Helm, chart: string): Promise<Map<string, string>> {
  const tpl = readFileSync(join(chart, "templates/_env.tpl"), "utf8");
  const vars = new Map<string, string>();
  for (const [key, v] of Object.entries(knobEnv(readFileSync(join(chart, "templates/_contract.tpl"), "utf8")))) vars.set(v, `knobEnv ${key}`);
  for (const v of literalEnv(tpl)) if (!vars.has(v)) vars.set(v, "_env.tpl");
  const { container } = daemonSet(await renderOk(helm, everything, { chart }));
  for (const e of container.env ?? []) if (e.name.startsWith("DD_") && !vars.has(e.name)) vars.set(e.name, "rendered");
  return vars;
}

// DD_* variables the chart renders that no flag reads, each for a reason of its own.
const notFlags: Record<string, string> = {
  DD_SERVICE:
    "not a flag: v0.4.0's reporter reads DD_SERVICE (then OTEL_SERVICE_NAME) from the environment of each profiled process, its own included (reporter/datadog_reporter.go ServiceNameEnvVars)",
  DD_AGENT_HOST:
    "not a flag: the node's IP from the downward API, used only through Kubernetes' $(DD_AGENT_HOST) expansion in DD_TRACE_AGENT_URL (chart/templates/_helpers.tpl agentURL)",
};

// Variables of the table the chart does not render, each with the reason. One place.
const aliasOf = (v: string) =>
  `the chart sets ${v}, the other source of the same flag (urfave/cli takes the first set source, DD_HOST_PROFILING_* before DD_*; _validate.tpl refuses this one in extraEnv)`;
export const unexposed: Record<string, string> = {
  DD_HOST_PROFILING_TRACE_AGENT_URL: aliasOf("DD_TRACE_AGENT_URL"),
  DD_HOST_PROFILING_ENV: aliasOf("DD_ENV"),
  DD_HOST_PROFILING_TAGS: aliasOf("DD_TAGS"),
  DD_HOST_PROFILING_API_KEY: aliasOf("DD_API_KEY"),
  DD_HOST_PROFILING_APP_KEY: aliasOf("DD_APP_KEY"),
  DD_HOST_PROFILING_SITE: aliasOf("DD_SITE"),
  DD_HOST_PROFILING_PPROF_PREFIX:
    "pprof-prefix (not hidden, default unset): a debugging aid that writes <prefix><time>.pprof into the container for every upload (reporter/datadog_reporter.go), never removed; in leastPrivilege only /tmp is writable. extraEnv can set it",
  DD_HOST_PROFILING_ADDITIONAL_SYMBOL_ENDPOINTS:
    "additional-symbol-endpoints (hidden GenericFlag): a JSON list of {site, api_key, app_key} (config/config.go additionalSymbolEndpoints.Set), so a value holds API and APP keys in clear text, while the chart passes keys only through secretKeyRef. extraEnv with valueFrom can set it",
  DD_HOST_PROFILING_RUNTIME_PROFILER:
    "profile (default false): self-profiling of the profiler's own Go process with dd-trace-go, sent as service dd-otel-host-self-profiler to the agent address cut from the agent URL with only http:// removed (runner/runner.go Run), which an https agent.url breaks. A diagnostic for the profiler's developers; extraEnv can set it",
  DD_HOST_PROFILING_RUNTIME_PROFILER_PERIOD: "runtime-profile-period (hidden): the period of that self-profiling, used only with profile",
  DD_HOST_PROFILING_RUNTIME_METRICS_STATSD_ADDRESS:
    "runtime-metrics-statsd-address (hidden): starts the dd-trace-go tracer (tracing off) for the profiler's own process with WithDogstatsdAddr, and its agent address cut from the agent URL like profile's (runner/runner.go Run); Run passes no WithRuntimeMetrics option, so whether Go runtime metrics then flow rests on dd-trace-go v2.2.2's defaults, not read here, and a failed start is only logged, so a wrong address shows nothing. Not a knob until that is read; extraEnv can set it (e.g. $(DD_AGENT_HOST):8125, or the Datadog chart's node-local Service on 8125/UDP)",
};

/** What breaks the two-way rule, one line per variable. */
export function coverageProblems(chartVars: Map<string, string>, flags: Flag[]): string[] {
  const problems: string[] = [];
  const readBy = new Map(flags.flatMap((f) => f.env.map((v) => [v, f.name] as const)));
  for (const [v, where] of chartVars) {
    if (v in notFlags) continue;
    if (!readBy.has(v)) problems.push(`${v} (${where}) is rendered by the chart but read by no flag of v0.4.0 (scripts/standin/binary/config.go flagSpecs)`);
  }
  for (const v of Object.keys(notFlags)) {
    if (!chartVars.has(v)) problems.push(`${v} is listed as rendered but not a flag, and the chart no longer renders it: remove it from notFlags`);
    if (readBy.has(v)) problems.push(`${v} is listed as not a flag, but flag ${readBy.get(v)} reads it`);
  }
  for (const [v, flag] of readBy) {
    if (!chartVars.has(v) && !(v in unexposed)) problems.push(`${v} (flag ${flag}) is neither rendered by the chart nor listed in unexposed with its reason`);
  }
  for (const v of Object.keys(unexposed)) {
    if (!readBy.has(v)) problems.push(`${v} is listed in unexposed but no flag reads it`);
    else if (chartVars.has(v)) problems.push(`${v} is listed in unexposed but the chart renders it (${chartVars.get(v)}): remove it from unexposed`);
  }
  return problems;
}

const table = parseFlagTable(readFileSync(configGoPath, "utf8"));

it("reads the whole flag table of the stand-in, one entry per v0.4.0 flag with a variable", () => {
  expect(readChartMeta().appVersion, "re-read config/cli_flags.go at the new tag, then flagsWithSources and unexposed").toBe("0.4.0");
  expect(table.length).toBe(flagsWithSources);
  expect(new Set(table.map((f) => f.name)).size).toBe(table.length);
  for (const name of ["pprof-prefix", "additional-symbol-endpoints", "runtime-metrics-statsd-address"]) expect(table.map((f) => f.name)).toContain(name);
  expect(table.find((f) => f.name === "agent-url")?.env).toEqual(["DD_HOST_PROFILING_TRACE_AGENT_URL", "DD_TRACE_AGENT_URL"]);
});

describe.each(await helms())("chart variables and profiler flags with $id", (helm) => {
  it("every DD_* variable the chart renders is read by a flag, and every flag variable is rendered or has its reason", async () => {
    const vars = await chartVariables(helm, chartDir);
    // The values above do reach every knob: a knob they miss would leave its variable unchecked.
    for (const v of Object.values(knobEnv(readFileSync(join(chartDir, "templates/_contract.tpl"), "utf8")))) expect(vars.get(v), v).toBeDefined();
    expect(coverageProblems(vars, table)).toEqual([]);
  });
});

// It bites: the same check on broken copies of the chart and of the table.
describe("the coverage check fails", async () => {
  const helm = (await helms())[0];
  const brokenChart = (edit: (tpl: string) => string, file = "_env.tpl") => {
    const dir = join(mkdtempSync(join(tmpdir(), "flag-coverage-")), "chart");
    cpSync(chartDir, dir, { recursive: true });
    const path = join(dir, "templates", file);
    writeFileSync(path, edit(readFileSync(path, "utf8")));
    return dir;
  };
  const unread = "DD_HOST_PROFILING_SEND_IDLE_FRAMES"; // on main since 69ef0b1, in no release

  it("naming a knobEnv variable no flag reads", async () => {
    const dir = brokenChart((t) => t.replace("  timeline: DD_HOST_PROFILING_TIMELINE_ENABLED\n", `  timeline: DD_HOST_PROFILING_TIMELINE_ENABLED\n  sendIdleFrames: ${unread}\n`), "_contract.tpl");
    const problems = coverageProblems(await chartVariables(helm, dir), table);
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${unread} \\(knobEnv sendIdleFrames\\) is rendered by the chart but read by no flag`))]);
  });

  it("naming a variable the chart renders from a computed name (found by rendering, not by reading the template)", async () => {
    const dir = brokenChart((t) =>
      t.replace("{{- $knobs := .Values.profiler }}", `- name: {{ printf "DD_HOST_PROFILING_%s" "SEND_IDLE_FRAMES" }}\n  value: "true"\n{{- $knobs := .Values.profiler }}`),
    );
    const vars = await chartVariables(helm, dir);
    expect(vars.get(unread)).toBe("rendered");
    expect(coverageProblems(vars, table)).toEqual([expect.stringMatching(new RegExp(`^${unread} \\(rendered\\) is rendered by the chart but read by no flag`))]);
  });

  it("naming a flag variable that is neither rendered nor given a reason, and stale reasons", async () => {
    const vars = await chartVariables(helm, chartDir);
    const extra = [...table, { name: "send-idle-frames", env: [unread] }];
    expect(coverageProblems(vars, extra)).toEqual([`${unread} (flag send-idle-frames) is neither rendered by the chart nor listed in unexposed with its reason`]);
    // A reason for a variable the chart renders is stale; so is one for a variable the chart stops rendering.
    const withPprof = new Map(vars);
    withPprof.set("DD_HOST_PROFILING_PPROF_PREFIX", "knobEnv pprofPrefix");
    expect(coverageProblems(withPprof, table)).toEqual([expect.stringMatching(/^DD_HOST_PROFILING_PPROF_PREFIX is listed in unexposed but the chart renders it/)]);
    const noService = new Map(vars);
    noService.delete("DD_SERVICE");
    expect(coverageProblems(noService, table)).toEqual([expect.stringMatching(/^DD_SERVICE is listed as rendered but not a flag/)]);
  });

  it("on a table entry the parse cannot read", () => {
    const src = readFileSync(configGoPath, "utf8").replace('{name: "node", env: hp("NODE")', '{name: "node", env: nodeVars()');
    expect(() => parseFlagTable(src)).toThrow(/cannot read the entry \{name: "node", env: nodeVars\(\)/);
  });
});
