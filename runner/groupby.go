package runner

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/drover-sh/drover/modules"
	"github.com/drover-sh/drover/playbooks"
	"github.com/drover-sh/drover/playbooks/lookup"
)

// GroupAdd is one host put in a group by a group_by task.
type GroupAdd struct {
	Host    string
	Group   string
	Parents []string // the group's parent groups ("all" by default)
}

// GroupAdds collects a run's group_by results, in the order they happened;
// safe for concurrent use. The groups count from the next play on: the
// caller resolves each later play's hosts with them (as Ansible's
// add_group does for the plays after; within the play, `groups` and
// `group_names` stay as the play started).
type GroupAdds struct {
	mu   sync.Mutex
	list []GroupAdd
	seen map[[2]string]bool // host, group
}

// Add records one membership and reports whether the host was not in
// the group yet.
func (g *GroupAdds) Add(a GroupAdd) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.seen == nil {
		g.seen = map[[2]string]bool{}
	}
	k := [2]string{a.Host, a.Group}
	isNew := !g.seen[k]
	g.seen[k] = true
	g.list = append(g.list, a)
	return isNew
}

// List returns the memberships so far.
func (g *GroupAdds) List() []GroupAdd {
	if g == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]GroupAdd(nil), g.list...)
}

// actGroupBy is group_by: key (templated) names the group the host joins,
// parents its parent groups. The result is Ansible's: add_group and
// parent_groups, changed when the membership is new — the journal keeps
// it for --resume.
func actGroupBy(_ context.Context, h *hostRun, n *playbooks.Node, vars map[string]any) modules.Result {
	if h.pr.opts.GroupAdds == nil {
		return modules.Fail("group_by is not available here")
	}
	key, err := h.render(n.Task.Args["key"], vars)
	if err != nil {
		return modules.Fail(err.Error())
	}
	group := strings.TrimSpace(fmt.Sprint(key))
	if group == "" || key == nil {
		return modules.Fail("group_by: key rendered to an empty group name")
	}
	parents := []string{"all"}
	if p, ok := n.Task.Args["parents"]; ok && p != nil {
		r, err := h.render(p, vars)
		if err != nil {
			return modules.Fail(err.Error())
		}
		parents = parents[:0]
		for _, x := range toList(r) {
			if s := strings.TrimSpace(fmt.Sprint(x)); s != "" {
				parents = append(parents, s)
			}
		}
	}
	// As Ansible: spaces become dashes; the result is changed when the
	// membership is new (not from the inventory, not added before).
	group = strings.ReplaceAll(group, " ", "-")
	for i, p := range parents {
		parents[i] = strings.ReplaceAll(p, " ", "-")
	}
	isNew := h.pr.opts.GroupAdds.Add(GroupAdd{Host: h.host.Name, Group: group, Parents: parents}) && !slices.Contains(h.host.Groups, group)
	ps := make([]any, len(parents))
	for i, p := range parents {
		ps[i] = p
	}
	return modules.Result{"changed": isNew, "add_group": group, "parent_groups": ps}
}

// groupAddsOf reads a journaled group_by result back (a looped task's
// items included).
func groupAddsOf(host string, res map[string]any) []GroupAdd {
	var out []GroupAdd
	if items, ok := res["results"].([]any); ok {
		for _, it := range items {
			if m, ok := it.(map[string]any); ok {
				out = append(out, groupAddsOf(host, m)...)
			}
		}
	}
	_, parents := res["parent_groups"].([]any)
	if g, ok := res["add_group"].(string); ok && g != "" && parents {
		a := GroupAdd{Host: host, Group: g}
		for _, p := range toList(res["parent_groups"]) {
			a.Parents = append(a.Parents, fmt.Sprint(p))
		}
		out = append(out, a)
	}
	return out
}

// toList reads a list argument: a list, or a comma-separated string.
func toList(v any) []any {
	if x, ok := v.(string); ok {
		var out []any
		for _, s := range strings.Split(x, ",") {
			out = append(out, strings.TrimSpace(s))
		}
		return out
	}
	return lookup.Terms(v)
}
