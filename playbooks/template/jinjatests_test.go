package template

import (
	"testing"
)

func TestJinjaTests(t *testing.T) {
	e := New()
	vars := testVars()
	vars["kernel"] = "5.10.0-21-amd64"
	cases := []struct {
		expr string
		want bool
	}{
		{"count is defined", true},
		{"nope is defined", false},
		{"nope is undefined", true},
		{"nothing is defined", true},
		{"nothing is none", true},
		{"count is none", false},
		{"'a' in pkgs", true},
		{"'z' in pkgs", false},
		{"'z' not in pkgs", true},
		{"'ctiv' in result.stdout", true},
		{"'name' in svc", true},
		{"pkgs is contains('c')", true},
		{"result is succeeded", true},
		{"result is success", true},
		{"result is successful", true},
		{"bad is succeeded", false},
		{"bad is failed", true},
		{"bad is failure", true},
		{"result is failed", false},
		{"result is changed", true},
		{"result is change", true},
		{"bad is changed", false},
		{"skip is skipped", true},
		{"skip is skip", true},
		{"result is skipped", false},
		{"skip is succeeded", true},
		{"typed is succeeded", true},
		{"typed is changed", true},
		{"result is not failed", true},
		{"result is reachable", true},
		{"kernel is match('5\\\\.10')", true},
		{"kernel is match('10')", false},
		{"kernel is search('10')", true},
		{"kernel is search('^10')", false},
		{"kernel is regex('amd64$')", true},
		{"'ABC' is match('abc', true)", true},
		{"'ABC' is match('abc')", false},
		{"'a\\nb' is search('^b$')", false},
		{"'a\\nb' is search('^b$', false, true)", true},
		{"kernel is version('5.4', '>=')", true},
		{"kernel is version('5.10.0', '>')", true},
		{"kernel is version('6.1', 'lt')", true},
		{"'1.2.3' is version('1.2.3', 'eq')", true},
		{"'1.2.3' is version('1.10', '<')", true},
		{"'1.2' is version_compare('1.2', '==')", true},
		{"count is number", true},
		{"pkgs is iterable", true},
		{"svc is mapping", true},
		{"empty is string", true},
		{"enabled is truthy", true},
		{"empty is falsy", true},
		{"[1] is subset([1, 2])", true},
		{"[1, 3] is subset([1, 2])", false},
		{"[1, 2] is superset([2])", true},
		{"count is odd", true},
	}
	for _, c := range cases {
		got, err := e.Truth(c.expr, vars)
		if err != nil || got != c.want {
			t.Errorf("Truth(%q) = %v, %v; want %v", c.expr, got, err, c.want)
		}
	}
}

func TestJinjaTestErrors(t *testing.T) {
	e := New()
	vars := testVars()
	for _, expr := range []string{
		"count is succeeded", // not a result
		"nope is failed",     // undefined
		"pkgs[0] is version('1', 'bogus')",
		"'x' is match('(')",
	} {
		if got, err := e.Truth(expr, vars); err == nil {
			t.Errorf("Truth(%q) = %v, want an error", expr, got)
		}
	}
}
