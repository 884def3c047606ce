// `npm run demo` on a machine that lacks what a node needs: one message naming each missing piece and
// how to get it, before anything starts, and a non-zero exit. (The demo itself runs in the node tier,
// test/node/demo.test.ts.)
import { execa } from "execa";
import { expect, it } from "vitest";
import { repoRoot } from "../../scripts/lib/paths.ts";

it("names what is missing and the command that installs it, then exits 1", async () => {
  // An empty PATH: containerd, runc, ip and the registry are not found (node itself is run by path).
  const r = await execa(process.execPath, ["scripts/demo/demo.ts", "--once"], { cwd: repoRoot, env: { PATH: "/nonexistent" }, extendEnv: false, reject: false });
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toContain("npm run demo starts a real node on this machine, which needs what is missing here:");
  expect(r.stderr).toContain("missing: containerd");
  expect(r.stderr).toMatch(/install with: apt-get install -y .*containerd/);
  expect(r.stdout).not.toContain("[1/5]");
});

it("refuses a bad flag with what is allowed", async () => {
  const r = await execa(process.execPath, ["scripts/demo/demo.ts", "--mode", "root"], { cwd: repoRoot, reject: false });
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toContain('--mode is "root". Allowed: privileged, leastPrivilege.');
});
