package template

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestExprNames(t *testing.T) {
	e := New()
	cases := map[string][]string{
		"foo": {"foo"},
		"result.rc == 0 and 'x' in result.stdout": {"result"},
		"hostvars[inventory_hostname].rack":       {"hostvars", "inventory_hostname"},
		"x | default(y) | int > limit":            {"limit", "x", "y"},
		"item is defined and item.name in names":  {"item", "names"},
		"range(3) | list":                         {},
		"foo | default(omit)":                     {"foo"},
		"none is none or true":                    {},
		"[a, {'k': b}, (c, d)]":                   {"a", "b", "c", "d"},
		"a[b:c]":                                  {"a", "b", "c"},
		"not a":                                   {"a"},
		"-a + 1":                                  {"a"},
		"x if y else z":                           {"x", "y", "z"},
		"pkgs | map(attribute='name') | list":     {"pkgs"},
		"v is version(min_version, '>=')":         {"min_version", "v"},
		"{{ wrapped }}":                           {"wrapped"},
		"'literal only'":                          {},
	}
	for expr, want := range cases {
		got, err := e.ExprNames(expr)
		if err != nil {
			t.Errorf("ExprNames(%q): %v", expr, err)
			continue
		}
		if len(got) == 0 && len(want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ExprNames(%q) = %v, want %v", expr, got, want)
		}
	}
}

func TestTemplateNames(t *testing.T) {
	e := New()
	cases := map[string][]string{
		"plain text":                          nil,
		"{{ inventory_hostname }}-{{ item }}": {"inventory_hostname", "item"},
		"{% for h in groups['web'] %}{{ hostvars[h].ip }}{{ loop.index }}{% endfor %}": {"groups", "hostvars"},
		"{% for k, v in d.items() %}{{ k }}={{ v }}{{ sep }}{% endfor %}":              {"d", "sep"},
		"{% set x = a %}{{ x }}{{ b }}":                                                {"a", "b"},
		"{% if c %}{{ d }}{% elif e %}{{ f }}{% else %}{{ g }}{% endif %}":             {"c", "d", "e", "f", "g"},
		"{% macro m(p, q=dflt) %}{{ p }}{{ q }}{{ r }}{% endmacro %}{{ m(1) }}":        {"dflt", "r"},
		"{# {{ hidden }} #}{{ shown }}":                                                {"shown"},
	}
	for src, want := range cases {
		got, err := e.TemplateNames(src)
		if err != nil {
			t.Errorf("TemplateNames(%q): %v", src, err)
			continue
		}
		if len(got) == 0 && len(want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("TemplateNames(%q) = %v, want %v", src, got, want)
		}
	}
}

func TestSyntaxErrorPositions(t *testing.T) {
	e := New()
	type pos struct{ off, line, col int }
	tmpl := []struct {
		src  string
		want pos
	}{
		{"{{ x", pos{4, 1, 5}},
		{"abc {{ 1 + }} def", pos{11, 1, 12}},
		{"ok\n{{ x | nosuch }}", pos{10, 2, 8}},
		{"{{ x is nosuchtest }}", pos{8, 1, 9}},
		{"{% if x %}no end", pos{-1, -1, -1}},
		{"{{ 'unterminated }}", pos{19, 1, 20}}, // reported where the lexer gave up
	}
	for _, c := range tmpl {
		err := e.CheckTemplate(c.src)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("CheckTemplate(%q) = %v, want *SyntaxError", c.src, err)
			continue
		}
		if c.want.off >= 0 && (se.Offset != c.want.off || se.Line != c.want.line || se.Col != c.want.col) {
			t.Errorf("CheckTemplate(%q) at offset %d (%d:%d), want %d (%d:%d): %v", c.src, se.Offset, se.Line, se.Col, c.want.off, c.want.line, c.want.col, err)
		}
	}
	exprs := []struct {
		src  string
		want pos
	}{
		{"a b", pos{2, 1, 3}},
		{"x ==", pos{4, 1, 5}},
		{"x | nofilter", pos{4, 1, 5}},
		{"(a", pos{0, 1, 1}}, // the unbalanced parenthesis
		{"", pos{0, 1, 1}},
		{"a }} b {{ c", pos{-1, -1, -1}},
	}
	for _, c := range exprs {
		err := e.CheckExpr(c.src)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("CheckExpr(%q) = %v, want *SyntaxError", c.src, err)
			continue
		}
		if c.want.off >= 0 && (se.Offset != c.want.off || se.Line != c.want.line || se.Col != c.want.col) {
			t.Errorf("CheckExpr(%q) at offset %d (%d:%d), want %d (%d:%d): %v", c.src, se.Offset, se.Line, se.Col, c.want.off, c.want.line, c.want.col, err)
		}
	}
	// A test used as a filter (removed in Ansible 2.9) says how to write it.
	if err := e.CheckExpr("r|changed"); err == nil || !strings.Contains(err.Error(), "no filter named 'changed' (it is a test: write 'x is changed'") {
		t.Errorf("r|changed: %v", err)
	}
	if err := e.CheckExpr("r|nosuch"); err == nil || strings.Contains(err.Error(), "it is a test") {
		t.Errorf("r|nosuch: %v", err)
	}
	for _, ok := range []string{"x == 1", "a is defined and b | bool", "'}}' in out"} {
		if err := e.CheckExpr(ok); err != nil {
			t.Errorf("CheckExpr(%q): %v", ok, err)
		}
	}
	for _, ok := range []string{"plain", "{{ a }} and {% if b %}c{% endif %}", "{{ x | default('y') | regex_replace('a', 'b') }}"} {
		if err := e.CheckTemplate(ok); err != nil {
			t.Errorf("CheckTemplate(%q): %v", ok, err)
		}
	}
	// Errors are reported by Render too.
	if _, err := e.Render("{{ x", nil); err == nil {
		t.Error("Render of a broken template succeeded")
	}
}
