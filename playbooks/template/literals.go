package template

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/nikolalohinski/gonja/v2/config"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/tokens"
	"golang.org/x/text/unicode/runenames"
)

// parseMode says how string literals are read.
//
// Jinja2 reads a literal as Python does ("\n" is a newline, "\d" stays
// backslash-d, "\1" is chr(1), ...). Ansible, when it templates a playbook
// string (Templar.template with escape_backslashes, its default), first
// doubles every backslash of the literals inside {{ }}: there a literal is
// its source text, backslashes and all, up to the next quote of its kind.
// Literals inside {% %} are not doubled. The template module and the
// template lookup do not double anything.
type parseMode int

const (
	// modePlaybook: literals in {{ }} are raw, in {% %} Jinja2's.
	modePlaybook parseMode = iota
	// modeJinja: Jinja2's rules everywhere (template files; conditions,
	// which Ansible evaluates as "{% if cond %}").
	modeJinja
)

// literal is one string literal of the source: text[start] is its opening
// quote, text[end] its closing one.
type literal struct {
	start, end int
	raw        bool   // Ansible's playbook rule: no escapes
	err        string // why Ansible rejects it
}

// fixes are the corrections the parse tree needs after gonja parsed the
// prepared text: string values and dotted filter/test names, by the
// position of their token.
type fixes struct {
	strs  map[int]string
	names map[int]string
}

func (f *fixes) empty() bool { return len(f.strs) == 0 && len(f.names) == 0 }

// prepare rewrites text for gonja without moving any byte: the body of
// each string literal gonja would misread (any literal with a backslash)
// becomes a neutral placeholder whose real value is recorded, and dotted
// filter and test names (ansible.builtin.to_json) become one identifier
// whose full name is recorded. text must have its line ends normalized.
// The error is a literal Jinja2 rejects (a bad escape) or Ansible does (a
// backslash before a quote in a playbook's {{ }}), at its position.
func prepare(text string, cfg *config.Config, mode parseMode) (string, fixes, *posError) {
	var fx fixes
	out := text
	if strings.IndexByte(text, '\\') >= 0 {
		lits := scanLiterals(text, cfg, mode)
		buf := []byte(text)
		vals := map[int]string{}
		var firstErr *posError
		for _, l := range lits {
			body := text[l.start+1 : l.end]
			if strings.IndexByte(body, '\\') < 0 {
				continue
			}
			var val string
			switch {
			case l.err != "":
				if firstErr == nil {
					firstErr = &posError{pos: l.start, msg: l.err}
				}
			case l.raw:
				val = body
			default:
				v, err := unescapePython(body)
				if err != nil && firstErr == nil {
					firstErr = &posError{pos: l.start, msg: err.Error()}
				}
				val = v
			}
			vals[l.start] = val
			for i := l.start + 1; i < l.end; i++ {
				if buf[i] != '\n' {
					buf[i] = 'x'
				}
			}
		}
		if len(vals) > 0 {
			candidate := string(buf)
			// gonja must see a string at each rewritten place, or the
			// scan above misread the source: then leave it to gonja.
			if lexedStrings(candidate, cfg, vals) {
				if firstErr != nil {
					return text, fixes{}, firstErr
				}
				out = candidate
				fx.strs = vals
			}
		}
	}
	out, fx.names = dottedNames(out, cfg)
	return out, fx, nil
}

// posError is an error at a byte offset of the prepared text.
type posError struct {
	pos int
	msg string
}

// lexedStrings reports whether gonja lexes a string token at every
// position of want (and stops at no error before them).
func lexedStrings(text string, cfg *config.Config, want map[int]string) bool {
	seen := 0
	st := tokens.LexAll(text, cfg)
	for !st.End() {
		t := st.Current()
		if t.Type == tokens.String {
			if _, ok := want[t.Pos]; ok {
				seen++
			}
		}
		st.Next()
	}
	return seen == len(want)
}

var (
	rawBlockRe = regexp.MustCompile(`^\{%[-+]?\s*(raw|comment)\s*[-+]?%\}`)
	// dottedNameRe finds candidates for dottedNames cheaply.
	dottedNameRe = regexp.MustCompile(`(?:\||\bis\s)\s*(?:not\s+)?[A-Za-z_][A-Za-z0-9_]*[ \t]*\.`)
)

// scanLiterals finds the string literals in the code parts of text ({{ }}
// and {% %}, outside comments and raw blocks), as Jinja2's lexer does.
func scanLiterals(text string, cfg *config.Config, mode parseMode) []literal {
	var out []literal
	vs, ve := cfg.VariableStartString, cfg.VariableEndString
	bs, be := cfg.BlockStartString, cfg.BlockEndString
	cs, ce := cfg.CommentStartString, cfg.CommentEndString
	i := 0
	for i < len(text) {
		switch {
		case strings.HasPrefix(text[i:], cs):
			k := strings.Index(text[i+len(cs):], ce)
			if k < 0 {
				return out
			}
			i += len(cs) + k + len(ce)
		case strings.HasPrefix(text[i:], vs):
			var lits []literal
			i, lits = scanCode(text, i+len(vs), ve, mode == modePlaybook)
			out = append(out, lits...)
		case strings.HasPrefix(text[i:], bs):
			if m := rawBlockRe.FindStringSubmatch(text[i:]); m != nil && bs == "{%" && be == "%}" {
				endRe := regexp.MustCompile(`\{%[-+]?\s*end` + m[1] + `\s*[-+]?%\}`)
				loc := endRe.FindStringIndex(text[i+len(m[0]):])
				if loc == nil {
					return out
				}
				i += len(m[0]) + loc[1]
				continue
			}
			var lits []literal
			i, lits = scanCode(text, i+len(bs), be, false)
			out = append(out, lits...)
		default:
			i++
		}
	}
	return out
}

// scanCode scans an expression from i up to its end delimiter (not inside
// brackets) and returns the position after it and its string literals.
// raw selects Ansible's rule for the literals of a playbook's {{ }}.
func scanCode(text string, i int, end string, raw bool) (int, []literal) {
	var (
		lits  []literal
		stack []byte
	)
	for i < len(text) {
		c := text[i]
		if (len(stack) == 0 || stack[len(stack)-1] != c) && strings.HasPrefix(text[i:], end) {
			return i + len(end), lits
		}
		switch c {
		case '(':
			stack = append(stack, ')')
		case '[':
			stack = append(stack, ']')
		case '{':
			stack = append(stack, '}')
		case ')', ']', '}':
			if len(stack) > 0 && stack[len(stack)-1] == c {
				stack = stack[:len(stack)-1]
			}
		case '\'', '"':
			j := stringEnd(text, i, raw)
			if j < 0 {
				return len(text), lits // unterminated: gonja reports it
			}
			l := literal{start: i, end: j, raw: raw}
			if raw && stringEnd(text, i, false) != j {
				// Ansible finds its literals with Jinja2's rules before it
				// doubles their backslashes: the doubled text no longer
				// parses.
				l.err = `a backslash does not escape a quote in a string inside {{ }} (Ansible doubles the backslashes there)`
			}
			lits = append(lits, l)
			i = j + 1
			continue
		}
		i++
	}
	return i, lits
}

// stringEnd returns the position of the quote closing the literal opened
// at text[i], or -1; raw: backslashes escape nothing.
func stringEnd(text string, i int, raw bool) int {
	q := text[i]
	for j := i + 1; j < len(text); j++ {
		switch text[j] {
		case q:
			return j
		case '\\':
			if !raw {
				j++
			}
		}
	}
	return -1
}

// unescapePython decodes a Jinja2 string literal's body as Jinja2 does:
// body.encode("ascii", "backslashreplace").decode("unicode-escape"). Known
// escapes are Python's; any other backslash stays, with its character.
// Errors carry Python's message.
func unescapePython(s string) (string, error) {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(s) {
			return "", errors.New(`\ at end of string`)
		}
		n := s[i+1]
		if n >= utf8.RuneSelf {
			// backslashreplace turned the character into an \x, \u or \U
			// escape, whose backslash this one escapes.
			r, size := utf8.DecodeRuneInString(s[i+1:])
			switch {
			case r == utf8.RuneError && size == 1:
				b.WriteByte('\\')
				b.WriteByte(n)
			case r <= 0xff:
				fmt.Fprintf(&b, `\x%02x`, r)
			case r <= 0xffff:
				fmt.Fprintf(&b, `\u%04x`, r)
			default:
				fmt.Fprintf(&b, `\U%08x`, r)
			}
			i += 1 + size
			continue
		}
		i += 2
		switch n {
		case '\n': // line continuation
		case '\\', '\'', '"':
			b.WriteByte(n)
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := rune(n - '0')
			for k := 0; k < 2 && i < len(s) && s[i] >= '0' && s[i] <= '7'; k++ {
				v = v*8 + rune(s[i]-'0')
				i++
			}
			b.WriteRune(v)
		case 'x', 'u', 'U':
			width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[n]
			name := map[byte]string{'x': `\xXX`, 'u': `\uXXXX`, 'U': `\UXXXXXXXX`}[n]
			if i+width > len(s) {
				return "", fmt.Errorf("truncated %s escape", name)
			}
			v, err := strconv.ParseUint(s[i:i+width], 16, 32)
			if err != nil || strings.ContainsAny(s[i:i+width], "+-_") {
				return "", fmt.Errorf("truncated %s escape", name)
			}
			if v > unicodeMax {
				return "", errors.New("illegal Unicode character")
			}
			b.WriteRune(rune(v))
			i += width
		case 'N':
			end := strings.IndexByte(s[i:], '}')
			if i >= len(s) || s[i] != '{' || end < 2 {
				return "", errors.New(`malformed \N character escape`)
			}
			r, ok := lookupRuneName(s[i+1 : i+end])
			if !ok {
				return "", errors.New("unknown Unicode character name")
			}
			b.WriteRune(r)
			i += end + 1
		default:
			b.WriteByte('\\')
			b.WriteByte(n)
		}
	}
	return b.String(), nil
}

const unicodeMax = 0x10ffff

var (
	runeNamesOnce sync.Once
	runeNames     map[string]rune
)

// lookupRuneName finds a character by its Unicode name, as Python's \N{}
// does (any case; CJK ideographs and Hangul syllables by their
// algorithmic names).
func lookupRuneName(name string) (rune, bool) {
	name = strings.ToUpper(name)
	if hex, ok := strings.CutPrefix(name, "CJK UNIFIED IDEOGRAPH-"); ok {
		if len(hex) < 4 || len(hex) > 5 {
			return 0, false
		}
		v, err := strconv.ParseUint(hex, 16, 32)
		if err != nil || v > unicodeMax || !strings.HasPrefix(runenames.Name(rune(v)), "<CJK Ideograph") {
			return 0, false
		}
		return rune(v), true
	}
	if syl, ok := strings.CutPrefix(name, "HANGUL SYLLABLE "); ok {
		for r := rune(0xac00); r <= 0xd7a3; r++ {
			if hangulName(r) == syl {
				return r, true
			}
		}
		return 0, false
	}
	runeNamesOnce.Do(func() {
		runeNames = make(map[string]rune, 40000)
		for r := rune(0); r <= unicodeMax; r++ {
			if n := runenames.Name(r); n != "" && n[0] != '<' {
				runeNames[n] = r
			}
		}
	})
	r, ok := runeNames[name]
	return r, ok
}

// hangulName is the name of a precomposed Hangul syllable without its
// "HANGUL SYLLABLE " prefix (Unicode's algorithm).
func hangulName(r rune) string {
	lead := []string{"G", "GG", "N", "D", "DD", "R", "M", "B", "BB", "S", "SS", "", "J", "JJ", "C", "K", "T", "P", "H"}
	vowel := []string{"A", "AE", "YA", "YAE", "EO", "E", "YEO", "YE", "O", "WA", "WAE", "OE", "YO", "U", "WEO", "WE", "WI", "YU", "EU", "YI", "I"}
	tail := []string{"", "G", "GG", "GS", "N", "NJ", "NH", "D", "L", "LG", "LM", "LB", "LS", "LT", "LP", "LH", "M", "B", "BS", "S", "SS", "NG", "J", "C", "K", "T", "P", "H"}
	s := int(r - 0xac00)
	return lead[s/(21*28)] + vowel[(s%(21*28))/28] + tail[s%28]
}

// dottedNames rewrites each dotted filter or test name ("x |
// ansible.builtin.to_json", "x is ansible.builtin.version(...)") into one
// identifier of the same length, and returns the full names by position.
func dottedNames(text string, cfg *config.Config) (string, map[int]string) {
	if !dottedNameRe.MatchString(text) {
		return text, nil
	}
	var toks []*tokens.Token
	st := tokens.LexAll(text, cfg)
	for !st.End() {
		toks = append(toks, st.Current())
		st.Next()
	}
	var (
		buf   []byte
		names map[int]string
	)
	for i := 0; i < len(toks); i++ {
		start := i + 1
		switch toks[i].Type {
		case tokens.Pipe:
		case tokens.Is:
			if start < len(toks) && toks[start].Type == tokens.Not {
				start++
			}
		default:
			continue
		}
		j := start
		parts := []string{}
		for j < len(toks) && toks[j].Type == tokens.Name {
			parts = append(parts, toks[j].Val)
			if j+2 < len(toks) && toks[j+1].Type == tokens.Dot && toks[j+2].Type == tokens.Name {
				j += 2
				continue
			}
			break
		}
		if len(parts) < 2 {
			continue
		}
		first, last := toks[start], toks[j]
		from, to := first.Pos, last.Pos+len(last.Val)
		if to > len(text) || strings.Trim(text[from:to], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_. \t") != "" {
			continue
		}
		if buf == nil {
			buf = []byte(text)
			names = map[int]string{}
		}
		for k := from; k < to; k++ {
			if buf[k] == '.' || buf[k] == ' ' || buf[k] == '\t' {
				buf[k] = '_'
			}
		}
		names[from] = strings.Join(parts, ".")
		i = j
	}
	if buf == nil {
		return text, nil
	}
	return string(buf), names
}

var (
	typeStringNode = reflect.TypeOf((*nodes.String)(nil))
	typeFilterCall = reflect.TypeOf((*nodes.FilterCall)(nil))
	typeTestCall   = reflect.TypeOf((*nodes.TestCall)(nil))
	typeToken      = reflect.TypeOf((*tokens.Token)(nil))
)

// treePkgs are where the parse tree's types live; the fixer walks only
// those.
var treePkgs = map[string]bool{
	"github.com/nikolalohinski/gonja/v2/nodes":                       true,
	"github.com/nikolalohinski/gonja/v2/builtins/control_structures": true,
}

// applyFixes writes the recorded string values and full filter/test names
// into the parse tree under root. names resolves a full name for its kind
// ("filter" or "test").
func applyFixes(root any, fx fixes, resolve func(kind, name string) string) {
	if fx.empty() {
		return
	}
	f := &fixer{fx: fx, resolve: resolve, seen: map[unsafe.Pointer]bool{}}
	f.walk(reflect.ValueOf(root))
}

type fixer struct {
	fx      fixes
	resolve func(kind, name string) string
	seen    map[unsafe.Pointer]bool
}

func (f *fixer) walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.Interface:
		if !v.IsNil() {
			f.walk(v.Elem())
		}
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		p := v.UnsafePointer()
		switch v.Type() {
		case typeToken:
			return
		case typeStringNode:
			s := (*nodes.String)(p)
			if s.Location != nil {
				if val, ok := f.fx.strs[s.Location.Pos]; ok {
					s.Val = val
				}
			}
			return
		case typeFilterCall:
			fc := (*nodes.FilterCall)(p)
			if fc.Token != nil {
				if full, ok := f.fx.names[fc.Token.Pos]; ok {
					fc.Name = f.resolve("filter", full)
				}
			}
		case typeTestCall:
			tc := (*nodes.TestCall)(p)
			if tc.Token != nil {
				if full, ok := f.fx.names[tc.Token.Pos]; ok {
					tc.Name = f.resolve("test", full)
				}
			}
		}
		if f.seen[p] {
			return
		}
		f.seen[p] = true
		f.walk(v.Elem())
	case reflect.Struct:
		if !treePkgs[v.Type().PkgPath()] {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			f.walk(v.Field(i))
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			f.walk(v.Index(i))
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			f.walk(it.Value())
		}
	}
}
