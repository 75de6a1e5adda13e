package modules

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Python string behaviours the ported modules (cron, ini_file, mount,
// apt_repository, ...) rely on, to produce the same files as Ansible.

// isPySpace is Python's str.isspace() for one character.
func isPySpace(r rune) bool { return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f }

// pyStripSpace is Python's str.strip().
func pyStripSpace(s string) string { return strings.TrimFunc(s, isPySpace) }

// pySplitlines is Python's str.splitlines().
func pySplitlines(s string) []string {
	var out []string
	rs := []rune(s)
	cur := []rune{}
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; r {
		case '\r':
			out = append(out, string(cur))
			cur = cur[:0]
			if i+1 < len(rs) && rs[i+1] == '\n' {
				i++
			}
		case '\n', '\v', '\f', '\x1c', '\x1d', '\x1e', '\u0085', '\u2028', '\u2029':
			out = append(out, string(cur))
			cur = cur[:0]
		default:
			cur = append(cur, r)
		}
	}
	if len(cur) > 0 {
		out = append(out, string(cur))
	}
	return out
}

// pyLines is readlines() of a file opened in text mode (universal
// newlines).
func pyLines(content string) []string {
	content = strings.ReplaceAll(strings.ReplaceAll(content, "\r\n", "\n"), "\r", "\n")
	return splitKeepEnds([]byte(content))
}

func pyFields(s string) []string { return strings.FieldsFunc(s, isPySpace) }

// pyStrArg renders a scalar argument as Python's str() does for a
// module's 'str' argument (True, False, 1.5, 2.0).
func pyStrArg(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case float64:
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEn") {
			s += ".0"
		}
		return s
	default:
		return fmt.Sprint(x)
	}
}
