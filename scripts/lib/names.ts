// The release and namespace names the toolkit renders and installs the chart under, in one place.

/** What `helm template` and the matrix render as, unless told otherwise. */
export const RENDER_RELEASE = "prof";
/** The namespace README's install uses, and every render, example and demo with it. */
export const PROFILER_NAMESPACE = "profiling";
