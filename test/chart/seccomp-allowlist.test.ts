// leastPrivilege.seccompAllowlist: the chart's own seccomp profile in a ConfigMap, an init container that
// writes it into the kubelet's seccomp directory with nothing but that one hostPath, and the profiler
// container under it as a Localhost profile. The node tier runs it: test/node/seccomp-allowlist.test.ts.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { findObject } from "../../scripts/lib/manifests.ts";
import { repoRoot } from "../../scripts/lib/paths.ts";
import { daemonSet, render, renderOk } from "../helpers/render.ts";

const profileText = readFileSync(join(repoRoot, "chart", "files", "seccomp-allowlist.json"), "utf8");
const file = `allowlist-${createHash("sha256").update(profileText).digest("hex").slice(0, 16)}.json`;
const on = { securityMode: "leastPrivilege", leastPrivilege: { seccompAllowlist: { enabled: true } } };

describe.each(await helms())("seccomp allowlist with $id", (helm) => {
  it("is off by default: no init container, no ConfigMap, the container keeps leastPrivilege.seccompProfile", async () => {
    const objects = await renderOk(helm, { securityMode: "leastPrivilege" });
    const { pod, container } = daemonSet(objects);
    expect((pod as any).initContainers).toBeUndefined();
    expect(objects.filter((o) => o.kind === "ConfigMap")).toEqual([]);
    expect(container.securityContext!.seccompProfile).toEqual({ type: "Unconfined" });
  });

  it("the profile in the ConfigMap is chart/files/seccomp-allowlist.json, byte for byte", async () => {
    const cm = findObject(await renderOk(helm, on), "ConfigMap") as any;
    expect(cm.metadata.name).toBe("release-dd-otel-host-profiler-seccomp".replace("release", cm.metadata.labels["app.kubernetes.io/instance"]));
    expect(cm.data["seccomp-allowlist.json"]).toBe(profileText);
    const p = JSON.parse(cm.data["seccomp-allowlist.json"]);
    expect(p.defaultAction).toBe("SCMP_ACT_ERRNO");
  });

  it("the profiler container and the pod run under it as a Localhost profile named by its content's hash", async () => {
    const { pod, container } = daemonSet(await renderOk(helm, on));
    const want = { type: "Localhost", localhostProfile: `dd-otel-host-profiler/${file}` };
    expect(container.securityContext!.seccompProfile).toEqual(want);
    expect((pod as any).securityContext.seccompProfile).toEqual(want);
  });

  it("the init container writes it with uid 0 and nothing else: no capability, no escalation, read-only root, one hostPath", async () => {
    const { pod } = daemonSet(await renderOk(helm, on));
    const inits = (pod as any).initContainers;
    expect(inits).toHaveLength(1);
    const init = inits[0];
    expect(init.name).toBe("seccomp-allowlist");
    expect(init.image).toBe(daemonSet(await renderOk(helm, on)).container.image);
    expect(init.securityContext).toEqual({
      runAsUser: 0,
      runAsGroup: 0,
      runAsNonRoot: false,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(init.command.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(init.command[2]).toContain(`dst=/seccomp/${file}`);
    expect(init.volumeMounts).toEqual([
      { name: "seccomp-allowlist", mountPath: "/allowlist", readOnly: true },
      { name: "seccomp-dir", mountPath: "/seccomp" },
    ]);
    const volumes = pod.volumes!;
    expect(volumes.find((v) => v.name === "seccomp-dir")).toEqual({ name: "seccomp-dir", hostPath: { path: "/var/lib/kubelet/seccomp/dd-otel-host-profiler", type: "DirectoryOrCreate" } });
    expect(volumes.find((v) => v.name === "seccomp-allowlist")).toMatchObject({ configMap: { name: expect.stringMatching(/-seccomp$/) } });
    // The profiler container does not mount the seccomp directory.
    expect(pod.containers[0].volumeMounts!.map((m) => m.name)).not.toContain("seccomp-dir");
  });

  it("follows a kubelet with another --root-dir", async () => {
    const { pod } = daemonSet(await renderOk(helm, { ...on, leastPrivilege: { seccompAllowlist: { enabled: true, kubeletSeccompDir: "/data/kubelet/seccomp" } } }));
    expect(pod.volumes!.find((v) => v.name === "seccomp-dir")!.hostPath!.path).toBe("/data/kubelet/seccomp/dd-otel-host-profiler");
  });

  it("does nothing in privileged mode (a privileged container runs without a filter)", async () => {
    const objects = await renderOk(helm, { leastPrivilege: { seccompAllowlist: { enabled: true } } });
    expect((daemonSet(objects).pod as any).initContainers).toBeUndefined();
    expect(objects.filter((o) => o.kind === "ConfigMap")).toEqual([]);
  });

  it("the OpenShift SCC allows the Localhost profile, the init container's runtime/default and the configMap volume", async () => {
    const scc = findObject(await renderOk(helm, { ...on, openshift: { scc: { create: true } } }), "SecurityContextConstraints") as any;
    expect(scc.seccompProfiles).toEqual([`localhost/dd-otel-host-profiler/${file}`, "runtime/default"]);
    expect(scc.volumes).toContain("configMap");
    expect(scc.volumes).toContain("hostPath");
  });

  it.each([
    { values: { leastPrivilege: { seccompAllowlist: { enabled: "yes" } } }, key: "leastPrivilege.seccompAllowlist.enabled" },
    { values: { leastPrivilege: { seccompAllowlist: { kubeletSeccompDir: "var/lib/kubelet/seccomp" } } }, key: "leastPrivilege.seccompAllowlist.kubeletSeccompDir" },
    { values: { leastPrivilege: { seccompAllowlist: { kubeletSeccompDir: "/var/lib/kubelet/seccomp; rm -rf /" } } }, key: "leastPrivilege.seccompAllowlist.kubeletSeccompDir" },
    { values: { leastPrivilege: { seccompAllowlist: { kubeletSeccompDir: "/var/lib/kubelet/seccomp/" } } }, key: "leastPrivilege.seccompAllowlist.kubeletSeccompDir" },
    { values: { leastPrivilege: { seccompAllowlist: { enable: true } } }, key: "enable" },
  ])("refuses $values, naming $key", async ({ values, key }) => {
    const r = await render(helm, values);
    expect(r.ok).toBe(false);
    const slash = `/${key.replace(/\./g, "/")}`;
    expect(r.stderr.includes(key) || r.stderr.includes(slash), r.stderr).toBe(true);
  });
});
