// Rules every chart's rendered objects must keep, whatever the chart (object validity against the
// Kubernetes API schema is checked beside them, in run.ts). Each is proven to fire on a broken
// manifest in test/matrix/invariants.test.ts.
import { type LabelSelector, matchesSelector, objectId } from "../../lib/manifests.ts";
import type { KubeObject } from "../../lib/manifests.ts";
import { arr, containersOf, obj, podSpecOf, shown, violation } from "./objects.ts";
import type { CellContext, Invariant, MatrixInvariant, Violation } from "./types.ts";

const WORKLOADS = ["DaemonSet", "Deployment", "StatefulSet", "ReplicaSet"];
const workloadsOf = (ctx: CellContext): KubeObject[] => ctx.objects.filter((o) => WORKLOADS.includes(o.kind));
const matchLabelsOf = (o: KubeObject): Record<string, unknown> => obj(obj(obj(o.spec).selector).matchLabels);

/** Env var names that hold a credential by convention (API_KEY, DB_PASSWORD, GITHUB_TOKEN, ...). */
export const SECRET_ENV_NAME = /(^|_)(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|APP_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)$/i;

export const genericInvariants: Invariant[] = [
  {
    name: "resources-set",
    reason: "Every container needs requests to be scheduled fairly and limits so it cannot starve its neighbours.",
    check: (ctx) => {
      const out: Violation[] = [];
      for (const c of containersOf(ctx.objects)) {
        const r = obj(c.container.resources);
        for (const kind of ["requests", "limits"]) {
          for (const res of ["cpu", "memory"]) {
            const q = obj(r[kind])[res];
            if (q === undefined || q === "") violation(out, c.owner, `${c.path}.resources.${kind}.${res}`, `container ${String(c.container.name)} has no ${res} ${kind.slice(0, -1)}`);
          }
        }
      }
      return out;
    },
  },
  {
    name: "selector-in-template-labels",
    reason: "A workload whose selector does not match its pod template labels is rejected by the API server.",
    check: (ctx) => {
      const out: Violation[] = [];
      for (const w of workloadsOf(ctx)) {
        const sel = matchLabelsOf(w);
        const labels = obj(obj(obj(obj(w.spec).template).metadata).labels);
        if (Object.keys(sel).length === 0 && arr(obj(obj(w.spec).selector).matchExpressions).length === 0) violation(out, w, "spec.selector.matchLabels", "is empty");
        for (const [k, val] of Object.entries(sel)) if (labels[k] !== val) violation(out, w, `spec.template.metadata.labels["${k}"]`, `must equal the selector's ${JSON.stringify(val)}, got ${shown(labels[k])}`);
      }
      return out;
    },
  },
  {
    name: "selector-matches-own-pods-only",
    reason: "A workload controller adopts every ownerless pod its selector matches: a DaemonSet matching the helm test pod deletes it as a second pod on the node mid-test.",
    check: (ctx) => {
      const out: Violation[] = [];
      for (const w of workloadsOf(ctx)) {
        const sel = obj(obj(w.spec).selector) as LabelSelector;
        if (Object.keys(sel).length === 0) continue;
        for (const o of ctx.objects) {
          if (o === w || !podSpecOf(o)) continue;
          const labels = obj(o.kind === "Pod" ? o.metadata?.labels : obj(obj(obj(o.spec).template).metadata).labels) as Record<string, string>;
          if (matchesSelector(sel, labels)) {
            violation(out, o, o.kind === "Pod" ? "metadata.labels" : "spec.template.metadata.labels", `match the selector of ${objectId(w)} (${shown(sel)}), whose controller would adopt ${o.kind === "Pod" ? "this pod" : "these pods"}`);
          }
        }
      }
      return out;
    },
  },
  {
    name: "image-tag-or-digest",
    reason: "A container image without a tag, or tagged latest, runs whatever was pushed last: pin a tag or a digest.",
    check: (ctx) => {
      const out: Violation[] = [];
      for (const c of containersOf(ctx.objects)) {
        const image = String(c.container.image ?? "");
        if (image.includes("@sha256:")) continue;
        const tag = /:([^/:]+)$/.exec(image)?.[1];
        if (!tag || tag === "latest") violation(out, c.owner, `${c.path}.image`, `${JSON.stringify(image)} is not pinned: give a tag other than latest, or a digest`);
      }
      return out;
    },
  },
  {
    name: "no-secret-literal-in-pod-spec",
    reason: "A credential written into a pod spec is readable by anyone who can read the workload: reference a Secret instead.",
    check: (ctx) => {
      const out: Violation[] = [];
      for (const c of containersOf(ctx.objects)) {
        arr(c.container.env).forEach((raw, i) => {
          const e = obj(raw);
          // The value itself is never printed: it is a secret.
          if (SECRET_ENV_NAME.test(String(e.name)) && typeof e.value === "string" && e.value !== "") violation(out, c.owner, `${c.path}.env[${i}].value`, `${String(e.name)} holds a literal credential; use valueFrom.secretKeyRef`);
        });
      }
      return out;
    },
  },
  {
    name: "rbac-no-wildcard",
    reason: "A \"*\" in a role grants every verb, resource or group, today's and tomorrow's: list what is used.",
    check: (ctx) => {
      const out: Violation[] = [];
      for (const r of ctx.objects.filter((o) => o.kind === "Role" || o.kind === "ClusterRole")) {
        arr(r.rules).forEach((raw, i) => {
          for (const field of ["verbs", "resources", "apiGroups", "nonResourceURLs"]) {
            if (arr(obj(raw)[field]).includes("*")) violation(out, r, `rules[${i}].${field}`, "holds the wildcard \"*\"");
          }
        });
      }
      return out;
    },
  },
];

export const genericMatrixInvariants: MatrixInvariant[] = [
  {
    name: "selector-labels-stable",
    reason: "A workload's selector is immutable: no value but the object's name may change it, or `helm upgrade` fails.",
    check(cells) {
      const out = new Map<string, Violation[]>();
      // Cases rendering a workload of the same kind and name must give it the same selector.
      const groups = new Map<string, { key: string; caseName: string; sel: string; w: KubeObject }[]>();
      for (const cell of cells) {
        for (const w of workloadsOf(cell.ctx)) {
          const id = objectId(w);
          const sel = JSON.stringify(Object.entries(matchLabelsOf(w)).sort());
          groups.set(id, [...(groups.get(id) ?? []), { key: cell.key, caseName: cell.ctx.case.name, sel, w }]);
        }
      }
      for (const g of groups.values()) {
        const counts = new Map<string, number>();
        for (const c of g) counts.set(c.sel, (counts.get(c.sel) ?? 0) + 1);
        const reference = g.find((c) => c.caseName === "default")?.sel ?? [...counts].sort((a, b) => b[1] - a[1])[0][0];
        for (const c of g) {
          if (c.sel === reference) continue;
          out.set(c.key, [...(out.get(c.key) ?? []), { object: objectId(c.w), path: "spec.selector.matchLabels", message: `${c.sel} differs from the other cases' ${reference}` }]);
        }
      }
      return out;
    },
  },
];
