// What `npm run demo` hands Helm: the user's --values merged over the demo's own, keeping the list
// entries the demo needs; image references split as Helm values want them; keys redacted from logs.
import { expect, it } from "vitest";
import { splitImageRef } from "../../scripts/demo/demo.ts";
import { demoValues } from "../../scripts/demo/values.ts";
import { redactKeys } from "../../scripts/lib/redact.ts";

it("keeps the demo's known-failure variable and left-out capabilities when the user's file sets those lists too", () => {
  const v = demoValues({
    mode: "privileged",
    knownFailures: ["memlock"],
    ungrantable: ["SYS_RESOURCE"],
    user: "securityMode: leastPrivilege\nextraEnv:\n  - name: FOO\n    value: bar\nleastPrivilege:\n  omitCapabilities: [IPC_LOCK]\n",
  });
  expect(v.securityMode).toBe("leastPrivilege");
  expect(v.extraEnv).toEqual([{ name: "DD_STANDIN_KNOWN_FAILURES", value: "memlock" }, { name: "FOO", value: "bar" }]);
  expect(v.leastPrivilege.omitCapabilities).toEqual(["SYS_RESOURCE", "IPC_LOCK"]);
  // In privileged mode nothing is left out, and an empty file changes nothing.
  const route = { agent: { service: { name: "datadog", namespace: "datadog" } }, profiler: { uploadPeriod: "10s" } };
  expect(demoValues({ mode: "privileged", knownFailures: [], ungrantable: ["SYS_RESOURCE"], user: "" })).toEqual({ securityMode: "privileged", ...route });
});

it("sends to the Datadog chart's node-local Service, unless the user's file picks the Agent's address", () => {
  const own = demoValues({ mode: "privileged", knownFailures: [], ungrantable: [], user: "" });
  expect(own.agent).toEqual({ service: { name: "datadog", namespace: "datadog" } });
  // agent.url and agent.service.name together are refused by the chart: the user's choice replaces the demo's.
  const theirs = demoValues({ mode: "privileged", knownFailures: [], ungrantable: [], user: "agent:\n  url: http://10.0.0.1:8126\n" });
  expect(theirs.agent).toEqual({ url: "http://10.0.0.1:8126" });
});

it("splits an image reference at the tag after the last slash, and a digest", () => {
  expect(splitImageRef("ghcr.io/datadog/dd-otel-host-profiler:v0.4.0")).toEqual({ repository: "ghcr.io/datadog/dd-otel-host-profiler", tag: "v0.4.0" });
  expect(splitImageRef("localhost:5000/prof")).toEqual({ repository: "localhost:5000/prof", tag: "latest" });
  expect(splitImageRef(`ghcr.io/x/y:v1@sha256:${"a".repeat(64)}`)).toEqual({ repository: "ghcr.io/x/y", tag: "v1", digest: `sha256:${"a".repeat(64)}` });
});

it("redacts key-shaped runs from log text, and nothing else", () => {
  const apiKey = "0123456789abcdef0123456789abcdef";
  const line = `level=error msg="Failure to parse arguments: could not parse \\"${apiKey}\\\\n\\" as string value"`;
  expect(redactKeys(line)).not.toContain(apiKey);
  expect(redactKeys(line)).toContain("<32 characters redacted>");
  expect(redactKeys(`app ${"a1".repeat(20)} end`)).toBe("app <40 characters redacted> end");
  expect(redactKeys("Starting Datadog OTEL host profiler v0.4.0, node-1, 10.213.0.1")).toBe("Starting Datadog OTEL host profiler v0.4.0, node-1, 10.213.0.1");
});
