// The README inside the packaged chart (what `helm show readme` and Artifact Hub display) stands on
// its own: `helm package` with each pinned Helm, the archive unpacked, and every link and image of
// its README.md checked (scripts/lib/chart-readme.ts chartReadmeProblems), no npm command in it.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { execa } from "execa";
import { load } from "js-yaml";
import { afterAll, describe, expect, test } from "vitest";
import { chartReadme, chartReadmeContext, chartReadmeProblems, externalSites, markdownLinks, setHome } from "../../scripts/lib/chart-readme.ts";
import { helms, runHelm, type Helm } from "../../scripts/lib/helm.ts";
import { chartDir, readmePath } from "../../scripts/lib/paths.ts";

const HELMS = await helms();
const work = mkdtempSync(join(tmpdir(), "chart-readme-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Unpacked {
  readme: string;
  home: string;
  files: Set<string>;
}

/** `helm package` of `chart`, unpacked: the README.md, Chart.yaml's home and the files inside. */
async function packaged(helm: Helm, chart: string): Promise<Unpacked> {
  const dest = mkdtempSync(join(work, `${helm.id}-`));
  const r = await runHelm(helm, ["package", chart, "--destination", dest]);
  expect(r.ok, r.all).toBe(true);
  const [tgz] = readdirSync(dest).filter((f) => f.endsWith(".tgz"));
  await execa("tar", ["-xzf", join(dest, tgz), "-C", dest]);
  const root = join(dest, "dd-otel-host-profiler");
  const files = new Set<string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.add(relative(root, path));
    }
  };
  walk(root);
  const home = String((load(readFileSync(join(root, "Chart.yaml"), "utf8")) as { home: unknown }).home);
  return { readme: readFileSync(join(root, "README.md"), "utf8"), home, files };
}

describe.each(HELMS.map((h) => [h.id, h] as const))("%s: the packaged README", (_id, helm) => {
  test("links only inside the package or to http(s) URLs under Chart.yaml home or a known site, and holds no npm command", async () => {
    const p = await packaged(helm, chartDir);
    expect(p.files.has("README.md")).toBe(true);
    expect(p.home, "Chart.yaml home is this chart's repository, not the profiler's").not.toContain("DataDog/dd-otel-host-profiler");
    const links = markdownLinks(p.readme);
    expect(links.length, "links found in the packaged README").toBeGreaterThan(20);
    expect(links.some((l) => l.target.startsWith(`${p.home}/blob/`)), "links into the chart's repository").toBe(true);
    expect(chartReadmeProblems(p.readme, { files: p.files, home: p.home })).toEqual([]);
    expect(p.readme).not.toMatch(/\]\((\.\.\/|docs\/|examples\/)/);
    expect(links.map((l) => l.target), "a link to a file of the package stays relative").toContain("values.yaml");
  });

  test("bites: a README linking out of the package, to a missing file, to a stray site or to no heading, or telling users to run npm, fails naming each", async () => {
    const copy = join(work, `bite-${helm.id}`);
    cpSync(chartDir, copy, { recursive: true });
    writeFileSync(
      join(copy, "README.md"),
      [
        "# Chart",
        "",
        "See [the toolkit](../docs/toolkit.md), [an example](examples/defaults/values.yaml) and ![a logo](logo.png).",
        "The [values](values.yaml), the [schema](values.schema.json#top) and [Prerequisites](#prerequisites).",
        "[elsewhere](https://example.com/x), [mail](mailto:a@b.c), [upstream](https://github.com/DataDog/dd-otel-host-profiler).",
        "",
        "```sh",
        "npm ci",
        "```",
        "",
      ].join("\n"),
    );
    const p = await packaged(helm, copy);
    const problems = chartReadmeProblems(p.readme, { files: p.files, home: p.home });
    expect(problems).toEqual([
      'line 3: link "../docs/toolkit.md" leaves the package',
      'line 3: link "examples/defaults/values.yaml" is not a file of the package',
      'line 3: image "logo.png" is not a file of the package',
      'line 4: link "#prerequisites" names no heading of the README',
      `line 5: link "https://example.com/x" goes to neither the chart's repository (${p.home}) nor a known site (${externalSites.join(", ")})`,
      'line 5: link "mailto:a@b.c" is not an http(s) URL',
      "line 8: an npm command, for maintainers, not chart users: npm ci",
    ]);
  });
});

test("the release's --home fills Chart.yaml home and sources[0] and the install commands' placeholders, from one value", () => {
  const copy = join(work, "home");
  cpSync(chartDir, copy, { recursive: true });
  setHome(copy, "https://github.com/Acme/host-profiler-chart");
  const meta = load(readFileSync(join(copy, "Chart.yaml"), "utf8")) as { home: string; sources: string[] };
  expect(meta.home).toBe("https://github.com/Acme/host-profiler-chart");
  expect(meta.sources).toEqual(["https://github.com/Acme/host-profiler-chart", "https://github.com/DataDog/dd-otel-host-profiler"]);
  const c = chartReadmeContext(copy);
  const readme = chartReadme(readFileSync(readmePath, "utf8"), c);
  expect(readme).toContain("helm repo add dd-host-profiler https://acme.github.io/host-profiler-chart");
  expect(readme).toContain("oci://ghcr.io/acme/charts/dd-otel-host-profiler");
  expect(readme).toContain(`](https://github.com/Acme/host-profiler-chart/blob/${c.ref}/docs/testing.md)`);
  expect(readme).not.toContain("<owner>");
  expect(() => setHome(copy, "https://example.com/x")).toThrow(/not https:\/\/github.com/);
});
