// The host's iptables and ip6tables rules, saved before kube-proxy and the CNI portmap plugin add
// theirs, and put back exactly on teardown. Both write rules in the host's network namespace (the
// node's bridge lives there), so nothing of theirs may outlive the node. Saved and restored with
// iptables-save/iptables-restore, which replace each saved table whole; a table that did not exist
// before is flushed and its chains deleted.
import { execFileSync } from "node:child_process";

const FAMILIES = [
  { save: "iptables-save", restore: "iptables-restore", tool: "iptables" },
  { save: "ip6tables-save", restore: "ip6tables-restore", tool: "ip6tables" },
] as const;

/** The saved rules of each family (iptables-save's text), keyed by the save command. */
export type NetfilterSnapshot = Record<string, string>;

function run(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: "utf8", input, stdio: ["pipe", "pipe", "ignore"] });
}

export function saveNetfilter(): NetfilterSnapshot {
  const out: NetfilterSnapshot = {};
  for (const f of FAMILIES) {
    try {
      out[f.save] = run(f.save, []);
    } catch {
      // This family is not available here: nothing can write to it either.
    }
  }
  return out;
}

/** Tables and their rules, without comments and packet counters (which change on their own). */
function normalize(dump: string): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const raw of dump.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line === "COMMIT") continue;
    if (line.startsWith("*")) tables.set(line.slice(1), (current = []));
    else current?.push(line.replace(/\s*\[\d+:\d+\]$/, ""));
  }
  return tables;
}

/** Puts every family back as saved (synchronous: it also runs from exit and signal handlers). */
export function restoreNetfilter(before: NetfilterSnapshot): void {
  for (const f of FAMILIES) {
    const saved = before[f.save];
    if (saved === undefined) continue;
    const known = normalize(saved);
    for (const table of normalize(run(f.save, [])).keys()) {
      if (known.has(table)) continue;
      run(f.tool, ["-w", "-t", table, "-F"]);
      run(f.tool, ["-w", "-t", table, "-X"]);
    }
    if (known.size) run(f.restore, ["-w"], saved);
  }
}

/** Rules and chains present now that were not before, a line each (empty when all is as saved). */
export function netfilterLeftovers(before: NetfilterSnapshot): string[] {
  const out: string[] = [];
  for (const f of FAMILIES) {
    const saved = before[f.save];
    if (saved === undefined) continue;
    const was = normalize(saved);
    for (const [table, lines] of normalize(run(f.save, []))) {
      const old = new Set(was.get(table) ?? []);
      const added = lines.filter((l) => !old.has(l) && !/^:(INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) \S+$/.test(l));
      if (added.length) out.push(`${f.tool} table ${table}: ${added.length} rule(s) or chain(s) left, e.g. ${added.slice(0, 3).join(" | ")}`);
    }
  }
  return out;
}
