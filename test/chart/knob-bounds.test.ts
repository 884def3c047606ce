// The chart accepts and refuses each profiler.* knob at its bounds as test/helpers/knob-bounds.ts
// says, with both Helms, naming the key and what is allowed. (The node tier runs the profiler's own
// checks, in the stand-in, on what the chart renders for every accepted value.)
import { describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { contract } from "../../scripts/contract/values.ts";
import { knobBounds, knobValues } from "../helpers/knob-bounds.ts";
import { daemonSet, render, renderOk } from "../helpers/render.ts";

it("covers every bounded knob: numbers, durations, tracers and the split-by-service rule", () => {
  const profiler = contract.fields.profiler;
  if (profiler.kind !== "group") throw new Error("profiler is not a group");
  const bounded = Object.entries(profiler.fields).filter(([, f]) => f.kind === "field" && (f.duration || /integer/.test(JSON.stringify(f.schema.type)) || f.schema.type?.toString().includes("array")));
  const covered = new Set(knobBounds.map((b) => b.knob));
  expect(bounded.map(([k]) => k).filter((k) => !covered.has(k))).toEqual([]);
  for (const k of covered) expect(knobBounds.some((b) => b.knob === k && b.chart === "accepts"), `${k} has an accepted value`).toBe(true);
});

describe.each(await helms())("profiler knob bounds with $id", (helm) => {
  it.each(knobBounds.map((b) => [`${b.knob}: ${JSON.stringify(b.value)}${b.with ? ` with ${JSON.stringify(b.with)}` : ""}`, b] as const))("%s", async (_name, b) => {
    const r = await render(helm, { profiler: knobValues(b) });
    if (b.chart === "accepts") {
      expect(r.ok, r.stderr).toBe(true);
    } else {
      expect(r.ok, "the chart must refuse it").toBe(false);
      expect(r.stderr).toContain(b.knob);
      // The schema (enum, minimum, pattern) or _validate.tpl ("Allowed: ...") says what is allowed.
      expect(r.stderr).toMatch(/Allowed|must be|minimum|maximum|value must be one of|does not match pattern|Does not match pattern|greater|less/i);
    }
  });
});

describe.each(await helms())("datadog.site and datadog.unlistedSite with $id", (helm) => {
  const siteOf = async (datadog: Record<string, unknown>) => daemonSet(await renderOk(helm, { datadog })).container.env?.find((e) => e.name === "DD_SITE")?.value;
  it("a listed site is DD_SITE; a typo of one is refused; a site the list lacks reaches DD_SITE through datadog.unlistedSite (v0.4.0 takes any site)", async () => {
    expect(await siteOf({ site: "datadoghq.eu" })).toBe("datadoghq.eu");
    const typo = await render(helm, { datadog: { site: "datadoghq.eu.com" } });
    expect(typo.ok).toBe(false);
    expect(typo.stderr).toMatch(/datadog\.site|\/datadog\/site/);
    expect(await siteOf({ unlistedSite: "us7.datadoghq.com" })).toBe("us7.datadoghq.com");
    expect(await siteOf({ site: "datadoghq.eu", unlistedSite: "" })).toBe("datadoghq.eu");
  });
});
