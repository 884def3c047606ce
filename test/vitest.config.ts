// The fast tier (`npm test`): everything under test/ but the end-to-end and node tiers, which need a
// control plane (and a node) built with Go and run through `npm run test:e2e` and `npm run test:node`.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: new URL("..", import.meta.url).pathname,
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**", "test/node/**", "node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: [process.env.CI === "true" ? "dot" : "default", "./test/summary-reporter.ts"],
  },
});
