// Log lines in the format v0.4.0 prints: logrus's default TextFormatter on stderr, which without a
// terminal writes `time="RFC3339" level=info msg="..."` (values quoted when they hold anything but
// letters, digits and -._/@^+). The stand-in's own lines (STANDIN ...) go to stdout.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

func logLine(level, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	fmt.Fprintf(os.Stderr, "time=%s level=%s msg=%s\n", logrusValue(time.Now().UTC().Format(time.RFC3339)), level, logrusValue(msg))
}

// logrusValue quotes a value the way logrus's TextFormatter needsQuoting/appendValue do.
func logrusValue(s string) string {
	if s == "" {
		return `""`
	}
	for _, c := range s {
		if !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '/' || c == '@' || c == '^' || c == '+') {
			return strconv.Quote(s)
		}
	}
	return s
}

func logInfo(format string, args ...any)  { logLine("info", format, args...) }
func logWarn(format string, args ...any)  { logLine("warning", format, args...) }
func logError(format string, args ...any) { logLine("error", format, args...) }
