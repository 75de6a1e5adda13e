package inventory

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

var (
	rePatternSplit = regexp.MustCompile(`(?:[^\s:\[\]]|\[[^\]]*\])+`)
	reSubscript    = regexp.MustCompile(`^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$`)
)

// splitPattern splits a host pattern as Ansible's split_host_pattern: on
// commas when there are any, else on colons that are not part of an IPv6
// address, a host:port or a [x:y] range.
func splitPattern(pattern string) []string {
	var parts []string
	if strings.Contains(pattern, ",") {
		parts = strings.Split(pattern, ",")
	} else if _, _, ok, err := parseAddress(pattern, true); ok && err == nil {
		parts = []string{pattern}
	} else {
		parts = rePatternSplit.FindAllString(pattern, -1)
	}
	out := parts[:0:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// orderPatterns puts plain patterns first, then intersections (&), then
// exclusions (!); "all" is implied when only & and ! are given.
func orderPatterns(ps []string) []string {
	var regular, and, not []string
	for _, p := range ps {
		switch p[0] {
		case '&':
			and = append(and, p)
		case '!':
			not = append(not, p)
		default:
			regular = append(regular, p)
		}
	}
	if len(regular) == 0 {
		regular = []string{"all"}
	}
	return append(append(regular, and...), not...)
}

// Select resolves an Ansible host pattern: all, *, names, globs, ~regex,
// groups, unions (a:b, a,b), intersections (a:&b), exclusions (a:!b) and
// subscripts (web[0], web[1:3], web[-1]). A part that matches no group and
// no host is a *PatternError (Ansible only warns).
func (inv *Inventory) Select(pattern string) ([]*Host, error) {
	return inv.SelectWith(pattern, nil)
}

// SelectWith is Select with the groups group_by made at run time (rg may
// be nil).
func (inv *Inventory) SelectWith(pattern string, rg *RuntimeGroups) ([]*Host, error) {
	hosts, unknown, err := inv.SelectKnown(pattern, rg)
	if err == nil && len(unknown) > 0 {
		err = &PatternError{Pattern: pattern, Msg: fmt.Sprintf("no group or host matches %s", strings.Join(quoteAll(unknown), ", "))}
	}
	return hosts, err
}

// SelectKnown is SelectWith where names that match no group or host are
// returned in unknown instead of being an error (they select nothing).
func (inv *Inventory) SelectKnown(pattern string, rg *RuntimeGroups) (hosts []*Host, unknown []string, err error) {
	parts := splitPattern(pattern)
	if len(parts) == 0 {
		return nil, nil, &PatternError{Pattern: pattern, Msg: "empty host pattern"}
	}
	return inv.evaluate(parts, rg)
}

func (inv *Inventory) evaluate(parts []string, rg *RuntimeGroups) ([]*Host, []string, error) {
	var out []*Host
	var unknown []string
	for _, p := range orderPatterns(parts) {
		var that []*Host
		if h, ok := inv.byName[p]; ok {
			that = []*Host{h}
		} else if h := rg.host(p); h != nil {
			that = []*Host{h}
		} else {
			var matched bool
			var err error
			that, matched, err = inv.matchOne(p, rg)
			if err != nil {
				return nil, nil, err
			}
			if !matched {
				unknown = append(unknown, strings.TrimLeft(p, "&!"))
				continue
			}
		}
		switch p[0] {
		case '!':
			drop := toSet(that)
			out = filterHosts(out, func(h *Host) bool { return !drop[h] })
		case '&':
			keep := toSet(that)
			out = filterHosts(out, func(h *Host) bool { return keep[h] })
		default:
			have := toSet(out)
			for _, h := range that {
				if !have[h] {
					have[h] = true
					out = append(out, h)
				}
			}
		}
	}
	return out, unknown, nil
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}

func toSet(hs []*Host) map[*Host]bool {
	m := make(map[*Host]bool, len(hs))
	for _, h := range hs {
		m[h] = true
	}
	return m
}

func filterHosts(hs []*Host, keep func(*Host) bool) []*Host {
	out := hs[:0:0]
	for _, h := range hs {
		if keep(h) {
			out = append(out, h)
		}
	}
	return out
}

// matchOne resolves one pattern part (Ansible's _match_one_pattern).
// matched is false when no group and no host matched.
func (inv *Inventory) matchOne(p string, rg *RuntimeGroups) ([]*Host, bool, error) {
	if p[0] == '&' || p[0] == '!' {
		p = p[1:]
	}
	if p == "" {
		return nil, false, &PatternError{Pattern: p, Msg: "empty pattern after & or !"}
	}
	expr, sub := p, []int(nil)
	if p[0] != '~' {
		if m := reSubscript.FindStringSubmatch(p); m != nil {
			expr = m[1]
			if m[2] != "" {
				i, _ := strconv.Atoi(m[2])
				sub = []int{i}
			} else {
				start, _ := strconv.Atoi(m[3])
				end := -1
				if m[5] != "" {
					end, _ = strconv.Atoi(m[5])
				}
				if m[4] == "-" {
					return nil, false, &PatternError{Pattern: p, Msg: "use [x:y] inclusive subscripts instead of [x-y]"}
				}
				sub = []int{start, end}
			}
		}
	}
	hosts, matched, err := inv.enumerate(expr, rg)
	if err != nil {
		return nil, false, err
	}
	if !matched {
		return nil, false, nil
	}
	switch len(sub) {
	case 1:
		i := sub[0]
		if i < 0 {
			i += len(hosts)
		}
		if i < 0 || i >= len(hosts) {
			return nil, false, &PatternError{Pattern: p, Msg: "no hosts matched the subscripted pattern"}
		}
		return []*Host{hosts[i]}, true, nil
	case 2:
		start, end := sub[0], sub[1]
		if end == 0 { // Ansible's quirk: [x:0] is [x]
			if start >= len(hosts) {
				return nil, false, &PatternError{Pattern: p, Msg: "no hosts matched the subscripted pattern"}
			}
			return []*Host{hosts[start]}, true, nil
		}
		if end == -1 {
			end = len(hosts) - 1
		}
		if end+1 > len(hosts) {
			end = len(hosts) - 1
		}
		if start > end {
			return []*Host{}, true, nil
		}
		return hosts[start : end+1], true, nil
	}
	return hosts, true, nil
}

// enumerate returns the hosts of the groups matching expr, plus the hosts
// matching it when no group matched or expr is a glob or regex.
func (inv *Inventory) enumerate(expr string, rg *RuntimeGroups) ([]*Host, bool, error) {
	literal := expr[0] != '~' && !strings.ContainsAny(expr, "*?[")
	var match func(string) bool
	if prefix, ok := strings.CutSuffix(expr, "*"); ok && !literal && expr[0] != '~' && !strings.ContainsAny(prefix, "*?[") {
		match = func(s string) bool { return strings.HasPrefix(s, prefix) }
	} else if !literal {
		re, err := compileHostPattern(expr)
		if err != nil {
			return nil, false, &PatternError{Pattern: expr, Msg: err.Error()}
		}
		match = re.MatchString
	}
	var out []*Host
	seen := map[*Host]bool{}
	add := func(h *Host) {
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	groupMatched := false
	if literal {
		if g, ok := inv.d.groups[expr]; ok {
			groupMatched = true
			for _, h := range g.getHosts() {
				add(h.pub)
			}
		}
	} else {
		for _, g := range inv.d.groupOrder {
			if match(g.name) {
				groupMatched = true
				for _, h := range g.getHosts() {
					add(h.pub)
				}
			}
		}
	}
	for _, g := range rg.names() {
		if (literal && g == expr) || (!literal && match(g)) {
			groupMatched = true
			for _, h := range inv.hosts { // inventory order, as the play's order expects
				if rg.members[g][h.Name] {
					add(h)
				}
			}
			for _, h := range rg.NewHosts() {
				if rg.members[g][h.Name] {
					add(h)
				}
			}
		}
	}
	if !groupMatched || !literal || strings.Contains(expr, ".") {
		if literal {
			if h, ok := inv.byName[expr]; ok {
				add(h)
			} else if h := rg.host(expr); h != nil {
				add(h)
			}
		} else {
			for _, h := range inv.hosts {
				if match(h.Name) {
					add(h)
				}
			}
			for _, h := range rg.NewHosts() {
				if match(h.Name) {
					add(h)
				}
			}
		}
	}
	// add_host's hosts are in all (and in ungrouped when in no group).
	for _, h := range rg.NewHosts() {
		if (literal && (expr == "all" || (expr == "ungrouped" && len(rg.of[h.Name]) == 0))) ||
			(!literal && (match("all") || (match("ungrouped") && len(rg.of[h.Name]) == 0))) {
			groupMatched = true
			add(h)
		}
	}
	if len(out) == 0 && (expr == "localhost" || expr == "127.0.0.1" || expr == "::1") {
		if h, ok := inv.byName[expr]; ok {
			add(h)
		} else if inv.local != nil && expr == "localhost" {
			add(inv.local)
		}
	}
	return out, groupMatched || len(out) > 0 || expr == "all", nil
}

// compileHostPattern compiles "~regex" (matched at the start, as Python's
// re.match) or a glob (fnmatch, whole name).
func compileHostPattern(p string) (*regexp.Regexp, error) {
	if p[0] == '~' {
		re, err := regexp.Compile(`^(?:` + p[1:] + `)`)
		if err != nil {
			return nil, fmt.Errorf("invalid regular expression: %v", err)
		}
		return re, nil
	}
	return regexp.Compile(`^(?s:` + fnmatchTranslate(p) + `)$`)
}

// fnmatchTranslate is Python's fnmatch.translate (without its anchors).
func fnmatchTranslate(pat string) string {
	var b strings.Builder
	rs := []rune(pat)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '[':
			j := i + 1
			if j < len(rs) && rs[j] == '!' {
				j++
			}
			if j < len(rs) && rs[j] == ']' {
				j++
			}
			for j < len(rs) && rs[j] != ']' {
				j++
			}
			if j >= len(rs) {
				b.WriteString(`\[`)
				continue
			}
			stuff := string(rs[i+1 : j])
			i = j
			stuff = strings.ReplaceAll(stuff, `\`, `\\`)
			if strings.HasPrefix(stuff, "!") {
				stuff = "^" + stuff[1:]
			} else if strings.HasPrefix(stuff, "^") || strings.HasPrefix(stuff, "[") {
				stuff = `\` + stuff
			}
			stuff = strings.ReplaceAll(stuff, "[", `\[`)
			b.WriteString("[" + stuff + "]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	return b.String()
}

// Limit keeps the hosts matching the --limit value: a pattern, where a part
// "@file" names a file of patterns, one a line ('#' comments and blank
// lines skipped). Names matching nothing are a *PatternError.
func (inv *Inventory) Limit(hosts []*Host, limit string) ([]*Host, error) {
	if strings.TrimSpace(limit) == "" {
		return hosts, nil
	}
	var parts []string
	for _, p := range splitPattern(limit) {
		if p[0] != '@' {
			parts = append(parts, p)
			continue
		}
		file := p[1:]
		st, err := os.Stat(file)
		if err != nil {
			return nil, &PatternError{Pattern: p, Msg: fmt.Sprintf("unable to find limit file %s", file)}
		}
		if st.IsDir() {
			return nil, &PatternError{Pattern: p, Msg: "limit starting with \"@\" must be a file, not a directory"}
		}
		src, err := os.ReadFile(file)
		if err != nil {
			return nil, &PatternError{Pattern: p, Msg: err.Error()}
		}
		for _, line := range strings.Split(string(src), "\n") {
			line = strings.TrimSpace(line)
			if line != "" && line[0] != '#' {
				parts = append(parts, line)
			}
		}
	}
	if len(parts) == 0 {
		return []*Host{}, nil
	}
	sel, unknown, err := inv.evaluate(parts, nil)
	if err == nil && len(unknown) > 0 {
		err = &PatternError{Pattern: limit, Msg: fmt.Sprintf("no group or host matches %s", strings.Join(quoteAll(unknown), ", "))}
	}
	if err != nil {
		return nil, err
	}
	keep := toSet(sel)
	return filterHosts(hosts, func(h *Host) bool { return keep[h] }), nil
}
