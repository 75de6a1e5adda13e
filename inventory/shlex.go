package inventory

import (
	"errors"
	"strings"
)

// shlexSplit splits a line as Python's shlex.split(line, comments=True)
// does (POSIX mode): whitespace separates words, quotes group, a backslash
// escapes outside single quotes, '#' outside quotes ends the line.
func shlexSplit(line string) ([]string, error) {
	if !strings.ContainsAny(line, "'\"\\") {
		// The common line: no quoting, so '#' ends it and whitespace
		// separates words.
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		return strings.Fields(line), nil
	}
	var out []string
	var tok []rune
	inTok := false // a word is being built (possibly empty, from quotes)
	rs := []rune(line)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inTok {
				out = append(out, string(tok))
				tok, inTok = tok[:0], false
			}
		case c == '#':
			if inTok {
				out = append(out, string(tok))
			}
			return out, nil
		case c == '\\':
			if i+1 >= len(rs) {
				return nil, errors.New("no escaped character")
			}
			i++
			tok, inTok = append(tok, rs[i]), true
		case c == '\'':
			inTok = true
			j := i + 1
			for ; j < len(rs) && rs[j] != '\''; j++ {
				tok = append(tok, rs[j])
			}
			if j >= len(rs) {
				return nil, errors.New("no closing quotation")
			}
			i = j
		case c == '"':
			inTok = true
			j := i + 1
			for ; j < len(rs) && rs[j] != '"'; j++ {
				if rs[j] == '\\' && j+1 < len(rs) && (rs[j+1] == '"' || rs[j+1] == '\\') {
					j++
				}
				tok = append(tok, rs[j])
			}
			if j >= len(rs) {
				return nil, errors.New("no closing quotation")
			}
			i = j
		default:
			tok, inTok = append(tok, c), true
		}
	}
	if inTok {
		out = append(out, string(tok))
	}
	return out, nil
}
