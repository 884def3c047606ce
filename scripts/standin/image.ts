// The node tier's images, made here because no registry can be reached: the profiler stand-in
// (scripts/standin/binary, a static Go program) with bash and busybox's tools (the chart's `helm test`
// pod runs bash, timeout, head and tr), packaged as an OCI image layout tar that `ctr images import`
// loads under any reference, e.g. the chart's default ghcr.io/datadog/dd-otel-host-profiler:v<appVersion>.
// Laid out as the release image is (scripts/profiler/startup.ts `image`): the binary at the same path,
// ENTRYPOINT the entrypoint script of the chosen version (written here from `entrypoints`), CMD the
// binary, and an `objcopy` on PATH where the release has binutils'.
// The pod sandbox ("pause") image is the same layer with the stand-in called as /pause.
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { tmpdir } from "node:os";
import { gzipSync } from "node:zlib";
import { execa } from "execa";
import { cacheRoot } from "../cluster/binaries.ts";
import { repoRoot } from "../lib/paths.ts";
import { entrypoints, image as releaseImage } from "../profiler/startup.ts";

/** The pod sandbox image: the stand-in called as /pause (no registry to pull the real one from). */
export const PAUSE_IMAGE = "localhost/dd-prof-node/pause:1";

export const standinDir = join(repoRoot, "scripts", "standin", "binary");

/** Static tools from Debian packages the image carries: bash-static and busybox-static. */
export const imageTools = { bash: "/bin/bash-static", busybox: "/bin/busybox" };
/** busybox applets linked into the image: what the helm test pod and a person debugging need. */
const applets = ["sh", "timeout", "head", "tr", "cat", "ls", "sleep", "id", "mount", "env", "grep"];

function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * Builds the stand-in once per source version into the cache (a content hash of its sources names
 * the file), with Go from PATH: the node tier already needs Go for the kubelet.
 */
export async function buildStandin(log: (l: string) => void = () => {}): Promise<string> {
  const sources = readdirSync(standinDir).filter((f) => /^go\.(mod|sum)$|\.go$/.test(f)).sort().map((f) => readFileSync(join(standinDir, f)));
  const out = join(dirname(cacheRoot()), "node", `standin-${sha256(Buffer.concat(sources)).slice(0, 16)}`);
  if (existsSync(out)) return out;
  mkdirSync(dirname(out), { recursive: true });
  const t0 = Date.now();
  const partial = `${out}.partial-${process.pid}`;
  const r = await execa("go", ["build", "-trimpath", "-ldflags", "-s -w", "-o", partial, "."], {
    cwd: standinDir,
    reject: false,
    env: { CGO_ENABLED: "0", GOFLAGS: "-mod=mod", GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? "auto" },
  });
  if (r.exitCode !== 0) throw new Error(`building the profiler stand-in failed (go build in ${standinDir}):\n${r.stderr}`);
  renameSync(partial, out);
  log(`built the profiler stand-in in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  return out;
}

export interface ImageSpec {
  /** Full reference, e.g. ghcr.io/datadog/dd-otel-host-profiler:v0.4.0. */
  ref: string;
  entrypoint: string[];
  cmd?: string[];
  env?: string[];
}

export type EntrypointVersion = keyof typeof entrypoints;

/** Where each version's entrypoint script lies in the layer; the release's own path for v0.4.0's. */
const entrypointPath: Record<EntrypointVersion, string> = { "v0.4.0": releaseImage.entrypoint[0], main: "/entrypoint-main.sh" };

/** The entrypoint script of `version`, from the table: `set -e`, mount when the test holds, exec. */
export function entrypointScript(version: EntrypointVersion): string {
  const e = entrypoints[version];
  return `#! /usr/bin/env sh\n# What dd-otel-host-profiler's docker/release/entrypoint.sh does at ${version} (scripts/profiler/startup.ts).\nset -e\nif ${e.test}; then\n    ${e.mount}\nfi\nexec "$@"\n`;
}

/** The profiler image under `ref`, as the release lays it out, with the entrypoint of `entrypoint`. */
export function profilerImage(ref: string, entrypoint: EntrypointVersion = "v0.4.0"): ImageSpec {
  const tag = ref.slice(ref.lastIndexOf(":") + 1);
  return { ref, entrypoint: [entrypointPath[entrypoint]], cmd: [...releaseImage.cmd], env: [`DD_STANDIN_VERSION=${tag.replace(/^v/, "")}`] };
}

/** The root filesystem shared by every image: the stand-in, /pause, bash, busybox and its applets. */
function writeRootfs(dir: string, standin: string): void {
  const put = (path: string, src: string, mode = 0o755) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    copyFileSync(src, join(dir, path));
    chmodSync(join(dir, path), mode);
  };
  put(releaseImage.binary.slice(1), standin);
  for (const v of Object.keys(entrypoints) as EntrypointVersion[]) {
    writeFileSync(join(dir, entrypointPath[v].slice(1)), entrypointScript(v), { mode: 0o755 });
  }
  // binutils' objcopy in the release image; the symbol uploader only runs `objcopy --version` at start-up.
  mkdirSync(join(dir, "usr", "bin"), { recursive: true });
  writeFileSync(join(dir, "usr", "bin", "objcopy"), '#!/bin/sh\n# Stands for binutils\' objcopy (the release image installs binutils).\n[ "$1" = "--version" ] && { echo "GNU objcopy (stand-in)"; exit 0; }\necho "objcopy stand-in: only --version is served" >&2\nexit 1\n', { mode: 0o755 });
  symlinkSync("/bin/busybox", join(dir, "usr", "bin", "env"));
  // util-linux's mountpoint, which main's entrypoint calls and Debian's busybox-static lacks: `-q DIR`
  // succeeds when DIR is the mount point of a mount in /proc/self/mountinfo (its fifth field).
  writeFileSync(join(dir, "usr", "bin", "mountpoint"), '#!/bin/sh\n[ "$1" = "-q" ] && shift\ngrep -qE "^[^ ]+ [^ ]+ [^ ]+ [^ ]+ $1 " /proc/self/mountinfo\n', { mode: 0o755 });
  put("bin/bash", imageTools.bash);
  put("bin/busybox", imageTools.busybox);
  for (const a of applets) symlinkSync("busybox", join(dir, "bin", a));
  symlinkSync(releaseImage.binary.slice(1), join(dir, "pause"));
  for (const d of ["tmp", "proc", "sys", "dev", "etc", "usr/bin"]) mkdirSync(join(dir, d), { recursive: true });
  chmodSync(join(dir, "tmp"), 0o1777);
  writeFileSync(join(dir, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n");
  writeFileSync(join(dir, "etc", "group"), "root:x:0:\nnogroup:x:65534:\n");
}

/**
 * Writes one OCI image layout tar holding every image in `images` (one shared layer) and returns its
 * path. Each manifest carries the io.containerd.image.name annotation `ctr images import` names it by.
 */
export async function writeImageArchive(standin: string, images: ImageSpec[], outDir: string): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), "ddprof-image-"));
  try {
    const rootfs = join(work, "rootfs");
    writeRootfs(rootfs, standin);
    // A fixed mtime and numeric root ownership keep the layer's digest stable for the same files.
    const layerTar = (await execa("tar", ["-C", rootfs, "--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner", "-cf", "-", "."], { encoding: "buffer" })).stdout as Uint8Array;
    const layer = gzipSync(layerTar);
    const layout = join(work, "layout");
    const blobs = join(layout, "blobs", "sha256");
    mkdirSync(blobs, { recursive: true });
    const blob = (data: Buffer | string) => {
      const d = sha256(data);
      writeFileSync(join(blobs, d), data);
      return { digest: `sha256:${d}`, size: Buffer.byteLength(data) };
    };
    const layerDesc = { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", ...blob(layer) };
    const diffId = `sha256:${sha256(Buffer.from(layerTar))}`;
    const manifests = images.map((img) => {
      const config = JSON.stringify({
        architecture: "amd64",
        os: "linux",
        // The reference as a label gives each tag an image ID of its own, so a pod's status names the tag it runs.
        config: { Entrypoint: img.entrypoint, Cmd: img.cmd, Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", ...(img.env ?? [])], WorkingDir: "/", Labels: { "dd-prof-node.ref": img.ref } },
        rootfs: { type: "layers", diff_ids: [diffId] },
      });
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", ...blob(config) },
        layers: [layerDesc],
      });
      const tag = img.ref.slice(img.ref.lastIndexOf(":") + 1);
      return { mediaType: "application/vnd.oci.image.manifest.v1+json", ...blob(manifest), annotations: { "io.containerd.image.name": img.ref, "org.opencontainers.image.ref.name": tag } };
    });
    writeFileSync(join(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    writeFileSync(join(layout, "index.json"), JSON.stringify({ schemaVersion: 2, manifests }));
    mkdirSync(outDir, { recursive: true });
    const out = join(outDir, `images-${sha256(JSON.stringify(manifests)).slice(0, 12)}.tar`);
    await execa("tar", ["-C", layout, "-cf", out, ...readdirSync(layout)]);
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
