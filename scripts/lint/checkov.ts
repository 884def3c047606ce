// checkov (pinned, scripts/lib/checkov.ts) over the rendered manifests of the defaults and every case:
// a failed check is a lint problem unless exemptions.ts lists it as by design, with its reason. It
// also keeps the README's checkov counts true (`N <!-- checkov-count: <values source> -->`).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { checkovBin, checkovInstallCommand, checkovVersion } from "../lib/checkov.ts";
import type { CheckovExemption } from "./exemptions.ts";
import { missingTool, type CheckResult, type Problem } from "./report.ts";

export interface CheckovFailure {
  checkId: string;
  name: string;
  /** checkov's resource id: "Kind.namespace.name" (graph checks append the pod's labels). */
  resource: string;
}

/** Runs checkov once over all renders; failed checks per render source. */
export async function runCheckov(renders: { source: string; yaml: string }[]): Promise<Map<string, CheckovFailure[]> | CheckResult> {
  if (!existsSync(checkovBin)) return missingTool("checkov", "scripts/lint/checkov.ts", `checkov ${checkovVersion} (run \`${checkovInstallCommand}\`, which installs it into ${checkovBin})`);
  const dir = mkdtempSync(join(tmpdir(), "lint-checkov-"));
  try {
    renders.forEach((r, i) => writeFileSync(join(dir, `${i}.yaml`), r.yaml));
    // --skip-download: no call to the vendor's platform; the checks ship inside the package.
    const r = await execa(checkovBin, ["-d", dir, "--framework", "kubernetes", "-o", "json", "--quiet", "--skip-download"], { reject: false, env: { BC_SKIP_MAPPING: "TRUE" } });
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(r.stdout));
    } catch {
      return { problems: [{ rule: "checkov", file: "scripts/lint/checkov.ts", message: `checkov printed no JSON (exit ${r.exitCode}): ${String(r.stderr).trim().split("\n").slice(-2).join(" ")}` }], skipped: [] };
    }
    const out = new Map<string, CheckovFailure[]>(renders.map((x) => [x.source, []]));
    for (const report of [parsed].flat() as { results?: { failed_checks?: Record<string, unknown>[] } }[]) {
      for (const f of report.results?.failed_checks ?? []) {
        const i = Number(/(\d+)\.yaml$/.exec(String(f.file_path))?.[1]);
        out.get(renders[i]?.source)?.push({ checkId: String(f.check_id), name: String(f.check_name), resource: String(f.resource) });
      }
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** "DaemonSet" or "Pod" (the helm test pod), read from checkov's resource id. */
const kindOf = (resource: string) => resource.split(".")[0];

/** Failures no exemption covers, as problems; marks the exemptions used. */
export function unexempted(source: string, failures: CheckovFailure[], exemptions: CheckovExemption[], used: Set<number>): Problem[] {
  const problems: Problem[] = [];
  for (const f of failures) {
    const i = exemptions.findIndex((e) => e.check === f.checkId && e.kind === kindOf(f.resource));
    if (i >= 0) used.add(i);
    else problems.push({ rule: `checkov/${f.checkId}`, file: source, message: `${f.resource}: ${f.name} (fix it, or list it in scripts/lint/exemptions.ts with the reason it is by design)` });
  }
  return problems;
}

export function staleCheckovExemptions(exemptions: CheckovExemption[], used: Set<number>): Problem[] {
  return exemptions.flatMap((e, i) =>
    used.has(i) ? [] : [{ rule: "checkov/stale-exemption", file: "scripts/lint/exemptions.ts", message: `the ${e.check} exemption for ${e.kind} matched no failure in the defaults or any values case: remove it` }],
  );
}

/** Checks failed by the profiler DaemonSet, its pod included (graph checks name the pod by the DaemonSet's name). */
export function daemonSetCount(failures: CheckovFailure[], daemonSetName: string): number {
  return new Set(failures.filter((f) => f.resource.split(".")[2] === daemonSetName).map((f) => f.checkId)).size;
}

/** README counts (`N <!-- checkov-count: SOURCE -->`) that differ from checkov's. */
export function readmeCountProblems(readmePath: string, counts: Map<string, number>): Problem[] {
  const text = readFileSync(readmePath, "utf8");
  const claims = [...text.matchAll(/(\d+) <!-- checkov-count: (\S+) -->/g)];
  if (claims.length === 0) return [{ rule: "checkov/readme", file: "README.md", message: "states no checkov count (`N <!-- checkov-count: <values source> -->`)" }];
  return claims.flatMap(([, n, source]) => {
    const actual = counts.get(source);
    if (actual === undefined) return [{ rule: "checkov/readme", file: "README.md", message: `the checkov count for ${source} names no linted values source` }];
    return Number(n) === actual ? [] : [{ rule: "checkov/readme", file: "README.md", message: `says checkov fails ${n} checks on the DaemonSet of ${source}, checkov ${checkovVersion} finds ${actual}` }];
  });
}
