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

// newRedactor collects the secrets of a run: the become password and the
// values of the variables (extra vars, inventory host and group vars, play
// vars) whose names match secretPatterns or one of extra (globs, case
// insensitive). Nested values of a secret variable are all secrets.
func newRedactor(becomePass string, in *inputs, extra []string) *redactor {
	seen := map[string]bool{}
	r := &redactor{}
	var add func(v any)
	add = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, e := range x {
				add(e)
			}
			return
		case []any:
			for _, e := range x {
				add(e)
			}
			return
		case nil, bool:
			return
		}
		s := fmt.Sprint(v)
		if len(s) < 3 || seen[s] {
			return
		}
		seen[s] = true
		r.values = append(r.values, s)
	}
	add(becomePass)
	patterns := append(append([]string{}, secretPatterns...), extra...)
	isSecret := func(name string) bool {
		n := strings.ToLower(name)
		for _, p := range patterns {
			if ok, _ := path.Match(strings.ToLower(p), n); ok {
				return true
			}
		}
		return false
	}
	var scan func(vars map[string]any)
	scan = func(vars map[string]any) {
		for k, v := range vars {
			if isSecret(k) {
				add(v)
			} else if m, ok := v.(map[string]any); ok {
				scan(m)
			}
		}
	}
	if in != nil {
		scan(in.extra)
		for _, hs := range in.hosts {
			for _, h := range hs {
				scan(h.Vars)
			}
		}
		if in.book != nil {
			for _, p := range in.book.Plays {
				scan(p.Vars)
			}
		}
	}
	sort.Slice(r.values, func(i, j int) bool { return len(r.values[i]) > len(r.values[j]) })
	return r
}

func (r *redactor) str(s string) string {
	if r == nil {
		return s
	}
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
	if r == nil || len(r.values) == 0 {
		return e
	}
	c := *e
	c.Msg = r.str(c.Msg)
	c.Task = r.str(c.Task)
	c.Stopped = r.str(c.Stopped)
	if c.Result != nil {
		c.Result, _ = r.value(c.Result).(map[string]any)
	}
	if c.Item != nil {
		c.Item = r.value(c.Item)
	}
	return &c
}
