// Bad values never reach the cluster: `helm install` with a typo, an invalid key, a nulled setting or
// a broken chart rule fails under Helm 3 and Helm 4, names the key, never prints the secret, and
// leaves the namespace empty of the release's objects (and no release record).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { type ControlPlane, startControlPlane } from "../../scripts/cluster/control-plane.ts";
import { chartDir, describeHelm, freshNamespace, helmOn, noWait, PSA_LABEL, releaseObjects } from "./lib.ts";

const SECRET = "leakedsecretvalue0123456789abcde";
const BAD = [
  { id: "typo", flags: ["--set", "imagee.tag=v1"], mentions: "imagee" },
  { id: "site", flags: ["--set", "datadog.site=datadog.com"], mentions: "site" },
  { id: "null", flags: ["--set", "securityMode=null"], mentions: "securityMode" },
  { id: "apikey", flags: ["--set", `datadog.apiKey=${SECRET.toUpperCase()}`], mentions: "datadog.apiKey", secret: SECRET.toUpperCase() },
  { id: "both", flags: ["--set", `datadog.apiKey=${SECRET.slice(0, 32)}`, "--set", "datadog.apiKeyExistingSecret=dd"], mentions: "are both set", secret: SECRET.slice(0, 32) },
];

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.stop();
});

describe.each((await helms()).map((h) => [h.id, h] as const))("%s install with bad values", (_id, helm) => {
  test.each(BAD.map((b) => [b.id, b] as const))("%s: refused before anything is applied", async (id, b) => {
    const ns = await freshNamespace(cp, `bad-${helm.id}-${id}`, { [PSA_LABEL]: "privileged" });
    const release = `bad${helm.major}`;
    const r = await helmOn(cp, helm, ["install", release, chartDir, "-n", ns, noWait(helm), ...b.flags]);
    expect(r.ok, `helm install with ${b.flags.join(" ")} was accepted:\n${describeHelm(r)}`).toBe(false);
    expect(r.stderr).toContain(b.mentions);
    if (b.secret) expect(`${r.stdout}${r.stderr}`).not.toContain(b.secret);
    expect(await releaseObjects(cp, release, ns), "objects of the refused release exist").toEqual([]);
    const list = await helmOn(cp, helm, ["list", "-n", ns, "-a", "-q"]);
    expect(list.stdout.trim(), "a release record was written").toBe("");
  });
});
