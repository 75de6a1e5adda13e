package inventory

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Address parsing and host range expansion, after Ansible's
// parsing/utils/addresses.py and plugins/inventory expand_hostname_range.

var (
	reBracketedHostPort = regexp.MustCompile(`^\[(.+)\]:([0-9]+)$`)
	reHostPort          = regexp.MustCompile(`^((?:[^:\[\]]|\[[^\]]*\])*):([0-9]+)$`)
	reIPv4Component     = regexp.MustCompile(`^(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|\[[0-9]+:[0-9]+(?::[0-9]+)?\])$`)
	reIPv6              = buildIPv6()
	reAlnumRange        = regexp.MustCompile(`(?i)^\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`)
)

func buildIPv6() *regexp.Regexp {
	c := `(?:[0-9a-f]{1,4}|\[[0-9a-f]+:[0-9a-f]+(?::[0-9]+)?\])`
	alts := []string{
		`(?:C:){7}C`, `(?:C:){1,6}:`, `(?:C:)(?::C){1,6}`, `(?:C:){2}(?::C){1,5}`,
		`(?:C:){3}(?::C){1,4}`, `(?:C:){4}(?::C){1,3}`, `(?:C:){5}(?::C){1,2}`,
		`(?:C:){6}(?::C)`, `:(?::C){1,6}`, `C?::`, `(?:0:){6}(?:C\.){3}C`,
		`::(?:ffff:)?(?:C\.){3}C`, `(?:0:){5}ffff:(?:C\.){3}C$`,
	}
	// Python's "^a|b|...|z$" with re.match: every branch anchored at the
	// start, only the last one at the end.
	return regexp.MustCompile(`(?i)^(?:` + strings.ReplaceAll(strings.Join(alts, "|"), "C", c) + `)`)
}

func isIPv4(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if !reIPv4Component.MatchString(p) {
			return false
		}
	}
	return true
}

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// isHostname implements Ansible's hostname pattern: labels of word
// characters, '-' and ranges, not starting with '-', not ending in '-' or '_'.
func isHostname(s string) bool {
	if s == "" {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" {
			return false
		}
		first := true
		lastBad := false
		for i := 0; i < len(label); {
			if label[i] == '[' {
				m := reAlnumRange.FindString(label[i:])
				if m == "" {
					return false
				}
				i += len(m)
				first, lastBad = false, false
				continue
			}
			r, size := decodeRune(label[i:])
			switch {
			case isWordRune(r):
				lastBad = r == '_'
			case r == '-' && !first:
				lastBad = true
			default:
				return false
			}
			first = false
			i += size
		}
		if lastBad {
			return false
		}
	}
	return true
}

func decodeRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 1
}

// parseAddress splits "host", "host:port", "[v6]:port" into host and port
// (0 when absent). ok is false when the string is not a host identifier.
func parseAddress(addr string, allowRanges bool) (host string, port int, ok bool, err error) {
	for _, re := range []*regexp.Regexp{reBracketedHostPort, reHostPort} {
		if !strings.Contains(addr, ":") {
			break
		}
		if m := re.FindStringSubmatch(addr); m != nil {
			addr = m[1]
			port, err = strconv.Atoi(m[2])
			if err != nil {
				return "", 0, false, nil
			}
		}
	}
	if !(isHostname(addr) || isIPv4(addr) || strings.Contains(addr, ":") && reIPv6.MatchString(addr)) {
		return "", 0, false, nil
	}
	if !allowRanges && strings.Contains(addr, "[") {
		return "", 0, false, fmt.Errorf("detected range in host but was asked to ignore ranges")
	}
	return addr, port, true, nil
}

// expandHostPattern turns "web[01:03].example.com:2222" into host names and
// a port, as Ansible's _expand_hostpattern does.
func expandHostPattern(pattern string) ([]string, int, error) {
	host, port, ok, _ := parseAddress(pattern, true)
	if !ok {
		host, port = pattern, 0
	}
	if !strings.Contains(host, "[") {
		return []string{host}, port, nil
	}
	names, err := expandRange(host)
	return names, port, err
}

// maxRange bounds the hosts one pattern expands to.
const maxRange = 100_000

const asciiLetters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// expandRange expands the first [begin:end(:step)] of line, recursively.
func expandRange(line string) ([]string, error) {
	open := strings.Index(line, "[")
	close := strings.Index(line, "]")
	if open < 0 || close < 0 || close < open {
		return nil, fmt.Errorf("invalid host range in %q", line)
	}
	head, nrange, tail := line[:open], line[open+1:close], line[close+1:]
	if strings.ContainsAny(head+nrange, "|") {
		return nil, fmt.Errorf("invalid host range in %q", line)
	}
	bounds := strings.Split(nrange, ":")
	if len(bounds) != 2 && len(bounds) != 3 {
		return nil, fmt.Errorf("host range must be begin:end or begin:end:step")
	}
	beg, end := bounds[0], bounds[1]
	step := 1
	if len(bounds) == 3 {
		s, err := strconv.Atoi(bounds[2])
		if err != nil || s <= 0 {
			return nil, fmt.Errorf("invalid host range step %q", bounds[2])
		}
		step = s
	}
	if beg == "" {
		beg = "0"
	}
	if end == "" {
		return nil, fmt.Errorf("host range must specify end value")
	}
	width := 0
	if beg[0] == '0' && len(beg) > 1 {
		width = len(beg)
		if width != len(end) {
			return nil, fmt.Errorf("host range must specify equal-length begin and end formats")
		}
	}
	var seq []string
	ib, ie := strings.Index(asciiLetters, beg), strings.Index(asciiLetters, end)
	if len(beg) == 1 && len(end) == 1 && ib >= 0 && ie >= 0 {
		if ib > ie {
			return nil, fmt.Errorf("host range must have begin <= end")
		}
		for i := ib; i <= ie; i += step {
			seq = append(seq, asciiLetters[i:i+1])
		}
	} else {
		b, err1 := strconv.Atoi(beg)
		e, err2 := strconv.Atoi(end)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("invalid host range [%s]", nrange)
		}
		if e-b > maxRange {
			return nil, fmt.Errorf("host range [%s] is too large", nrange)
		}
		for i := b; i <= e; i += step {
			s := strconv.Itoa(i)
			if width > 0 && len(s) < width {
				s = strings.Repeat("0", width-len(s)) + s
			}
			seq = append(seq, s)
		}
	}
	var out []string
	for _, s := range seq {
		if len(out) > maxRange {
			return nil, fmt.Errorf("host range in %q expands to too many hosts", line)
		}
		name := head + s + tail
		if strings.Contains(name, "[") {
			more, err := expandRange(name)
			if err != nil {
				return nil, err
			}
			out = append(out, more...)
		} else {
			out = append(out, name)
		}
	}
	return out, nil
}
