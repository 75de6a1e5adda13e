package inventory

import (
	"slices"
	"sort"
)

// RuntimeGroups are the group memberships group_by tasks make while a
// playbook runs (Ansible's add_group): they count in the host patterns,
// `groups` and `group_names` of the plays after. The inventory itself is
// not changed. A nil *RuntimeGroups is empty.
type RuntimeGroups struct {
	order   []string                   // group names, in the order first added
	members map[string]map[string]bool // group -> host names
	of      map[string][]string        // host -> its runtime groups
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
	for _, h := range inv.hosts { // one pass: inventory order in every group
		for _, g := range rg.of[h.Name] {
			if !slices.Contains(h.Groups, g) { // not a member already
				out[g] = append(out[g], h.Name)
			}
		}
	}
	out["ungrouped"] = slices.DeleteFunc(out["ungrouped"], func(h string) bool { return len(rg.of[h]) > 0 })
	return out
}
