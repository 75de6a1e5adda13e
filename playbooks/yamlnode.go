package playbooks

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/drover-sh/drover/internal/vault"
)

// Vaulted is a `!vault` value that could not be decrypted because no vault
// password was given. The runner must refuse to use it.
type Vaulted struct {
	Pos Pos
}

func (v Vaulted) String() string { return "<vault-encrypted value at " + v.Pos.String() + ">" }

// maxExpansion bounds the values built from one playbook's YAML.
const maxExpansion = 1_000_000

type pair struct{ k, v *yaml.Node }

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// pairs returns a mapping's key/value pairs, with `<<` merge keys expanded
// (explicit keys win).
func pairs(n *yaml.Node) []pair {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var out, merged []pair
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Tag == "!!merge" || (k.Value == "<<" && k.Kind == yaml.ScalarNode && k.Style == 0) {
			v = resolve(v)
			srcs := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				srcs = v.Content
			}
			for _, s := range srcs {
				merged = append(merged, pairs(s)...)
			}
			continue
		}
		seen[k.Value] = true
		out = append(out, pair{k, v})
	}
	for _, p := range merged {
		if !seen[p.k.Value] {
			seen[p.k.Value] = true
			out = append(out, p)
		}
	}
	return out
}

func pos(file string, n *yaml.Node) Pos {
	if n == nil {
		return Pos{File: file}
	}
	return Pos{File: file, Line: n.Line, Col: n.Column}
}

func kindName(n *yaml.Node) string {
	n = resolve(n)
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!int":
			return "an integer"
		case "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		}
		return "a string"
	}
	return "nothing"
}

func isTemplated(s string) bool { return strings.Contains(s, "{{") || strings.Contains(s, "{%") }

// value converts a node to plain Go values: map[string]any, []any, string,
// int, float64, bool, nil. `!vault` scalars are decrypted (or become a
// Vaulted without a password).
func (l *loader) value(file string, n *yaml.Node) any {
	n = resolve(n)
	if n == nil {
		return nil
	}
	// Aliases can make a small file expand to a huge value ("billion
	// laughs"): bound the work.
	l.expanded++
	if l.expanded > maxExpansion {
		if l.expanded == maxExpansion+1 {
			l.c.add(pos(file, n), "too many YAML alias expansions: the file expands to more than %d values", maxExpansion)
		}
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for _, p := range pairs(n) {
			m[p.k.Value] = l.value(file, p.v)
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, c := range n.Content {
			s[i] = l.value(file, c)
		}
		return s
	case yaml.ScalarNode:
		return l.scalar(file, n)
	}
	return nil
}

func (l *loader) scalar(file string, n *yaml.Node) any {
	switch n.Tag {
	case "!vault":
		if l.opts.VaultPassword == nil {
			return Vaulted{Pos: pos(file, n)}
		}
		plain, err := vault.Decrypt([]byte(n.Value), l.opts.VaultPassword)
		if err != nil {
			l.c.add(pos(file, n), "cannot decrypt !vault value: %v", err)
			return ""
		}
		return string(plain)
	case "!!null":
		return nil
	case "!!bool":
		b, _ := parseBool(n.Value)
		return b
	case "!!int":
		if i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil {
			return int(i)
		}
		var i int
		if err := n.Decode(&i); err == nil {
			return i
		}
		return n.Value
	case "!!float":
		var f float64
		if err := n.Decode(&f); err == nil {
			return f
		}
		return n.Value
	case "!!str", "!unsafe", "":
		return n.Value
	}
	// YAML 1.1 booleans (yes/no/on/off) as Ansible reads them.
	if n.Style == 0 {
		if b, ok := parseBool(n.Value); ok {
			return b
		}
	}
	return n.Value
}

// parseBool reads a boolean the way Ansible's YAML (1.1) does.
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "on", "y":
		return true, true
	case "false", "no", "off", "n":
		return false, true
	}
	return false, false
}

// plainScalar is true for a scalar written without quotes.
func plainScalar(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Style == 0 }

// str reads a scalar as a string (numbers and booleans as written).
func (l *loader) str(file string, n *yaml.Node, what string) (string, bool) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode {
		l.c.add(pos(file, n), "%s must be a string, got %s", what, kindName(n))
		return "", false
	}
	if n.Tag == "!!null" {
		return "", true
	}
	if n.Tag == "!vault" {
		v, _ := l.scalar(file, n).(string)
		return v, true
	}
	return n.Value, true
}

// boolean reads a literal boolean (YAML 1.1 words accepted).
func (l *loader) boolean(file string, n *yaml.Node, what string) (bool, bool) {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode {
		if b, ok := parseBool(n.Value); ok && (n.Tag == "!!bool" || n.Tag == "!!str") {
			return b, true
		}
		if isTemplated(n.Value) {
			l.c.add(pos(file, n), "%s must be a literal boolean: drover does not template %s", what, what)
			return false, false
		}
	}
	l.c.add(pos(file, n), "%s must be a boolean (true/false), got %s", what, describe(n))
	return false, false
}

// boolOrTemplate reads a literal boolean, or a template deciding it per
// host at run time (become: "{{ needs_root }}"): one of the results is set.
func (l *loader) boolOrTemplate(file string, n *yaml.Node, what string) (*bool, string) {
	if r := resolve(n); r.Kind == yaml.ScalarNode && r.Tag == "!!str" && isTemplated(r.Value) {
		return nil, r.Value
	}
	return l.boolPtr(file, n, what), ""
}

func (l *loader) boolPtr(file string, n *yaml.Node, what string) *bool {
	b, ok := l.boolean(file, n, what)
	if !ok {
		return nil
	}
	return &b
}

// integer reads a literal non-negative integer.
func (l *loader) integer(file string, n *yaml.Node, what string) (int, bool) {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode {
		if i, err := strconv.Atoi(strings.TrimSpace(n.Value)); err == nil && n.Tag != "!!bool" {
			if i < 0 {
				l.c.add(pos(file, n), "%s must not be negative, got %d", what, i)
				return 0, false
			}
			return i, true
		}
		if isTemplated(n.Value) {
			l.c.add(pos(file, n), "%s must be a literal integer: drover does not template %s", what, what)
			return 0, false
		}
	}
	l.c.add(pos(file, n), "%s must be an integer, got %s", what, describe(n))
	return 0, false
}

// duration reads seconds as a number, or a Go/Ansible duration such as
// "30s", "2m", "1h30m".
func (l *loader) duration(file string, n *yaml.Node, what string) (time.Duration, bool) {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode && n.Tag != "!!bool" && n.Tag != "!!null" {
		s := strings.TrimSpace(n.Value)
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			if f < 0 {
				l.c.add(pos(file, n), "invalid duration for %s: %q must not be negative", what, s)
				return 0, false
			}
			if f > float64(math.MaxInt64/int64(time.Second)) {
				l.c.add(pos(file, n), "invalid duration for %s: %q is too large", what, s)
				return 0, false
			}
			return time.Duration(f * float64(time.Second)), true
		}
		if d, err := time.ParseDuration(s); err == nil {
			if d < 0 {
				l.c.add(pos(file, n), "invalid duration for %s: %q must not be negative", what, s)
				return 0, false
			}
			return d, true
		}
		if isTemplated(s) {
			l.c.add(pos(file, n), "%s must be a literal duration: drover does not template %s", what, what)
			return 0, false
		}
		l.c.add(pos(file, n), "invalid duration for %s: %q (use seconds, or a number with a unit such as 30s, 2m, 1h)", what, s)
		return 0, false
	}
	l.c.add(pos(file, n), "invalid duration for %s: got %s (use seconds, or a number with a unit such as 30s, 2m, 1h)", what, describe(n))
	return 0, false
}

// strList reads a string or a list of strings (booleans and numbers as
// written, so `when: false` is the expression "False").
func (l *loader) strList(file string, n *yaml.Node, what string) ([]string, bool) {
	n = resolve(n)
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil, true
		}
		return []string{scalarExpr(n)}, true
	case yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		ok := true
		for _, c := range n.Content {
			c = resolve(c)
			if c.Kind != yaml.ScalarNode {
				l.c.add(pos(file, c), "each entry of %s must be a string, got %s", what, kindName(c))
				ok = false
				continue
			}
			out = append(out, scalarExpr(c))
		}
		return out, ok
	}
	l.c.add(pos(file, n), "%s must be a string or a list of strings, got %s", what, kindName(n))
	return nil, false
}

// scalarExpr renders a scalar as an expression: YAML booleans become
// True/False as Ansible sees them.
// An unquoted yes/no/on/off is a YAML 1.1 boolean, as Ansible's YAML
// reads it (`changed_when: yes`), not a variable name.
func scalarExpr(n *yaml.Node) string {
	b, ok := parseBool(n.Value)
	if n.Tag == "!!str" && (n.Style != 0 || !yaml11Bool.MatchString(n.Value)) {
		ok = false
	}
	if ok && (n.Tag == "!!bool" || n.Tag == "!!str") {
		if b {
			return "True"
		}
		return "False"
	}
	return n.Value
}

// yaml11Bool are the words YAML 1.1 (PyYAML, so Ansible) reads as booleans
// and YAML 1.2 reads as strings.
var yaml11Bool = regexp.MustCompile(`^(yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$`)

func describe(n *yaml.Node) string {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		return fmt.Sprintf("%q", n.Value)
	}
	return kindName(n)
}

// mapping checks that n is a mapping.
func (l *loader) mapping(file string, n *yaml.Node, what string) bool {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		l.c.add(pos(file, n), "%s must be a mapping, got %s", what, kindName(n))
		return false
	}
	return true
}

// varsMap reads a vars-like mapping.
func (l *loader) varsMap(file string, n *yaml.Node, what string) map[string]any {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if !l.mapping(file, n, what) {
		return nil
	}
	m, _ := l.value(file, n).(map[string]any)
	return m
}
