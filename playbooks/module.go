package playbooks

import (
	"strings"

	"github.com/drover-sh/drover/modules"
)

// lookupModule maps a short or fully qualified module name to drover's
// canonical short name and its module.
func lookupModule(name string) (string, modules.Module) {
	short := name
	for _, p := range modulePrefixes {
		if s, ok := strings.CutPrefix(name, p); ok {
			short = s
			break
		}
	}
	if m, ok := modules.Lookup(short); ok {
		return m.Name(), m
	}
	if m, ok := modules.Lookup(name); ok {
		return m.Name(), m
	}
	return "", nil
}

// shortModuleNames lists the registered modules without collection prefix,
// for suggestions.
func shortModuleNames() []string {
	var out []string
	for _, n := range modules.Names() {
		if !strings.Contains(n, ".") {
			out = append(out, n)
		}
	}
	return out
}

// looksLikeModule tells a misspelt module from a misspelt keyword: a
// collection-qualified name is a module.
func stripPrefix(name string) string {
	for _, p := range modulePrefixes {
		if s, ok := strings.CutPrefix(name, p); ok {
			return s
		}
	}
	return name
}

// kvToken is one word of a `k=v` free form with its place in the source.
type kvToken struct {
	text       string
	start, end int
}

// splitArgs splits a free-form string into shell-like words, honouring
// single and double quotes and backslashes, and keeping each word's span.
// Jinja2 delimiters are kept whole.
func splitArgs(s string) []kvToken {
	var out []kvToken
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n') {
			i++
		}
		if i >= len(s) {
			break
		}
		start := i
		var b strings.Builder
		var quote byte
		depth := 0
		for i < len(s) {
			c := s[i]
			if depth == 0 && quote == 0 && (c == ' ' || c == '\t' || c == '\n') {
				break
			}
			switch {
			case strings.HasPrefix(s[i:], "{{") || strings.HasPrefix(s[i:], "{%"):
				depth++
				b.WriteString(s[i : i+2])
				i += 2
				continue
			case depth > 0 && (strings.HasPrefix(s[i:], "}}") || strings.HasPrefix(s[i:], "%}")):
				depth--
				b.WriteString(s[i : i+2])
				i += 2
				continue
			case depth > 0:
				b.WriteByte(c)
			case quote != 0 && c == quote:
				quote = 0
			case quote == 0 && (c == '"' || c == '\''):
				quote = c
			case c == '\\' && quote != '\'' && i+1 < len(s):
				i++
				b.WriteByte(s[i])
			default:
				b.WriteByte(c)
			}
			i++
		}
		out = append(out, kvToken{text: b.String(), start: start, end: i})
	}
	return out
}

// parseFreeForm reads `k=v k2=v2` arguments. With freeForm, words that are
// not `known=value` stay in the raw string (as Ansible does for command and
// shell: `cmd chdir=/tmp`); otherwise every word must be `k=v` and the words
// that are not are returned in bad.
func parseFreeForm(s string, freeForm bool, known func(string) bool) (args map[string]any, raw string, bad []string) {
	args = map[string]any{}
	toks := splitArgs(s)
	var keep []kvToken
	for _, t := range toks {
		k, v, ok := strings.Cut(t.text, "=")
		if ok && isIdent(k) && (!freeForm || known(k)) {
			args[k] = v
			continue
		}
		if freeForm {
			keep = append(keep, t)
		} else {
			bad = append(bad, t.text)
		}
	}
	if freeForm && len(keep) > 0 {
		raw = s[keep[0].start:keep[len(keep)-1].end]
		if len(keep) != len(toks) {
			// Drop the k=v words from the middle, keeping the rest verbatim.
			var b strings.Builder
			for i, t := range keep {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(s[t.start:t.end])
			}
			raw = b.String()
		}
	}
	return args, strings.TrimSpace(raw), bad
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
