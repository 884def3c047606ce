// The API server as the fuzz tier's judge: every rendered object is sent as a server-side apply with
// dryRun=All and fieldValidation=Strict, what `kubectl apply --server-side --dry-run=server
// --validate=strict` sends, straight over HTTP so a thousand renders cost no kubectl process each.
// The API's own validation, defaulting and admission (Pod Security included) decide, and nothing is
// stored. Where each kind is served comes from the API's discovery documents, so any chart works.
// A request the API server cannot finish in 10 s counts as refused: that is what a quantity with a
// ten-digit exponent did (quantity.ts), and a shorter timeout lets shrinking replay it.
import { ensureNamespace } from "../cluster/resources.ts";
import { type ControlPlane } from "../cluster/control-plane.ts";
import type { KubeObject } from "../lib/manifests.ts";
import { NAMESPACE } from "../matrix/render.ts";
import type { Judge } from "./run.ts";

interface Served {
  plural: string;
  namespaced: boolean;
}

/** apiVersion/kind -> where it is served, from /api/v1 and every group version under /apis. */
async function discover(cp: ControlPlane): Promise<Map<string, Served>> {
  const out = new Map<string, Served>();
  const add = (groupVersion: string, list: { name: string; kind: string; namespaced: boolean }[]): void => {
    for (const r of list) if (!r.name.includes("/")) out.set(`${groupVersion}/${r.kind}`, { plural: r.name, namespaced: r.namespaced });
  };
  add("v1", (await cp.api("GET", "/api/v1")).body.resources);
  for (const g of (await cp.api("GET", "/apis")).body.groups as { versions: { groupVersion: string }[] }[]) {
    for (const v of g.versions) add(v.groupVersion, (await cp.api("GET", `/apis/${v.groupVersion}`)).body.resources);
  }
  return out;
}

/**
 * The first field an API error names, list indexes and map keys dropped ("spec.template.spec.volumes[].name"),
 * so failures of one field are one kind to shrink: "... is invalid: spec.x[0].y: Invalid value ..." or,
 * from strict field validation, ".spec.x[name=\"a\"].y: field not declared in schema".
 */
export function fieldOf(message: string): string | undefined {
  const m = /is invalid: \[?([a-zA-Z][\w.\[\]"=-]*?): /.exec(message) ?? /errors?:?\s*(?:\|\s*)?\.?(\.?[a-zA-Z][\w.\[\]"=-]*?): field not declared/.exec(message) ?? /\.(spec[\w.\[\]"=-]*?): /.exec(message);
  return m?.[1].replace(/\[[^\]]*\]/g, "[]").replace(/^\./, "");
}

/**
 * A judge on `cp`. The namespace the fuzz tier renders into is created, labeled for Pod Security
 * `privileged` as README tells users to label theirs (the profiler needs hostPID and privileges).
 */
export async function apiServerJudge(cp: ControlPlane, namespace = NAMESPACE): Promise<Judge> {
  await ensureNamespace(cp, namespace, { "pod-security.kubernetes.io/enforce": "privileged" });
  const served = await discover(cp);
  const version = (await cp.api("GET", "/version")).body.gitVersion as string;
  return {
    name: `kube-apiserver ${version} dry run`,
    async check(objects: KubeObject[]) {
      const problems: { object: string; path?: string; message: string }[] = [];
      await Promise.all(
        objects.map(async (o) => {
          const id = `${o.kind}/${o.metadata?.name}`;
          const where = served.get(`${o.apiVersion}/${o.kind}`);
          // A kind this API server does not serve (OpenShift's SCC, a CRD's objects) is not judged here;
          // the matrix validates the SCC against scripts/kubernetes/extra-kinds.ts.
          if (!where) return;
          if (typeof o.metadata?.name !== "string" || o.metadata.name === "") {
            problems.push({ object: id, message: "metadata.name is not a non-empty string" });
            return;
          }
          const prefix = o.apiVersion.includes("/") ? `/apis/${o.apiVersion}` : `/api/${o.apiVersion}`;
          const ns = where.namespaced ? `/namespaces/${encodeURIComponent(o.metadata.namespace ?? namespace)}` : "";
          const path = `${prefix}${ns}/${where.plural}/${encodeURIComponent(o.metadata.name)}?dryRun=All&fieldManager=fuzz&fieldValidation=Strict&force=true&timeout=10s`;
          try {
            await cp.api("PATCH", path, JSON.stringify(o), "application/apply-patch+yaml");
          } catch (e) {
            const body = (e as { body?: { message?: string } }).body;
            const message = body?.message ?? (e as Error).message;
            problems.push({ object: id, path: fieldOf(message), message });
          }
        }),
      );
      return problems;
    },
  };
}
