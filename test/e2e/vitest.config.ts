// The end-to-end tier (`npm run test:e2e`): the chart on a real kube-apiserver (+ etcd and
// kube-controller-manager) on 127.0.0.1. globalSetup finds or builds the binaries once (see
// scripts/cluster/binaries.ts); each test file starts its own control plane, so files run one at a time
// (two cores; a control plane and Helm processes are enough load).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: new URL("../..", import.meta.url).pathname,
    include: ["test/e2e/**/*.test.ts"],
    globalSetup: ["test/e2e/global-setup.ts"],
    fileParallelism: false,
    maxConcurrency: 3,
    testTimeout: 240_000,
    hookTimeout: 180_000,
    reporters: [process.env.CI === "true" ? "dot" : "default", "./test/summary-reporter.ts"],
  },
});
