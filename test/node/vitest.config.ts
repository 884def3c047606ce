// The node tier (`npm run test:node`): the chart's pods started by a real kubelet on containerd and
// runc, joined to the e2e control plane. globalSetup checks the machine and builds the binaries and
// the profiler stand-in once; each test file starts its own control plane and node, one file at a time.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: new URL("../..", import.meta.url).pathname,
    include: ["test/node/**/*.test.ts"],
    globalSetup: ["test/node/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 240_000,
    reporters: [process.env.CI === "true" ? "dot" : "default", "./test/summary-reporter.ts"],
  },
});
