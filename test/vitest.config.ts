// The fast tier (`npm test`): everything under test/ but the end-to-end tier, which needs a
// control plane built with Go and runs through `npm run test:e2e`.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: new URL("..", import.meta.url).pathname,
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**", "node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: [process.env.CI === "true" ? "dot" : "default", "./test/summary-reporter.ts"],
  },
});
