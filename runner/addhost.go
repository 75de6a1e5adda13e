package runner

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/drover-sh/drover/modules"
	"github.com/drover-sh/drover/playbooks"
)

// HostAdd is one add_host: a host (new, or of the inventory) with
// variables, put in groups, for the run's later plays.
type HostAdd struct {
	Name   string
	Groups []string
	Vars   map[string]any
}

// AddHost records an add_host.
func (g *GroupAdds) AddHost(a HostAdd) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.hosts = append(g.hosts, a)
}

// Hosts returns the add_host records so far.
func (g *GroupAdds) Hosts() []HostAdd {
	if g == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]HostAdd(nil), g.hosts...)
}

// addHostKeys are add_host's own arguments; the others are host variables.
var addHostKeys = map[string]bool{"name": true, "host": true, "hostname": true, "groups": true, "group": true, "groupname": true}

// actAddHost is add_host: name (host, hostname; "host:port" sets
// ansible_port), groups (group, groupname), every other argument a host
// variable. Like Ansible's, it runs once for the batch (per loop item),
// and the host and groups count from the next play on. The result is
// Ansible's add_host, which the journal keeps for --resume.
func actAddHost(_ context.Context, h *hostRun, n *playbooks.Node, vars map[string]any) modules.Result {
	if h.pr.opts.GroupAdds == nil {
		return modules.Fail("add_host is not available here")
	}
	r, err := h.render(n.Task.Args, vars)
	if err != nil {
		return modules.Fail(err.Error())
	}
	args, _ := r.(map[string]any)
	name := ""
	for _, k := range []string{"name", "host", "hostname"} {
		if v, ok := args[k]; ok && v != nil {
			name = strings.TrimSpace(fmt.Sprint(v))
		}
	}
	if name == "" {
		return modules.Fail("add_host: name is required")
	}
	hostVars := map[string]any{}
	for k, v := range args {
		if !addHostKeys[k] && !strings.HasPrefix(k, "_") {
			hostVars[k] = v
		}
	}
	if i := strings.LastIndex(name, ":"); i > 0 && !strings.Contains(name[:i], ":") {
		if p, err := strconv.Atoi(name[i+1:]); err == nil && p > 0 && p < 65536 {
			name = name[:i]
			hostVars["ansible_port"] = p
		}
	}
	if strings.ContainsAny(name, " ,[]") {
		return modules.Fail(fmt.Sprintf("add_host: %q is not a host name", name))
	}
	var groups []string
	for _, k := range []string{"groups", "group", "groupname"} {
		for _, g := range toList(args[k]) {
			if s := strings.TrimSpace(fmt.Sprint(g)); s != "" {
				groups = append(groups, s)
			}
		}
	}
	h.pr.opts.GroupAdds.AddHost(HostAdd{Name: name, Groups: groups, Vars: maps.Clone(hostVars)})
	gs := make([]any, len(groups))
	for i, g := range groups {
		gs[i] = g
	}
	return modules.Result{"changed": true, "add_host": map[string]any{"host_name": name, "groups": gs, "host_vars": hostVars}}
}

// hostAddsOf reads journaled add_host results back (a looped task's
// items included).
func hostAddsOf(res map[string]any) []HostAdd {
	var out []HostAdd
	if items, ok := res["results"].([]any); ok {
		for _, it := range items {
			if m, ok := it.(map[string]any); ok {
				out = append(out, hostAddsOf(m)...)
			}
		}
	}
	if a, ok := res["add_host"].(map[string]any); ok {
		name, _ := a["host_name"].(string)
		if name == "" {
			return out
		}
		ha := HostAdd{Name: name, Vars: map[string]any{}}
		for _, g := range toList(a["groups"]) {
			ha.Groups = append(ha.Groups, fmt.Sprint(g))
		}
		if v, ok := a["host_vars"].(map[string]any); ok {
			ha.Vars = v
		}
		out = append(out, ha)
	}
	return out
}
