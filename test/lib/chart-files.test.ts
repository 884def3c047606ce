// The files of a chart as Helm loads them: Helm's ignore rules ported rule for rule, and the result
// held against what `helm package` of Helm 3 and Helm 4 puts in the archive.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gunzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { chartFiles, copyChartFiles, goGlobToRegExp, isIgnored, parseIgnoreRule, type IgnoreRule } from "../../scripts/lib/chart-files.ts";
import { helms, runHelm } from "../../scripts/lib/helm.ts";
import { fixtureChart } from "../fixtures/fixture-charts.ts";

const rules = (...lines: string[]): IgnoreRule[] => lines.map((l) => parseIgnoreRule(l)!);

describe("Helm's ignore rules", () => {
  /** [rules, path, is a directory, ignored] */
  const table: [string[], string, boolean, boolean][] = [
    [["*.bak"], "files/a.bak", false, true], // no "/" in the rule: the base name is matched
    [["*.bak"], "files/a.bak.txt", false, false],
    [["big/"], "big", true, true], // trailing "/": directories only
    [["big/"], "big", false, false],
    [["big/"], "files/big", true, true],
    [["docs/*.md"], "docs/a.md", false, true], // a "/" inside: the whole path, "*" never crosses "/"
    [["docs/*.md"], "x/docs/a.md", false, false],
    [["docs/*.md"], "docs/sub/a.md", false, false],
    [["/NOTES.txt"], "NOTES.txt", false, true], // anchored at the root
    [["/NOTES.txt"], "templates/NOTES.txt", false, false],
    [["?.txt"], "a.txt", false, true],
    [["?.txt"], "ab.txt", false, false],
    [["[ab].txt"], "b.txt", false, true],
    [["[^ab].txt"], "b.txt", false, false],
    [["[^ab].txt"], "c.txt", false, true],
    [["[a-c]x"], "bx", false, true],
    [["\\*.txt"], "*.txt", false, true],
    [["\\*.txt"], "a.txt", false, false],
    [["# a comment", "", "  "], "a", false, false],
    [["templates/.?*"], "templates/.scratch.yaml", false, true], // Helm's default rule
    [["templates/.?*"], "charts/x/templates/.scratch.yaml", false, false],
    // A negated rule ignores what it does NOT match and lets the rest go on: Helm's own semantics.
    [["!keep.txt"], "keep.txt", false, false],
    [["!keep.txt"], "other.txt", false, true],
    [["*.txt", "!keep.txt"], "keep.txt", false, true], // the first matching rule wins
    [["!dir/"], "file", false, true],
  ];
  it.each(table)("%j on %s (dir %s): ignored %s", (lines, path, dir, ignored) => {
    expect(isIgnored(rules(...lines).filter(Boolean), path, dir)).toBe(ignored);
  });

  it("refuses ** and broken patterns as Helm does", () => {
    expect(() => parseIgnoreRule("a/**/b")).toThrow(/double-star/);
    expect(() => goGlobToRegExp("[ab")).toThrow(/syntax error/);
  });
});

/** Paths inside a `helm package` archive, without the leading "<chart name>/". */
function archivePaths(tgz: string): string[] {
  const tar = gunzipSync(readFileSync(tgz));
  const out: string[] = [];
  let paxPath: string | undefined;
  for (let off = 0; off + 512 <= tar.length; ) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const str = (a: number, n: number): string => new TextDecoder().decode(header.subarray(a, a + n)).replace(/\0.*$/s, "");
    const size = parseInt(str(124, 12).trim() || "0", 8);
    const type = str(156, 1);
    const body = tar.subarray(off + 512, off + 512 + size);
    if (type === "x") paxPath = /\d+ path=([^\n]*)\n/.exec(new TextDecoder().decode(body))?.[1];
    else if (type === "0" || type === "") {
      const prefix = str(345, 155);
      out.push(paxPath ?? (prefix ? `${prefix}/${str(0, 100)}` : str(0, 100)));
      paxPath = undefined;
    }
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out.map((p) => p.slice(p.indexOf("/") + 1)).sort();
}

/** A chart exercising every kind of rule, plus files each rule must keep. */
function trickyChart(): string {
  const dir = join(mkdtempSync(join(tmpdir(), "chart-files-")), "tricky");
  const files: Record<string, string> = {
    "Chart.yaml": "apiVersion: v2\nname: tricky\nversion: 0.1.0\n",
    "values.yaml": "a: 1\n",
    ".helmignore": ["# comment", "*.bak", "big/", "docs/*.md", "/ROOT-ONLY.txt", "?.tmp", "[xy]-*.log", "tmp/", "secret\\*.txt", ""].join("\n"),
    "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
    "templates/.hidden.yaml": "not: loaded\n",
    "templates/_h.tpl": "{{/* kept */}}\n",
    "files/a.bak": "x",
    "files/a.conf": "x",
    "big/one.yaml": "x",
    "big/deep/two.yaml": "x",
    "docs/readme.md": "x",
    "docs/sub/kept.md": "x",
    "ROOT-ONLY.txt": "x",
    "files/ROOT-ONLY.txt": "kept: the rule is anchored",
    "a.tmp": "x",
    "ab.tmp": "kept",
    "x-1.log": "x",
    "z-1.log": "kept",
    "tmp": "a file named like a directory rule: kept",
    "cache/tmp/x": "x",
    "secret*.txt": "x",
    "secretA.txt": "kept",
    ".dotfile": "kept: only templates/ dotfiles are ignored by default",
    "charts/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
    "charts/sub/templates/.also-kept.yaml": "the default rule is anchored at the top chart\n",
    "charts/sub/notes.bak": "x",
  };
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  symlinkSync(join(dir, "files"), join(dir, "linked")); // followed, as Helm's walk does
  return dir;
}

describe("chartFiles", async () => {
  const chart = trickyChart();
  for (const helm of await helms()) {
    it(`${helm.id}: equals what \`helm package\` puts in the archive`, async () => {
      const out = mkdtempSync(join(tmpdir(), "chart-files-pkg-"));
      const r = await runHelm(helm, ["package", chart, "--destination", out]);
      expect(r.ok, r.stderr).toBe(true);
      const tgz = readdirSync(out).find((f) => f.endsWith(".tgz"))!;
      const packaged = archivePaths(join(out, tgz));
      expect(packaged.length).toBeGreaterThan(10);
      expect(chartFiles(chart)).toEqual(packaged);
    });
  }

  it("leaves out the files-reader fixture's ignored folder, cases, backups and template dotfiles", () => {
    const f = fixtureChart("files-reader");
    try {
      const files = chartFiles(f.chartDir);
      expect(readdirSync(join(f.chartDir, "big")).length).toBeGreaterThan(100);
      expect(files.filter((p) => /^(big|ci)\/|\.bak$|^NOTES-draft|templates\/\./.test(p))).toEqual([]);
      expect(files).toContain("files/app.conf");
      const copy = mkdtempSync(join(tmpdir(), "chart-files-copy-"));
      expect(copyChartFiles(f.chartDir, copy)).toEqual(files);
      expect(readdirSync(copy).sort()).toEqual([".helmignore", "Chart.yaml", "files", "templates", "values.yaml"]);
    } finally {
      f.cleanup();
    }
  });
});
