// A table of values files the chart must refuse (naming a key) and of ones it must render, run with
// every Helm: the shape the API-server rule tests share.
import { describe, expect, it } from "vitest";
import { helms } from "../../scripts/lib/helm.ts";
import { render } from "./render.ts";

export interface Refused {
  name: string;
  values: object;
  /** Text the refusal must contain: the key, or the chart's own wording. */
  key: string;
}

export async function describeRefusals(title: string, refused: Refused[], accepted: { name: string; values: object }[]): Promise<void> {
  describe.each(await helms())(`${title} with $id`, (helm) => {
    it.each(refused)("refuses $name, naming $key", async ({ values, key }) => {
      const r = await render(helm, values);
      expect(r.ok, "the chart must refuse it before it reaches a cluster").toBe(false);
      expect(r.stderr).toContain(key);
    });

    it.each(accepted)("accepts $name", async ({ values }) => {
      const r = await render(helm, values);
      expect(r.ok, r.stderr).toBe(true);
    });
  });
}
