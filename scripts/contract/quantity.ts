// Kubernetes quantities (resource.Quantity: 100m, 256Mi, 1Gi, 2, 1e3) as values.schema.json checks
// them. The committed Kubernetes schemas say only "string or number", so `memory: lots` would reach
// the API server; the schema's Quantity definition gets the grammar of k8s.io/apimachinery's parser.
import { described, type JsonSchema } from "./dsl.ts";

export const quantityDefinition = "io.k8s.apimachinery.pkg.api.resource.Quantity";

/**
 * sign, digits with an optional fraction, then a binary SI, decimal SI or decimal exponent suffix.
 * The exponent has at most two digits: the parser takes any, but kube-apiserver v1.35 spends its
 * whole request timeout on `1e+029630681293` and answers 504 (found by the fuzz tier; 1e999999 already
 * costs 0.2 s), and no resource is larger than 1e99.
 */
export const quantityPattern = described(
  "^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]{1,2})?$",
  "a Kubernetes quantity such as 500m or 256Mi: a number, then optionally a unit (m, k, M, G, T, P, E, or Ki, Mi, Gi, Ti, Pi, Ei), e.g. 500m, 2, 256Mi or 1Gi",
);
/** The same without a sign: requests, limits and sizes are never negative. */
export const nonNegativeQuantityPattern = described(
  "^\\+?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE]\\+?[0-9]{1,2})?$",
  "a Kubernetes quantity such as 500m or 256Mi, not negative: a number, then optionally a unit (m, k, M, G, T, P, E, or Ki, Mi, Gi, Ti, Pi, Ei), e.g. 500m, 2, 256Mi or 1Gi",
);

/** The values schema's definitions with the Quantity grammar added wherever a Quantity is embedded. */
export function withQuantityGrammar(definitions: Record<string, JsonSchema>): Record<string, JsonSchema> {
  const q = definitions[quantityDefinition];
  if (!q) return definitions;
  return {
    ...definitions,
    [quantityDefinition]: {
      ...q,
      description: "A Kubernetes quantity, e.g. 100m, 0.5, 2 (CPU) or 256Mi, 1Gi, 512M (memory).",
      pattern: quantityPattern,
    },
  };
}
