package template

import (
	"errors"
	"strings"
	"testing"
)

// evalCondition evaluates expr as a condition (Jinja2's literals) and
// returns its native value.
func evalCondition(e *Engine, expr string, vars map[string]any) (any, error) {
	c := e.compileExpr(expr)
	if c.err != nil {
		return nil, c.err
	}
	return e.evalNode(c, vars)
}

// TestStringLiterals compares drover's string literals with Jinja2's and
// Ansible's (literals_cases_test.go, generated from both).
func TestStringLiterals(t *testing.T) {
	e := New()
	for _, c := range literalCases {
		// Jinja2's rules: template files, conditions, {% %} in playbooks.
		file, ferr := e.RenderFile("{{ "+c.lit+" }}", nil)
		cond, cerr := evalCondition(e, c.lit, nil)
		block, berr := e.RenderString("{% set x = "+c.lit+" %}{{ x }}", nil)
		for _, r := range []struct {
			what string
			got  any
			err  error
		}{{"RenderFile", file, ferr}, {"condition", cond, cerr}, {"{% set %}", block, berr}} {
			switch {
			case c.jinjaErr != "":
				if r.err == nil {
					t.Errorf("%s %s = %q, want error %q", r.what, c.lit, r.got, c.jinjaErr)
				} else if !strings.HasPrefix(c.jinjaErr, "expected token") && !strings.Contains(r.err.Error(), c.jinjaErr) {
					t.Errorf("%s %s: error %q, want %q", r.what, c.lit, r.err, c.jinjaErr)
				}
			case r.err != nil:
				t.Errorf("%s %s: %v", r.what, c.lit, r.err)
			case r.got != c.jinja:
				t.Errorf("%s %s = %q, want %q", r.what, c.lit, r.got, c.jinja)
			}
		}
		// Ansible's playbook strings: {{ }} keeps backslashes; so does a
		// value expression (debug var, compose).
		pb, perr := e.RenderString("{{ "+c.lit+" }}", nil)
		val, verr := e.Eval(c.lit, nil)
		for _, r := range []struct {
			what string
			got  any
			err  error
		}{{"RenderString", pb, perr}, {"Eval", val, verr}} {
			switch {
			case c.pbErr:
				if r.err == nil {
					t.Errorf("%s %s = %q, want an error", r.what, c.lit, r.got)
				}
			case r.err != nil:
				t.Errorf("%s %s: %v", r.what, c.lit, r.err)
			case r.got != c.playbook:
				t.Errorf("%s %s = %q, want %q", r.what, c.lit, r.got, c.playbook)
			}
		}
	}
}

// TestRegexLiterals runs regular expressions written the way playbooks
// write them through each context, against Ansible's results.
func TestRegexLiterals(t *testing.T) {
	e := New()
	vars := map[string]any{"v": "v1.2.3", "kernel": "5.10.0-21-amd64", "words": "foo bar\tbaz"}
	for _, c := range regexCases {
		pb, err := e.RenderString("{{ "+c.expr+" }}", vars)
		check(t, "RenderString", c.expr, pb, err, c.playbook)
		file, err := e.RenderFile("{{ "+c.expr+" }}", vars)
		check(t, "RenderFile", c.expr, file, err, c.file)
		cond, err := e.Truth(c.expr, vars)
		got := "False"
		if cond {
			got = "True"
		}
		check(t, "Truth", c.expr, got, err, c.cond)
	}
	// The report that started this: a false syntax error.
	src := `{{ v | regex_replace("^v([0-9]\.[0-9]).*$", "\1") }}`
	if err := e.CheckTemplate(src); err != nil {
		t.Errorf("CheckTemplate(%s): %v", src, err)
	}
	if err := e.CheckExpr(`v is match("^v\d+\.\d+")`); err != nil {
		t.Errorf("CheckExpr: %v", err)
	}
}

func check(t *testing.T, what, expr, got string, err error, want string) {
	t.Helper()
	if want == "ERROR" {
		if err == nil {
			t.Errorf("%s(%s) = %q, want an error", what, expr, got)
		}
		return
	}
	if err != nil {
		t.Errorf("%s(%s): %v", what, expr, err)
		return
	}
	if got != want {
		t.Errorf("%s(%s) = %q, want %q", what, expr, got, want)
	}
}

// TestLiteralPositions checks that rewriting literals moves nothing: the
// errors after them keep their columns, and a bad escape is reported at
// its literal.
func TestLiteralPositions(t *testing.T) {
	e := New()
	cases := []struct {
		check    func(string) error
		src      string
		line     int
		col      int
		contains string
	}{
		{e.CheckTemplate, `{{ 'a\d' | nosuch }}`, 1, 12, "no filter named 'nosuch'"},
		{e.CheckTemplate, `{{ "x\\" ~ 'a\.b' | nosuch }}`, 1, 21, "no filter named 'nosuch'"},
		{e.CheckTemplate, "x\n{% if a == 'q\\d' %}{{ 'y\\s' | bad }}{% endif %}", 2, 31, "no filter named 'bad'"},
		{e.CheckTemplate, `ok {{ 'it\'s' }}`, 1, 7, "a backslash does not escape a quote"},
		{e.CheckExpr, `x == 'a\d' and x is nosuch`, 1, 21, "no test named 'nosuch'"},
		{e.CheckExpr, `x == 'ok' or x == '\x4'`, 1, 19, `truncated \xXX escape`},
		{e.CheckFile, "line\n  {{ '\\u12' }}", 2, 6, `truncated \uXXXX escape`},
		{e.CheckTemplate, "{% set y = 'a\\N{NOPE}' %}", 1, 12, "unknown Unicode character name"},
	}
	for _, c := range cases {
		err := c.check(c.src)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: got %v, want a syntax error", c.src, err)
			continue
		}
		if se.Line != c.line || se.Col != c.col || !strings.Contains(se.Msg, c.contains) {
			t.Errorf("%q: got line %d col %d %q, want line %d col %d %q", c.src, se.Line, se.Col, se.Msg, c.line, c.col, c.contains)
		}
	}
	// In a playbook's {{ }} the same escapes are plain text.
	for _, src := range []string{`{{ '\x4' }}`, `{{ '\N{NOPE}' }}`, `{{ '\u12' | length }}`} {
		if err := e.CheckTemplate(src); err != nil {
			t.Errorf("CheckTemplate(%s): %v", src, err)
		}
	}
}

// TestLiteralsLeaveDataAlone: quotes and backslashes outside expressions
// (text, comments, raw blocks) are never touched.
func TestLiteralsLeaveDataAlone(t *testing.T) {
	e := New()
	vars := map[string]any{"x": "X"}
	cases := map[string]string{
		`it's C:\new {{ x }} "q\d"`:                               `it's C:\new X "q\d"`,
		`{# it's \d #}{{ 'a\d' }}`:                                `a\d`,
		`{% raw %}{{ 'a\n' }}{% endraw %}{{ '\n' }}`:              `{{ 'a\n' }}\n`,
		"{{ x }}'\\'{{ '\\\\' }}'\\'":                             `X'\'\\'\'`,
		`{{ {'a': {'b': 'c\d'}}.a.b }} {{ "}}\\" }}`:              `c\d }}\\`,
		`{% for i in ['\d', 'e'] %}{{ i }}{{ '\t' }}{% endfor %}`: "\\d\\te\\t",
	}
	for src, want := range cases {
		got, err := e.RenderString(src, vars)
		if err != nil || got != want {
			t.Errorf("RenderString(%s) = %q, %v; want %q", src, got, err, want)
		}
	}
	// Ansible fails on this one: in {{ }} a backslash escapes no quote.
	if got, err := e.RenderString(`{{ "}}\"" }}`, vars); err == nil {
		t.Errorf("RenderString = %q, want an error", got)
	}
}
