package template

import (
	"fmt"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// commentStyles are the comment filter's predefined styles.
var commentStyles = map[string]map[string]string{
	"plain":  {"decoration": "# "},
	"erlang": {"decoration": "% "},
	"c":      {"decoration": "// "},
	"cblock": {"beginning": "/*", "decoration": " * ", "end": " */"},
	"xml":    {"beginning": "<!--", "decoration": " - ", "end": "-->"},
}

// fComment is ansible-core 2.14's comment filter (`{{ ansible_managed |
// comment }}`): the text as a comment block of a style (plain, erlang, c,
// cblock, xml), each part overridable by keyword (decoration, beginning,
// prefix, prefix_count, postfix, postfix_count, end, newline).
func fComment(in any, args *exec.VarArgs) (any, error) {
	text := pyStr(in)
	style := argString(args, 0, "style", "plain")
	sp, ok := commentStyles[style]
	if !ok {
		return nil, fmt.Errorf("comment: unknown style '%s'", style)
	}
	prepost := sp["decoration"]
	if v, ok := argValue(args, -1, "decoration"); ok {
		prepost = pyStr(v)
	}
	p := map[string]string{"newline": "\n", "beginning": "", "prefix": strings.TrimRight(prepost, " \t\n"),
		"decoration": "", "postfix": strings.TrimRight(prepost, " \t\n"), "end": ""}
	for k, v := range sp {
		p[k] = v
	}
	for _, k := range []string{"newline", "beginning", "prefix", "decoration", "postfix", "end"} {
		if v, ok := argValue(args, -1, k); ok {
			p[k] = pyStr(v)
		}
	}
	prefixCount, postfixCount := argInt(args, -1, "prefix_count", 1), argInt(args, -1, "postfix_count", 1)
	nl := p["newline"]
	var b strings.Builder
	if p["beginning"] != "" {
		b.WriteString(p["beginning"] + nl)
	}
	if p["prefix"] != "" {
		unit := p["prefix"] + nl
		if p["prefix"] == nl {
			unit = nl
		}
		b.WriteString(strings.Repeat(unit, max(prefixCount, 0)))
	}
	dec := p["decoration"]
	body := dec + strings.ReplaceAll(text, nl, nl+dec)
	body = strings.ReplaceAll(body, dec+nl, strings.TrimRight(dec, " \t\n")+nl)
	b.WriteString(body)
	for range max(postfixCount, 0) {
		b.WriteString(nl + p["postfix"])
	}
	if p["end"] != "" {
		b.WriteString(nl + p["end"])
	}
	return b.String(), nil
}
