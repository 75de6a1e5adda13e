package playbooks

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// FreeRaces warns about what a play running free reads of other hosts
// while they may not have written it yet: a task that reads, through
// hostvars, a variable the play's own tasks register or set_fact. Under
// strategy linear (Ansible's default) every host of the batch has run the
// tasks before it; under free (drover's default) a host does not wait for
// the others, so the value may be missing or stale. A play runs free when
// its strategy is free or host_pinned, or when it names none and
// defaultStrategy (--strategy, ansible.cfg) is not linear. Reads of the
// host's own entry (hostvars[inventory_hostname]) and health_gate tasks
// (they run once the whole batch is done) are not races. The warnings are
// sorted by position, one per task and variable.
func FreeRaces(pb *Playbook, defaultStrategy string) []*Error {
	src := newSourceCache()
	var out []*Error
	for _, p := range pb.Plays {
		st := p.Strategy
		if st == "" {
			st = defaultStrategy
		}
		if st == "linear" {
			continue
		}
		set := map[string]*Task{} // variable → the first task that sets it
		walkPlay(p, func(t *Task) {
			for _, n := range setNames(t) {
				if _, ok := set[n]; !ok {
					set[n] = t
				}
			}
		})
		if len(set) == 0 {
			continue
		}
		gate := map[*Task]bool{}
		walkTasks(p.HealthGate, func(t *Task) { gate[t] = true })
		walkPlay(p, func(t *Task) {
			if gate[t] {
				return
			}
			for _, n := range hostvarsReads(taskTexts(t), set) {
				at := set[n].Pos
				out = append(out, &Error{Pos: t.Pos, Snippet: src.line(t.Pos), Msg: fmt.Sprintf(
					"%s reads '%s' of other hosts through hostvars, which this play sets (%s); the play runs strategy free, where a host does not wait for the others: they may not have set it yet. Set strategy: linear on the play (or run with --strategy linear) to run its hosts in lockstep",
					t.DisplayName(), n, at)})
			}
		})
	}
	l := &ErrorList{Errors: out}
	l.sort()
	return l.Errors
}

// setNames are the variables a task sets for its host: register, set_fact.
func setNames(t *Task) []string {
	var out []string
	if t.Register != "" {
		out = append(out, t.Register)
	}
	if t.Module == "set_fact" {
		for k := range t.Args {
			if k != "cacheable" {
				out = append(out, k)
			}
		}
	}
	return out
}

// taskTexts are the strings of a task that templates or expressions may
// be in (a block's own keywords, not its children's).
func taskTexts(t *Task) []string {
	out := []string{t.Name, t.Until, t.DelegateTo}
	out = append(out, t.When...)
	out = append(out, t.FailedWhen...)
	out = append(out, t.ChangedWhen...)
	add := func(s string) { out = append(out, s) }
	eachString(t.Args, add)
	eachString(t.Vars, add)
	eachString(t.Loop, add)
	return out
}

// eachString calls f on every string in v (a decoded YAML value).
func eachString(v any, f func(string)) {
	switch v := v.(type) {
	case string:
		f(v)
	case map[string]any:
		for _, x := range v {
			eachString(x, f)
		}
	case []any:
		for _, x := range v {
			eachString(x, f)
		}
	}
}

var (
	hostvarsWord = regexp.MustCompile(`\bhostvars\b`)
	ownEntry     = regexp.MustCompile(`^hostvars\s*\[\s*inventory_hostname\s*\]`)
)

// hostvarsReads returns the names of set that texts read through hostvars
// of a host other than inventory_hostname: hostvars[h].name,
// hostvars[h]['name'], map('extract', hostvars, 'name'), in the expression
// that holds hostvars. Sorted, each once.
func hostvarsReads(texts []string, set map[string]*Task) []string {
	found := map[string]bool{}
	for _, s := range texts {
		for _, loc := range hostvarsWord.FindAllStringIndex(s, -1) {
			rest := s[loc[0]:]
			if ownEntry.MatchString(rest) {
				continue
			}
			if end := strings.Index(rest, "}}"); end >= 0 {
				rest = rest[:end]
			}
			for n := range set {
				if readsName(rest, n) {
					found[n] = true
				}
			}
		}
	}
	out := make([]string, 0, len(found))
	for n := range found {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// readsName reports whether expr names n as an attribute (.n) or a quoted
// key ('n', "n").
func readsName(expr, n string) bool {
	if n == "" {
		return false
	}
	for i := 0; ; {
		j := strings.Index(expr[i:], n)
		if j < 0 {
			return false
		}
		j += i
		i = j + len(n)
		if j == 0 || !strings.ContainsRune(".'\"", rune(expr[j-1])) {
			continue
		}
		if i < len(expr) && isIdentByte(expr[i]) {
			continue
		}
		return true
	}
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
