package playbooks

import (
	"maps"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/drover-sh/drover/modules"
)

// ModuleDefaults are module_defaults (on a play, block or task): default
// arguments by canonical module name. A task's own arguments win over
// them; a block's or task's defaults win over the play's (Scope keeps them
// outer first).
type ModuleDefaults map[string]map[string]any

// moduleDefaults reads a module_defaults mapping. Names may be short or
// qualified (uri, ansible.builtin.uri); action groups (group/...) are
// refused; argument names are checked against the module's schema. A
// module drover does not have is ignored here: a task using it is
// refused by name.
func (l *loader) moduleDefaults(file string, n *yaml.Node) ModuleDefaults {
	n = resolve(n)
	if !l.mapping(file, n, "module_defaults") {
		return nil
	}
	out := ModuleDefaults{}
	for _, kv := range pairs(n) {
		name := kv.k.Value
		if strings.HasPrefix(name, "group/") {
			l.c.add(pos(file, kv.k), "module_defaults group '%s' is not supported: give the defaults of each module by name", name)
			continue
		}
		args := l.varsMap(file, kv.v, "module_defaults."+name)
		canon, m := lookupModule(name)
		if m == nil {
			continue
		}
		canonical, names := argNames(cachedSchema(m))
		for _, a := range pairs(resolve(kv.v)) {
			if _, ok := canonical[a.k.Value]; !ok || a.k.Value == "_raw_params" {
				l.c.add(pos(file, a.k), "unknown argument '%s' for module '%s' in module_defaults%s", a.k.Value, canon, didYouMean(a.k.Value, names))
			}
		}
		if out[canon] == nil {
			out[canon] = map[string]any{}
		}
		maps.Copy(out[canon], args)
	}
	return out
}

// argNames maps every argument name and alias of a schema to the
// argument's name, and lists the names (not the free form) sorted.
func argNames(schema modules.Schema) (canonical map[string]string, names []string) {
	canonical = map[string]string{}
	for name, a := range schema.Args {
		canonical[name] = name
		if name != "_raw_params" {
			names = append(names, name)
		}
		for _, al := range a.Aliases {
			canonical[al] = name
		}
	}
	sort.Strings(names)
	return canonical, names
}

// Defaults returns the default arguments module gets in this scope (inner
// scopes' over outer ones'), nil when there are none.
func (sc *Scope) Defaults(module string) map[string]any {
	var out map[string]any
	for _, d := range sc.ModuleDefaults {
		if args := d[module]; len(args) > 0 {
			if out == nil {
				out = map[string]any{}
			}
			maps.Copy(out, args)
		}
	}
	return out
}

// WithDefaults returns a task's arguments with the scope's defaults for
// its module added where the task sets neither the argument nor one of its
// aliases; args itself when there are none.
func (sc *Scope) WithDefaults(module string, args map[string]any) map[string]any {
	d := sc.Defaults(module)
	if d == nil {
		return args
	}
	schema, ok := schemaOf(module)
	if !ok {
		return args
	}
	canonical, _ := argNames(schema)
	set := map[string]bool{}
	for k := range args {
		set[canonical[k]] = true
	}
	out := make(map[string]any, len(args)+len(d))
	for k, v := range d {
		if !set[canonical[k]] {
			out[k] = v
		}
	}
	maps.Copy(out, args)
	return out
}
