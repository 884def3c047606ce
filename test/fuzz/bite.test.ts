// The fuzz tier bites: with the ServiceAccount's name rendered unquoted again in a copy of the chart
// (the bug #18 found: serviceAccount.name "0" renders `name: 0`, a number), `npm run fuzz` finds it,
// exits 1, and prints and saves a minimal values file that still breaks that copy.
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { load } from "js-yaml";
import { expect, it } from "vitest";
import { copyChartFiles } from "../../scripts/lib/chart-files.ts";
import { chartDir, repoRoot } from "../../scripts/lib/paths.ts";

it("finds an unquoted name in a copy of the chart and prints the minimal values file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fuzz-bite-"));
  const chart = join(dir, "chart");
  copyChartFiles(chartDir, chart);
  const file = join(chart, "templates", "serviceaccount.yaml");
  const quoted = '  name: {{ include "dd-otel-host-profiler.serviceAccountName" . | quote }}\n';
  const text = readFileSync(file, "utf8");
  expect(text, "the line this test breaks").toContain(quoted);
  writeFileSync(file, text.replace(quoted, '  name: {{ include "dd-otel-host-profiler.serviceAccountName" . }}\n'));

  const out = join(dir, "out");
  const r = await execa("npx", ["node", "scripts/fuzz/cli.ts", "--chart", chart, "--seed", "5", "--count", "40", "--key", "fullnameOverride", "--key", "serviceAccount", "--helm", "4", "--out", out, "--max-shrinks", "1"], { cwd: repoRoot, reject: false, env: { CI: "true" } });
  expect(r.exitCode, r.stdout + r.stderr).toBe(1);
  expect(r.stdout).toMatch(/\[helm4\] kubernetes-schema: ServiceAccount\/\S+ metadata\.name: /);
  const m = /minimal file \(([^)]+)\):\n([\s\S]*?)\n\n/.exec(r.stdout);
  expect(m, r.stdout).not.toBeNull();
  const [, saved, yaml] = m!;
  expect(existsSync(saved)).toBe(true);
  expect(readFileSync(saved, "utf8").trim()).toBe(yaml.trim());
  // Minimal: one key path to a name YAML reads as a number, nothing else.
  const values = load(yaml) as Record<string, any>;
  const leaf = values.serviceAccount?.name ?? values.fullnameOverride;
  expect(yaml, "the minimal file").toMatch(/^# fuzz seed 5 file \d+ .*shrunk in \d+ steps\n/);
  expect(Object.keys(values)).toHaveLength(1);
  expect(typeof leaf === "string" && /^[0-9.e+-]+$/.test(leaf), `a numeric-looking name: ${yaml}`).toBe(true);
}, 120_000);

it("refuses a bad option with the usage and exit 2, before generating anything", async () => {
  for (const args of [["--count", "many"], ["--helm", "5"], ["--key", "nosuchkey", "--count", "1"]]) {
    const r = await execa("npx", ["node", "scripts/fuzz/cli.ts", ...args], { cwd: repoRoot, reject: false, env: { CI: "true" } });
    expect(r.exitCode, `${args.join(" ")}: ${r.stdout}${r.stderr}`).toBe(2);
    expect(r.stderr).toMatch(args[1] === "nosuchkey" ? /no such key in values\.schema\.json: nosuchkey/ : /Usage: npm run fuzz/);
  }
});
