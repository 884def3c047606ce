// Batching verification: a cell rendered in a batch (or reused from another version) compared object
// by object with the same cell rendered on its own, so a wrong batch or reuse is a failure, not a guess.
import { isDeepStrictEqual } from "node:util";
import type { Doc } from "./batch.ts";
import type { RenderResult } from "./render.ts";
import type { Failure } from "./results.ts";

/** Object-by-object comparison of a batched and a single render of the same cell. */
export function compareRenders(batched: RenderResult, single: RenderResult): Failure[] {
  const rule = "batching-equivalence";
  if (!batched.ok || !single.ok) {
    if (batched.ok !== single.ok) return [{ rule, message: `batched render ${batched.ok ? "succeeded" : "failed"} but the single render ${single.ok ? "succeeded" : "failed"}` }];
    return [];
  }
  const id = (d: Doc): string => `${d.object?.apiVersion}/${d.object?.kind}/${d.object?.metadata?.namespace ?? ""}/${d.object?.metadata?.name}`;
  const out: Failure[] = [];
  const singles = new Map(single.docs.filter((d) => d.object).map((d) => [id(d), d]));
  const batcheds = new Map(batched.docs.filter((d) => d.object).map((d) => [id(d), d]));
  for (const [k, s] of singles) {
    const b = batcheds.get(k);
    const object = `${s.object!.kind}/${s.object!.metadata?.name}`;
    if (!b) out.push({ rule, object, message: "rendered singly but missing from the batch" });
    else if (b.source !== s.source) out.push({ rule, object, message: `comes from ${b.source} in the batch, ${s.source} singly` });
    else if (!isDeepStrictEqual(b.object, s.object)) out.push({ rule, object, path: firstDifference(b.object, s.object), message: "differs between the batched and the single render" });
  }
  for (const [k, b] of batcheds) if (!singles.has(k)) out.push({ rule, object: `${b.object!.kind}/${b.object!.metadata?.name}`, message: "in the batch but not rendered singly" });
  return out;
}

export function firstDifference(a: unknown, b: unknown, at = ""): string {
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const x = (a as Record<string, unknown>)[k];
      const y = (b as Record<string, unknown>)[k];
      if (!isDeepStrictEqual(x, y)) return firstDifference(x, y, Array.isArray(a) ? `${at}[${k}]` : at ? `${at}.${k}` : k);
    }
  }
  return at || "(root)";
}
