package main

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/drover-sh/drover/runner"
)

// secretPatterns name variables whose values are secrets.
var secretPatterns = []string{"*password*", "*passwd*", "*secret*", "*token*", "*passphrase*", "ansible_become_pass", "ansible_ssh_pass"}

const mask = "********"

// redactor replaces every known secret value in events with ********
// before any sink (terminal, JSON, JUnit, journal) sees them.
type redactor struct {
	values []string // longest first
}

func newRedactor(becomePass string, in *inputs) *redactor {
	seen := map[string]bool{}
	r := &redactor{}
	add := func(v any) {
		s, ok := v.(string)
		if !ok || len(s) < 3 || seen[s] {
			return
		}
		seen[s] = true
		r.values = append(r.values, s)
	}
	add(becomePass)
	isSecret := func(name string) bool {
		n := strings.ToLower(name)
		for _, p := range secretPatterns {
			if ok, _ := path.Match(p, n); ok {
				return true
			}
		}
		return false
	}
	scan := func(vars map[string]any) {
		for k, v := range vars {
			if isSecret(k) {
				add(fmt.Sprint(v))
			}
		}
	}
	scan(in.extra)
	for _, hs := range in.hosts {
		for _, h := range hs {
			scan(h.Vars)
		}
	}
	for _, p := range in.book.Plays {
		scan(p.Vars)
	}
	sort.Slice(r.values, func(i, j int) bool { return len(r.values[i]) > len(r.values[j]) })
	return r
}

func (r *redactor) str(s string) string {
	for _, v := range r.values {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, mask)
		}
	}
	return s
}

func (r *redactor) value(v any) any {
	switch x := v.(type) {
	case string:
		return r.str(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = r.value(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = r.value(e)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = r.str(e)
		}
		return out
	}
	return v
}

// event returns a redacted copy of e (e itself when there is nothing to
// hide).
func (r *redactor) event(e *runner.Event) *runner.Event {
	if len(r.values) == 0 {
		return e
	}
	c := *e
	c.Msg = r.str(c.Msg)
	if c.Result != nil {
		c.Result, _ = r.value(c.Result).(map[string]any)
	}
	if c.Item != nil {
		c.Item = r.value(c.Item)
	}
	return &c
}
