// The node tier's images, made here because no registry can be reached: the profiler stand-in
// (scripts/node/standin, a static Go program) with bash and busybox's tools (the chart's `helm test`
// pod runs bash, timeout, head and tr), packaged as an OCI image layout tar that `ctr images import`
// loads under any reference, e.g. the chart's default ghcr.io/datadog/dd-otel-host-profiler:v<appVersion>.
// The pod sandbox ("pause") image is the same layer with the stand-in called as /pause.
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { tmpdir } from "node:os";
import { gzipSync } from "node:zlib";
import { execa } from "execa";
import { cacheRoot } from "../e2e/binaries.ts";
import { repoRoot } from "../lib/paths.ts";

export const standinDir = join(repoRoot, "scripts", "node", "standin");

/** Static tools from Debian packages the image carries: bash-static and busybox-static. */
export const imageTools = { bash: "/bin/bash-static", busybox: "/bin/busybox" };
/** busybox applets linked into the image: what the helm test pod and a person debugging need. */
const applets = ["sh", "timeout", "head", "tr", "cat", "ls", "sleep", "id", "mount", "mountpoint", "env", "grep"];

function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * Builds the stand-in once per source version into the cache (a content hash of its sources names
 * the file), with Go from PATH: the node tier already needs Go for the kubelet.
 */
export async function buildStandin(log: (l: string) => void = () => {}): Promise<string> {
  const sources = ["go.mod", "go.sum", "main.go"].map((f) => readFileSync(join(standinDir, f)));
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
}

/** The root filesystem shared by every image: the stand-in, /pause, bash, busybox and its applets. */
function writeRootfs(dir: string, standin: string): void {
  const put = (path: string, src: string, mode = 0o755) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    copyFileSync(src, join(dir, path));
    chmodSync(join(dir, path), mode);
  };
  put("usr/local/bin/dd-otel-host-profiler", standin);
  put("bin/bash", imageTools.bash);
  put("bin/busybox", imageTools.busybox);
  for (const a of applets) symlinkSync("busybox", join(dir, "bin", a));
  symlinkSync("usr/local/bin/dd-otel-host-profiler", join(dir, "pause"));
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
        config: { Entrypoint: img.entrypoint, Env: ["PATH=/usr/local/bin:/usr/bin:/bin"], WorkingDir: "/", Labels: { "dd-prof-node.ref": img.ref } },
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
