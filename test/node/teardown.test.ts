// Interrupted mid-run, the node tier still removes everything it made: a process holding a control
// plane and a node with a running profiler pod gets SIGINT, and afterwards nothing of it is left on
// the host (processes, containers, mounts, network namespaces, bridge, cgroups, netfilter rules, sysctls, tracefs).
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { expect, onTestFinished, test } from "vitest";
import { hostStateFromJson, leftoversOf } from "../../scripts/cluster/host-state.ts";
import { repoRoot } from "../../scripts/lib/paths.ts";
import { pinnedKubectl } from "../../scripts/lib/pinned-tools.ts";
import { DEFAULT_IMAGE } from "./lib.ts";

test("SIGINT to a process holding a node with a running pod leaves nothing behind", async () => {
  const child = spawn(process.execPath, ["scripts/standin/cluster.ts"], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  onTestFinished(() => {
    child.kill("SIGINT");
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | string | null>((r) => child.once("exit", (code, sig) => r(code ?? sig)));
  const first = await Promise.race([
    new Promise<string>((r) => createInterface({ input: child.stdout }).once("line", r)),
    exited.then((c) => Promise.reject(new Error(`the node CLI exited (${c}) before it was ready:\n${stderr}`))),
  ]);
  const info = JSON.parse(first);
  const state = hostStateFromJson(info.state);
  expect(leftoversOf(state).length, "while the node runs, its folder, bridge and processes exist").toBeGreaterThan(0);

  // A running pod: a sandbox, a container and a network namespace that the interrupt must remove too.
  const kubectl = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const p = spawn(pinnedKubectl.path, ["--kubeconfig", info.kubeconfig, ...args], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      p.stdout.on("data", (d) => (out += d));
      p.stderr.on("data", (d) => (out += d));
      p.once("exit", (c) => (c === 0 ? resolve(out) : reject(new Error(`kubectl ${args.join(" ")}: ${out}`))));
    });
  await kubectl(["run", "held", `--image=${DEFAULT_IMAGE}`, "--image-pull-policy=Never", "--restart=Never", "--command", "--", "/pause"]);
  await kubectl(["wait", "--for=condition=Ready", "pod/held", "--timeout=90s"]);

  child.kill("SIGINT");
  expect(await exited, stderr).toBe("SIGINT");
  expect(leftoversOf(state)).toEqual([]);
});
