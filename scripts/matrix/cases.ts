// Cases of the matrix: one values file each under test/cases/, whose first line is a comment that
// says what it covers. A case's name is its file name without `.yaml`.
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { load } from "js-yaml";
import { repoRoot } from "../lib/paths.ts";

export const casesDir = join(repoRoot, "test", "cases");

export interface Case {
  name: string;
  file: string;
  /** The first-line comment, without `# `. */
  description: string;
  values: Record<string, unknown>;
}

/** `*` any run of characters, `?` one character; anything else literal. Several globs: any matches. */
export function globMatcher(globs: string[]): (name: string) => boolean {
  if (globs.length === 0) return () => true;
  const res = globs.map((g) => new RegExp(`^${g.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`));
  return (name) => res.some((r) => r.test(name));
}

export function readCase(file: string): Case {
  const text = readFileSync(file, "utf8");
  const first = text.split("\n", 1)[0];
  const name = basename(file).replace(/\.ya?ml$/, "");
  if (!/^#\s*\S/.test(first)) throw new Error(`case ${name} (${file}): the first line must be a comment saying what the case covers`);
  let values: unknown;
  try {
    // Only comments means no values (js-yaml refuses an empty document; Helm takes it as {}).
    values = /^\s*$/.test(text.replace(/^\s*#.*$/gm, "")) ? {} : load(text);
  } catch (e) {
    throw new Error(`case ${name} (${file}): not valid YAML: ${(e as Error).message}`);
  }
  values ??= {};
  if (typeof values !== "object" || Array.isArray(values)) throw new Error(`case ${name} (${file}): values must be a mapping`);
  return { name, file, description: first.replace(/^#\s*/, ""), values: values as Record<string, unknown> };
}

/** Every case in `dir`, sorted by name, optionally filtered by name globs. */
export function discoverCases(dir: string = casesDir, globs: string[] = []): Case[] {
  const match = globMatcher(globs);
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => readCase(join(dir, f)))
    .filter((c) => match(c.name));
}

