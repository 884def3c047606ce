// The `validate` command: every problem of a values file at once, with key and fix, no secrets.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { closestKey, dottedPath, mergeOverDefaults, schemaProblems, secretFieldsIn, secretsIn } from "../../scripts/lib/values-schema.ts";
import { repoRoot } from "../../scripts/lib/paths.ts";
import { validateFile } from "../../scripts/validate.ts";
import { defineValues, valuesYaml } from "../../scripts/values-file.ts";

const dir = mkdtempSync(join(tmpdir(), "validate-"));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const secret = "tooshortsecret77";
const threeMistakes = file("three.yaml", `imagee:\n  tag: v1\ndatadog:\n  apiKey: ${secret}\nagent:\n  url: unix:///var/run/datadog/apm.socket\n`);

describe("validate", () => {
  it("reports all three mistakes of one file, each with its key and a fix", async () => {
    const r = await validateFile(threeMistakes);
    expect(r.problems.map((p) => p.key)).toEqual(["imagee", "datadog.apiKey", "agent.url"]);
    expect(r.problems[0].fix).toBe('did you mean "image"?');
    for (const p of r.problems) expect(p.fix.length).toBeGreaterThan(5);
    expect(JSON.stringify(r)).not.toContain(secret);
  });

  it("names a quantity that is not one and a malformed app key, never printing the key", async () => {
    const appKey = "0123456789abcdef0123456789abcdef";
    const r = await validateFile(file("quantity-appkey.yaml", `resources:\n  limits:\n    memory: lots\ndatadog:\n  appKey: ${appKey}\n`));
    expect(r.problems.map((p) => p.key).sort()).toEqual(["datadog.appKey", "resources.limits.memory"]);
    const memory = r.problems.find((p) => p.key === "resources.limits.memory")!;
    expect(memory.fix).toContain("256Mi");
    const key = r.problems.find((p) => p.key === "datadog.appKey")!;
    expect(`${key.message} ${key.fix}`).toContain("exactly 40 characters, each a lowercase letter a-z or a digit 0-9");
    expect(JSON.stringify(r)).not.toContain(appKey);
    const cli = await execa("npx", ["node", join(repoRoot, "scripts/validate.ts"), file("appkey-only.yaml", `datadog:\n  appKey: ${appKey}\n`)], { reject: false });
    expect(cli.exitCode).toBe(1);
    expect(cli.stdout).toContain("datadog.appKey");
    expect(`${cli.stdout}${cli.stderr}`).not.toContain(appKey);
  });

  it("takes an empty or comment-only file as {}, as Helm does", async () => {
    expect((await validateFile(file("empty.yaml", ""))).problems).toEqual([]);
    expect((await validateFile(file("comments.yaml", "# nothing here yet\n"))).problems).toEqual([]);
  });

  it("says a missing file is not found and a directory is not a values file, exit 1", async () => {
    const missing = join(dir, "no-such.yaml");
    const r = await execa("npx", ["node", join(repoRoot, "scripts/validate.ts"), missing, dir], { reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(`${missing}: (file): not found`);
    expect(r.stdout).toContain(`${dir}: (file): is a directory, not a values file`);
    expect(r.stdout).not.toContain("YAML syntax");
    const broken = await validateFile(file("broken.yaml", "a: [1,\n"));
    expect(broken.problems[0].message).toMatch(/^is not readable YAML/);
  });

  it("exits 2 on a usage error", async () => {
    expect((await execa("npx", ["node", join(repoRoot, "scripts/validate.ts")], { reject: false })).exitCode).toBe(2);
    expect((await execa("npx", ["node", join(repoRoot, "scripts/validate.ts"), "--jsno", threeMistakes], { reject: false })).exitCode).toBe(2);
  });

  it("passes a good file", async () => {
    const r = await validateFile(file("good.yaml", "securityMode: leastPrivilege\ndatadog:\n  apiKeyExistingSecret: dd\n"));
    expect(r.problems).toEqual([]);
  });

  it("is a command: exit 1 and --json for machines, secret-free", async () => {
    const r = await execa("npx", ["node", join(repoRoot, "scripts/validate.ts"), "--json", threeMistakes], { reject: false });
    expect(r.exitCode).toBe(1);
    const report = JSON.parse(String(r.stdout));
    expect(report.ok).toBe(false);
    expect(report.files[0].problems).toHaveLength(3);
    expect(`${r.stdout}${r.stderr}`).not.toContain(secret);
  });

  it("names keys inside Kubernetes shapes and list items", () => {
    expect(dottedPath("/tolerations/0/operatorr")).toBe("tolerations[0].operatorr");
    expect(schemaProblems({ tolerations: [{ key: "k", operatorr: "Exists" }] }).map((p) => p.key)).toEqual(["tolerations[0].operatorr"]);
    expect(closestKey("operatorr", ["key", "operator", "value", "effect"])).toBe("operator");
    expect(closestKey("zzzzzz", ["image", "agent"])).toBeUndefined();
  });

  it("finds the secrets of a values object so they can be scrubbed", () => {
    expect(secretsIn({ datadog: { apiKey: "a", appKey: "b", site: "datadoghq.com" } })).toEqual(["a", "b"]);
    expect(secretFieldsIn({ datadog: { apiKey: "", appKey: "b" } })).toEqual([{ key: "datadog.appKey", value: "b" }]);
  });
});

describe("typed values files", () => {
  it("writes YAML for valid values", () => {
    const text = valuesYaml(defineValues({ securityMode: "leastPrivilege", profiler: { samplingRate: 50 } }));
    expect(text).toContain("securityMode: leastPrivilege");
  });

  it("refuses values the schema rejects, naming the key and not the secret", () => {
    // A cast is needed to get a wrong value past the compiler: that is the point of the types.
    const bad = { datadog: { site: "nowhere.example", apiKey: 12345 as unknown as string } };
    expect(() => valuesYaml(bad as never)).toThrow(/datadog\.site/);
    expect(() => valuesYaml(bad as never)).not.toThrow(/12345/);
  });
});

describe("values as Helm sees them", () => {
  it("merges over the defaults like Helm: maps by key, lists replaced, null deletes", () => {
    expect(mergeOverDefaults({ a: { b: 1, c: 2 }, l: [1, 2], s: "x" }, { a: { c: 3 }, l: [9], s: null })).toEqual({ a: { b: 1, c: 3 }, l: [9] });
  });

  it("keeps a user's null where the defaults have no such key, as Helm does, for the schema to judge", () => {
    expect(mergeOverDefaults({ a: { b: 1 } }, { a: { x: null }, y: null })).toEqual({ a: { b: 1, x: null }, y: null });
    expect(schemaProblems({ imagee: null }).map((p) => p.key)).toEqual(["imagee"]);
  });

  it("refuses a nulled setting the chart needs, as both Helms do, and lets a nulled map go", () => {
    expect(schemaProblems({ securityMode: null, agent: { port: null } }).map((p) => [p.key, p.message])).toEqual([
      ["securityMode", "is required"],
      ["agent.port", "is required"],
    ]);
    expect(schemaProblems({ nodeSelector: null, datadog: { apiKey: null } })).toEqual([]);
  });
});
