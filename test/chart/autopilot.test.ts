// GKE Autopilot refuses hostPID (and privileged containers) to any workload not on a Google allowlist,
// and this chart's is on none: it fails at render time rather than leave a DaemonSet whose pods are
// refused. Detected as the Datadog chart 3.240.0 does (templates/_helpers.tpl,
// "gke-autopilot-workloadallowlists-enabled": .Capabilities.APIVersions.Has "auto.gke.io/v1/AllowlistSynchronizer"),
// or said by providers.gke.autopilot: true (the Datadog chart's key). GKE serves that API on Standard
// clusters too ("any Autopilot or Standard cluster lets you install allowlists",
// docs.cloud.google.com/kubernetes-engine/docs/how-to/autopilot-privileged-allowlists), so
// providers.gke.autopilot: false says "not Autopilot" and the API alone no longer refuses.
import { describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { render } from "../helpers/render.ts";

const allowlistAPI = { apiVersions: ["auto.gke.io/v1/AllowlistSynchronizer"] };

describe.each(await helms())("GKE Autopilot with $id", (helm) => {
  it.each([
    { name: "a cluster serving auto.gke.io/v1/AllowlistSynchronizer", values: {}, o: allowlistAPI, cause: "auto.gke.io/v1/AllowlistSynchronizer" },
    { name: "providers.gke.autopilot: true", values: { providers: { gke: { autopilot: true } } }, o: {}, cause: "providers.gke.autopilot is true" },
    { name: "providers.gke.autopilot: true on a cluster serving the API", values: { providers: { gke: { autopilot: true } } }, o: allowlistAPI, cause: "providers.gke.autopilot is true" },
  ])("refuses $name, in the chart's [ERROR] style, saying why and what to do", async ({ values, o, cause }) => {
    const r = await render(helm, values, o);
    expect(r.ok, "the chart must refuse to install on GKE Autopilot").toBe(false);
    expect(r.stderr).toContain("[ERROR] ");
    expect(r.stderr).toContain(cause);
    expect(r.stderr).toContain("hostPID");
    expect(r.stderr).toContain("Allowed:");
    expect(r.stderr).toContain("GKE Standard");
    expect(r.stderr).toContain("providers.gke.autopilot");
  });

  it("reports the Autopilot refusal together with the other problems, in one failure", async () => {
    const r = await render(helm, { providers: { gke: { autopilot: true } }, datadog: { apiKey: "x".repeat(32), apiKeyExistingSecret: "s" } });
    expect(r.ok).toBe(false);
    expect(r.stderr).toContain("providers.gke.autopilot is true");
    expect(r.stderr).toContain("datadog.apiKey and datadog.apiKeyExistingSecret are both set");
  });

  it.each([
    { name: "a plain cluster", values: {}, o: {} },
    { name: "providers.gke.autopilot: false on a GKE Standard cluster serving the allowlist API", values: { providers: { gke: { autopilot: false } } }, o: allowlistAPI },
    { name: "the WorkloadAllowlist API alone (not the one the detection reads)", values: {}, o: { apiVersions: ["auto.gke.io/v1/WorkloadAllowlist"] } },
  ])("renders on $name", async ({ values, o }) => {
    const r = await render(helm, values, o);
    expect(r.ok, r.stderr).toBe(true);
  });

  it("refuses a providers.gke.autopilot that is not a boolean, naming it", async () => {
    const r = await render(helm, { providers: { gke: { autopilot: "yes" } } });
    expect(r.ok).toBe(false);
    expect(r.stderr).toContain("autopilot");
  });
});
