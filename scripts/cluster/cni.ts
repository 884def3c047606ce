// The node's pod network: a Linux bridge of its own whose address is the node IP, on a private /24
// nothing else uses, and the CNI configuration containerd reads: the bridge plugin with host-local
// addresses, and the portmap plugin so that a pod's hostPort answers on the node IP (the Datadog
// Agent chart's `datadog.apm.portEnabled: true`).
//
// Routes: pods get a route to the Service range through the node IP (kube-proxy's rules there turn a
// ClusterIP into a pod or the node) and no default route, so nothing is routed off the machine.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { SERVICE_CIDR } from "./control-plane.ts";
import type { HostState } from "./host-state.ts";

/** Where Debian's containernetworking-plugins installs the plugins. */
export const cniBinDir = "/usr/lib/cni";
/** The plugins the node's configuration names. */
export const cniPlugins = ["bridge", "host-local", "loopback", "portmap"] as const;

export interface PodNetwork {
  bridge: string;
  subnet: string;
  /** The bridge's address: the node's InternalIP, what status.hostIP gives pods. */
  ip: string;
}

/** A free /24 in 10.213.0.0/16 (a block picked to stay clear of common pod and service ranges). */
function pickSubnet(): { subnet: string; ip: string } {
  const used = execFileSync("ip", ["-4", "-o", "addr"], { encoding: "utf8" }) + execFileSync("ip", ["-4", "route"], { encoding: "utf8" });
  for (let i = 0; i < 250; i++) {
    const third = (process.pid + i) % 250;
    const prefix = `10.213.${third}.`;
    if (!used.includes(prefix)) return { subnet: `${prefix}0/24`, ip: `${prefix}1` };
  }
  throw new Error("no free /24 in 10.213.0.0/16 for the node's bridge");
}

/** Creates the bridge (recorded in `s` for the sweep) with the node IP on it. */
export function createBridge(s: HostState): PodNetwork {
  const { subnet, ip } = pickSubnet();
  const bridge = `ddprof${process.pid % 100000}`;
  execFileSync("ip", ["link", "add", bridge, "type", "bridge"]);
  s.bridge = bridge;
  execFileSync("ip", ["addr", "add", `${ip}/24`, "dev", bridge]);
  execFileSync("ip", ["link", "set", bridge, "up"]);
  return { bridge, subnet, ip };
}

export function cniConfList(dir: string, net: PodNetwork): string {
  const base = net.ip.slice(0, net.ip.lastIndexOf("."));
  return JSON.stringify(
    {
      cniVersion: "0.4.0",
      name: "dd-prof-node",
      plugins: [
        {
          type: "bridge",
          bridge: net.bridge,
          // No gateway and no masquerading: pods reach the node's IP on the bridge and the Service
          // range through it, nothing else. hairpinMode lets a pod reach itself through a Service.
          isGateway: false,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: "host-local",
            ranges: [[{ subnet: net.subnet, rangeStart: `${base}.10`, rangeEnd: `${base}.250` }]],
            routes: [{ dst: SERVICE_CIDR, gw: net.ip }],
            dataDir: join(dir, "cni-ipam"),
          },
        },
        // hostPorts: DNAT from the node IP to the pod (its own iptables chains, CNI-HOSTPORT-*).
        { type: "portmap", capabilities: { portMappings: true }, snat: true },
      ],
    },
    null,
    2,
  );
}
