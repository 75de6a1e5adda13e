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
// safe for concurrent use. The caller resolves each later play's hosts
// with them (as Ansible's add_group does); within the play, the action
// updates `groups` and the host's `group_names` itself.
type GroupAdds struct {
	mu    sync.Mutex
	list  []GroupAdd
	seen  map[[2]string]bool // host, group
	hosts []HostAdd          // add_host's, in order
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
	// This play sees it at once, as in Ansible: the group and its listed
	// parents (the parents' inventory ancestors count from the next play).
	joined := []string{group}
	for _, p := range parents {
		if p != "all" {
			joined = append(joined, p)
		}
	}
	h.joinGroups(joined)
	h.pr.addToGroups(h.host.Name, joined)
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

// groupsVar is the `groups` variable now.
func (pr *playRun) groupsVar() map[string]any {
	pr.groupsMu.Lock()
	defer pr.groupsMu.Unlock()
	return pr.groups
}

// addToGroups adds host to groups in the `groups` variable (a new map:
// tasks running keep the one they read).
func (pr *playRun) addToGroups(host string, groups []string) {
	pr.groupsMu.Lock()
	defer pr.groupsMu.Unlock()
	next := make(map[string]any, len(pr.groups)+len(groups))
	for k, v := range pr.groups {
		next[k] = v
	}
	for _, g := range groups {
		l, _ := next[g].([]any)
		if !slices.Contains(l, any(host)) {
			next[g] = append(slices.Clip(l), host)
		}
	}
	if l, ok := next["ungrouped"].([]any); ok && slices.Contains(l, any(host)) {
		next["ungrouped"] = slices.DeleteFunc(slices.Clone(l), func(x any) bool { return x == any(host) })
	}
	pr.groups = next
}

// joinGroups adds groups to the host's group_names for the rest of the
// play.
func (h *hostRun) joinGroups(groups []string) {
	h.groupsMu.Lock()
	defer h.groupsMu.Unlock()
	for _, g := range groups {
		if !slices.Contains(h.extraGroups, g) {
			h.extraGroups = append(h.extraGroups, g)
		}
	}
}

// groupNames is the `group_names` variable: the host's inventory groups
// and those group_by put it in during the play, sorted.
func (h *hostRun) groupNames() []any {
	h.groupsMu.Lock()
	extra := h.extraGroups
	h.groupsMu.Unlock()
	names := h.host.Groups
	if len(extra) > 0 {
		names = slices.DeleteFunc(slices.Clone(names), func(g string) bool { return g == "ungrouped" })
		for _, g := range extra {
			if !slices.Contains(names, g) {
				names = append(names, g)
			}
		}
		slices.Sort(names)
	}
	out := make([]any, len(names))
	for i, g := range names {
		out[i] = g
	}
	return out
}
