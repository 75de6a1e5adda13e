package template

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// regexCache holds compiled patterns by flags+pattern; patterns come from
// playbooks, so the set is small.
var regexCache sync.Map

// compileRegex compiles a Python-style pattern for Go's RE2 engine.
func compileRegex(pattern string, ignoreCase, multiline bool) (*regexp.Regexp, error) {
	flags := ""
	if ignoreCase {
		flags += "i"
	}
	if multiline {
		flags += "m"
	}
	k := flags + "\x00" + pattern
	if re, ok := regexCache.Load(k); ok {
		return re.(*regexp.Regexp), nil
	}
	src := pattern
	if flags != "" {
		src = "(?" + flags + ")" + pattern
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, err
	}
	regexCache.Store(k, re)
	return re, nil
}

func regexArgs(args *exec.VarArgs) (*regexp.Regexp, error) {
	return regexArgsAt(args, -1, -1)
}

// regexArgsAt reads the pattern (first argument or "pattern"/"regex"),
// and ignorecase/multiline from positions ic and ml (-1: keyword only).
func regexArgsAt(args *exec.VarArgs, ic, ml int) (*regexp.Regexp, error) {
	p, ok := argValue(args, 0, "regex")
	if !ok {
		p, ok = argValue(args, -1, "pattern")
	}
	if !ok {
		return nil, errors.New("missing regular expression")
	}
	return compileRegex(pyStr(p), argBool(args, ic, "ignorecase", false), argBool(args, ml, "multiline", false))
}

// fRegexSearch is Ansible's regex_search(regex, *groups): the first match,
// or with groups ('\\1', '\\g<name>') the list of those groups; None when
// nothing matches.
func fRegexSearch(in any, args *exec.VarArgs) (any, error) {
	re, err := regexArgs(args)
	if err != nil {
		return nil, err
	}
	s := pyStr(in)
	m := re.FindStringSubmatchIndex(s)
	if m == nil {
		return nil, nil
	}
	if len(args.Args) <= 1 {
		return s[m[0]:m[1]], nil
	}
	var out []any
	for _, g := range args.Args[1:] {
		spec := g.String()
		idx := -1
		switch {
		case strings.HasPrefix(spec, `\g<`) && strings.HasSuffix(spec, ">"):
			name := spec[3 : len(spec)-1]
			if n, err := strconv.Atoi(name); err == nil {
				idx = n
			} else {
				idx = re.SubexpIndex(name)
			}
		case strings.HasPrefix(spec, `\`):
			if n, err := strconv.Atoi(spec[1:]); err == nil {
				idx = n
			}
		}
		if idx < 0 || 2*idx+1 >= len(m) {
			return nil, errors.New("unknown argument " + spec)
		}
		if m[2*idx] < 0 {
			out = append(out, nil)
			continue
		}
		out = append(out, s[m[2*idx]:m[2*idx+1]])
	}
	return out, nil
}

// pyReplacement converts a Python replacement string (\1, \g<1>,
// \g<name>, \\) into Go's Expand syntax.
func pyReplacement(r string) string {
	var b strings.Builder
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch {
		case c == '$':
			b.WriteString("$$")
		case c == '\\' && i+1 < len(r):
			n := r[i+1]
			switch {
			case n >= '0' && n <= '9':
				j := i + 1
				for j < len(r) && j < i+3 && r[j] >= '0' && r[j] <= '9' {
					j++
				}
				b.WriteString("${" + r[i+1:j] + "}")
				i = j - 1
			case n == 'g' && i+2 < len(r) && r[i+2] == '<':
				end := strings.IndexByte(r[i+3:], '>')
				if end < 0 {
					b.WriteByte(c)
					continue
				}
				b.WriteString("${" + r[i+3:i+3+end] + "}")
				i = i + 3 + end
			case n == 'n':
				b.WriteByte('\n')
				i++
			case n == 't':
				b.WriteByte('\t')
				i++
			case n == '\\':
				b.WriteByte('\\')
				i++
			default:
				b.WriteByte(c)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// fRegexReplace is Ansible's regex_replace(regex, replace=”, count=0).
func fRegexReplace(in any, args *exec.VarArgs) (any, error) {
	re, err := regexArgs(args)
	if err != nil {
		return nil, err
	}
	repl := pyReplacement(argString(args, 1, "replace", ""))
	count := argInt(args, 2, "count", 0)
	s := pyStr(in)
	if count <= 0 {
		return re.ReplaceAllString(s, repl), nil
	}
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(s, count) {
		b.WriteString(s[last:m[0]])
		b.Write(re.ExpandString(nil, repl, s, m))
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String(), nil
}

// fRegexFindall is Ansible's regex_findall: all matches, or the groups of
// every match when the pattern has groups.
func fRegexFindall(in any, args *exec.VarArgs) (any, error) {
	re, err := regexArgs(args)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, m := range re.FindAllStringSubmatch(pyStr(in), -1) {
		switch len(m) {
		case 1:
			out = append(out, m[0])
		case 2:
			out = append(out, m[1])
		default:
			g := make([]any, len(m)-1)
			for i, x := range m[1:] {
				g[i] = x
			}
			out = append(out, g)
		}
	}
	return out, nil
}

func fRegexEscape(in any, _ *exec.VarArgs) (any, error) {
	return regexp.QuoteMeta(pyStr(in)), nil
}
