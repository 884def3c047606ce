// The node tier's checks bite: a chart with a capability removed from the leastPrivilege set (_contract.tpl), or with the
// agent URL's $(DD_AGENT_HOST) no longer expanded, is installed on the real node, and the same checks
// the passing tests use fail with a message that names the capability or the variable.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { chartDir, expectAgentUrl, expectAllOpsSucceed, expectLeastPrivilegeContainer, install, report, runningPod, ungrantable, uninstall, useNode } from "./lib.ts";

const env = useNode();
const helm = (await helms()).at(-1)!;
const copies: string[] = [];
afterAll(() => {
  for (const c of copies) rmSync(c, { recursive: true, force: true });
});

/** A copy of the chart with one template edited; the edit must change the file. */
function brokenChart(template: string, edit: (text: string) => string): string {
  const dir = join(mkdtempSync(join(tmpdir(), "broken-chart-")), "chart");
  copies.push(dir);
  cpSync(chartDir, dir, { recursive: true });
  const file = join(dir, "templates", template);
  const before = readFileSync(file, "utf8");
  const after = edit(before);
  expect(after, `the edit of ${template} changed nothing`).not.toBe(before);
  writeFileSync(file, after);
  return dir;
}

test("IPC_LOCK removed from the leastPrivilege set (_contract.tpl): the leastPrivilege check names IPC_LOCK and the mlock it breaks", async () => {
  const chart = brokenChart("_contract.tpl", (t) => t.replace(/^  - IPC_LOCK\n/m, ""));
  const omit = ungrantable(env.node);
  const i = await install(env, helm, { securityMode: "leastPrivilege", leastPrivilege: { omitCapabilities: omit } }, { chart });
  const { report: r } = await report(env, i.ns, await runningPod(env, i.ns));
  expect(() => expectLeastPrivilegeContainer(r, omit)).toThrow("capability IPC_LOCK is missing from the container");
  // The operation check, which runs after it, names it too.
  expect(() => expectAllOpsSucceed(r)).toThrow(/mlock_over_rlimit \(mlock more memory than RLIMIT_MEMLOCK\) failed: .*; it needs IPC_LOCK/);
  await uninstall(env, helm, i);
});

test("DD_AGENT_HOST defined after DD_TRACE_AGENT_URL: the agent URL check names the unexpanded variable", async () => {
  const chart = brokenChart("_env.tpl", (t) => {
    const block = /\{\{- if eq \(include "dd-otel-host-profiler\.agentRoute" \.\) "node" \}\}\n- name: DD_AGENT_HOST\n(?:.*\n){3}\{\{- end \}\}\n/.exec(t)![0];
    const url = /- name: DD_TRACE_AGENT_URL\n.*\n/.exec(t)![0];
    return t.replace(block, "").replace(url, url + block);
  });
  const i = await install(env, helm, {}, { chart });
  const { report: r } = await report(env, i.ns, await runningPod(env, i.ns));
  expect(() => expectAgentUrl(r, `http://${env.node.ip}:8126`)).toThrow(/DD_TRACE_AGENT_URL arrived as http:\/\/\$\(DD_AGENT_HOST\):8126: \$\(DD_AGENT_HOST\) was not expanded/);
  await uninstall(env, helm, i);
});
