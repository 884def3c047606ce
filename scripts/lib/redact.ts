// Log text the toolkit prints (the kind job's start check, the demo) may hold a Datadog key: v0.4.0
// echoes a key it refuses ("Failure to parse arguments: could not parse \"<key>\" ..."), e.g. one read
// from a Secret with a trailing newline. Runs of 32 or 40 lowercase letters and digits, the shapes of
// an API and an application key, are replaced before anything is printed.
const keyShaped = /(?<![A-Za-z0-9])([a-z0-9]{40}|[a-z0-9]{32})(?![A-Za-z0-9])/g;

export function redactKeys(text: string): string {
  return text.replace(keyShaped, (k) => `<${k.length} characters redacted>`);
}
