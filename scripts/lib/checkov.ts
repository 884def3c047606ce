// Where the pinned checkov lives: a Python venv of its own under the user's cache, so `npm ci && npm
// test` never needs Python and a Debian system Python (PEP 668) is never touched.
// `npm run setup:checkov` (scripts/setup/install-checkov.ts, run by .ci/run) creates it.
import { homedir } from "node:os";
import { join } from "node:path";

export const checkovVersion = "3.3.30";

export const checkovVenv = process.env.DD_CHECKOV_VENV ?? join(homedir(), ".cache", "dd-otel-host-profiler", `checkov-${checkovVersion}`);

export const checkovBin = join(checkovVenv, "bin", "checkov");

export const checkovInstallCommand = "npm run setup:checkov";
