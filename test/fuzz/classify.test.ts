// How the fuzz tier reads a failed render: refusals on purpose versus template errors, whether this
// chart's refusal names a key, and credentials kept out of what it prints.
import { describe, expect, it } from "vitest";
import { classifyRenderError, hideSecrets, secretValues, unnamedKey } from "../../scripts/fuzz/classify.ts";

describe("classifyRenderError", () => {
  it("takes Helm's schema errors and the chart's fail/required as refusals", () => {
    expect(classifyRenderError("values don't meet the specifications of the schema(s) in the following chart(s):\nx:\n- a: b")).toMatchObject({ kind: "refused", by: "schema" });
    expect(classifyRenderError('execution error at (x/templates/a.yaml:1:4): \n[ERROR] agent.url is "x"')).toEqual({ kind: "refused", by: "chart", message: '[ERROR] agent.url is "x"' });
  });
  it("takes anything else as a template error", () => {
    expect(classifyRenderError('template: x/templates/a.yaml:3:9: executing "x/templates/a.yaml" at <.Values.a.b>: nil pointer evaluating interface {}.b')).toMatchObject({ kind: "template-error" });
    expect(classifyRenderError("YAML parse error on x/templates/a.yaml: error converting YAML to JSON")).toMatchObject({ kind: "template-error" });
  });
});

describe("unnamedKey", () => {
  const keys = ["agent", "datadog"];
  it("accepts this chart's `[ERROR] <key>` refusals and flags others", () => {
    expect(unnamedKey("dd-otel-host-profiler", "[ERROR] agent.url is bad", keys)).toBeUndefined();
    expect(unnamedKey("dd-otel-host-profiler", "something went wrong", keys)).toMatch(/does not start with/);
    expect(unnamedKey("dd-otel-host-profiler", "[ERROR] nope: bad", keys)).toMatch(/not a values key/);
  });
  it("leaves other charts' wording alone", () => {
    expect(unnamedKey("other", "something went wrong", keys)).toBeUndefined();
  });
});

describe("secrets", () => {
  it("finds credential values and hides them", () => {
    const key = "0123456789abcdef0123456789abcdef";
    const s = secretValues({ datadog: { apiKey: key, apiKeyExistingSecret: "my-secret", appKey: "short" }, x: { password: "hunter2hunter2" } });
    expect(s).toEqual([key, "hunter2hunter2"]);
    expect(hideSecrets(`bad ${key} and hunter2hunter2`, s)).toBe("bad <redacted> and <redacted>");
  });
});
