#!/usr/bin/env bash
# The node tier, for CI after the e2e tier and for people: the chart's pods on a real kubelet with
# containerd and runc (Debian packages; `.ci/run` installs them), joined to the e2e control plane.
# Needs root, `npm ci` done, Go (builds kubelet, kube-scheduler, kube-proxy, CoreDNS and the profiler
# stand-in once into ~/.cache/dd-otel-host-profiler), and the packages scripts/cluster/prerequisites.ts lists.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then export PATH="$PATH:/usr/local/go/bin"; fi
# Build first, on its own, so its progress lines come before the tests' output and no test timeout covers it.
npx node scripts/cluster/binaries.ts --with-node >/dev/null
npx node scripts/cluster/coredns.ts >/dev/null
exec npx vitest run --config test/node/vitest.config.ts "$@"
