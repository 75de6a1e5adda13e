package template

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestFQCNFiltersAndTests(t *testing.T) {
	e := New()
	vars := map[string]any{"x": map[string]any{"a": 1}, "v": "1.2.3", "s": "a-b", "p": []any{"/etc", "x"}}
	cases := []struct {
		src  string
		want any
	}{
		{"{{ x | ansible.builtin.to_json }}", `{"a": 1}`},
		{"{{ x | ansible.legacy.to_json }}", `{"a": 1}`},
		{"{{ x|ansible.builtin.to_json|ansible.builtin.from_json }}", map[string]any{"a": 1}},
		{"{{ s | ansible.builtin.regex_replace('-', '_') }}", "a_b"},
		{"{{ 'secret' | ansible.builtin.password_hash('sha512', 'mysalt') }}", "$6$mysalt$UX6P1VKOf6dr0s2pg4pLNvIUB6hLXvP6M5f/Yj9hJgMPdAJ4oArvk5YUD9/XWtk1JOpVwt/JTsczMJr8sFVML1"},
		{"{{ v is ansible.builtin.version('1.2', '>=') }}", true},
		{"{{ v is not ansible.builtin.version('1.2', '<') }}", true},
		{"{{ v is ansible.legacy.version_compare('2', 'lt') }}", true},
		{"{{ p | community.general.path_join }}", "/etc/x"},
		{"{{ p | ansible . builtin . path_join }}", "/etc/x"},
		{"{% if v is ansible.builtin.version('1', '>') %}y{% endif %}", "y"},
		{"{{ [v] | select('ansible.builtin.version', '1.0', '>') | list }}", []any{"1.2.3"}},
		{"{{ [x] | map('ansible.builtin.to_json') | list }}", []any{`{"a": 1}`}},
		{"{{ [{'v': '1.2'}] | selectattr('v', 'ansible.builtin.version', '1.0', '>') | list }}", []any{map[string]any{"v": "1.2"}}},
		{"{{ [{'v': '1.2'}] | rejectattr('v', 'ansible.legacy.version', '1.0', '>') | list }}", []any{}},
		{"{{ ['0.9', '1.2'] | reject('ansible.builtin.version', '1.0', '>') | list }}", []any{"0.9"}},
		{"{{ 'a.b' }}", "a.b"}, // a dotted string is no name
	}
	for _, c := range cases {
		got, err := e.Render(c.src, vars)
		if err != nil {
			t.Errorf("Render(%q): %v", c.src, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Render(%q) = %#v, want %#v", c.src, got, c.want)
		}
	}
	if ok, err := e.Truth("v is ansible.builtin.version('1.2', '>=') and x | ansible.builtin.to_json", vars); err != nil || !ok {
		t.Errorf("Truth = %v, %v", ok, err)
	}
}

func TestFQCNErrors(t *testing.T) {
	e := New()
	cases := []struct {
		src      string
		col      int
		contains string
	}{
		// Not a filter drover has: the full name, at its position.
		{"{{ x | ansible.builtin.nosuch }}", 8, "no filter named 'ansible.builtin.nosuch'"},
		{"{{ x | community.general.json_query('a') }}", 8, "no filter named 'community.general.json_query'"},
		{"{{ x | foo.bar }}", 8, "no filter named 'foo.bar'"},
		{"{{ 1 | int }} {{ x is ansible.builtin.nosuch }}", 23, "no test named 'ansible.builtin.nosuch'"},
		// ansible-core 2.14 has no FQCN for Jinja2's own filters and tests.
		{"{{ x | ansible.builtin.default(1) }}", 8, "Jinja2's own"},
		{"{{ x is ansible.builtin.string }}", 9, "no test named 'ansible.builtin.string'"},
		// Collections other than community.general's shims.
		{"{{ x | community.general.to_json }}", 8, "not from community.general"},
		// Later errors keep their columns.
		{"{{ x | ansible.builtin.to_json | nosuch }}", 34, "no filter named 'nosuch'"},
	}
	for _, c := range cases {
		err := e.CheckTemplate(c.src)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: got %v, want a syntax error", c.src, err)
			continue
		}
		if se.Col != c.col || !strings.Contains(se.Msg, c.contains) {
			t.Errorf("%q: got col %d %q, want col %d %q", c.src, se.Col, se.Msg, c.col, c.contains)
		}
	}
	if err := e.CheckExpr("x is ansible.builtin.nope"); err == nil || !strings.Contains(err.Error(), "column 6") {
		t.Errorf("CheckExpr: %v, want an error at column 6", err)
	}
	// Every ansible-core filter and test drover has resolves.
	for name := range builtinFilters {
		if e.filters.Exists(name) {
			if err := e.CheckTemplate("{{ x | ansible.builtin." + name + " }}"); err != nil {
				t.Errorf("ansible.builtin.%s: %v", name, err)
			}
		}
	}
	for name := range builtinTests {
		if e.tests.Exists(name) {
			if err := e.CheckTemplate("{{ x is ansible.builtin." + name + " }}"); err != nil {
				t.Errorf("ansible.builtin.%s: %v", name, err)
			}
		}
	}
}
