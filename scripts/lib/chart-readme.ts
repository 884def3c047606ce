// The packaged chart's README (chart/README.md): what `helm show readme` and Artifact Hub display.
// It is generated from the repository README.md (scripts/generate.ts calls chartReadme) and must
// stand on its own, for chart users only:
//   - every link and image resolves inside the package, or is an absolute URL: a link to a file the
//     package holds (chart/values.yaml) becomes relative to the package root (values.yaml), any other
//     repository path becomes <home>/blob/<tag>/<path> (a folder: <home>/tree/<tag>/<path>), where
//     <home> is Chart.yaml `home` (the one place the repository's URL is written) and <tag> is the
//     release tag of this chart version (v<version>, which the release workflow pushes), so a
//     packaged README links to the files of the release it came from;
//   - parts for maintainers are cut out where README.md marks them:
//       <!-- chart-readme:omit -->              ... <!-- chart-readme:end -->   dropped
//       <!-- chart-readme:replace <text> -->   ... <!-- chart-readme:end -->   replaced by <text>
//     (<text> is README markdown like the rest: its relative links are made absolute the same way),
//     and everything from "## For maintainers" on is replaced by one line pointing at the repository;
//   - the placeholders of the install commands (https://<owner>.github.io/<repo>,
//     oci://ghcr.io/<owner>/...) are filled from `home` once it names a real repository.
// chartReadmeProblems() is the check the README is held to, on the packaged archive itself
// (test/publish/chart-readme.test.ts); chartReadme() refuses to generate a README that fails it.
//
// `home` while the repository's address is not written down: https://github.com/<owner>/<repo>
// (PLACEHOLDER_HOME), the same placeholders as the install commands. The release workflow fills it,
// before it packages, with
//   node scripts/lib/chart-readme.ts --home "https://github.com/${GITHUB_REPOSITORY}"
// which writes `home` and the first `sources` entry of chart/Chart.yaml and regenerates chart/README.md.
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, posix } from "node:path";
import { parseArgs } from "node:util";
import { load } from "js-yaml";
import { chartFiles } from "./chart-files.ts";
import { chartDir, repoRoot } from "./paths.ts";

/** `home` until the release workflow writes the repository's own address (see the header). */
export const PLACEHOLDER_HOME = "https://github.com/<owner>/<repo>";
const GITHUB_REPO = /^https:\/\/github\.com\/([^/\s]+)\/([^/\s]+?)\/?$/;

/** Sites a packaged README may link to besides the chart's own repository. */
export const externalSites = [
  "https://github.com/DataDog/",
  "https://github.com/open-telemetry/",
  "https://docs.datadoghq.com/",
  "https://helm.sh/",
  "https://kubernetes.io/",
  "https://artifacthub.io/",
];

export interface ChartReadmeContext {
  /** Chart.yaml `home`: the chart repository's URL (https://github.com/<owner>/<repo>). */
  home: string;
  /** The git ref links point at: the release tag, v<chart version>. */
  ref: string;
  /** Files of the package, relative to its root ("values.yaml", "templates/daemonset.yaml", ...). */
  packageFiles: Set<string>;
  /** Repository root, to tell files from folders and to refuse links to nothing. */
  root: string;
}

export function chartReadmeContext(chart = chartDir, root = repoRoot): ChartReadmeContext {
  const meta = load(readFileSync(join(chart, "Chart.yaml"), "utf8")) as { home?: unknown; version?: unknown };
  const home = String(meta.home ?? "");
  if (!GITHUB_REPO.test(home)) throw new Error(`chart/Chart.yaml home "${home}" is not a GitHub repository URL (https://github.com/<owner>/<repo>): the chart README's links are built from it`);
  return { home: home.replace(/\/$/, ""), ref: `v${String(meta.version)}`, packageFiles: new Set(chartFiles(chart)), root };
}

const MAINTAINERS = "\n## For maintainers";
const MARKER = /<!-- chart-readme:(omit|replace)([\s\S]*?)-->([\s\S]*?)<!-- chart-readme:end -->\n?/g;

/** README.md with the marked maintainer parts cut out or replaced, and the maintainers' section replaced. */
export function userParts(readme: string): string {
  const cut = readme.indexOf(MAINTAINERS);
  if (cut < 0) throw new Error('README.md lacks the "## For maintainers" heading that ends the chart README');
  const marked = readme.slice(0, cut).replace(MARKER, (_all, kind: string, replacement: string) => (kind === "omit" ? "" : `${replacement.trim()}\n`));
  const stray = /<!-- chart-readme:[a-z]+/.exec(marked);
  if (stray) throw new Error(`README.md: "${stray[0]}" has no matching <!-- chart-readme:end --> (or is unknown: omit, replace)`);
  // README.md's other comments are for its own tools (the generated tables' bounds, the checkov counts).
  const text = marked.replace(/^[ \t]*<!--[\s\S]*?-->[ \t]*\n/gm, "").replace(/[ \t]*<!--[\s\S]*?-->/g, "");
  return `${text.trimEnd()}\n\n## Source and tests\n\nThe chart's examples with their rendered manifests, the toolkit that tests it on every change, its test tiers and its release process are in [the chart's repository](.).\n`;
}

/** Markdown with code spans and fenced blocks blanked (same length), so links are looked for in prose only. */
function prose(md: string): string {
  const blank = (s: string) => s.replace(/[^\n]/g, " ");
  return md.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, blank).replace(/`[^`\n]+`/g, blank);
}

export interface Link {
  target: string;
  line: number;
  image: boolean;
}

// [text](target "title"), ![alt](target), [text](<target with spaces>); the target is group 2 or 3.
const INLINE = /(!?)\[(?:[^\[\]\n]|\[[^\]\n]*\])*\]\(\s*(?:<([^>\n]*)>|([^)\s]*))(?:\s+"[^"]*")?\s*\)/g;
const REFERENCE = /^ {0,3}\[[^\]\n]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm;
const HTML = /<(a|img)\b[^>]*?\b(href|src)\s*=\s*["']([^"']*)["']/gi;

/** Every link and image of a markdown text (inline, reference definitions, HTML a/img), outside code. */
export function markdownLinks(md: string): Link[] {
  const text = prose(md);
  const lineOf = (i: number) => text.slice(0, i).split("\n").length;
  const out: Link[] = [];
  for (const m of text.matchAll(INLINE)) out.push({ target: m[2] ?? m[3], line: lineOf(m.index), image: m[1] === "!" });
  for (const m of text.matchAll(REFERENCE)) out.push({ target: m[1], line: lineOf(m.index), image: false });
  for (const m of text.matchAll(HTML)) out.push({ target: m[3], line: lineOf(m.index), image: m[1].toLowerCase() === "img" });
  return out.sort((a, b) => a.line - b.line);
}

/** GitHub's heading anchors (what Artifact Hub follows too): lowercase, punctuation dropped, spaces to "-". */
export function headingAnchors(md: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of prose(md).matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm)) {
    const raw = md.slice(m.index, m.index + m[0].length).replace(/^#+\s*/, "").replace(/\s*#*\s*$/, "");
    const slug = raw.toLowerCase().replace(/[`*_~]/g, "").replace(/<[^>]+>/g, "").replace(/[^\p{L}\p{N}\s-]/gu, "").replace(/\s/g, "-");
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n ? `${slug}-${n}` : slug);
  }
  return anchors;
}

/** One relative link of README.md (relative to the repository root) as the packaged README needs it. */
function packagedTarget(target: string, c: ChartReadmeContext, anchors: Set<string>): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return target;
  const hash = target.indexOf("#");
  const path = hash < 0 ? target : target.slice(0, hash);
  const fragment = hash < 0 ? "" : target.slice(hash);
  if (path === "") return anchors.has(fragment.slice(1)) ? target : `${c.home}/blob/${c.ref}/README.md${fragment}`;
  const rel = posix.normalize(path.replace(/^\.\//, "")).replace(/\/$/, "");
  if (rel.startsWith("..") || rel.startsWith("/")) throw new Error(`README.md links to ${target}, outside the repository`);
  if (rel.startsWith("chart/") && c.packageFiles.has(rel.slice("chart/".length))) return `${rel.slice("chart/".length)}${fragment}`;
  if (rel === ".") return c.home;
  const full = join(c.root, rel);
  if (!existsSync(full)) throw new Error(`README.md links to ${target}, which does not exist`);
  return `${c.home}/${statSync(full).isDirectory() ? "tree" : "blob"}/${c.ref}/${rel}${fragment}`;
}

/** The chart README: README.md's parts for chart users, every link resolving inside the package or absolute. */
export function chartReadme(readme: string, c: ChartReadmeContext = chartReadmeContext()): string {
  const text = userParts(readme);
  const anchors = headingAnchors(text);
  const code = prose(text);
  // Rewrite only links that are in prose (code spans and blocks keep their text as written).
  let out = "";
  let last = 0;
  for (const m of code.matchAll(INLINE)) {
    const start = m.index + m[0].lastIndexOf("(");
    out += text.slice(last, start);
    const inner = text.slice(start, m.index + m[0].length);
    const target = m[2] ?? m[3];
    out += inner.replace(target, packagedTarget(target, c, anchors));
    last = m.index + m[0].length;
  }
  out += text.slice(last);
  const repo = GITHUB_REPO.exec(c.home);
  if (repo && c.home !== PLACEHOLDER_HOME) {
    out = out.replaceAll("https://<owner>.github.io/<repo>", `https://${repo[1].toLowerCase()}.github.io/${repo[2]}`).replaceAll("oci://ghcr.io/<owner>/", `oci://ghcr.io/${repo[1].toLowerCase()}/`);
  }
  const result = `<!-- Generated from the repository README.md by scripts/generate.ts (scripts/lib/chart-readme.ts): edit README.md, not this file. -->\n${out}`;
  const problems = chartReadmeProblems(result, { files: c.packageFiles, home: c.home });
  if (problems.length) throw new Error(`the chart README would not stand on its own:\n${problems.map((p) => `  ${p}`).join("\n")}\nMark maintainer-only parts of README.md with <!-- chart-readme:omit --> ... <!-- chart-readme:end --> (scripts/lib/chart-readme.ts).`);
  return result;
}

export interface ReadmeCheck {
  /** Files of the package, relative to its root. */
  files: Set<string>;
  /** Chart.yaml `home`: absolute links must be under it or under one of `external`. */
  home: string;
  external?: string[];
}

/**
 * What keeps a packaged README from standing on its own, one line per problem naming the link or
 * the line: a relative link or image to a file the package lacks (or leaving it), an anchor to no
 * heading, an absolute link that is not http(s) or goes to neither the chart's repository nor a known
 * site, and any npm command (a chart user has no npm project).
 */
export function chartReadmeProblems(md: string, o: ReadmeCheck): string[] {
  const problems: string[] = [];
  const anchors = headingAnchors(md);
  const allowed = [`${o.home}/`, ...(o.external ?? externalSites)];
  for (const l of markdownLinks(md)) {
    const what = `line ${l.line}: ${l.image ? "image" : "link"} ${JSON.stringify(l.target)}`;
    if (l.target === "") problems.push(`${what} is empty`);
    else if (/^[a-z][a-z0-9+.-]*:/i.test(l.target)) {
      if (!/^https?:\/\//i.test(l.target)) problems.push(`${what} is not an http(s) URL`);
      else if (l.target !== o.home && !allowed.some((a) => l.target.startsWith(a))) problems.push(`${what} goes to neither the chart's repository (${o.home}) nor a known site (${allowed.slice(1).join(", ")})`);
    } else if (l.target.startsWith("#")) {
      if (!anchors.has(l.target.slice(1))) problems.push(`${what} names no heading of the README`);
    } else {
      const path = l.target.split("#")[0];
      const rel = posix.normalize(path);
      if (rel.startsWith("..") || rel.startsWith("/")) problems.push(`${what} leaves the package`);
      else if (!o.files.has(rel)) problems.push(`${what} is not a file of the package`);
    }
  }
  md.split("\n").forEach((line, i) => {
    if (/(^|[\s`$(;&|])npm\s+(run|ci|test|install|i|exec|start)\b/.test(line)) problems.push(`line ${i + 1}: an npm command, for maintainers, not chart users: ${line.trim()}`);
  });
  return problems;
}

/** Writes `home` and the first `sources` entry of Chart.yaml (nothing else of it). */
export function setHome(chart: string, home: string): void {
  if (!GITHUB_REPO.test(home)) throw new Error(`--home ${home} is not https://github.com/<owner>/<repo>`);
  const path = join(chart, "Chart.yaml");
  const text = readFileSync(path, "utf8");
  const next = text.replace(/^home: .*$/m, `home: ${home}`).replace(/^(sources:\n {2}- ).*$/m, `$1${home}`);
  if (!/^home: /m.test(text) || !/^sources:\n {2}- /m.test(text)) throw new Error(`${path}: no "home:" line or no "sources:" list to write ${home} into`);
  writeFileSync(path, next);
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { home: { type: "string" } } });
  if (!values.home) {
    console.error("usage: node scripts/lib/chart-readme.ts --home https://github.com/<owner>/<repo>");
    process.exit(2);
  }
  try {
    setHome(chartDir, values.home);
    const { chartReadmePath, generatedFiles } = await import("../generate.ts");
    writeFileSync(chartReadmePath, (await generatedFiles()).get(chartReadmePath)!);
    console.log(`chart/Chart.yaml home and sources[0]: ${values.home}; chart/README.md regenerated (links to ${values.home}/blob/${chartReadmeContext().ref}/...)`);
  } catch (e) {
    console.error(`chart-readme: ${(e as Error).message}`);
    process.exit(1);
  }
}
