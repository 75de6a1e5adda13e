package inventory

import (
	"slices"
	"sort"
)

// RuntimeGroups are the hosts and group memberships group_by and add_host
// tasks make while a playbook runs (Ansible's add_group and add_host): they
// count in the host patterns, `groups` and `group_names` of the plays
// after. The inventory itself is not changed. A nil *RuntimeGroups is
// empty.
type RuntimeGroups struct {
	order   []string                   // group names, in the order first added
	members map[string]map[string]bool // group -> host names
	of      map[string][]string        // host -> its runtime groups
	hosts   []*Host                    // hosts add_host made, in order (not in the inventory)
	byName  map[string]*Host
	vars    map[string]map[string]any // add_host variables of inventory hosts
}

// AddRuntimeHost is add_host: a host the inventory lacks becomes a host
// with vars (in "all", and "ungrouped" without groups); an inventory host
// gets vars over its own. Either way it joins groups (with their
// inventory ancestors).
func (inv *Inventory) AddRuntimeHost(rg *RuntimeGroups, name string, vars map[string]any, groups []string) {
	if rg.byName == nil {
		rg.byName, rg.vars = map[string]*Host{}, map[string]map[string]any{}
	}
	if _, ok := inv.byName[name]; ok {
		m := rg.vars[name]
		if m == nil {
			m = map[string]any{}
			rg.vars[name] = m
		}
		for k, v := range vars {
			m[k] = v
		}
	} else if h := rg.byName[name]; h != nil {
		for k, v := range vars {
			h.Vars[k] = v
		}
	} else {
		h := &Host{Name: name, Vars: map[string]any{}}
		for k, v := range vars {
			h.Vars[k] = v
		}
		rg.hosts = append(rg.hosts, h)
		rg.byName[name] = h
	}
	for _, g := range groups {
		inv.AddRuntime(rg, name, g, nil)
	}
}

// RuntimeHost returns h as the run sees it now: add_host's variables over
// the inventory's (h itself when add_host gave none).
func (rg *RuntimeGroups) RuntimeHost(h *Host) *Host {
	if rg == nil || len(rg.vars[h.Name]) == 0 {
		return h
	}
	c := *h
	c.Vars = make(map[string]any, len(h.Vars)+len(rg.vars[h.Name]))
	for k, v := range h.Vars {
		c.Vars[k] = v
	}
	for k, v := range rg.vars[h.Name] {
		c.Vars[k] = v
	}
	return &c
}

// NewHosts are the hosts add_host made that the inventory lacks.
func (rg *RuntimeGroups) NewHosts() []*Host {
	if rg == nil {
		return nil
	}
	return rg.hosts
}

// AddRuntime puts host in group and in each of parents (Ansible's
// group_by parents; "all" adds nothing) with their inventory ancestors.
func (inv *Inventory) AddRuntime(rg *RuntimeGroups, host, group string, parents []string) {
	if rg.members == nil {
		rg.members, rg.of = map[string]map[string]bool{}, map[string][]string{}
	}
	add := func(g string) {
		if g == "all" || rg.members[g][host] {
			return
		}
		if _, ok := rg.members[g]; !ok {
			rg.order = append(rg.order, g)
			rg.members[g] = map[string]bool{}
		}
		rg.members[g][host] = true
		rg.of[host] = append(rg.of[host], g)
	}
	add(group)
	var up func(name string)
	up = func(name string) {
		add(name)
		if g, ok := inv.d.groups[name]; ok {
			for _, p := range g.parents {
				up(p.name)
			}
		}
	}
	for _, p := range parents {
		up(p)
	}
}

func (rg *RuntimeGroups) names() []string {
	if rg == nil {
		return nil
	}
	return rg.order
}

// GroupNamesOf is h's group_names with its runtime groups: sorted, without
// "ungrouped" once the host is in a group.
func (rg *RuntimeGroups) GroupNamesOf(h *Host) []string {
	if rg == nil || len(rg.of[h.Name]) == 0 {
		if rg != nil && rg.byName[h.Name] == h {
			return []string{"ungrouped"}
		}
		return h.Groups
	}
	out := slices.DeleteFunc(slices.Clone(h.Groups), func(g string) bool { return g == "ungrouped" })
	for _, g := range rg.of[h.Name] {
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	sort.Strings(out)
	return out
}

// GroupsWith is Groups with the runtime groups' members added, in
// inventory order.
func (inv *Inventory) GroupsWith(rg *RuntimeGroups) map[string][]string {
	out := inv.Groups()
	if rg == nil {
		return out
	}
	for _, h := range slices.Concat(inv.hosts, rg.hosts) { // one pass: inventory order in every group
		for _, g := range rg.of[h.Name] {
			if !slices.Contains(h.Groups, g) { // not a member already
				out[g] = append(out[g], h.Name)
			}
		}
	}
	for _, h := range rg.hosts {
		out["all"] = append(out["all"], h.Name)
		if len(rg.of[h.Name]) == 0 {
			out["ungrouped"] = append(out["ungrouped"], h.Name)
		}
	}
	out["ungrouped"] = slices.DeleteFunc(out["ungrouped"], func(h string) bool { return len(rg.of[h]) > 0 })
	return out
}

// host is the add_host host named name, or nil.
func (rg *RuntimeGroups) host(name string) *Host {
	if rg == nil {
		return nil
	}
	return rg.byName[name]
}
