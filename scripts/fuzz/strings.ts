// The strings the fuzz tier puts where a schema allows any string: the ones people type (names,
// words, numbers and booleans written as text, YAML's special words) and hostile ones (every Unicode
// code point, control characters, YAML and template syntax, leading and trailing blanks, long runs).
// A string the schema constrains with a pattern is drawn from that pattern instead (schema-arbitrary.ts).
import fc from "fast-check";

/** Text that YAML or Go templates read as something else when it is written unquoted. */
export const LOOKS_LIKE_OTHER_TYPES = ["0", "1", "007", "-1", "1.50", "1e3", "0x1F", "0o17", ".inf", "NaN", "true", "false", "yes", "no", "on", "off", "y", "n", "null", "Null", "~", ""];

/** Syntax that breaks naive quoting in YAML, templates or shells. */
export const SYNTAX = ["{{ .Values }}", "{{", "}}", "- item", "key: value", "a: b: c", "#comment", " #x", "&anchor", "*alias", "!!binary aGk=", "'", '"', "\\", "\\n", "a\nb", "\n", "\t", "\r\n", "---", "...", "%s", "%!v", "${HOME}", "$(id)", "`id`", "a,b", "a=b", "<script>", "[x]", "{x: 1}", "?", "|", ">", "@", "%"];

/** Unicode people do type (accents, scripts, emoji) and what sneaks in by copy and paste. */
export const UNICODE = ["é", "naïve", "日本語", "Ελληνικά", "🙂", "👩‍👩‍👧", "\u00a0", "\u200b", "\u202e", "\ufeff", "\u2028", "\u0000", "\u0007", "\u001b[31m", "\u007f"];

/** No lone surrogate: YAML and JSON cannot carry one (String.prototype.isWellFormed, Node 20+). */
const wellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();

/** What people type: names, words with spaces and punctuation, and text that looks like another type. */
export const typedString: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/),
  fc.string({ unit: "grapheme-ascii", maxLength: 24 }),
  fc.constantFrom(...LOOKS_LIKE_OTHER_TYPES),
);

/** What people do not mean to type but a values file can hold. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...SYNTAX, ...UNICODE),
  fc.string({ unit: "binary", maxLength: 24 }).filter(wellFormed),
  fc.tuple(fc.constantFrom(" ", "\t", "\n", ""), typedString, fc.constantFrom(" ", "\t", "\n", "")).map(([a, s, b]) => `${a}${s}${b}`),
  fc.string({ unit: "grapheme-ascii", minLength: 254, maxLength: 320 }),
);

/** Two in three strings typed, one in three hostile. */
export const anyString: fc.Arbitrary<string> = fc.oneof({ arbitrary: typedString, weight: 2 }, { arbitrary: hostileString, weight: 1 });
