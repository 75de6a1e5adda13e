package inventory

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// ListJSON returns what `ansible-inventory --list` prints: each non-empty
// group with its "hosts" and "children", "all" with its children, and
// _meta.hostvars with each host's merged variables (hosts without variables
// left out). Keys are sorted and indented by 4 spaces, as Ansible does.
func (inv *Inventory) ListJSON() ([]byte, error) {
	return inv.listJSON(nil)
}

// ListJSONFor is ListJSON restricted to hosts (for --limit): other hosts
// are left out of the groups' hosts and of _meta.hostvars.
func (inv *Inventory) ListJSONFor(hosts []*Host) ([]byte, error) {
	keep := toSet(hosts)
	return inv.listJSON(func(h *Host) bool { return keep[h] })
}

func (inv *Inventory) listJSON(keep func(*Host) bool) ([]byte, error) {
	if keep == nil {
		keep = func(*Host) bool { return true }
	}
	out := map[string]any{}
	seen := map[string]bool{}
	var format func(g *group)
	format = func(g *group) {
		entry := map[string]any{}
		var hosts []string
		for _, h := range g.hosts {
			if keep(h.pub) {
				hosts = append(hosts, h.name)
			}
		}
		if g.name != "all" && len(hosts) > 0 {
			entry["hosts"] = hosts
		}
		if len(g.children) > 0 {
			children := make([]string, len(g.children))
			for i, c := range g.children {
				children[i] = c.name
			}
			entry["children"] = children
		}
		if len(entry) > 0 {
			out[g.name] = entry
		}
		for _, c := range g.children {
			if !seen[c.name] {
				seen[c.name] = true
				format(c)
			}
		}
	}
	format(inv.d.groups["all"])
	hostvars := map[string]any{}
	for _, h := range inv.hosts {
		if len(h.Vars) > 0 && keep(h) {
			hostvars[h.Name] = pyJSON(h.Vars)
		}
	}
	out["_meta"] = map[string]any{"hostvars": hostvars}
	return marshalPy(out)
}

// HostJSON returns what `ansible-inventory --host NAME` prints: the host's
// merged variables.
func (inv *Inventory) HostJSON(name string) ([]byte, error) {
	h, ok := inv.byName[name]
	if !ok {
		return nil, &PatternError{Pattern: name, Msg: "no such host in the inventory"}
	}
	return marshalPy(pyJSON(h.Vars))
}

// Graph returns what `ansible-inventory --graph` prints: the group tree
// from "all", hosts under their groups.
func (inv *Inventory) Graph() string {
	s, _ := inv.GraphFrom("all")
	return s
}

// GraphFrom is Graph from the named group; an unknown group is a
// *PatternError.
func (inv *Inventory) GraphFrom(groupName string) (string, error) {
	top, ok := inv.d.groups[groupName]
	if !ok {
		return "", &PatternError{Pattern: groupName, Msg: "--graph needs a group name"}
	}
	var b strings.Builder
	var walk func(g *group, depth int)
	name := func(s string, depth int) {
		if depth > 0 {
			b.WriteString(strings.Repeat("  |", depth) + "--")
		}
		b.WriteString(s)
		b.WriteByte('\n')
	}
	walk = func(g *group, depth int) {
		name("@"+g.name+":", depth)
		for _, c := range g.children {
			walk(c, depth+1)
		}
		if g.name != "all" {
			for _, h := range g.hosts {
				name(h.name, depth+1)
			}
		}
	}
	walk(top, 0)
	return b.String(), nil
}

func marshalPy(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// pyFloat marshals as Python's json module prints a float.
type pyFloat float64

func (f pyFloat) MarshalJSON() ([]byte, error) { return []byte(pyFloatString(float64(f))), nil }

// pyFloatString is Python's repr of a float (json.dumps style for
// non-finite values).
func pyFloatString(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	if f == 0 {
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	exp := math.Floor(math.Log10(math.Abs(f)))
	if exp < -4 || exp >= 16 {
		return strconv.FormatFloat(f, 'e', -1, 64)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// pyJSON copies v with floats wrapped so that they print as Python does.
func pyJSON(v any) any {
	switch x := v.(type) {
	case float64:
		return pyFloat(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = pyJSON(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = pyJSON(e)
		}
		return out
	}
	return v
}
