package inventory

import (
	"fmt"
	"sort"
	"strings"
)

// Templater evaluates the Jinja2 of the constructed options over a host's
// variables (drover's template engine).
type Templater interface {
	// Eval evaluates an expression to a native value.
	Eval(expr string, vars map[string]any) (any, error)
	// Truth evaluates a condition.
	Truth(expr string, vars map[string]any) (bool, error)
}

// Constructed are Ansible's constructed options — compose, groups,
// keyed_groups, strict, leading_separator — as the constructed plugin and
// the cloud plugins (aws_ec2) apply them.
type Constructed struct {
	Compose          map[string]string
	Groups           map[string]string
	KeyedGroups      []map[string]any
	Strict           bool
	LeadingSeparator bool
	// Sanitize cleans group names; nil keeps them (Ansible's default).
	Sanitize func(string) string
}

// ConstructTarget receives what Apply decides for a host.
type ConstructTarget interface {
	SetVar(host, key string, value any)
	AddToGroup(group, host string)
	AddChild(parent, child string)
}

// ReadConstructed reads a constructed option into c; it reports whether
// key is one.
func (c *Constructed) ReadConstructed(key string, v any) (bool, error) {
	var err error
	switch key {
	case "compose":
		c.Compose, err = stringMap(v)
	case "groups":
		c.Groups, err = stringMap(v)
	case "keyed_groups":
		l, ok := v.([]any)
		if !ok && v != nil {
			return true, fmt.Errorf("must be a list of mappings")
		}
		for _, x := range l {
			m, ok := x.(map[string]any)
			if !ok {
				return true, fmt.Errorf("each entry must be a mapping (key, prefix, separator, ...)")
			}
			c.KeyedGroups = append(c.KeyedGroups, m)
		}
	case "strict":
		c.Strict, err = OptionBool(v)
	case "leading_separator":
		c.LeadingSeparator, err = OptionBool(v)
	default:
		return false, nil
	}
	return true, err
}

// Apply sets host's composed variables (compose over vars), then puts it
// in the groups whose condition holds and the keyed groups, over vars and
// the composed ones. An expression that fails is skipped, or under Strict
// the error.
func (c *Constructed) Apply(t Templater, out ConstructTarget, host string, vars map[string]any) error {
	all := make(map[string]any, len(vars)+len(c.Compose))
	for k, v := range vars {
		all[k] = v
	}
	for _, k := range sortedKeys(c.Compose) {
		v, err := t.Eval(c.Compose[k], vars)
		if err != nil {
			if c.Strict {
				return fmt.Errorf("could not set %s for host %s: %v", k, host, err)
			}
			continue
		}
		out.SetVar(host, k, v)
		all[k] = v
	}
	for _, g := range sortedKeys(c.Groups) {
		ok, err := t.Truth(c.Groups[g], all)
		if err != nil {
			if c.Strict {
				return fmt.Errorf("could not add host %s to group %s: %v", host, g, err)
			}
			continue
		}
		if ok {
			out.AddToGroup(c.sanitize(g), host)
		}
	}
	for _, kg := range c.KeyedGroups {
		if err := c.keyed(t, out, host, all, kg); err != nil {
			return err
		}
	}
	return nil
}

func (c *Constructed) sanitize(s string) string {
	if c.Sanitize == nil {
		return s
	}
	return c.Sanitize(s)
}

// keyed puts host in the groups one keyed_groups entry names.
func (c *Constructed) keyed(t Templater, out ConstructTarget, host string, vars map[string]any, kg map[string]any) error {
	expr, _ := kg["key"].(string)
	if expr == "" {
		return fmt.Errorf("keyed_groups: an entry needs a key")
	}
	key, err := t.Eval(expr, vars)
	if err != nil {
		if c.Strict {
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
	if key == nil || (key == "" && !hasDef) {
		if c.Strict {
			return fmt.Errorf("keyed_groups: no key or key resulted empty for %s in host %s, invalid entry", expr, host)
		}
		return nil
	}
	prefix, _ := kg["prefix"].(string)
	sep := "_"
	if s, ok := kg["separator"].(string); ok {
		sep = s
	}
	orDefault := func(s string) string {
		if s == "" && hasDef {
			return defName
		}
		return s
	}
	var names []string
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
		if prefix == "" && !c.LeadingSeparator {
			s = ""
		}
		g := c.sanitize(prefix + s + bare)
		out.AddToGroup(g, host)
		if parent != "" {
			out.AddChild(c.sanitize(parent), g)
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

func stringMap(v any) (map[string]string, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("must be a mapping")
	}
	out := make(map[string]string, len(m))
	for k, x := range m {
		out[k] = fmt.Sprint(x)
	}
	return out, nil
}

// OptionBool reads a plugin option's boolean: a YAML boolean, or yes/no,
// true/false, on/off, 1/0 in any case.
func OptionBool(v any) (bool, error) {
	switch v := v.(type) {
	case bool:
		return v, nil
	case string:
		switch strings.ToLower(v) {
		case "yes", "true", "on", "1":
			return true, nil
		case "no", "false", "off", "0":
			return false, nil
		}
	}
	return false, fmt.Errorf("must be a boolean")
}

// constructedKeys are the options of the constructed plugin drover reads.
var constructedKeys = map[string]bool{"plugin": true, "compose": true, "groups": true, "keyed_groups": true,
	"strict": true, "leading_separator": true, "use_vars_plugins": true, "use_extra_vars": true}

// parseConstructed is Ansible's constructed plugin: compose, groups and
// keyed_groups over the hosts the sources before it defined, with their
// inline host and group variables, inventory_hostname and group_names.
func parseConstructed(d *data, opts LoadOptions, file string, config map[string]any, line int) error {
	c := &Constructed{LeadingSeparator: true}
	for _, k := range sortedKeys(config) {
		v := config[k]
		if !constructedKeys[k] {
			return perr(file, line, "constructed: unknown option '%s' (drover reads compose, groups, keyed_groups, strict, leading_separator)", k)
		}
		switch k {
		case "use_vars_plugins", "use_extra_vars":
			if b, err := OptionBool(v); err != nil || b {
				return perr(file, line, "constructed: %s: true is not supported: the expressions see the hosts' inventory variables (set them in the inventory sources)", k)
			}
			continue
		}
		if _, err := c.ReadConstructed(k, v); err != nil {
			return perr(file, line, "constructed: %s: %v", k, err)
		}
	}
	if opts.Templater == nil {
		return perr(file, line, "constructed: this build of drover gives inventory plugins no template engine")
	}
	d.computeDepth()
	t := &dataTarget{d: d, at: pos{file, line}}
	hosts := append([]*hostEntry(nil), d.hostOrder...)
	for _, h := range hosts {
		vars := map[string]any{}
		var names []string
		for _, g := range h.allGroups() {
			for k, v := range g.vars {
				vars[k] = v
			}
			if g.name != "all" && g.name != "ungrouped" {
				names = append(names, g.name)
			}
		}
		for k, v := range h.vars {
			vars[k] = v
		}
		sort.Strings(names)
		gn := make([]any, len(names))
		for i, n := range names {
			gn[i] = n
		}
		vars["inventory_hostname"], vars["group_names"] = h.name, gn
		if err := c.Apply(opts.Templater, t, h.name, vars); err != nil {
			return perr(file, 0, "constructed: %v", err)
		}
		if t.err != nil {
			return t.err
		}
	}
	return nil
}

// dataTarget applies constructed results to the inventory being built.
type dataTarget struct {
	d   *data
	at  pos
	err error
}

func (t *dataTarget) SetVar(host, k string, v any) {
	if h := t.d.hosts[host]; h != nil {
		h.vars[k] = v // a composed ansible_host replaces the source's, as in Ansible
	}
}

func (t *dataTarget) AddToGroup(g, host string) {
	t.d.addGroup(g)
	if _, err := t.d.addHost(host, g, 0, t.at); err != nil && t.err == nil {
		t.err = err
	}
}

func (t *dataTarget) AddChild(parent, child string) {
	t.d.addGroup(parent)
	if err := t.d.addChild(parent, child); err != nil && t.err == nil {
		t.err = perr(t.at.file, t.at.line, "%v", err)
	}
}
