package inventory

import (
	"gopkg.in/yaml.v3"
)

// parseYAMLInventory reads an Ansible YAML inventory (all/children/hosts/
// vars), as Ansible's yaml plugin does. root is the document's top node.
func parseYAMLInventory(d *data, file string, root *yaml.Node) error {
	if root == nil {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		return perr(file, root.Line, "YAML inventory has invalid structure, it should be a dictionary")
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		if k.Value == "plugin" {
			return perr(file, k.Line, "inventory plugin configuration files are not supported")
		}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if _, err := parseYAMLGroup(d, file, root.Content[i], root.Content[i+1], 0); err != nil {
			return err
		}
	}
	return nil
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	n = deref(n)
	if n.Kind != yaml.ScalarNode {
		return false
	}
	v, err := yamlScalar(n)
	return err == nil && v == nil
}

func scalarString(file string, n *yaml.Node, what string) (string, error) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode {
		return "", perr(file, n.Line, "%s must be a string", what)
	}
	v, err := yamlScalar(n)
	if err != nil {
		return "", perr(file, n.Line, "%v", err)
	}
	s, ok := v.(string)
	if !ok {
		return "", perr(file, n.Line, "%s %s must be a string. Enclose integers/floats in quotation marks.", what, n.Value)
	}
	return s, nil
}

// pairs iterates a mapping's key/value nodes, merge keys resolved.
func pairs(n *yaml.Node) [][2]*yaml.Node {
	return pairsSeen(n, map[*yaml.Node]bool{})
}

func pairsSeen(n *yaml.Node, seen map[*yaml.Node]bool) [][2]*yaml.Node {
	if seen[n] {
		return nil // a recursive merge
	}
	seen[n] = true
	var out [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value == "<<" && k.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 {
			m := deref(v)
			srcs := []*yaml.Node{m}
			if m.Kind == yaml.SequenceNode {
				srcs = m.Content
			}
			for _, s := range srcs {
				if s = deref(s); s.Kind == yaml.MappingNode {
					out = append(out, pairsSeen(s, seen)...)
				}
			}
			continue
		}
		out = append(out, [2]*yaml.Node{k, v})
	}
	return out
}

// section returns a group's section (vars, children, hosts) as a mapping
// node; a plain string is a one-key mapping, as in Ansible.
func section(file, groupName, name string, n *yaml.Node) (*yaml.Node, error) {
	n = deref(n)
	if isNull(n) {
		return nil, nil
	}
	if n.Kind == yaml.ScalarNode {
		return &yaml.Node{Kind: yaml.MappingNode, Line: n.Line, Content: []*yaml.Node{n, {Kind: yaml.ScalarNode, Tag: "!!null", Value: "", Line: n.Line}}}, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, perr(file, n.Line, "Invalid %q entry for %q group, requires a dictionary", name, groupName)
	}
	return n, nil
}

// maxGroupDepth bounds nested children (aliases can make them infinite).
const maxGroupDepth = 200

func parseYAMLGroup(d *data, file string, kn, vn *yaml.Node, depth int) (string, error) {
	name, err := scalarString(file, kn, "group name")
	if err != nil {
		return "", err
	}
	if depth > maxGroupDepth {
		return "", perr(file, kn.Line, "group %s: children nested too deeply (recursive alias?)", name)
	}
	vn = deref(vn)
	if vn.Kind != yaml.MappingNode && !isNull(vn) {
		return "", perr(file, vn.Line, "group %s: not a valid group definition (expected a mapping)", name)
	}
	g := d.addGroup(name)
	if isNull(vn) {
		return name, nil
	}
	for _, kv := range pairs(vn) {
		key := kv[0].Value
		switch key {
		case "vars", "children", "hosts":
		default:
			return "", perr(file, kv[0].Line, "group %s: unexpected key %q, only \"vars\", \"children\" and \"hosts\" are valid", name, key)
		}
		sec, err := section(file, name, key, kv[1])
		if err != nil {
			return "", err
		}
		if sec == nil {
			continue
		}
		switch key {
		case "vars":
			for _, p := range pairs(sec) {
				k, err := scalarString(file, p[0], "variable name")
				if err != nil {
					return "", err
				}
				v, err := yamlValue(p[1])
				if err != nil {
					return "", perr(file, p[1].Line, "%v", err)
				}
				if err := d.setGroupVar(g, k, v, pos{file, p[0].Line}); err != nil {
					return "", err
				}
			}
		case "children":
			for _, p := range pairs(sec) {
				child, err := parseYAMLGroup(d, file, p[0], p[1], depth+1)
				if err != nil {
					return "", err
				}
				if err := d.addChild(name, child); err != nil {
					return "", perr(file, p[0].Line, "%v", err)
				}
			}
		case "hosts":
			for _, p := range pairs(sec) {
				if err := parseYAMLHost(d, file, name, p[0], p[1]); err != nil {
					return "", err
				}
			}
		}
	}
	return name, nil
}

func parseYAMLHost(d *data, file, groupName string, kn, vn *yaml.Node) error {
	pattern, err := scalarString(file, kn, "host pattern")
	if err != nil {
		return err
	}
	at := pos{file, kn.Line}
	names, port, err := expandHostPattern(pattern)
	if err != nil {
		return perr(file, kn.Line, "%v", err)
	}
	vars := map[string]any{}
	vn = deref(vn)
	if !isNull(vn) {
		if vn.Kind != yaml.MappingNode {
			return perr(file, vn.Line, "host %s: variables must be a mapping", pattern)
		}
		for _, p := range pairs(vn) {
			k, err := scalarString(file, p[0], "variable name")
			if err != nil {
				return err
			}
			v, err := yamlValue(p[1])
			if err != nil {
				return perr(file, p[1].Line, "%v", err)
			}
			vars[k] = v
		}
	}
	for _, n := range names {
		h, err := d.addHost(n, groupName, port, at)
		if err != nil {
			return err
		}
		for k, v := range vars {
			if err := d.setHostVar(h, k, v, at); err != nil {
				return err
			}
		}
	}
	return nil
}
