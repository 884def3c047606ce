// The profiler stand-in of the node tier (scripts/node): built by scripts/node/image.ts.
module ddotelhostprofiler.node/standin

go 1.24.0

require golang.org/x/sys v0.38.0
