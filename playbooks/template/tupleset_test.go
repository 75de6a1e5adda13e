package template

import (
	"strings"
	"testing"
)

// {% set a, b = ... %} unpacks as Jinja2 does (compared with Jinja2 3.1:
// python3 -c "import jinja2; ..."), including its errors; single-target
// and block sets still work; check sees the names as assigned.
func TestTupleSet(t *testing.T) {
	e := New()
	vars := map[string]any{"pair": []any{"db1", 5432}, "d": map[string]any{"x": 1, "y": 2}, "triple": []any{1, 2, 3}}
	for _, c := range []struct{ src, want string }{
		{"{% set host, port = pair %}{{ host }}:{{ port }}", "db1:5432"},
		{"{% set a, b = 'x', 'y' %}{{ b }}{{ a }}", "yx"},
		{"{% set k1, k2 = d | sort %}{{ k1 }}{{ k2 }}", "xy"},
		{"{% set a, b = 'hi' %}{{ b }}{{ a }}", "ih"},
		{"{% for p in [['a', 1], ['b', 2]] %}{% set n, v = p %}{{ n }}={{ v }};{% endfor %}", "a=1;b=2;"},
		{"{% set x = 3 %}{{ x }}", "3"},
		{"{% set x %}block{% endset %}{{ x }}", "block"},
	} {
		got, err := e.Render(c.src, vars)
		if err != nil || got != c.want {
			t.Errorf("%s: %v %v, want %q", c.src, got, err, c.want)
		}
	}
	for src, want := range map[string]string{
		"{% set a, b = triple %}":  "too many values to unpack (expected 2)",
		"{% set a, b, c = pair %}": "not enough values to unpack (expected 3, got 2)",
		"{% set a, b = 5 %}":       "cannot unpack non-iterable int object",
	} {
		if _, err := e.Render(src, vars); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", src, err, want)
		}
	}
	names, err := e.TemplateNames("{% set host, port = pair %}{{ host }}{{ port }}{{ other }}")
	if err != nil || strings.Join(names, ",") != "other,pair" {
		t.Errorf("names %v %v", names, err)
	}
	for _, bad := range []string{"{% set a, = %}", "{% set a, b, = [1, 2] %}", "{% set a, 1 = [1, 2] %}"} {
		if err := e.CheckTemplate(bad); err == nil {
			t.Errorf("%s checked (Jinja2: a syntax error)", bad)
		}
	}
}
