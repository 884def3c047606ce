// The values `npm run demo` installs the chart with, before the user's own file (-f FILE wins).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump } from "js-yaml";
import type { KnownNodeFailure } from "../profiler/startup.ts";
import { KNOWN_FAILURES_VAR } from "../node/known-failures.ts";

export function demoValues(o: { mode: string; image?: { repository: string; tag: string }; knownFailures: KnownNodeFailure[]; ungrantable: string[] }): Record<string, unknown> {
  return {
    securityMode: o.mode,
    // A capability the runtime does not hold fails the whole pod ("unable to apply caps").
    ...(o.mode === "leastPrivilege" && o.ungrantable.length ? { leastPrivilege: { omitCapabilities: o.ungrantable } } : {}),
    // A pulled image is already on the node; the stand-in is served by the node's mirror of ghcr.io.
    ...(o.image ? { image: { ...o.image, pullPolicy: "IfNotPresent" } } : {}),
    ...(o.knownFailures.length ? { extraEnv: [{ name: KNOWN_FAILURES_VAR, value: o.knownFailures.join(",") }] } : {}),
  };
}

export function valuesFileFor(o: Parameters<typeof demoValues>[0]): string {
  const file = join(mkdtempSync(join(tmpdir(), "ddprof-demo-")), "values.yaml");
  writeFileSync(file, dump(demoValues(o)));
  return file;
}
