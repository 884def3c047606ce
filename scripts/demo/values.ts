// The values `npm run demo` installs the chart with, before the user's own file (-f FILE wins).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump, load } from "js-yaml";
import type { KnownNodeFailure } from "../profiler/startup.ts";
import { KNOWN_FAILURES_VAR } from "../standin/known-failures.ts";

interface DemoValueOptions {
  mode: string;
  image?: { repository: string; tag: string; digest?: string };
  knownFailures: KnownNodeFailure[];
  ungrantable: string[];
  /** The user's --values file, as text: merged in, its lists extended rather than replaced by ours. */
  user?: string;
}

/** The demo's values with the user's merged in: theirs win, but the lists the demo needs keep its entries. */
export function demoValues(o: DemoValueOptions): Record<string, any> {
  const user = ((o.user ? load(o.user) : {}) ?? {}) as Record<string, any>;
  // The user's file may choose the mode; what the demo adds for it follows that choice.
  const ours = demoOwnValues({ ...o, mode: user.securityMode ?? o.mode });
  // A user's own agent.* or profiler.* settings replace the demo's route and upload period whole.
  const merged: Record<string, any> = { ...ours, ...user, leastPrivilege: { ...ours.leastPrivilege, ...user?.leastPrivilege } };
  const omit = [...new Set([...(ours.leastPrivilege?.omitCapabilities ?? []), ...(user?.leastPrivilege?.omitCapabilities ?? [])])];
  if (omit.length) merged.leastPrivilege.omitCapabilities = omit;
  const extraEnv = [...(ours.extraEnv ?? []), ...(user?.extraEnv ?? [])];
  if (extraEnv.length) merged.extraEnv = extraEnv;
  if (!Object.keys(merged.leastPrivilege).length) delete merged.leastPrivilege;
  return merged;
}

function demoOwnValues(o: DemoValueOptions): Record<string, any> {
  return {
    securityMode: o.mode,
    // A capability the runtime does not hold fails the whole pod ("unable to apply caps").
    ...(o.mode === "leastPrivilege" && o.ungrantable.length ? { leastPrivilege: { omitCapabilities: o.ungrantable } } : {}),
    // A pulled image is already on the node; the stand-in is served by the node's mirror of ghcr.io.
    ...(o.image ? { image: { ...o.image, pullPolicy: "IfNotPresent" } } : {}),
    ...(o.knownFailures.length ? { extraEnv: [{ name: KNOWN_FAILURES_VAR, value: o.knownFailures.join(",") }] } : {}),
    // The Datadog chart's node-local Service (README: "With the Datadog Agent chart"), and uploads
    // every 10 s instead of 60 s so the first profile shows soon.
    agent: { service: { name: "datadog", namespace: "datadog" } },
    profiler: { uploadPeriod: "10s" },
  };
}

export function valuesFileFor(o: DemoValueOptions): string {
  const file = join(mkdtempSync(join(tmpdir(), "ddprof-demo-")), "values.yaml");
  writeFileSync(file, dump(demoValues(o)));
  return file;
}
