// `npm test` is the fast tier: it needs only Node. Test files that start a control plane or a node
// (Go-built binaries, root for the node) belong to `npm run test:e2e` or `npm run test:node`, and the
// fast tier's config must leave them out.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, it } from "vitest";
import { repoRoot } from "../../scripts/lib/paths.ts";
import fastTier from "../vitest.config.ts";

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith(".test.ts") ? [join(dir, e.name)] : []));
}

it("no test file of the fast tier starts a control plane or a node", () => {
  const excluded = ((fastTier as { test: { exclude: string[] } }).test.exclude ?? []).map((g) => g.replace(/\/\*\*$/, "/"));
  const fast = testFiles(join(repoRoot, "test"))
    .map((f) => relative(repoRoot, f))
    .filter((f) => !excluded.some((prefix) => f.startsWith(prefix)));
  expect(fast.length).toBeGreaterThan(10);
  const heavy = fast.filter((f) => /scripts\/e2e\/control-plane\.ts|scripts\/node\/node\.ts|startControlPlane\(|startCluster\(|useNode\(/.test(readFileSync(join(repoRoot, f), "utf8")));
  expect(heavy, "move these to test/e2e or test/node, or exclude them in test/vitest.config.ts").toEqual([]);
});
