package template

import (
	"testing"
)

// FuzzRender checks that no input makes the engine panic: every entry
// point returns a value or an error. Seeds run in plain `go test`.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"plain", "{{ x }}", "{{ x | default('y') }}", "{% for i in l %}{{ i }}{% endfor %}",
		"{{ result.rc == 0 and 'x' in result.stdout }}", "{{ 'a' | regex_replace('(', 'b') }}",
		"{{ x", "{% if %}", "{{ 1 / 0 }}", "{{ l[1:2:0] }}", "{{ none.x }}", "{{ l | first | int }}",
		"{{ {'a': [1, {'b': none}]} | to_json | from_json }}", "{% set x.y = 1 %}", "{{ range(1000000) | length }}",
		"{{ x is version((1, 2)) }}", "{% macro m() %}{{ m() }}{% endmacro %}", "{{ '%s' % x }}", "{{ -'a' }}",
		"{% include 'other' %}", "{% extends 'base' %}", "{{ l * 2 }}", "{{ x | map('nosuch') | list }}",
		"{{ lookup('pipe', 'true') }}", "{{ query('sequence', 'count=3') }}", "{{ lookup('env') }}", "{{ q() }}", "{{ lookup(1) }}",
		`{{ 'a\d' | ansible.builtin.to_json }}`, `{{ "a\\" ~ 'b\' }}`, `{% raw %}'\{% endraw %}{{ '\N{x' }}`, `{{ '\x4' ~ "\u12" }}`,
		`x is ansible.builtin.version('1', '>')`, `{{ x | a.b.c.d | e . f }}`, `{{ x is not  ansible . builtin . file }}`,
		"{{ '%Y %-d %_5H %' | strftime(0) }}", "{{ 'http://[::1]:x' | urlsplit }}", "{{ [1] | product(repeat=30) }}",
		"{{ 'x' | password_hash('md5', 'ab') }}", "{{ x | zip(l, 'ab') | list }}", "{{ dict(l | zip(l)) }}",
	} {
		f.Add(s)
	}
	e := New()
	// Random templates must not run random commands on this machine.
	e.globals["lookup"] = e.lookupFunction(false, false)
	e.globals["query"] = e.lookupFunction(true, false)
	e.globals["q"] = e.lookupFunction(true, false)
	f.Fuzz(func(t *testing.T, s string) {
		vars := map[string]any{"x": "v", "l": []any{1, "2", nil}, "result": registered(0, "x", false, false, false)}
		_, _ = e.Render(s, vars)
		_, _ = e.RenderString(s, vars)
		_, _ = e.Eval(s, vars)
		_, _ = e.Truth(s, vars)
		_, _ = e.RenderFile(s, vars)
		_ = e.CheckFile(s)
		_ = e.CheckTemplate(s)
		_ = e.CheckExpr(s)
		_, _ = e.ExprNames(s)
		_, _ = e.TemplateNames(s)
	})
}
