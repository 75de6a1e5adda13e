package modules

import (
	"fmt"
	"regexp"
	"strings"
)

// Python regular expressions (Ansible's modules take them) run on Go's
// RE2 engine: the anchors that differ are rewritten, and replacement
// templates are expanded as Python's re.sub does.

// pyRegexp compiles a Python regular expression with Go's engine. The
// lines Ansible searches keep their newline, and Python's "$" (without the
// MULTILINE flag) also matches just before a final newline, so "^a=1$"
// matches "a=1\n": see pyAnchors.
func pyRegexp(name, expr string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(pyAnchors(expr))
	if err != nil {
		return nil, fmt.Errorf("invalid %s %q: %w", name, expr, err)
	}
	return re, nil
}

// pyMultiline finds an inline flag group that sets MULTILINE.
var pyMultiline = regexp.MustCompile(`\(\?[a-zA-Z]*m[a-zA-Z]*[):]`)

// pyAnchors rewrites Python's end anchors for Go: an unescaped "$" outside
// a character class becomes `(?:\n?\z)` (end, or before a final newline)
// and "\Z" becomes "\z". Expressions with the MULTILINE flag only get
// the "\Z" ("$" then means the same in both).
func pyAnchors(expr string) string {
	if !strings.ContainsAny(expr, "$\\") {
		return expr
	}
	if pyMultiline.MatchString(expr) {
		return pyEndOfText(expr)
	}
	var sb strings.Builder
	inClass := false
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch {
		case c == '\\' && i+1 < len(expr):
			if !inClass && expr[i+1] == 'Z' {
				sb.WriteString(`\z`)
			} else {
				sb.WriteString(expr[i : i+2])
			}
			i++
			continue
		case inClass:
			inClass = c != ']'
		case c == '[':
			// A "]" first in the class (after an optional "^") is literal.
			sb.WriteByte(c)
			if i+1 < len(expr) && expr[i+1] == '^' {
				sb.WriteByte('^')
				i++
			}
			if i+1 < len(expr) && expr[i+1] == ']' {
				sb.WriteByte(']')
				i++
			}
			inClass = true
			continue
		case c == '$':
			sb.WriteString(`(?:\n?\z)`)
			continue
		}
		sb.WriteByte(c)
	}
	return sb.String()
}

// pyRegexpMultiline compiles a Python expression with Python's MULTILINE
// (and, with dotall, DOTALL) flag for Go.
func pyRegexpMultiline(name, expr string, dotall bool) (*regexp.Regexp, error) {
	flags := "(?m)"
	if dotall {
		flags = "(?ms)"
	}
	re, err := regexp.Compile(pyAnchors(flags + expr))
	if err != nil {
		return nil, fmt.Errorf("invalid %s %q: %w", name, expr, err)
	}
	return re, nil
}

// pyEndOfText turns Python's \Z (end of text) into Go's \z.
func pyEndOfText(expr string) string {
	if !strings.Contains(expr, `\Z`) {
		return expr
	}
	var sb strings.Builder
	for i := 0; i < len(expr); i++ {
		if expr[i] == '\\' && i+1 < len(expr) {
			if expr[i+1] == 'Z' {
				sb.WriteString(`\z`)
			} else {
				sb.WriteString(expr[i : i+2])
			}
			i++
			continue
		}
		sb.WriteByte(expr[i])
	}
	return sb.String()
}

// pySubExpand is Python's re.sub template expansion for match m of re on
// src: \1 and \g<1>/\g<name> are groups, \n \t \r \\ are escapes, any
// other backslash is kept as written.
func pySubExpand(re *regexp.Regexp, tmpl, src string, m []int) string {
	var sb strings.Builder
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c != '\\' || i+1 >= len(tmpl) {
			sb.WriteByte(c)
			continue
		}
		n := tmpl[i+1]
		switch {
		case n >= '0' && n <= '9':
			j := i + 2
			if j < len(tmpl) && tmpl[j] >= '0' && tmpl[j] <= '9' {
				j++
			}
			sb.Write(re.ExpandString(nil, "${"+tmpl[i+1:j]+"}", src, m))
			i = j - 1
		case n == 'g' && i+2 < len(tmpl) && tmpl[i+2] == '<':
			end := strings.IndexByte(tmpl[i+3:], '>')
			if end < 0 {
				sb.WriteString(tmpl[i : i+2])
				i++
				continue
			}
			sb.Write(re.ExpandString(nil, "${"+tmpl[i+3:i+3+end]+"}", src, m))
			i += 3 + end
		case n == 'n':
			sb.WriteByte('\n')
			i++
		case n == 't':
			sb.WriteByte('\t')
			i++
		case n == 'r':
			sb.WriteByte('\r')
			i++
		case n == '\\':
			sb.WriteByte('\\')
			i++
		default:
			sb.WriteString(tmpl[i : i+2])
			i++
		}
	}
	return sb.String()
}
