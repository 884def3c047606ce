// The netfilter half of "nothing left behind" (scripts/cluster/netfilter.ts): a rule or chain written
// after the snapshot, as kube-proxy and the CNI portmap plugin write theirs, is reported as a leftover,
// and the restore removes it, in a table that existed before and in one that did not.
import { execFileSync } from "node:child_process";
import { afterEach, expect, test } from "vitest";
import { netfilterLeftovers, restoreNetfilter, saveNetfilter, type NetfilterSnapshot } from "../../scripts/cluster/netfilter.ts";

let before: NetfilterSnapshot | undefined;
afterEach(() => {
  if (before) restoreNetfilter(before);
  before = undefined;
});

const iptables = (args: string[]) => execFileSync("iptables", ["-w", ...args], { stdio: "ignore" });

test("a chain and a rule written after the snapshot are leftovers until the restore removes them", () => {
  before = saveNetfilter();
  expect(netfilterLeftovers(before), "nothing written yet").toEqual([]);
  iptables(["-t", "nat", "-N", "DDPROF-LEFTOVER-TEST"]);
  iptables(["-t", "nat", "-A", "DDPROF-LEFTOVER-TEST", "-d", "10.213.254.254/32", "-j", "RETURN"]);
  iptables(["-t", "filter", "-A", "FORWARD", "-d", "10.213.254.254/32", "-j", "ACCEPT"]);
  const left = netfilterLeftovers(before).join("\n");
  expect(left).toContain("iptables table nat");
  expect(left).toContain("DDPROF-LEFTOVER-TEST");
  expect(left).toContain("iptables table filter");
  restoreNetfilter(before);
  expect(netfilterLeftovers(before)).toEqual([]);
  expect(execFileSync("iptables-save", { encoding: "utf8" })).not.toContain("DDPROF-LEFTOVER-TEST");
});
