// Kubernetes shapes embedded in the values schema keep only the fields every committed Kubernetes
// version serves (the chart's kubeVersion range: scripts/kubernetes/schemas). An API server that does
// not know a field refuses it under strict field validation (`kubectl apply --validate=strict`, the
// e2e tier) and drops it without a word otherwise, so a field from a newer release would either fail
// the install or do nothing on an older cluster. A definition some version lacks altogether (e.g.
// AppArmorProfile before 1.30) is left whole: the chart renders it by version itself.
import { kubeDefinitionSchema, kubeVersions } from "../kubernetes/validate.ts";

type Defs = Record<string, Record<string, any>>;

/** Fields of `defs` (from the newest version) that some committed version does not serve, as "Def.field". */
export function newerFields(defs: Defs, versions: string[] = kubeVersions()): string[] {
  const out: string[] = [];
  for (const [name, def] of Object.entries(defs)) {
    for (const field of Object.keys(def.properties ?? {})) {
      const missing = versions.filter((v) => {
        let old: Record<string, any>;
        try {
          old = kubeDefinitionSchema(v, name).$defs[name] as Record<string, any>;
        } catch {
          return false; // the whole definition is version-gated: left alone
        }
        return !(field in (old.properties ?? {}));
      });
      if (missing.length) out.push(`${name}.${field}`);
    }
  }
  return out;
}

/** `defs` without the fields some committed Kubernetes version does not serve. */
export function withFieldsServedEverywhere(defs: Defs, versions: string[] = kubeVersions()): Defs {
  const drop = new Set(newerFields(defs, versions));
  const out: Defs = {};
  for (const [name, def] of Object.entries(defs)) {
    if (!def.properties) {
      out[name] = def;
      continue;
    }
    const properties = Object.fromEntries(Object.entries(def.properties).filter(([f]) => !drop.has(`${name}.${f}`)));
    out[name] = { ...def, properties, ...(def.required ? { required: (def.required as string[]).filter((f) => f in properties) } : {}) };
  }
  return out;
}
