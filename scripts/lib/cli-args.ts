// Command-line options as the toolkit's commands take them: node:util parseArgs, plus -h/--help that
// prints the usage and exits 0, and an unknown or malformed option that prints the usage and exits 2.
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

export function parseCli<O extends ParseArgsOptionsConfig>(options: O, usage: string) {
  let values: ReturnType<typeof parseArgs<{ options: O & { help: { type: "boolean"; short: "h" } } }>>["values"];
  try {
    values = parseArgs({ options: { ...options, help: { type: "boolean", short: "h" } } as O & { help: { type: "boolean"; short: "h" } } }).values;
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${usage}`);
    process.exit(2);
  }
  if ((values as { help?: boolean }).help) {
    console.log(usage);
    process.exit(0);
  }
  return values;
}

/** `--helm 3 --helm helm4` as Helm majors; anything but 3 or 4 prints the usage and exits 2. */
export function helmMajors(given: string[] | undefined, usage: string): number[] {
  const majors = (given ?? []).map((h) => Number(h.replace(/^helm/, "")));
  if (majors.some((h) => h !== 3 && h !== 4)) {
    console.error(`--helm takes 3 or 4\n\n${usage}`);
    process.exit(2);
  }
  return majors;
}
