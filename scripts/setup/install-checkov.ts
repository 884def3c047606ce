// `npm run setup:checkov`: installs the pinned checkov from PyPI into its own venv (scripts/lib/checkov.ts).
// Idempotent: a venv that already reports the pinned version is left alone.
import { existsSync } from "node:fs";
import { execa } from "execa";
import { checkovBin, checkovVenv, checkovVersion } from "../lib/checkov.ts";

async function installedVersion(): Promise<string | undefined> {
  if (!existsSync(checkovBin)) return undefined;
  const r = await execa(checkovBin, ["--version"], { reject: false });
  return r.exitCode === 0 ? String(r.stdout).trim() : undefined;
}

if ((await installedVersion()) === checkovVersion) {
  console.log(`install-checkov: checkov ${checkovVersion} present at ${checkovBin}`);
} else {
  const python = process.env.PYTHON ?? "python3";
  console.log(`install-checkov: creating ${checkovVenv} and installing checkov==${checkovVersion} (a minute or two)`);
  await execa(python, ["-m", "venv", "--clear", checkovVenv], { stdio: "inherit" });
  await execa(`${checkovVenv}/bin/pip`, ["install", "--quiet", `checkov==${checkovVersion}`], { stdio: "inherit" });
  const got = await installedVersion();
  if (got !== checkovVersion) throw new Error(`install-checkov: ${checkovBin} reports ${got ?? "nothing"}, expected ${checkovVersion}`);
  console.log(`install-checkov: checkov ${checkovVersion} installed at ${checkovBin}`);
}
