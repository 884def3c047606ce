// leastPrivilege: no privileged container, only the eBPF capabilities, read-only root, host tracefs.
import { describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { leastPrivilegeCapabilityNames } from "../../scripts/contract/capabilities.ts";
import { daemonSet, renderOk } from "../helpers/render.ts";

// Written out here, not read from the contract: the test must fail when either side changes alone.
const ebpfCapabilities = ["BPF", "PERFMON", "SYS_PTRACE", "SYS_RESOURCE", "DAC_READ_SEARCH", "SYSLOG", "CHECKPOINT_RESTORE", "IPC_LOCK"];

it("the contract's capability set is the one the chart renders, in the same order", () => {
  expect(leastPrivilegeCapabilityNames).toEqual(ebpfCapabilities);
});

describe.each(await helms())("leastPrivilege mode with $id", (helm) => {
  it("drops privilege everywhere the profiler allows it", async () => {
    const { pod, container } = daemonSet(await renderOk(helm, { securityMode: "leastPrivilege" }, { kubeVersion: "1.31.0" }));
    const sc = container.securityContext!;
    expect(pod.hostPID).toBe(true);
    expect(sc.privileged).toBe(false);
    expect(sc.allowPrivilegeEscalation).toBe(false);
    expect(sc.readOnlyRootFilesystem).toBe(true);
    expect(sc.capabilities).toEqual({ drop: ["ALL"], add: ebpfCapabilities });
    expect(sc.capabilities?.add).not.toContain("SYS_ADMIN");
    expect(sc.runAsUser).toBe(0);
    expect(sc.seccompProfile).toEqual({ type: "Unconfined" });
    expect(sc.seLinuxOptions).toEqual({ type: "spc_t" });
    expect(container.volumeMounts).toEqual([
      { name: "tracefs", mountPath: "/sys/kernel/tracing", readOnly: true },
      { name: "tmp", mountPath: "/tmp" },
    ]);
    expect(pod.volumes).toEqual([
      { name: "tracefs", hostPath: { path: "/sys/kernel/tracing", type: "Directory" } },
      { name: "tmp", emptyDir: {} },
    ]);
  });

  it.each([
    { omit: ["SYS_RESOURCE"], add: ebpfCapabilities.filter((c) => c !== "SYS_RESOURCE") },
    { omit: ["IPC_LOCK", "BPF"], add: ebpfCapabilities.filter((c) => c !== "IPC_LOCK" && c !== "BPF") },
    { omit: [], add: ebpfCapabilities },
    { omit: null, add: ebpfCapabilities },
  ])("omitCapabilities $omit leaves exactly those out, keeping the order", async ({ omit, add }) => {
    const { container } = daemonSet(await renderOk(helm, { securityMode: "leastPrivilege", leastPrivilege: { omitCapabilities: omit } }));
    expect(container.securityContext!.capabilities).toEqual({ drop: ["ALL"], add });
  });

  it("omitting every capability leaves drop ALL and no add list", async () => {
    const { container } = daemonSet(await renderOk(helm, { securityMode: "leastPrivilege", leastPrivilege: { omitCapabilities: ebpfCapabilities } }));
    expect(container.securityContext!.capabilities).toEqual({ drop: ["ALL"] });
  });

  it("omitCapabilities changes nothing in privileged mode", async () => {
    const { container } = daemonSet(await renderOk(helm, { leastPrivilege: { omitCapabilities: ["SYS_RESOURCE"] } }));
    expect(container.securityContext).toEqual({ runAsUser: 0, privileged: true, capabilities: { add: ["SYS_ADMIN"] } });
  });

  it.each([
    { kube: "1.29.0", field: false },
    { kube: "1.30.0", field: true },
    { kube: "1.35.0", field: true },
  ])("sets AppArmor as a field or an annotation on Kubernetes $kube", async ({ kube, field }) => {
    const { spec, container } = daemonSet(await renderOk(helm, { securityMode: "leastPrivilege" }, { kubeVersion: kube }));
    const annotation = spec.template.metadata.annotations?.["container.apparmor.security.beta.kubernetes.io/dd-otel-host-profiler"];
    expect(container.securityContext!.appArmorProfile).toEqual(field ? { type: "Unconfined" } : undefined);
    expect(annotation).toBe(field ? undefined : "unconfined");
  });

  it("passes the user's seccomp and AppArmor profiles through", async () => {
    const values = {
      securityMode: "leastPrivilege",
      leastPrivilege: { seccompProfile: { type: "Localhost", localhostProfile: "profiles/dd.json" }, appArmorProfile: { type: "RuntimeDefault" } },
    };
    const modern = daemonSet(await renderOk(helm, values, { kubeVersion: "1.33.0" }));
    expect(modern.container.securityContext!.seccompProfile).toEqual({ type: "Localhost", localhostProfile: "profiles/dd.json" });
    expect(modern.container.securityContext!.appArmorProfile).toEqual({ type: "RuntimeDefault" });
    const old = daemonSet(await renderOk(helm, values, { kubeVersion: "1.29.0" }));
    expect(old.spec.template.metadata.annotations?.["container.apparmor.security.beta.kubernetes.io/dd-otel-host-profiler"]).toBe("runtime/default");
  });

  it("privileged mode mounts nothing from the host but what the user adds", async () => {
    const { pod, container } = daemonSet(await renderOk(helm));
    expect(pod.volumes).toBeUndefined();
    expect(container.volumeMounts).toBeUndefined();
  });
});
