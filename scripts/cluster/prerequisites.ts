// What the node tier needs from the machine, checked before anything starts, so a missing piece is
// one clear message with the command that installs it (`.ci/run` runs that command).
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { cniBinDir, cniPlugins } from "./cni.ts";

/** Debian packages that bring each tool; `.ci/run` installs exactly these. */
export const nodePackages = ["containerd", "runc", "containernetworking-plugins", "bash-static", "busybox-static", "iproute2", "iptables", "conntrack", "docker-registry"] as const;

interface Need {
  what: string;
  found(): boolean;
  pkg: (typeof nodePackages)[number] | "go" | "root";
}

function onPath(cmd: string): boolean {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {}
  }
  return false;
}

const needs: Need[] = [
  { what: "root (the node mounts, makes a bridge and runs containers)", found: () => process.getuid?.() === 0, pkg: "root" },
  { what: "containerd", found: () => onPath("containerd"), pkg: "containerd" },
  { what: "ctr", found: () => onPath("ctr"), pkg: "containerd" },
  { what: "containerd-shim-runc-v2", found: () => onPath("containerd-shim-runc-v2"), pkg: "containerd" },
  { what: "runc", found: () => onPath("runc"), pkg: "runc" },
  ...cniPlugins.map((p) => ({ what: `CNI plugin ${cniBinDir}/${p}`, found: () => existsSync(join(cniBinDir, p)), pkg: "containernetworking-plugins" as const })),
  { what: "/bin/bash-static", found: () => existsSync("/bin/bash-static"), pkg: "bash-static" },
  { what: "/bin/busybox", found: () => existsSync("/bin/busybox"), pkg: "busybox-static" },
  { what: "ip", found: () => onPath("ip"), pkg: "iproute2" },
  // kube-proxy's and the portmap plugin's rules, and the save/restore that undoes them.
  ...["iptables", "iptables-save", "iptables-restore"].map((c) => ({ what: c, found: () => onPath(c), pkg: "iptables" as const })),
  // kube-proxy clears stale UDP conntrack entries with it (DNS through the kube-dns Service).
  { what: "conntrack", found: () => onPath("conntrack"), pkg: "conntrack" },
  { what: "docker-registry (the node's mirror of ghcr.io)", found: () => onPath("docker-registry") || onPath("registry"), pkg: "docker-registry" },
  { what: "go (builds kubelet, kube-scheduler, kube-proxy, CoreDNS and the profiler stand-in once)", found: () => onPath("go"), pkg: "go" },
];

/** Every missing prerequisite, with how to get it; empty when the node tier (or `command`) can run. */
export function missingPrerequisites(command = "npm run test:node"): string[] {
  const missing = needs.filter((n) => !n.found());
  const out = missing.map((n) => `missing: ${n.what}`);
  const pkgs = [...new Set(missing.map((n) => n.pkg).filter((p): p is (typeof nodePackages)[number] => (nodePackages as readonly string[]).includes(p)))];
  if (pkgs.length) out.push(`install with: apt-get install -y ${pkgs.join(" ")}   (.ci/run does this)`);
  if (missing.some((n) => n.pkg === "go")) out.push("install Go >= 1.25 (https://go.dev/doc/install) or put it on PATH");
  if (missing.some((n) => n.pkg === "root")) out.push(`run it as root (sudo -E ${command})`);
  return out;
}

if (import.meta.main) {
  // `.ci/run` asks which Debian packages the node tier needs and are not installed yet.
  if (process.argv.includes("--missing-packages")) {
    const missing = needs.filter((n) => !n.found() && (nodePackages as readonly string[]).includes(n.pkg)).map((n) => n.pkg);
    process.stdout.write(`${[...new Set(missing)].join(" ")}\n`);
  } else {
    const missing = missingPrerequisites();
    process.stdout.write(missing.length ? `${missing.join("\n")}\n` : "the node tier has everything it needs\n");
    process.exitCode = missing.length ? 1 : 0;
  }
}
