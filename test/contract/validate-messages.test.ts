// validate speaks words, not schema syntax: no joined type lists, no raw pattern, enums listed readably.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { patternWords } from "../../scripts/contract/dsl.ts";
import { rootSchemaPath } from "../../scripts/lib/paths.ts";
import { schemaProblems, typeWords } from "../../scripts/lib/values-schema.ts";
import { withoutPatterns } from "../../scripts/validate.ts";

/** Bad values across every kind of check the schema makes (one key each, so each message is seen). */
const bad: Record<string, unknown>[] = [
  { profiler: { samplingRate: "fast" } },
  { profiler: { samplingRate: 2147483648 } },
  { profiler: { uploadPeriod: "often" } },
  { profiler: { uploadPeriod: 30 } },
  { profiler: { tracers: ["cobol"] } },
  { profiler: { tracers: [] } },
  { profiler: { tracers: ["python", "python"] } },
  { profiler: { timeline: "sure" } },
  { securityMode: "loose" },
  { datadog: { site: "nowhere.example" } },
  { datadog: { tags: ["no-colon"] } },
  { datadog: { apiKeyExistingSecret: "Not_A_Name" } },
  { nameOverride: "UPPER" },
  { nameOverride: "a".repeat(70) },
  { image: { repository: "" } },
  { image: { tag: "-bad" } },
  { image: { digest: "sha1:abc" } },
  { agent: { port: 0 } },
  { agent: { port: "8126" } },
  { agent: { service: { name: "9lives" } } },
  { clusterDomain: "Cluster..Local" },
  { commonLabels: { "bad key!": "x" } },
  { commonLabels: { team: "bad value!" } },
  { resources: { limits: { memory: "lots" } } },
  { resources: { requests: { cpu: "-1" } } },
  { extraVolumes: [{ name: "v", emptyDir: { sizeLimit: "huge" } }] },
  { extraVolumes: [{ name: "v" }] },
  { extraVolumes: [{ name: "v", emptyDir: {}, hostPath: { path: "/x" } }] },
  { extraVolumes: [{ name: "v", emptyDir: { medium: "Disk" } }] },
  { tolerations: [{ operator: "Maybe" }] },
  { tolerations: [{ operator: "Exists", tolerationSeconds: 5 }] },
  { updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "abc" } } },
  { updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "150%" } } },
  { extraEnv: [{ name: "1BAD", value: "x" }] },
  { networkPolicy: { agentNodeCIDRs: ["10.0.0.0/33"] } },
  { networkPolicy: { extraEgress: [{ ports: [{ port: "Not--ok" }] }] } },
  { networkPolicy: { extraEgress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8" }, podSelector: {} }] }] } },
  { leastPrivilege: { seccompProfile: { type: "Unconfined", localhostProfile: "p.json" } } },
  { leastPrivilege: { appArmorProfile: { type: "Localhost", localhostProfile: " padded " } } },
  { leastPrivilege: { omitCapabilities: ["SYS_ADMIN"] } },
  { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "k", operator: "Gt", values: ["ten"] }] }] } } } },
  { revisionHistoryLimit: 1.5 },
  { imagee: { tag: "v1" } },
  { securityMode: null },
  { tests: "yes please" },
];

// "integer,null", "string,number": ajv's joined type list.
const joinedTypes = /\b(?:string|integer|number|boolean|object|array|null),(?:string|integer|number|boolean|object|array|null)\b/;
// A run of regular-expression syntax: ^[ ]+$ [^ (?: \. {0, )*$ )?$ |^ ^( )+$
const regexRun = /\^\[|\]\+\$|\[\^|\(\?:|\\\.|\{0,|\)\*\$|\)\?\$|\|\^|\^\(|\)\+\$|\]\*|\[a-z|\[0-9|\[A-Z/;

describe("validate's messages are words", () => {
  const all = bad.map((values) => ({ values, problems: schemaProblems(values) }));

  it("finds a problem in every bad input", () => {
    for (const { values, problems } of all) expect(problems, JSON.stringify(values)).not.toEqual([]);
  });

  it("never shows a joined type list, a raw pattern or an empty enum member as nothing", () => {
    for (const { values, problems } of all)
      for (const p of problems) {
        const text = `${p.key}: ${p.message} / ${p.fix}`;
        expect(text, JSON.stringify(values)).not.toMatch(joinedTypes);
        expect(text, JSON.stringify(values)).not.toMatch(regexRun);
        expect(text, JSON.stringify(values)).not.toMatch(/one of: ,|, ,|: \./);
        expect(text).not.toContain("does not match");
      }
  });

  it("says types, formats with an example, and enums readably", () => {
    const one = (values: Record<string, unknown>, key: string) => schemaProblems(values).find((p) => p.key === key)!;
    expect(typeWords(["integer", "null"])).toBe("a whole number, or null to leave it unset");
    expect(one({ profiler: { samplingRate: "fast" } }, "profiler.samplingRate").message).toBe("must be a whole number, or null to leave it unset");
    expect(one({ resources: { limits: { memory: "lots" } } }, "resources.limits.memory").message).toContain("a Kubernetes quantity such as 500m or 256Mi");
    expect(one({ profiler: { uploadPeriod: "often" } }, "profiler.uploadPeriod").message).toContain("a Go duration such as 30s or 5m");
    expect(one({ extraVolumes: [{ name: "v", emptyDir: { medium: "Disk" } }] }, "extraVolumes[0].emptyDir.medium").fix).toMatch(/^use one of: "", Memory or HugePages\./);
    expect(one({ securityMode: "loose" }, "securityMode").fix).toMatch(/^use one of: privileged or leastPrivilege\./);
    expect(one({ commonLabels: { "bad key!": "x" } }, "commonLabels.bad key!").message).toContain("a label key");
    expect(one({ updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "abc" } } }, "updateStrategy.rollingUpdate.maxUnavailable").message).toBe(
      "must be a whole number from 0 to 2147483647 or a percentage from 0% to 100%, e.g. 10%",
    );
    expect(one({ extraVolumes: [{ name: "v" }] }, "extraVolumes[0]").message).toMatch(/^must set exactly one of hostPath, emptyDir/);
  });

  it("has words for every pattern in values.schema.json", () => {
    const patterns = new Set<string>();
    const walk = (o: unknown): void => {
      if (Array.isArray(o)) o.forEach(walk);
      else if (o && typeof o === "object") for (const [k, v] of Object.entries(o)) k === "pattern" && typeof v === "string" ? patterns.add(v) : walk(v);
    };
    walk(JSON.parse(readFileSync(rootSchemaPath, "utf8")));
    expect(patterns.size).toBeGreaterThan(10);
    const missing = [...patterns].filter((p) => !patternWords.has(p));
    expect(missing).toEqual([]);
    for (const words of patternWords.values()) expect(words).not.toMatch(regexRun);
  });

  it("says a pattern Helm quotes in its own message in words", () => {
    const helm4 = "- at '/nameOverride': 'UPPER' does not match pattern '^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'";
    expect(withoutPatterns(helm4)).not.toMatch(regexRun);
    expect(withoutPatterns(helm4)).toContain("a DNS label");
  });
});
