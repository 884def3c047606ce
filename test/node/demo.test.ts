// `npm run demo` as a newcomer runs it: the profiler pod Ready with its start-up report and the
// commands to look around; Ctrl-C (SIGINT) removes everything it made on the host; --image of an
// image no registry here serves falls back to the stand-in and says so.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { expect, onTestFinished, test } from "vitest";
import { hostStateFromJson, leftoversOf } from "../../scripts/cluster/host-state.ts";
import { repoRoot } from "../../scripts/lib/paths.ts";

interface Run {
  lines: string[];
  state: any;
  exited: Promise<number | string | null>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts the demo and resolves once it prints `until` (or fails with its output if it exits first). */
async function demo(args: string[], until: RegExp): Promise<Run> {
  const child = spawn(process.execPath, ["scripts/demo/demo.ts", ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  onTestFinished(() => {
    child.kill("SIGINT");
  });
  const lines: string[] = [];
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | string | null>((r) => child.once("exit", (code, sig) => r(code ?? sig)));
  let state: any;
  await Promise.race([
    new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on("line", (l) => {
        lines.push(l);
        if (l.startsWith("DEMO-STATE ")) {
          const s = JSON.parse(l.slice("DEMO-STATE ".length)).state;
          state = hostStateFromJson(s);
        }
        if (until.test(l)) resolve();
      });
    }),
    exited.then((c) => Promise.reject(new Error(`the demo exited (${c}) before "${until}":\n${lines.join("\n")}\n${stderr}`))),
  ]);
  return { lines, state, exited, kill: (s) => child.kill(s) };
}

test("shows the pod Ready with its report and how to look around; Ctrl-C leaves nothing behind", async () => {
  const run = await demo(["--mode", "leastPrivilege"], /^Press Ctrl-C to stop/);
  const out = run.lines.join("\n");
  expect(out).toMatch(/\[5\/5\] pod profiling\/demo-dd-otel-host-profiler-\S+ Ready after/);
  expect(out).toContain("Profiler start-up (the stand-in replaying v");
  expect(out).toMatch(/ok {6}attach-tracer/);
  // The Datadog chart's own Agent pod received a profile through its node-local Service.
  expect(out).toContain("[3/5] the Datadog Agent as its chart 3.240.0 installs it");
  expect(out).toMatch(/The Agent pod received a profile: POST \/profiling\/v1\/input from 10\.213\.\d+\.\d+:\d+ \(parts cpu\.pprof, event; dd-otel-host-profiler \S+\), answered 200\./);
  expect(out).toContain("export KUBECONFIG=");
  expect(out).toContain("kubectl -n profiling get pods");
  expect(leftoversOf(run.state).length, "while the demo runs, its node exists").toBeGreaterThan(0);

  run.kill("SIGINT");
  expect(await run.exited).toBe(130);
  expect(run.lines.join("\n")).toContain("stopped: nothing left behind");
  expect(leftoversOf(run.state)).toEqual([]);
});

test("--image of an image no registry serves here: says it cannot pull, and runs the stand-in", async () => {
  const run = await demo(["--image", "ghcr.io/datadog/dd-otel-host-profiler:v0.4.0", "--once"], /^stopped:/);
  const out = run.lines.join("\n");
  expect(out).toMatch(/could not pull ghcr\.io\/datadog\/dd-otel-host-profiler:v0\.4\.0 \(.+\); this machine reaches no image registry, so the demo runs the profiler stand-in/);
  expect(out).toMatch(/Ready after/);
  expect(await run.exited).toBe(0);
  expect(leftoversOf(run.state)).toEqual([]);
});
