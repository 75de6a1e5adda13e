package inventory

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// parseINIValue turns an INI value into a typed value as Ansible's
// ast.literal_eval does: Python literals (numbers, strings, True/False/None,
// lists, tuples, dicts) become values, anything else stays a string.
func parseINIValue(s string) any {
	p := &pyParser{s: strings.TrimLeft(s, " \t")}
	v, err := p.expr()
	if err == nil {
		p.space()
		if p.i == len(p.s) {
			return v
		}
	}
	return s
}

var errNotLiteral = errors.New("not a python literal")

type pyParser struct {
	s     string
	i     int
	depth int
}

func (p *pyParser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t':
			p.i++
		case '\n', '\r':
			if p.depth == 0 {
				return
			}
			p.i++
		default:
			return
		}
	}
}

func (p *pyParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *pyParser) expr() (any, error) {
	p.space()
	if p.i >= len(p.s) {
		return nil, errNotLiteral
	}
	c := p.s[p.i]
	switch {
	case c == '-' || c == '+':
		p.i++
		p.space()
		v, err := p.number()
		if err != nil {
			return nil, err
		}
		if c == '-' {
			switch x := v.(type) {
			case int:
				return -x, nil
			case float64:
				return -x, nil
			}
		}
		return v, nil
	case c >= '0' && c <= '9' || c == '.' && p.i+1 < len(p.s) && p.s[p.i+1] >= '0' && p.s[p.i+1] <= '9':
		return p.number()
	case c == '\'' || c == '"':
		return p.strings()
	case c == '[':
		return p.seq('[', ']')
	case c == '(':
		return p.seq('(', ')')
	case c == '{':
		return p.dict()
	}
	// names and string prefixes
	j := p.i
	for j < len(p.s) && (isIdentByte(p.s[j])) {
		j++
	}
	word := p.s[p.i:j]
	switch word {
	case "True":
		p.i = j
		return true, nil
	case "False":
		p.i = j
		return false, nil
	case "None":
		p.i = j
		return nil, nil
	}
	lw := strings.ToLower(word)
	if j < len(p.s) && (p.s[j] == '\'' || p.s[j] == '"') && (lw == "u" || lw == "r" || lw == "b" || lw == "br" || lw == "rb") {
		return p.strings()
	}
	return nil, errNotLiteral
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// number parses a Python int or float literal (complex numbers are not
// supported and leave the value a string).
func (p *pyParser) number() (any, error) {
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if isIdentByte(c) || c == '.' {
			p.i++
			continue
		}
		if (c == '+' || c == '-') && p.i > start && (p.s[p.i-1] == 'e' || p.s[p.i-1] == 'E') && !isHexLit(p.s[start:p.i]) {
			p.i++
			continue
		}
		break
	}
	lit := p.s[start:p.i]
	if !validUnderscores(lit) {
		return nil, errNotLiteral
	}
	clean := strings.ReplaceAll(lit, "_", "")
	if len(clean) > 1 && clean[0] == '0' {
		switch clean[1] {
		case 'x', 'X', 'o', 'O', 'b', 'B':
			v, err := strconv.ParseInt(clean, 0, 64)
			if err != nil {
				return nil, errNotLiteral
			}
			return int(v), nil
		}
	}
	if strings.ContainsAny(clean, ".eE") {
		if strings.ContainsAny(clean, "jJ") || strings.ContainsAny(clean, "xXoObB") {
			return nil, errNotLiteral
		}
		f, err := strconv.ParseFloat(clean, 64)
		if err != nil {
			return nil, errNotLiteral
		}
		return f, nil
	}
	for _, c := range clean {
		if c < '0' || c > '9' {
			return nil, errNotLiteral
		}
	}
	if len(clean) > 1 && clean[0] == '0' && strings.Trim(clean, "0") != "" {
		return nil, errNotLiteral // leading zeros are a SyntaxError in Python 3
	}
	v, err := strconv.ParseInt(clean, 10, 64)
	if err != nil {
		return nil, errNotLiteral
	}
	return int(v), nil
}

func isHexLit(s string) bool {
	s = strings.ToLower(s)
	return strings.HasPrefix(s, "0x")
}

// validUnderscores checks Python's rule: an underscore only between digits
// (or after a base prefix).
func validUnderscores(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '_' {
			continue
		}
		if i == 0 || i == len(s)-1 || s[i+1] == '_' {
			return false
		}
		prev := s[i-1]
		if !(isHexDigit(prev) || (i == 2 && strings.ContainsRune("xXoObB", rune(prev)))) || !isHexDigit(s[i+1]) {
			return false
		}
	}
	return true
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// strings parses one or more adjacent string literals.
func (p *pyParser) strings() (any, error) {
	var b strings.Builder
	n := 0
	for {
		p.space()
		j := p.i
		for j < len(p.s) && isIdentByte(p.s[j]) {
			j++
		}
		prefix := strings.ToLower(p.s[p.i:j])
		if j >= len(p.s) || (p.s[j] != '\'' && p.s[j] != '"') || !(prefix == "" || prefix == "u" || prefix == "r" || prefix == "b" || prefix == "br" || prefix == "rb") {
			break
		}
		p.i = j
		s, err := p.oneString(strings.Contains(prefix, "r"))
		if err != nil {
			return nil, err
		}
		b.WriteString(s)
		n++
	}
	if n == 0 {
		return nil, errNotLiteral
	}
	return b.String(), nil
}

func (p *pyParser) oneString(raw bool) (string, error) {
	q := p.s[p.i]
	triple := strings.HasPrefix(p.s[p.i:], strings.Repeat(string(q), 3))
	if triple {
		p.i += 3
	} else {
		p.i++
	}
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		if triple && strings.HasPrefix(p.s[p.i:], strings.Repeat(string(q), 3)) {
			p.i += 3
			return b.String(), nil
		}
		if !triple && c == q {
			p.i++
			return b.String(), nil
		}
		if !triple && (c == '\n' || c == '\r') {
			return "", errNotLiteral
		}
		if c == '\\' && p.i+1 < len(p.s) {
			if raw {
				b.WriteByte(c)
				b.WriteByte(p.s[p.i+1])
				p.i += 2
				continue
			}
			if err := p.escape(&b); err != nil {
				return "", err
			}
			continue
		}
		b.WriteByte(c)
		p.i++
	}
	return "", errNotLiteral
}

func (p *pyParser) escape(b *strings.Builder) error {
	c := p.s[p.i+1]
	p.i += 2
	simple := map[byte]string{'\\': "\\", '\'': "'", '"': "\"", 'a': "\a", 'b': "\b", 'f': "\f", 'n': "\n", 'r': "\r", 't': "\t", 'v': "\v", '\n': ""}
	if s, ok := simple[c]; ok {
		b.WriteString(s)
		return nil
	}
	hexn := map[byte]int{'x': 2, 'u': 4, 'U': 8}
	if n, ok := hexn[c]; ok {
		if p.i+n > len(p.s) {
			return errNotLiteral
		}
		v, err := strconv.ParseUint(p.s[p.i:p.i+n], 16, 32)
		if err != nil || !utf8.ValidRune(rune(v)) {
			return errNotLiteral
		}
		b.WriteRune(rune(v))
		p.i += n
		return nil
	}
	if c >= '0' && c <= '7' {
		j := p.i - 1
		k := j
		for k < len(p.s) && k < j+3 && p.s[k] >= '0' && p.s[k] <= '7' {
			k++
		}
		v, _ := strconv.ParseUint(p.s[j:k], 8, 32)
		b.WriteRune(rune(v))
		p.i = k
		return nil
	}
	b.WriteByte('\\')
	b.WriteByte(c)
	return nil
}

func (p *pyParser) seq(open, close byte) (any, error) {
	p.i++
	p.depth++
	defer func() { p.depth-- }()
	out := []any{}
	sawComma := false
	for {
		p.space()
		if p.peek() == close {
			p.i++
			if open == '(' && len(out) == 1 && !sawComma {
				return out[0], nil // a parenthesised expression
			}
			return out, nil
		}
		v, err := p.expr()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		p.space()
		switch p.peek() {
		case ',':
			p.i++
			sawComma = true
		case close:
		default:
			return nil, errNotLiteral
		}
	}
}

func (p *pyParser) dict() (any, error) {
	p.i++
	p.depth++
	defer func() { p.depth-- }()
	out := map[string]any{}
	var set []any
	for {
		p.space()
		if p.peek() == '}' {
			p.i++
			if set != nil {
				return set, nil
			}
			return out, nil
		}
		k, err := p.expr()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.peek() != ':' {
			if len(out) > 0 {
				return nil, errNotLiteral
			}
			set = append(set, k) // a set literal
		} else {
			if set != nil {
				return nil, errNotLiteral
			}
			p.i++
			v, err := p.expr()
			if err != nil {
				return nil, err
			}
			out[keyString(k)] = v
		}
		p.space()
		switch p.peek() {
		case ',':
			p.i++
		case '}':
		default:
			return nil, errNotLiteral
		}
	}
}
