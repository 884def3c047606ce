// Kubernetes quantities (resource.Quantity: 100m, 256Mi, 1Gi, 2, 1e3) as values.schema.json checks
// them. The committed Kubernetes schemas say only "string or number", so `memory: lots` would reach
// the API server; the schema's Quantity definition gets the grammar of k8s.io/apimachinery's parser.
import type { JsonSchema } from "./dsl.ts";

export const quantityDefinition = "io.k8s.apimachinery.pkg.api.resource.Quantity";

/** sign, digits with an optional fraction, then a binary SI, decimal SI or decimal exponent suffix. */
export const quantityPattern = "^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$";

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
