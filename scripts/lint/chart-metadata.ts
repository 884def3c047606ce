// Chart.yaml as chart CI judges it: required fields, the default image tag against appVersion, the
// Artifact Hub annotations (each a YAML document inside a string), and the CHANGELOG.md section of
// the current version against the artifacthub.io/changes annotation.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import type { Problem } from "./report.ts";
import { parseSemver } from "./semver.ts";

const CHART = "chart/Chart.yaml";
const VALUES = "chart/values.yaml";
const CHANGELOG = "CHANGELOG.md";

export const changeKinds = ["added", "changed", "deprecated", "removed", "fixed", "security"] as const;
const categories = ["ai-machine-learning", "database", "integration-delivery", "monitoring-logging", "networking", "security", "storage", "streaming-messaging", "skip-prediction"];
/** An SPDX expression's shape: identifiers (e.g. Apache-2.0, LicenseRef-x) joined by AND/OR/WITH. */
const SPDX = /^\(?[A-Za-z0-9][A-Za-z0-9.+-]*\)?(\s+(AND|OR|WITH)\s+\(?[A-Za-z0-9][A-Za-z0-9.+-]*\)?)*$/;
const HTTPS_URL = /^https:\/\/[^\s/]+(\/\S*)?$/;

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === "object" && v !== null && !Array.isArray(v);
const nonEmptyString = (v: unknown): v is string => typeof v === "string" && v.trim() !== "";

export interface Change {
  kind: string;
  description: string;
}

/** Reads a YAML file; a parse error becomes a problem instead of a crash. */
function readYaml(root: string, file: string, rule: string, problems: Problem[]): unknown {
  const path = join(root, file);
  if (!existsSync(path)) {
    problems.push({ rule, file, message: "file is missing" });
    return undefined;
  }
  try {
    return load(readFileSync(path, "utf8"));
  } catch (e) {
    problems.push({ rule, file, message: `not valid YAML: ${(e as Error).message.split("\n")[0]}` });
    return undefined;
  }
}

/** Records a problem, in Chart.yaml unless another file is named. */
type Report = (rule: string, message: string, file?: string) => void;

/** The rules of Chart.yaml's own fields, run in this order (the order of the problems). */
const chartYamlRules: ((chart: Dict, p: Report) => void)[] = [
  requiredFields,
  apiVersionIsV2,
  versionIsSemver,
  homeIsHttps,
  sourcesAreHttps,
  maintainersHaveNames,
  typeIsKnown,
  appVersionHasNoV,
];

/** What the rules of the plain-string Artifact Hub annotations read. */
interface AnnotationScope {
  chart: Dict;
  annotations: Dict;
  /** artifacthub.io/changes as read (undefined when missing or not a list). */
  changes: Change[] | undefined;
}

/** The rules of the plain-string Artifact Hub annotations, run in this order. */
const annotationRules: ((s: AnnotationScope, p: Report) => void)[] = [licenseIsSpdx, categoryIsKnown, flagsAreBooleanStrings, securityChangesFlagged, prereleaseMatchesVersion];

export function checkChartMetadata(root: string): Problem[] {
  const problems: Problem[] = [];
  const chart = readYaml(root, CHART, "chart-yaml/parse", problems);
  if (!isDict(chart)) {
    if (chart !== undefined) problems.push({ rule: "chart-yaml/parse", file: CHART, message: "is not a mapping" });
    return problems;
  }
  const p: Report = (rule, message, file = CHART) => problems.push({ rule, file, message });
  for (const rule of chartYamlRules) rule(chart, p);

  const appVersion = nonEmptyString(chart.appVersion) ? String(chart.appVersion) : undefined;
  // The default image: values.yaml image.tag, where empty means "v" + appVersion (templates/_helpers.tpl).
  const values = readYaml(root, VALUES, "app-version/values", problems);
  const image = isDict(values) && isDict(values.image) ? values.image : undefined;
  defaultTagIsAppVersion(image, appVersion, p);

  const annotations = isDict(chart.annotations) ? chart.annotations : {};
  const annotation = annotationReader(annotations, p);
  checkImagesAnnotation(annotation("artifacthub.io/images"), image, appVersion, p);
  checkLinksAnnotation(annotation("artifacthub.io/links"), p);
  const changes = readChangesAnnotation(annotation("artifacthub.io/changes"), p);
  for (const rule of annotationRules) rule({ chart, annotations, changes }, p);

  if (nonEmptyString(chart.version)) problems.push(...checkChangelog(root, chart.version, changes));
  return problems;
}

// Chart.yaml's fields.

function requiredFields(chart: Dict, p: Report): void {
  for (const field of ["apiVersion", "name", "version", "description", "kubeVersion", "appVersion", "home"]) {
    if (!nonEmptyString(chart[field])) p("chart-yaml/required", `${field} is missing or empty (chart CI requires it)`);
  }
}

function apiVersionIsV2(chart: Dict, p: Report): void {
  if (chart.apiVersion !== undefined && chart.apiVersion !== "v2") p("chart-yaml/api-version", `apiVersion is "${String(chart.apiVersion)}"; must be v2`);
}

function versionIsSemver(chart: Dict, p: Report): void {
  if (nonEmptyString(chart.version) && !parseSemver(chart.version)) p("chart-yaml/semver", `version "${chart.version}" is not SemVer 2 (MAJOR.MINOR.PATCH, no leading v)`);
}

function homeIsHttps(chart: Dict, p: Report): void {
  if (nonEmptyString(chart.home) && !HTTPS_URL.test(chart.home)) p("chart-yaml/urls", `home "${chart.home}" is not an https:// URL`);
}

function sourcesAreHttps(chart: Dict, p: Report): void {
  if (!Array.isArray(chart.sources) || chart.sources.length === 0) p("chart-yaml/required", "sources is missing or empty (chart CI requires at least one source URL)");
  else chart.sources.forEach((s, i) => { if (!nonEmptyString(s) || !HTTPS_URL.test(s)) p("chart-yaml/urls", `sources[${i}] "${String(s)}" is not an https:// URL`); });
}

function maintainersHaveNames(chart: Dict, p: Report): void {
  if (!Array.isArray(chart.maintainers) || chart.maintainers.length === 0) p("chart-yaml/required", "maintainers is missing or empty (chart CI requires at least one, with a name)");
  else chart.maintainers.forEach((m, i) => {
    if (!isDict(m) || !nonEmptyString(m.name)) p("chart-yaml/maintainers", `maintainers[${i}] has no name`);
    else if (m.email !== undefined && !(typeof m.email === "string" && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(m.email))) p("chart-yaml/maintainers", `maintainers[${i}].email "${String(m.email)}" is not an e-mail address`);
  });
}

function typeIsKnown(chart: Dict, p: Report): void {
  if (chart.type !== undefined && chart.type !== "application" && chart.type !== "library") p("chart-yaml/type", `type "${String(chart.type)}" must be application or library`);
}

function appVersionHasNoV(chart: Dict, p: Report): void {
  const appVersion = nonEmptyString(chart.appVersion) ? String(chart.appVersion) : undefined;
  if (appVersion?.startsWith("v")) p("app-version/format", `appVersion "${appVersion}" starts with "v": the image tag adds the v (tag = "v" + appVersion)`);
}

// The default image against appVersion.

function defaultTagIsAppVersion(image: Dict | undefined, appVersion: string | undefined, p: Report): void {
  if (!appVersion) return;
  const expected = `v${appVersion}`;
  const tag = image?.tag;
  if (tag !== undefined && tag !== "" && tag !== null && String(tag) !== expected) {
    p("app-version/image-tag", `image.tag default is "${String(tag)}" but appVersion is "${appVersion}": the default tag must be "${expected}" (or empty, which means "${expected}")`, VALUES);
  }
}

// The Artifact Hub annotations.

/** An annotation's YAML document, parsed; undefined (and a problem, unless it is absent) when there is none. */
function annotationReader(annotations: Dict, p: Report): (key: string) => unknown {
  return (key) => {
    const text = annotations[key];
    if (text === undefined) return undefined;
    if (typeof text !== "string") {
      p("artifacthub/annotation", `annotations["${key}"] must be a string (a YAML document inside a string)`);
      return undefined;
    }
    try {
      return load(text);
    } catch (e) {
      p("artifacthub/annotation", `annotations["${key}"] is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
      return undefined;
    }
  };
}

/** artifacthub.io/images: [{name, image, whitelisted?, platforms?}], and the default image among them. */
function checkImagesAnnotation(images: unknown, image: Dict | undefined, appVersion: string | undefined, p: Report): void {
  if (images === undefined) return p("artifacthub/images", "annotation artifacthub.io/images is missing: Artifact Hub then lists no image (and scans none)");
  if (!Array.isArray(images)) return p("artifacthub/images", "artifacthub.io/images must be a list of {name, image}");
  images.forEach((im, i) => {
    if (!isDict(im) || !nonEmptyString(im.name) || !nonEmptyString(im.image)) p("artifacthub/images", `artifacthub.io/images[${i}] needs a name and an image`);
    else if (im.platforms !== undefined && !(Array.isArray(im.platforms) && im.platforms.every((x) => typeof x === "string" && /^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/.test(x)))) p("artifacthub/images", `artifacthub.io/images[${i}].platforms must be a list like [linux/amd64]`);
  });
  const repository = nonEmptyString(image?.repository) ? image.repository : undefined;
  if (!repository || !appVersion) return;
  const listed = images.filter((im): im is Dict => isDict(im) && typeof im.image === "string" && im.image.replace(/@sha256:[0-9a-f]+$/, "").replace(/:[^:/]+$/, "") === repository);
  if (listed.length === 0) p("app-version/artifacthub-image", `artifacthub.io/images lists no image of ${repository} (the default image.repository)`);
  for (const im of listed) {
    const ref = String(im.image).replace(/@sha256:[0-9a-f]+$/, "");
    const tag = ref.slice(repository.length + 1);
    if (tag !== `v${appVersion}`) p("app-version/artifacthub-image", `artifacthub.io/images lists ${String(im.image)} but appVersion is "${appVersion}": its tag must be "v${appVersion}"`);
  }
}

function checkLinksAnnotation(links: unknown, p: Report): void {
  if (links === undefined) return;
  if (!Array.isArray(links)) return p("artifacthub/links", "artifacthub.io/links must be a list of {name, url}");
  links.forEach((l, i) => {
    if (!isDict(l) || !nonEmptyString(l.name) || !nonEmptyString(l.url)) p("artifacthub/links", `artifacthub.io/links[${i}] needs a name and a url`);
    else if (!HTTPS_URL.test(l.url)) p("artifacthub/links", `artifacthub.io/links[${i}].url "${l.url}" is not an https:// URL`);
  });
}

function licenseIsSpdx({ annotations }: AnnotationScope, p: Report): void {
  const license = annotations["artifacthub.io/license"];
  if (license === undefined) p("artifacthub/license", "annotation artifacthub.io/license is missing");
  else if (typeof license !== "string" || !SPDX.test(license.trim())) p("artifacthub/license", `artifacthub.io/license "${String(license)}" does not look like an SPDX expression (e.g. Apache-2.0)`);
}

function categoryIsKnown({ annotations }: AnnotationScope, p: Report): void {
  const category = annotations["artifacthub.io/category"];
  if (category !== undefined && !categories.includes(String(category))) p("artifacthub/category", `artifacthub.io/category "${String(category)}" is not one of ${categories.join(", ")}`);
}

function flagsAreBooleanStrings({ annotations }: AnnotationScope, p: Report): void {
  for (const flag of ["artifacthub.io/containsSecurityUpdates", "artifacthub.io/prerelease"]) {
    const v = annotations[flag];
    if (v !== undefined && v !== "true" && v !== "false") p("artifacthub/flags", `${flag} must be the string "true" or "false", not ${JSON.stringify(v)}`);
  }
}

function securityChangesFlagged({ annotations, changes }: AnnotationScope, p: Report): void {
  if (changes?.some((c) => c.kind === "security") && annotations["artifacthub.io/containsSecurityUpdates"] !== "true") {
    p("artifacthub/flags", 'artifacthub.io/changes has a "security" entry, so artifacthub.io/containsSecurityUpdates must be "true"');
  }
}

function prereleaseMatchesVersion({ chart, annotations }: AnnotationScope, p: Report): void {
  const version = nonEmptyString(chart.version) ? parseSemver(chart.version) : undefined;
  const prerelease = annotations["artifacthub.io/prerelease"];
  if (version && prerelease !== undefined && (prerelease === "true") !== version.prerelease.length > 0) {
    p("artifacthub/flags", `artifacthub.io/prerelease is "${String(prerelease)}" but version ${String(chart.version)} ${version.prerelease.length ? "is" : "is not"} a prerelease`);
  }
}

function readChangesAnnotation(changes: unknown, p: Report): Change[] | undefined {
  if (changes === undefined) {
    p("artifacthub/changes", "annotation artifacthub.io/changes is missing: it is the release note of this version");
    return undefined;
  }
  if (!Array.isArray(changes) || changes.length === 0) {
    p("artifacthub/changes", "artifacthub.io/changes must be a non-empty list of {kind, description}");
    return undefined;
  }
  const out: Change[] = [];
  changes.forEach((c, i) => {
    if (!isDict(c) || !nonEmptyString(c.kind) || !nonEmptyString(c.description)) {
      p("artifacthub/changes", `artifacthub.io/changes[${i}] needs a kind and a description`);
    } else if (!(changeKinds as readonly string[]).includes(c.kind)) {
      p("artifacthub/changes", `artifacthub.io/changes[${i}].kind "${c.kind}" is not one of ${changeKinds.join(", ")}`);
    } else {
      if (c.links !== undefined && !(Array.isArray(c.links) && c.links.every((l) => isDict(l) && nonEmptyString(l.name) && nonEmptyString(l.url)))) {
        p("artifacthub/changes", `artifacthub.io/changes[${i}].links must be a list of {name, url}`);
      }
      out.push({ kind: c.kind, description: c.description.trim().replace(/\s+/g, " ") });
    }
  });
  return out;
}

/**
 * CHANGELOG.md sections: "## <version>" (optionally "## [<version>] - <date>"), then "### Added",
 * "### Fixed", ... (Keep a Changelog headings, one per Artifact Hub kind), then "- " bullets; a
 * bullet may wrap onto indented lines.
 */
export function parseChangelog(text: string): Map<string, Change[]> {
  const sections = new Map<string, Change[]>();
  let current: Change[] | undefined;
  let kind: string | undefined;
  let last: Change | undefined;
  for (const line of text.split("\n")) {
    const version = /^##\s+\[?v?([0-9][^\]\s]*)\]?/.exec(line);
    if (version) {
      current = [];
      sections.set(version[1], current);
      kind = undefined;
      last = undefined;
      continue;
    }
    if (/^##\s/.test(line)) {
      current = undefined;
      continue;
    }
    const heading = /^###\s+(\w+)/.exec(line);
    if (heading) {
      kind = heading[1].toLowerCase();
      last = undefined;
      continue;
    }
    if (!current) continue;
    const bullet = /^[-*]\s+(.*)$/.exec(line);
    if (bullet) {
      last = { kind: kind ?? "(no ### heading)", description: bullet[1].trim() };
      current.push(last);
    } else if (last && /^\s+\S/.test(line)) {
      last.description = `${last.description} ${line.trim()}`;
    } else if (line.trim() === "") {
      last = undefined;
    }
  }
  return sections;
}

function checkChangelog(root: string, version: string, changes: Change[] | undefined): Problem[] {
  const path = join(root, CHANGELOG);
  const rule = "changelog";
  if (!existsSync(path)) return [{ rule, file: CHANGELOG, message: `is missing: it needs a "## ${version}" section matching artifacthub.io/changes` }];
  const section = parseChangelog(readFileSync(path, "utf8")).get(version);
  if (!section) return [{ rule, file: CHANGELOG, message: `has no "## ${version}" section for the chart's current version (chart/Chart.yaml)` }];
  const problems: Problem[] = [];
  for (const c of section) {
    if (!(changeKinds as readonly string[]).includes(c.kind)) problems.push({ rule, file: CHANGELOG, message: `section ${version}: "${c.description}" is under "### ${c.kind}"; headings must be one of ${changeKinds.map((k) => k[0].toUpperCase() + k.slice(1)).join(", ")}` });
  }
  if (!changes) return problems;
  const key = (c: Change) => `${c.kind}: ${c.description.replace(/\s+/g, " ").trim()}`;
  const inLog = new Set(section.map(key));
  const inAnnotation = new Set(changes.map(key));
  for (const k of inAnnotation) if (!inLog.has(k)) problems.push({ rule, file: CHANGELOG, message: `section ${version} lacks the artifacthub.io/changes entry "${k}" (chart/Chart.yaml): the two must list the same changes` });
  for (const k of inLog) if (!inAnnotation.has(k)) problems.push({ rule, file: CHART, message: `artifacthub.io/changes lacks the CHANGELOG.md ${version} entry "${k}": the two must list the same changes` });
  return problems;
}
