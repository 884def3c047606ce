// `helm lint --strict` and the NOTES.txt a user reads after install, under every Helm.
import { copyFileSync, cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { helms, runHelm } from "../../scripts/lib/helm.ts";
import { chartDir } from "../../scripts/lib/paths.ts";
import { fakeApiKey, renderOk, valuesFile } from "../helpers/render.ts";

/**
 * `helm template` never renders NOTES.txt and Helm 3's dry-run install wants a cluster, so a copy of
 * the chart renders the real NOTES.txt through `tpl` into a ConfigMap: same engine, same context.
 */
function chartWithVisibleNotes(): string {
  const dir = join(mkdtempSync(join(tmpdir(), "notes-")), "chart");
  cpSync(chartDir, dir, { recursive: true });
  copyFileSync(join(chartDir, "templates", "NOTES.txt"), join(dir, "notes.txt"));
  writeFileSync(
    join(dir, "templates", "zz-notes.yaml"),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  notes: {{ tpl (.Files.Get "notes.txt") . | quote }}\n',
  );
  return dir;
}

describe.each(await helms())("$id", (helm) => {
  it("lints the chart with --strict, on the defaults and with every option switched", async () => {
    for (const values of [
      {},
      { securityMode: "leastPrivilege", profiler: { splitByService: false, hostService: "cluster-hosts" }, datadog: { apiKey: fakeApiKey } },
      { agent: { service: { name: "datadog", namespace: "datadog", podLabels: { app: "datadog" } } }, clusterDomain: "corp.internal", networkPolicy: { create: true } },
    ]) {
      const r = await runHelm(helm, ["lint", "--strict", chartDir, "--values", valuesFile(values)]);
      expect(r.ok, r.stdout + r.stderr).toBe(true);
      expect(r.stdout).toContain("0 chart(s) failed");
    }
  });

  const notesChart = chartWithVisibleNotes();
  async function notes(values: object): Promise<string> {
    const objects = await renderOk(helm, values, { chart: notesChart });
    return (objects.find((o) => o.metadata.name === "notes")!.data as { notes: string }).notes;
  }

  it("NOTES tell the namespace label Pod Security needs, and what a missing API key costs", async () => {
    const text = await notes({});
    expect(text).toContain("kubectl label namespace profiling pod-security.kubernetes.io/enforce=privileged");
    expect(text).toContain("local symbols are NOT uploaded");
    expect(text).toContain("helm test prof -n profiling");
  });

  it("NOTES name the key's Secret and the RBAC when they apply, never the key itself", async () => {
    const text = await notes({ datadog: { apiKey: fakeApiKey }, profiler: { splitByService: false, hostService: "cluster-hosts" }, securityMode: "leastPrivilege" });
    expect(text).toContain("API key: from Secret prof-dd-otel-host-profiler-keys");
    expect(text).toContain("pods list/watch, nodes get");
    expect(text).toContain("needs kernel >= 5.8");
    expect(text).not.toContain(fakeApiKey);
    expect(text).not.toContain("WARNING");
  });

  it("NOTES list the capabilities leastPrivilege really adds, and say what omitting SYS_RESOURCE costs", async () => {
    const text = await notes({ securityMode: "leastPrivilege", leastPrivilege: { omitCapabilities: ["SYS_RESOURCE"] } });
    expect(text).toContain("capabilities BPF, PERFMON, SYS_PTRACE, DAC_READ_SEARCH, SYSLOG, CHECKPOINT_RESTORE, IPC_LOCK;");
    expect(text).toContain("Left out by leastPrivilege.omitCapabilities: SYS_RESOURCE.");
    // The profiler raises memlock on every kernel (rlimit.MaximizeMemlock): no kernel version makes it optional.
    expect(text).toContain("WARNING: without SYS_RESOURCE the profiler cannot raise its memlock limit");
    expect(text).toContain("failed to set temporary rlimit: operation not permitted");
    expect(text).not.toContain("5.11");
  });

  it("NOTES say leastPrivilege starts the binary, and warn when command [] lets v0.4.0's entrypoint mount debugfs", async () => {
    expect(await notes({ securityMode: "leastPrivilege" })).toContain("starts /usr/local/bin/dd-otel-host-profiler directly (leastPrivilege.command)");
    const text = await notes({ securityMode: "leastPrivilege", leastPrivilege: { command: [] } });
    expect(text).toContain("WARNING: leastPrivilege.command is empty");
    expect(text).toContain("mount: ... permission denied");
  });

  it("NOTES tell the known failures of v0.4.0, that symbol upload needs an application key, and warn that verbose logs the keys", async () => {
    const text = await notes({ datadog: { apiKeyExistingSecret: "dd" } });
    expect(text).toContain("kernels 6.16 and newer");
    expect(text).toContain("161d3ffd");
    expect(text).toContain("cannot grant SYS_RESOURCE");
    expect(text).toContain("Application key: none.");
    expect(await notes({ datadog: { apiKeyExistingSecret: "dd", appKeyExistingSecret: "dd-app" } })).not.toContain("Application key: none.");
    expect(await notes({ profiler: { verbose: true } })).toContain("WARNING: profiler.verbose is true");
    // Those failures are v0.4.0's: an image of another release is not told them.
    expect(await notes({ image: { tag: "v0.5.0" } })).not.toContain("Known failures of dd-otel-host-profiler v0.4.0");
  });

  it("NOTES say which route to the Agent is in use, and on the node route what to set for the Datadog chart's Service", async () => {
    const node = await notes({});
    expect(node).toContain("Profiles go to the Datadog Agent at: http://<node IP>:8126 (the Agent's hostPort on each node's IP; it needs APM on that host port)");
    expect(node).toContain("The Datadog chart (datadog/datadog) opens no hostPort by default: to reach its node-local Service instead,\nwith no change to the Agent, set agent.service.name (e.g. datadog) and agent.service.namespace.");
    const service = await notes({ agent: { service: { name: "datadog", namespace: "datadog" } } });
    expect(service).toContain("Profiles go to the Datadog Agent at: http://datadog.datadog.svc.cluster.local:8126 (the Agent's node-local Service datadog/datadog, agent.service.name)");
    expect(service).not.toContain("opens no hostPort");
    const url = await notes({ agent: { url: "http://agent.example.com:8126" } });
    expect(url).toContain("Profiles go to the Datadog Agent at: http://agent.example.com:8126\n");
    expect(url).not.toContain("opens no hostPort");
  });

  it("NOTES warn that a RuntimeDefault seccomp profile may refuse the profiler's system calls", async () => {
    const text = await notes({ securityMode: "leastPrivilege", leastPrivilege: { seccompProfile: { type: "RuntimeDefault" } } });
    expect(text).toContain("WARNING: leastPrivilege.seccompProfile is RuntimeDefault");
  });
});
