// `npm run lint` shows which check runs and how long each took, on a terminal only: a CI log or a
// pipe gets exactly the report, nothing more.
import { describe, expect, it } from "vitest";
import { lintProgress, type ProgressStream } from "../../scripts/lint/report.ts";

function fakeStream(isTTY: boolean): ProgressStream & { text: () => string } {
  const chunks: string[] = [];
  return { isTTY, write: (s: string) => chunks.push(s), text: () => chunks.join("") };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Two checks, one slow enough for the status line to tick, then the end of the run. */
async function exercise(stream: ProgressStream, env: Record<string, string | undefined>): Promise<void> {
  const p = lintProgress(stream, env, 10);
  const results = await Promise.all([p.track("helm lint (4 runs)", async () => (await pause(40), 1)), p.track("actionlint", () => 2)]);
  expect(results).toEqual([1, 2]);
  await expect(p.track("checkov", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
  p.end();
}

describe("lint progress", () => {
  it("on a terminal: a status line of the running checks, then one line per finished check with its time", async () => {
    const s = fakeStream(true);
    await exercise(s, {});
    const out = s.text();
    expect(out).toMatch(/running helm lint \(4 runs\) \d+\.\ds/);
    expect(out).toMatch(/\r\x1b\[2Kdone helm lint \(4 runs\) \d+\.\ds\n/);
    expect(out).toMatch(/\r\x1b\[2Kdone actionlint \d+\.\ds\n/);
    expect(out).toMatch(/\r\x1b\[2Kerror checkov \d+\.\ds\n/);
    // The slow check's elapsed time was redrawn in place while it ran.
    expect(out.match(/running helm lint/g)!.length).toBeGreaterThan(1);
    // The status line is cleared last, so the report on stdout starts on a clean line.
    expect(out.endsWith("\r\x1b[2K")).toBe(true);
  });

  it("cuts the status line to the terminal's width, so it is redrawn in place rather than wrapping", async () => {
    const s = { ...fakeStream(true), columns: 30 };
    await exercise(s, {});
    const status = s.text().split(/\r\x1b\[2K/).filter((l) => l.startsWith("lint "));
    expect(status.length).toBeGreaterThan(0);
    for (const l of status) expect(l.length, l).toBeLessThanOrEqual(29);
  });

  it("writes nothing when stderr is not a terminal", async () => {
    const s = fakeStream(false);
    await exercise(s, {});
    expect(s.text()).toBe("");
  });

  it("writes nothing when CI=true, even on a terminal", async () => {
    const s = fakeStream(true);
    await exercise(s, { CI: "true" });
    expect(s.text()).toBe("");
  });
});
