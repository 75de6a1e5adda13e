package ssh

import "strings"

// ShellQuote quotes s as one word for a POSIX shell (sh, bash, dash): it is
// wrapped in single quotes, and every single quote inside becomes the four
// characters quote, backslash, quote, quote (close, escaped quote, reopen).
// Words made only of safe characters are returned unchanged.
//
// This file has no dependencies so that other packages may copy it.
func ShellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%_-+=:,./", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
