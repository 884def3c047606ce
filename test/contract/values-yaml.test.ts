// chart/values.yaml is written by hand for people; the contract is written for machines. These
// tests hold them together: same defaults, key for key, and the same description on every key.
import { readFileSync } from "node:fs";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { defaultsOf, nodeAt, walk } from "../../scripts/contract/dsl.ts";
import { contract } from "../../scripts/contract/values.ts";
import { chartValuesPath } from "../../scripts/lib/paths.ts";

const text = readFileSync(chartValuesPath, "utf8");

interface KeyLine {
  path: string[];
  line: number;
  comment?: string;
}

/** Every mapping key of values.yaml with its path and the `# --` comment right above it. */
export function keyLines(yamlText: string): KeyLine[] {
  const lines = yamlText.split("\n");
  const stack: { indent: number; key: string }[] = [];
  const out: KeyLine[] = [];
  lines.forEach((line, i) => {
    const m = /^(\s*)([A-Za-z0-9_./-]+):/.exec(line);
    if (!m) return;
    const indent = m[1].length;
    while (stack.length && stack.at(-1)!.indent >= indent) stack.pop();
    stack.push({ indent, key: m[2] });
    const above = lines[i - 1]?.trim() ?? "";
    out.push({ path: stack.map((s) => s.key), line: i + 1, comment: above.startsWith("# -- ") ? above.slice(5) : undefined });
  });
  return out;
}

describe("chart/values.yaml against the contract", () => {
  it("holds exactly the contract's defaults", () => {
    expect(load(text)).toEqual(defaultsOf(contract));
  });

  it("documents every field with the contract's description, and has no key the contract lacks", () => {
    const problems: string[] = [];
    for (const { path, line, comment } of keyLines(text)) {
      // Keys inside a field's value (e.g. resources.requests.cpu) belong to that value, not the contract.
      const owner = path.findIndex((_, i) => nodeAt(contract, path.slice(0, i + 1))?.kind === "field");
      if (owner >= 0 && owner < path.length - 1) continue;
      const node = nodeAt(contract, path);
      if (!node) problems.push(`line ${line}: ${path.join(".")} is not in scripts/contract/values.ts`);
      else if (node.kind === "field" && comment !== node.description) {
        problems.push(`line ${line}: ${path.join(".")} needs the comment "# -- ${node.description}" (found ${comment === undefined ? "none" : `"${comment}"`})`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("lists every contract field (but Helm's schema-only keys)", () => {
    const inFile = new Set(keyLines(text).map((k) => k.path.join(".")));
    const missing = [...walk(contract)]
      .filter(({ node, path }) => node.kind === "field" && !node.schemaOnly && !inFile.has(path.join(".")))
      .map(({ path }) => path.join("."));
    expect(missing).toEqual([]);
  });

  it("the key scanner finds misplaced and undocumented keys (so the checks above can fail)", () => {
    const lines = keyLines("image:\n  # -- Wrong words.\n  tag: x\n  extra: 1\n");
    expect(lines.map((l) => [l.path.join("."), l.comment])).toEqual([
      ["image", undefined],
      ["image.tag", "Wrong words."],
      ["image.extra", undefined],
    ]);
  });
});
