// Which Helm the toolkit runs: the user's HELM_BIN alone when set, else the pinned Helm 3 and Helm 4.
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { pinnedHelm3, pinnedHelm4 } from "../../scripts/lib/pinned-tools.ts";
import { repoRoot } from "../../scripts/lib/paths.ts";

async function helmsWith(env: Record<string, string | undefined>) {
  const code = 'import { helms } from "./scripts/lib/helm.ts"; console.log(JSON.stringify(await helms()));';
  const r = await execa("npx", ["node", "--input-type=module", "-e", code], { cwd: repoRoot, env, extendEnv: true, reject: false });
  return { ...r, helms: r.exitCode === 0 ? (JSON.parse(String(r.stdout)) as { id: string; major: number; path: string }[]) : [] };
}

describe("helms()", () => {
  it("runs the pinned Helm 3 and Helm 4 by default", async () => {
    const r = await helmsWith({ HELM_BIN: undefined });
    expect(r.helms.map((h) => [h.id, h.path])).toEqual([
      ["helm3", pinnedHelm3.path],
      ["helm4", pinnedHelm4.path],
    ]);
  });

  it("runs only the user's Helm when HELM_BIN is set, with its major version read from it", async () => {
    const r = await helmsWith({ HELM_BIN: pinnedHelm3.path });
    expect(r.helms.map((h) => [h.id, h.major, h.path])).toEqual([["helm3", 3, pinnedHelm3.path]]);
  });

  it("fails clearly when HELM_BIN is not a Helm", async () => {
    const r = await helmsWith({ HELM_BIN: "/bin/false" });
    expect(r.exitCode).not.toBe(0);
    expect(String(r.stderr)).toContain("HELM_BIN=/bin/false is not a working helm");
  });
});
