// Which of the profiler's known start-up failures (scripts/profiler/startup.ts knownNodeFailures) a
// node has: the node tier shows them failing and skips them elsewhere; `npm run demo` skips them and
// says so. The stand-in checks the same conditions itself before it honours a skip.
import type { KnownNodeFailure } from "../profiler/startup.ts";
import type { KubeNode } from "../cluster/node.ts";

/** The variable that asks the stand-in to skip known failures (scripts/standin/binary/main.go). */
export const KNOWN_FAILURES_VAR = "DD_STANDIN_KNOWN_FAILURES";

/**
 * memlock where the runtime cannot grant SYS_RESOURCE and the hard memlock limit is finite; the sched
 * monitor on kernels >= 6.16 (v0.4.0's program is refused there).
 */
export function knownFailures(node: Pick<KubeNode, "boundingSet" | "memlockHard" | "kernel">): KnownNodeFailure[] {
  const out: KnownNodeFailure[] = [];
  if (!node.boundingSet.includes("SYS_RESOURCE") && node.memlockHard !== "unlimited") out.push("memlock");
  const [major, minor] = node.kernel.split(".").map((x) => parseInt(x, 10));
  if (major > 6 || (major === 6 && minor >= 16)) out.push("sched-monitor");
  return out;
}
