// Kinds the chart renders that no Kubernetes release serves: OpenShift's SecurityContextConstraints
// (security.openshift.io/v1, cluster-scoped). Written from OpenShift's API reference for the fields
// an SCC has, strict like the committed Kubernetes schemas: an unknown or misspelt field is an error.
type JsonSchema = Record<string, unknown>;

const strings = { type: ["array", "null"], items: { type: "string" } };
const idRanges = { type: "array", items: { type: "object", additionalProperties: false, properties: { min: { type: "integer" }, max: { type: "integer" } } } };
const groupStrategy = { type: ["object", "null"], additionalProperties: false, properties: { type: { enum: ["MustRunAs", "RunAsAny"] }, ranges: idRanges } };

export const extraKinds: Record<string, JsonSchema> = {
  "security.openshift.io/v1/SecurityContextConstraints": {
    type: "object",
    additionalProperties: false,
    required: ["apiVersion", "kind", "metadata", "allowHostDirVolumePlugin", "allowHostIPC", "allowHostNetwork", "allowHostPID", "allowHostPorts", "allowPrivilegedContainer", "readOnlyRootFilesystem"],
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { type: "object", required: ["name"], properties: { name: { type: "string" }, labels: { type: "object" }, annotations: { type: "object" } }, not: { required: ["namespace"] } },
      priority: { type: ["integer", "null"] },
      allowPrivilegedContainer: { type: "boolean" },
      defaultAddCapabilities: strings,
      requiredDropCapabilities: strings,
      allowedCapabilities: strings,
      allowHostDirVolumePlugin: { type: "boolean" },
      volumes: { type: ["array", "null"], items: { type: "string" } },
      allowedFlexVolumes: { type: ["array", "null"], items: { type: "object", required: ["driver"], properties: { driver: { type: "string" } } } },
      allowHostNetwork: { type: "boolean" },
      allowHostPorts: { type: "boolean" },
      allowHostPID: { type: "boolean" },
      allowHostIPC: { type: "boolean" },
      defaultAllowPrivilegeEscalation: { type: ["boolean", "null"] },
      allowPrivilegeEscalation: { type: ["boolean", "null"] },
      seLinuxContext: {
        type: ["object", "null"],
        additionalProperties: false,
        properties: {
          type: { enum: ["MustRunAs", "RunAsAny"] },
          seLinuxOptions: { type: "object", additionalProperties: false, properties: { user: { type: "string" }, role: { type: "string" }, type: { type: "string" }, level: { type: "string" } } },
        },
      },
      runAsUser: {
        type: ["object", "null"],
        additionalProperties: false,
        properties: { type: { enum: ["MustRunAs", "MustRunAsRange", "MustRunAsNonRoot", "RunAsAny"] }, uid: { type: "integer" }, uidRangeMin: { type: "integer" }, uidRangeMax: { type: "integer" } },
      },
      supplementalGroups: groupStrategy,
      fsGroup: groupStrategy,
      readOnlyRootFilesystem: { type: "boolean" },
      users: strings,
      groups: strings,
      seccompProfiles: strings,
      allowedUnsafeSysctls: strings,
      forbiddenSysctls: strings,
      userNamespaceLevel: { enum: ["AllowHostLevel", "RequirePodLevel"] },
    },
  },
};
