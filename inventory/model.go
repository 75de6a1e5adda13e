package inventory

import (
	"fmt"
	"sort"
	"strconv"
)

// pos is where something was defined in a source.
type pos struct {
	file string
	line int
}

func (p pos) String() string {
	if p.line > 0 {
		return fmt.Sprintf("%s:%d", p.file, p.line)
	}
	return p.file
}

// group is a group while sources are parsed (Ansible's Group).
type group struct {
	name     string
	vars     map[string]any // inline vars from the sources
	priority int            // ansible_group_priority, default 1
	hosts    []*hostEntry   // direct members, in order of addition
	hostSet  map[string]bool
	children []*group
	parents  []*group
	depth    int // longest path from "all"

	hostsCache []*hostEntry // getHosts result, after finalize
}

// hostEntry is a host while sources are parsed (Ansible's Host).
type hostEntry struct {
	name   string
	vars   map[string]any // inline vars from the sources
	groups []*group       // direct groups
	addr   map[string]addrDef
	pub    *Host
}

// addrDef remembers where an address variable got its value, to report
// conflicting definitions.
type addrDef struct {
	value any
	at    pos
}

// addrVars are the variables whose conflicting definitions are an error.
var addrVars = map[string]bool{"ansible_host": true, "ansible_port": true}

// data is the inventory being built (Ansible's InventoryData).
type data struct {
	groups     map[string]*group
	groupOrder []*group
	hosts      map[string]*hostEntry
	hostOrder  []*hostEntry
}

func newData() *data {
	d := &data{groups: map[string]*group{}, hosts: map[string]*hostEntry{}}
	d.addGroup("all")
	d.addGroup("ungrouped")
	_ = d.addChild("all", "ungrouped")
	return d
}

func (d *data) addGroup(name string) *group {
	if g, ok := d.groups[name]; ok {
		return g
	}
	g := &group{name: name, vars: map[string]any{}, priority: 1, hostSet: map[string]bool{}}
	d.groups[name] = g
	d.groupOrder = append(d.groupOrder, g)
	return g
}

// addHost adds a host (port 0: none) and puts it into group ("" for none).
// As in Ansible, the port only applies when the host is new.
func (d *data) addHost(name, group string, port int, at pos) (*hostEntry, error) {
	if name == "" {
		return nil, perr(at.file, at.line, "invalid empty host name")
	}
	h, ok := d.hosts[name]
	if !ok {
		h = &hostEntry{name: name, vars: map[string]any{}, addr: map[string]addrDef{}}
		d.hosts[name] = h
		d.hostOrder = append(d.hostOrder, h)
		if port > 0 {
			if err := d.setHostVar(h, "ansible_port", port, at); err != nil {
				return nil, err
			}
		}
	} else if port > 0 {
		if err := d.checkAddr(h, "ansible_port", port, at); err != nil {
			return nil, err
		}
	}
	if group != "" {
		g, ok := d.groups[group]
		if !ok {
			return nil, perr(at.file, at.line, "could not find group %s in inventory", group)
		}
		if !g.hostSet[name] {
			g.hostSet[name] = true
			g.hosts = append(g.hosts, h)
			h.groups = append(h.groups, g)
		}
	}
	return h, nil
}

func (d *data) checkAddr(h *hostEntry, key string, v any, at pos) error {
	prev, ok := h.addr[key]
	if ok && fmt.Sprint(prev.value) != fmt.Sprint(v) {
		return perr(at.file, at.line, "host %s defined twice with conflicting %s: %v here, %v at %s",
			h.name, key, v, prev.value, prev.at)
	}
	if !ok {
		h.addr[key] = addrDef{value: v, at: at}
	}
	return nil
}

// setHostVar sets an inline host variable, reporting conflicting addresses.
func (d *data) setHostVar(h *hostEntry, key string, v any, at pos) error {
	if addrVars[key] {
		if err := d.checkAddr(h, key, v, at); err != nil {
			return err
		}
	}
	h.vars[key] = v
	return nil
}

// setGroupVar sets an inline group variable; ansible_group_priority sets the
// group's priority instead, as in Ansible.
func (d *data) setGroupVar(g *group, key string, v any, at pos) error {
	if key == "ansible_group_priority" {
		p, err := toInt(v)
		if err != nil {
			return perr(at.file, at.line, "group %s: ansible_group_priority: %v", g.name, err)
		}
		g.priority = p
		return nil
	}
	g.vars[key] = v
	return nil
}

func toInt(v any) (int, error) {
	switch x := v.(type) {
	case int:
		return x, nil
	case int64:
		return int(x), nil
	case float64:
		return int(x), nil
	case string:
		return strconv.Atoi(x)
	}
	return 0, fmt.Errorf("not an integer: %v", v)
}

// ancestors returns g's ancestors (not g itself).
func (g *group) ancestors() map[*group]bool {
	seen := map[*group]bool{}
	stack := append([]*group(nil), g.parents...)
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[p] {
			continue
		}
		seen[p] = true
		stack = append(stack, p.parents...)
	}
	return seen
}

// addChild makes child a child of parent; both must exist.
func (d *data) addChild(parent, child string) error {
	p, ok := d.groups[parent]
	if !ok {
		return fmt.Errorf("%s is not a known group", parent)
	}
	c, ok := d.groups[child]
	if !ok {
		return fmt.Errorf("%s is not a known group", child)
	}
	if p == c {
		return fmt.Errorf("can't add group %s to itself", parent)
	}
	for _, x := range p.children {
		if x == c {
			return nil
		}
	}
	if p.ancestors()[c] {
		return fmt.Errorf("adding group '%s' as child to '%s' creates a recursive dependency loop", child, parent)
	}
	p.children = append(p.children, c)
	c.parents = append(c.parents, p)
	return nil
}

// reconcile applies Ansible's rules once every source is parsed: groups
// without a parent go under "all"; hosts in no group go to "ungrouped", and
// leave it when they are in another group.
func (d *data) reconcile() {
	for _, g := range d.groupOrder {
		if g.name != "all" && len(g.parents) == 0 {
			_ = d.addChild("all", g.name)
		}
	}
	ungrouped := d.groups["ungrouped"]
	all := d.groups["all"]
	for _, h := range d.hostOrder {
		other := false
		for _, g := range h.groups {
			if g != all && g != ungrouped {
				other = true
				break
			}
		}
		if other && ungrouped.hostSet[h.name] {
			ungrouped.removeHost(h)
		} else if !other && !ungrouped.hostSet[h.name] {
			ungrouped.hostSet[h.name] = true
			ungrouped.hosts = append(ungrouped.hosts, h)
			h.groups = append(h.groups, ungrouped)
		}
	}
	d.computeDepth()
}

func (g *group) removeHost(h *hostEntry) {
	delete(g.hostSet, h.name)
	for i, x := range g.hosts {
		if x == h {
			g.hosts = append(g.hosts[:i:i], g.hosts[i+1:]...)
			break
		}
	}
	for i, x := range h.groups {
		if x == g {
			h.groups = append(h.groups[:i:i], h.groups[i+1:]...)
			break
		}
	}
}

// computeDepth sets each group's depth to its longest distance from "all"
// (the graph is acyclic: addChild refuses loops).
func (d *data) computeDepth() {
	memo := map[*group]int{}
	var depth func(g *group) int
	depth = func(g *group) int {
		if v, ok := memo[g]; ok {
			return v
		}
		best := 0
		for _, p := range g.parents {
			if v := depth(p) + 1; v > best {
				best = v
			}
		}
		memo[g] = best
		return best
	}
	for _, g := range d.groupOrder {
		g.depth = depth(g)
	}
}

// descendants returns g and its descendants, level by level, each level in
// the order of the previous level's children (Ansible walks deeper levels
// through a set, so its order there is unspecified).
func (g *group) descendants() []*group {
	out := []*group{g}
	seen := map[*group]bool{g: true}
	level := []*group{g}
	for len(level) > 0 {
		var next []*group
		for _, p := range level {
			for _, c := range p.children {
				if !seen[c] {
					seen[c] = true
					out = append(out, c)
					next = append(next, c)
				}
			}
		}
		level = next
	}
	return out
}

// getHosts returns the hosts of g and of its descendants, without
// duplicates (Ansible's Group.get_hosts).
func (g *group) getHosts() []*hostEntry {
	if g.hostsCache != nil {
		return g.hostsCache
	}
	seen := map[*hostEntry]bool{}
	out := []*hostEntry{}
	for _, k := range g.descendants() {
		for _, h := range k.hosts {
			if !seen[h] {
				seen[h] = true
				out = append(out, h)
			}
		}
	}
	g.hostsCache = out
	return out
}

// allGroups returns the host's groups and their ancestors, sorted as
// Ansible sorts them for variable merging: depth, priority, name.
func (h *hostEntry) allGroups() []*group {
	seen := map[*group]bool{}
	var out []*group
	var visit func(g *group)
	visit = func(g *group) {
		if seen[g] {
			return
		}
		seen[g] = true
		out = append(out, g)
		for _, p := range g.parents {
			visit(p)
		}
	}
	for _, g := range h.groups {
		visit(g)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.depth != b.depth {
			return a.depth < b.depth
		}
		if a.priority != b.priority {
			return a.priority < b.priority
		}
		return a.name < b.name
	})
	return out
}
