package runner

import (
	"fmt"

	"github.com/drover-sh/drover/playbooks"
)

// Resume is what a previous attempt of a run left in its journal: hosts
// that finished keep their outcome; hosts that were in flight continue
// after their last recorded task; a reboot that was begun is checked
// against the host's boot id instead of being issued again.
type Resume struct {
	plays  map[int]map[string]*resumeHost
	groups []GroupAdd // group_by results, in journal order
	hosts  []HostAdd  // add_host results, in journal order
}

// HostAdds are the add_host results the journal holds.
func (r *Resume) HostAdds() []HostAdd {
	if r == nil {
		return nil
	}
	// add_host runs once for the batch: every host of it journals the same
	// result.
	var out []HostAdd
	seen := map[string]bool{}
	for _, a := range r.hosts {
		if k := fmt.Sprint(a.Name, a.Groups, a.Vars); !seen[k] {
			seen[k] = true
			out = append(out, a)
		}
	}
	return out
}

// GroupAdds are the group_by results the journal holds: the groups the
// run's later plays select hosts by.
func (r *Resume) GroupAdds() []GroupAdd {
	if r == nil {
		return nil
	}
	return r.groups
}

type resumeHost struct {
	final    *HostSummary // host_done with a final status
	lastNode int          // last task_result node, -1 for none
	lastOK   bool         // that result let the host go on
	facts    map[string]any
	gathered map[string]any // the play's gathered facts (ansible_facts)
	stats    Stats
	// reboot begun (reboot_started) and not finished (no result for the
	// reboot node yet)
	rebootNode int
	oldBoot    string
}

// NewResume reads a journal's events.
func NewResume(events []*Event) *Resume {
	r := &Resume{plays: map[int]map[string]*resumeHost{}}
	get := func(play int, host string) *resumeHost {
		m := r.plays[play]
		if m == nil {
			m = map[string]*resumeHost{}
			r.plays[play] = m
		}
		h := m[host]
		if h == nil {
			h = &resumeHost{lastNode: -1, rebootNode: -1, facts: map[string]any{}}
			m[host] = h
		}
		return h
	}
	for _, e := range events {
		if e.Host == "" {
			continue
		}
		h := get(e.PlayIdx, e.Host)
		switch e.Type {
		case EvTaskResult:
			if e.Node == -1 && e.Status == StatusOK { // the play's fact gathering
				if af, ok := e.Result["ansible_facts"].(map[string]any); ok {
					h.gathered = af
				}
			}
			h.lastNode = e.Node
			h.lastOK = e.Status != StatusFailed || (e.Msg != "" && hasSuffix(e.Msg, "(ignored)"))
			if e.Register != "" && e.Result != nil {
				h.facts[e.Register] = e.Result
			}
			if (e.Status == StatusOK || e.Status == StatusChanged) && e.Result != nil {
				r.groups = append(r.groups, groupAddsOf(e.Host, e.Result)...)
				r.hosts = append(r.hosts, hostAddsOf(e.Result)...)
			}
			if e.Node == h.rebootNode {
				h.rebootNode, h.oldBoot = -1, ""
			}
			switch e.Status {
			case StatusOK:
				h.stats.OK++
			case StatusChanged:
				h.stats.OK++
				h.stats.Changed++
			case StatusSkipped:
				h.stats.Skipped++
			case StatusFailed:
				h.stats.Failed++
			case StatusUnreachable:
				h.stats.Unreachable++
			}
		case EvRebootStarted:
			h.rebootNode, h.oldBoot = e.Node, e.OldBoot
		case EvHostBack:
			h.stats.Rebooted = true
			h.stats.Downtime += e.Downtime
		case EvHostDone:
			if e.Status != StatusStopped {
				s := &HostSummary{Name: e.Host, Status: e.Status, Msg: e.Msg}
				if e.Stats != nil {
					s.Stats = *e.Stats
				}
				h.final = s
			}
		}
	}
	return r
}

func hasSuffix(s, suf string) bool { return len(s) >= len(suf) && s[len(s)-len(suf):] == suf }

func (r *Resume) host(play int, name string) *resumeHost {
	if r == nil || r.plays[play] == nil {
		return nil
	}
	return r.plays[play][name]
}

// done returns the final outcome of a host that finished, or nil.
func (r *Resume) done(play int, name string) *HostSummary {
	if h := r.host(play, name); h != nil {
		return h.final
	}
	return nil
}

// restore loads a host's journaled state into hr and returns the node to
// continue from.
func (r *Resume) restore(play int, hr *hostRun) int {
	prog := hr.pr.prog
	h := r.host(play, hr.host.Name)
	if h == nil {
		return hr.pr.entry // the play's start (--start-at-task's task)
	}
	// The facts gathered before: a host resumed in the middle of its walk
	// (in a reboot, maybe still down) is not gathered again, as Ansible's
	// facts also stay those gathered at the play's start.
	if h.gathered != nil {
		hr.addFacts(hr.host.Name, h.gathered)
	}
	for k, v := range h.facts {
		hr.setFact(k, v)
	}
	hr.stats = h.stats
	hr.rebooted = h.stats.Rebooted
	if h.rebootNode >= 0 {
		hr.resumeBoot = h.oldBoot
		return h.rebootNode
	}
	if h.lastNode < 0 || h.lastNode >= len(prog.Nodes) {
		return hr.pr.entry
	}
	n := prog.Nodes[h.lastNode]
	if n.Kind == playbooks.KindIncludeGuard || n.Kind == playbooks.KindLoopStart {
		// The include's own result: it decides again (a loop starts
		// again from its first item).
		return n.ID
	}
	if h.lastOK && n.InLoop >= 0 {
		// Inside an include_tasks loop: the journal does not say which
		// item was running, so the loop starts again from its first item.
		return n.InLoop
	}
	if h.lastOK {
		return n.Next
	}
	if n.OnFail == playbooks.Fail {
		return prog.Entry // unreachable: the host failed; caught by final
	}
	return n.OnFail
}
