// The control plane itself: it answers as the admin user with RBAC and Pod Security admission on, and it
// leaves nothing behind, neither after stop() nor when its process is interrupted (Ctrl-C).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { expect, test } from "vitest";
import { startControlPlane } from "../../scripts/cluster/control-plane.ts";
import { repoRoot, until } from "./lib.ts";
import { alive } from "../helpers/cluster.ts";


test("starts on 127.0.0.1 with RBAC and Pod Security admission, and stop() leaves no process and no file", async () => {
  const cp = await startControlPlane({ controllerManager: true });
  try {
    expect(cp.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect((await cp.api("GET", "/version")).body.gitVersion).toBe(cp.binaries.version);
    const who = await cp.kubectl(["auth", "whoami", "-o", "json"]);
    expect(who.ok, who.stderr).toBe(true);
    expect(JSON.parse(who.stdout).status.userInfo.groups).toContain("system:masters");
    // RBAC is the authorizer: an unknown user is refused.
    const anon = await execa(cp.binaries.kubectl, ["--server", cp.server, "--insecure-skip-tls-verify", "--token", "nope", "get", "ns"], { reject: false });
    expect(anon.exitCode).not.toBe(0);
    // Pod Security admission is on: a namespace enforcing restricted refuses a hostPID pod.
    await cp.api("POST", "/api/v1/namespaces", { metadata: { name: "psa-check", labels: { "pod-security.kubernetes.io/enforce": "restricted" } } });
    const refused = await cp.kubectl(["run", "x", "-n", "psa-check", "--image=busybox", "--overrides", '{"spec":{"hostPID":true}}']);
    expect(refused.stderr).toMatch(/violates PodSecurity "restricted:latest"/);
  } finally {
    await cp.stop();
  }
  expect(existsSync(cp.dir), `${cp.dir} left behind`).toBe(false);
  for (const pid of cp.pids) expect(alive(pid), `process ${pid} still running after stop()`).toBe(false);
});

test("an interrupted run (SIGINT) leaves no process and no file", async () => {
  const child = execa("npx", ["node", join(repoRoot, "scripts/cluster/control-plane.ts")], { reject: false, all: true });
  let out = "";
  child.all!.on("data", (d: Buffer) => (out += d.toString()));
  // If the process ends first, say so with what it printed, rather than waiting out the timeout.
  let up = false;
  const ended = child.then((r) => {
    if (!up) throw new Error(`control-plane.ts ended (exit ${r.exitCode}) before the control plane came up:\n${out.slice(-3000)}`);
  });
  const m = await Promise.race([
    until("the control plane to come up", 60_000, async () => /dir=(\S+) pids=(\S+)/.exec(out) ?? undefined).catch((e: Error) => {
      throw new Error(`${e.message}; it printed:\n${out.slice(-3000)}`);
    }),
    ended.then(() => undefined as never),
  ]);
  up = true;
  const dir = m[1];
  const pids = m[2].split(",").map(Number);
  expect(existsSync(dir)).toBe(true);
  // npx runs node as a child: signal the node process that owns the control plane (etcd's parent).
  const { stdout } = await execa("ps", ["-o", "ppid=", "-p", String(pids[0])]);
  process.kill(Number(stdout.trim()), "SIGINT");
  await child;
  await until("the processes to end", 15_000, async () => pids.every((p) => !alive(p)));
  expect(existsSync(dir), `${dir} left behind after SIGINT`).toBe(false);
});
