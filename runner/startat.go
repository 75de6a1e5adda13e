package runner

import (
	"path"
	"sync"

	"github.com/drover-sh/drover/playbooks"
)

// StartAt is --start-at-task, shared by the plays of a run: the plays
// before the one holding the first task whose name matches Pattern (a
// shell glob, or the exact name) are skipped, and that play's hosts start
// at that task; later plays run whole, as in Ansible.
type StartAt struct {
	Pattern string

	mu    sync.Mutex
	found bool
}

// Matches reports whether task name matches the pattern.
func (s *StartAt) Matches(name string) bool {
	if ok, err := path.Match(s.Pattern, name); err == nil && ok {
		return true
	}
	return name == s.Pattern
}

// FirstMatch is the first task of prog (in walk order, handlers and
// health gates aside) whose name matches, or -1.
func (s *StartAt) FirstMatch(prog *playbooks.Program) int {
	for _, n := range prog.Nodes {
		if n.Kind == playbooks.KindTask && n.Phase != "handlers" && n.Phase != "health_gate" && (s.Matches(n.Task.DisplayName()) || n.Task.Role != "" && s.Matches(n.Task.Name)) {
			return n.ID
		}
	}
	return -1
}

// entry is where a play's hosts start: its entry once the task was found
// (or without StartAt), the matching task, or skip when the play comes
// before it.
func (s *StartAt) entry(prog *playbooks.Program) (node int, skip bool) {
	if s == nil {
		return prog.Entry, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.found {
		return prog.Entry, false
	}
	if id := s.FirstMatch(prog); id >= 0 {
		s.found = true
		return id, false
	}
	return prog.Entry, true
}
