package awsec2

import (
	"fmt"
	"sort"
)

// Templater evaluates the Jinja2 of compose, groups and keyed_groups over
// a host's variables (drover's template engine).
type Templater interface {
	// Eval evaluates an expression to a native value.
	Eval(expr string, vars map[string]any) (any, error)
	// Truth evaluates a condition.
	Truth(expr string, vars map[string]any) (bool, error)
}

// inventory is the result being built: the groups' hosts and children,
// every host's variables.
type inventory struct {
	hostvars map[string]map[string]any
	groups   map[string]*group
}

type group struct {
	hosts    []string
	children []string
}

func (inv *inventory) add(g, host string) {
	gr := inv.group(g)
	for _, h := range gr.hosts {
		if h == host {
			return
		}
	}
	gr.hosts = append(gr.hosts, host)
}

func (inv *inventory) group(g string) *group {
	gr := inv.groups[g]
	if gr == nil {
		gr = &group{}
		inv.groups[g] = gr
	}
	return gr
}

// construct applies compose, groups and keyed_groups to host (Ansible's
// Constructable: compose over the instance's variables, groups and keyed
// groups over those and the composed ones). Errors count only under
// strict.
func (o *options) construct(t Templater, inv *inventory, host string, vars map[string]any) error {
	sanitize := o.sanitizer()
	hv := inv.hostvars[host]
	for _, k := range sortedKeys(o.compose) {
		v, err := t.Eval(o.compose[k], vars)
		if err != nil {
			if o.strict {
				return fmt.Errorf("could not set %s for host %s: %v", k, host, err)
			}
			continue
		}
		hv[k] = v
	}
	all := make(map[string]any, len(vars)+len(hv))
	for k, v := range vars {
		all[k] = v
	}
	for k, v := range hv {
		all[k] = v
	}
	for _, g := range sortedKeys(o.groups) {
		ok, err := t.Truth(o.groups[g], all)
		if err != nil {
			if o.strict {
				return fmt.Errorf("could not add host %s to group %s: %v", host, g, err)
			}
			continue
		}
		if ok {
			inv.add(sanitize(g), host)
		}
	}
	for _, kg := range o.keyedGroups {
		if err := o.keyed(t, inv, host, all, kg, sanitize); err != nil {
			return err
		}
	}
	return nil
}

// keyed adds host to the groups one keyed_groups entry names.
func (o *options) keyed(t Templater, inv *inventory, host string, vars map[string]any, kg map[string]any, sanitize func(string) string) error {
	expr, _ := kg["key"].(string)
	if expr == "" {
		return fmt.Errorf("keyed_groups: an entry needs a key")
	}
	key, err := t.Eval(expr, vars)
	if err != nil {
		if o.strict {
			return fmt.Errorf("keyed_groups: could not evaluate %q for host %s: %v", expr, host, err)
		}
		return nil
	}
	def, hasDef := kg["default_value"]
	defName := fmt.Sprint(def)
	trailing, hasTrailing := kg["trailing_separator"].(bool)
	if hasDef && hasTrailing {
		return fmt.Errorf("keyed_groups: default_value and trailing_separator do not go together")
	}
	empty := key == nil || key == ""
	if empty && !(key == "" && hasDef) {
		if o.strict {
			return fmt.Errorf("keyed_groups: no key or key resulted empty for %s in host %s, invalid entry", expr, host)
		}
		return nil
	}
	prefix, _ := kg["prefix"].(string)
	sep := "_"
	if s, ok := kg["separator"].(string); ok {
		sep = s
	}
	var names []string
	orDefault := func(s string) string {
		if s == "" && hasDef {
			return defName
		}
		return s
	}
	switch k := key.(type) {
	case string:
		names = append(names, orDefault(k))
	case []any:
		for _, e := range k {
			names = append(names, orDefault(fmt.Sprint(e)))
		}
	case map[string]any:
		for _, name := range sortedKeys(k) {
			val := fmt.Sprint(k[name])
			bare := name + sep + val
			if val == "" {
				switch {
				case hasDef:
					bare = name + sep + defName
				case hasTrailing && !trailing:
					bare = name
				}
			}
			names = append(names, bare)
		}
	case bool, int, int64, float64:
		names = append(names, fmt.Sprint(k))
	default:
		return fmt.Errorf("keyed_groups: invalid group name format for %s, expected a string, a list or a dictionary, got %T", expr, key)
	}
	parent, _ := kg["parent_group"].(string)
	for _, bare := range names {
		s := sep
		if prefix == "" && !o.leadingSeparator {
			s = ""
		}
		g := sanitize(prefix + s + bare)
		inv.add(g, host)
		if parent != "" {
			p := inv.group(sanitize(parent))
			found := false
			for _, c := range p.children {
				found = found || c == g
			}
			if !found {
				p.children = append(p.children, g)
			}
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
