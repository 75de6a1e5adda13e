package inventory

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// YAML values are resolved with YAML 1.1 rules, as Ansible's PyYAML loader
// does: yes/no/on/off are booleans, 0755 is octal, 1:30 is sexagesimal.

var (
	reYAMLBool  = regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`)
	reYAMLInt   = regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)
	reYAMLFloat = regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)
	reYAMLNull  = regexp.MustCompile(`^(?:~|null|Null|NULL|)$`)
)

// yamlValue converts a node to a plain Go value (map[string]any, []any,
// string, int, float64, bool, nil). Values tagged !vault are kept as their
// ciphertext string (not decrypted); !unsafe values are plain strings.
func yamlValue(n *yaml.Node) (any, error) {
	c := &yamlConv{active: map[*yaml.Node]bool{}}
	return c.value(n)
}

// yamlConv converts nodes, refusing recursive aliases and alias bombs.
type yamlConv struct {
	active map[*yaml.Node]bool
	budget int
}

const maxYAMLNodes = 1_000_000

func (c *yamlConv) value(n *yaml.Node) (any, error) {
	if c.budget++; c.budget > maxYAMLNodes {
		return nil, fmt.Errorf("line %d: document too large after alias expansion", n.Line)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.value(n.Content[0])
	case yaml.AliasNode:
		if n.Alias == nil || c.active[n.Alias] {
			return nil, fmt.Errorf("line %d: recursive alias", n.Line)
		}
		c.active[n.Alias] = true
		defer delete(c.active, n.Alias)
		return c.value(n.Alias)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			v, err := c.value(e)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := map[string]any{}
		if err := c.mergeMapping(n, out); err != nil {
			return nil, err
		}
		return out, nil
	case yaml.ScalarNode:
		return yamlScalar(n)
	}
	return nil, fmt.Errorf("line %d: unsupported YAML node", n.Line)
}

// mergeMapping adds n's pairs to out; "<<" merge keys add only missing keys.
func (c *yamlConv) mergeMapping(n *yaml.Node, out map[string]any) error {
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 {
			merges = append(merges, v)
			continue
		}
		kv, err := c.value(k)
		if err != nil {
			return err
		}
		vv, err := c.value(v)
		if err != nil {
			return err
		}
		out[keyString(kv)] = vv
	}
	for _, m := range merges {
		if m.Kind == yaml.AliasNode {
			if c.active[m.Alias] {
				return fmt.Errorf("line %d: recursive alias", m.Line)
			}
			m = m.Alias
		}
		srcs := []*yaml.Node{m}
		if m.Kind == yaml.SequenceNode {
			srcs = m.Content
		}
		for _, s := range srcs {
			if s.Kind == yaml.AliasNode {
				if c.active[s.Alias] {
					return fmt.Errorf("line %d: recursive alias", s.Line)
				}
				s = s.Alias
			}
			if s.Kind != yaml.MappingNode {
				return fmt.Errorf("line %d: merge key needs a mapping", m.Line)
			}
			tmp := map[string]any{}
			c.active[s] = true
			err := c.mergeMapping(s, tmp)
			delete(c.active, s)
			if err != nil {
				return err
			}
			for k, v := range tmp {
				if _, ok := out[k]; !ok {
					out[k] = v
				}
			}
		}
	}
	return nil
}

// keyString renders a mapping key as JSON does in Python (json.dumps).
func keyString(k any) string {
	switch x := k.(type) {
	case string:
		return x
	case nil:
		return "null"
	case bool:
		if x {
			return "true"
		}
		return "false"
	case float64:
		return pyFloatString(x)
	}
	return fmt.Sprint(k)
}

func yamlScalar(n *yaml.Node) (any, error) {
	if n.Style&yaml.TaggedStyle != 0 {
		switch n.Tag {
		case "!!str", "!vault", "!unsafe", "tag:yaml.org,2002:str":
			return n.Value, nil
		case "!!int":
			return yamlInt(n.Value)
		case "!!float":
			return yamlFloat(n.Value)
		case "!!bool":
			switch strings.ToLower(n.Value) {
			case "yes", "true", "on":
				return true, nil
			}
			return false, nil
		case "!!null":
			return nil, nil
		}
		if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
			return n.Value, nil // local tags: opaque strings
		}
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return n.Value, nil
	}
	v := n.Value
	switch {
	case reYAMLNull.MatchString(v):
		return nil, nil
	case reYAMLBool.MatchString(v):
		switch strings.ToLower(v) {
		case "yes", "true", "on":
			return true, nil
		}
		return false, nil
	case reYAMLInt.MatchString(v):
		return yamlInt(v)
	case reYAMLFloat.MatchString(v):
		return yamlFloat(v)
	}
	return v, nil
}

func yamlInt(s string) (any, error) {
	v := strings.ReplaceAll(s, "_", "")
	sign := 1
	if strings.HasPrefix(v, "-") {
		sign, v = -1, v[1:]
	} else if strings.HasPrefix(v, "+") {
		v = v[1:]
	}
	var n int64
	var err error
	switch {
	case v == "0":
		return 0, nil
	case strings.HasPrefix(v, "0b"):
		n, err = strconv.ParseInt(v[2:], 2, 64)
	case strings.HasPrefix(v, "0x"):
		n, err = strconv.ParseInt(v[2:], 16, 64)
	case strings.HasPrefix(v, "0"):
		n, err = strconv.ParseInt(v[1:], 8, 64)
	case strings.Contains(v, ":"):
		n = 0
		for _, part := range strings.Split(v, ":") {
			d, e := strconv.ParseInt(part, 10, 64)
			if e != nil {
				return s, nil
			}
			n = n*60 + d
		}
	default:
		n, err = strconv.ParseInt(v, 10, 64)
	}
	if err != nil {
		return s, nil // out of range: keep the text
	}
	return sign * int(n), nil
}

func yamlFloat(s string) (any, error) {
	v := strings.ToLower(strings.ReplaceAll(s, "_", ""))
	sign := 1.0
	if strings.HasPrefix(v, "-") {
		sign, v = -1, v[1:]
	} else if strings.HasPrefix(v, "+") {
		v = v[1:]
	}
	switch {
	case v == ".inf":
		return sign * math.Inf(1), nil
	case v == ".nan":
		return math.NaN(), nil
	case strings.Contains(v, ":"):
		parts := strings.Split(v, ":")
		f := 0.0
		for _, p := range parts {
			d, err := strconv.ParseFloat(p, 64)
			if err != nil {
				return s, nil
			}
			f = f*60 + d
		}
		return sign * f, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return s, nil
	}
	return sign * f, nil
}

// parseYAML parses one YAML document, keeping node positions. An empty
// document gives a nil node.
func parseYAML(file string, src []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, yamlError(file, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

var reYAMLErrLine = regexp.MustCompile(`^yaml: (?:unmarshal errors:\n\s*)?line (\d+): (.*)$`)

func yamlError(file string, err error) error {
	msg := err.Error()
	if m := reYAMLErrLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return perr(file, line, "%s", m[2])
	}
	return perr(file, 0, "%s", strings.TrimPrefix(msg, "yaml: "))
}
