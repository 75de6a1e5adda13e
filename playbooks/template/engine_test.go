package template

import (
	"errors"
	"reflect"
	"testing"
)

// registered mimics what `register` stores for a command task.
func registered(rc int, stdout string, changed, failed, skipped bool) map[string]any {
	return map[string]any{
		"rc": rc, "stdout": stdout, "stdout_lines": []any{stdout}, "stderr": "",
		"changed": changed, "failed": failed, "skipped": skipped,
	}
}

// resultType is a named map type, like modules.Result.
type resultType map[string]any

func testVars() map[string]any {
	return map[string]any{
		"inventory_hostname": "web1",
		"ansible_host":       "127.0.0.1",
		"item":               "nginx",
		"count":              3,
		"ratio":              0.5,
		"enabled":            "yes",
		"nothing":            nil,
		"empty":              "",
		"pkgs":               []any{"b", "a", "c", "a"},
		"nums":               []any{3, 1, 2},
		"groups":             map[string]any{"web": []any{"web1", "web2"}, "all": []any{"web1", "web2", "db1"}},
		"group_names":        []any{"web"},
		"hostvars": map[string]any{
			"web1": map[string]any{"ansible_host": "127.0.0.1", "rack": "r1"},
			"web2": map[string]any{"ansible_host": "127.0.0.2", "rack": "r2"},
		},
		"result":  registered(0, "active x", true, false, false),
		"bad":     registered(2, "oops", false, true, false),
		"skip":    map[string]any{"changed": false, "skipped": true},
		"typed":   resultType{"rc": 0, "changed": true, "failed": false},
		"svc":     map[string]any{"name": "nginx", "port": 80},
		"strlist": []string{"x", "y"},
	}
}

func TestRenderNativeTypes(t *testing.T) {
	e := New()
	vars := testVars()
	cases := []struct {
		src  string
		want any
	}{
		{"{{ count }}", 3},
		{"{{ ratio }}", 0.5},
		{"{{ count + 1 }}", 4},
		{"{{ nums }}", []any{3, 1, 2}},
		{"{{ svc }}", map[string]any{"name": "nginx", "port": 80}},
		{"{{ result.rc == 0 }}", true},
		{"{{ nothing }}", nil},
		{"{{ [1, 'a'] }}", []any{1, "a"}},
		{"{{ {'k': count} }}", map[string]any{"k": 3}},
		{"{{ strlist }}", []any{"x", "y"}},
		{"{{ typed }}", map[string]any{"rc": 0, "changed": true, "failed": false}},
		{"  {{ count }}", "  3"},
		{"{{ count }}{{ count }}", "33"},
		{"{{ inventory_hostname }}-{{ item }}", "web1-nginx"},
		{"no templates here", "no templates here"},
		{"brace { alone }", "brace { alone }"},
		{"{{ groups['web'] | length }}", 2},
		{"{{ hostvars['web2'].ansible_host }}", "127.0.0.2"},
		{"{{ hostvars[inventory_hostname]['rack'] }}", "r1"},
		{"{% for h in groups.web %}{{ hostvars[h].rack }} {% endfor %}", "r1 r2 "},
		{"{% if count > 2 %}big{% else %}small{% endif %}", "big"},
		{"{% set x = count * 2 %}{{ x }}", "6"},
		{"line\n", "line\n"},
		{"{{ count }}\n", "3\n"},
		{"{{ 'yes' if enabled | bool else 'no' }}", "yes"},
		{"{{ range(3) | list }}", []any{0, 1, 2}},
		{"{{ none }}", nil},
		{"{{ omit }}", Omit},
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
}

func TestRenderString(t *testing.T) {
	e := New()
	vars := testVars()
	cases := map[string]string{
		"{{ count }}":            "3",
		"{{ nums }}":             "[3, 1, 2]",
		"{{ result.changed }}":   "True",
		"{{ pkgs | join(',') }}": "b,a,c,a",
		"plain":                  "plain",
	}
	for src, want := range cases {
		got, err := e.RenderString(src, vars)
		if err != nil || got != want {
			t.Errorf("RenderString(%q) = %q, %v; want %q", src, got, err, want)
		}
	}
}

func TestRenderValue(t *testing.T) {
	e := New()
	vars := testVars()
	in := map[string]any{
		"name":           "{{ item }}",
		"port":           "{{ svc.port }}",
		"list":           []any{"{{ count }}", "static", 7},
		"fixed":          map[string]any{"a": "b"},
		"{{ item }}_key": true,
	}
	got, err := e.RenderValue(in, vars)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"name":      "nginx",
		"port":      80,
		"list":      []any{3, "static", 7},
		"fixed":     map[string]any{"a": "b"},
		"nginx_key": true,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("RenderValue = %#v, want %#v", got, want)
	}
	if in["name"] != "{{ item }}" || in["list"].([]any)[0] != "{{ count }}" {
		t.Fatalf("RenderValue modified its input: %#v", in)
	}
	if _, err := e.RenderValue(map[string]any{"a": []any{"{{ nope }}"}}, vars); err == nil {
		t.Fatal("RenderValue with an undefined variable succeeded")
	}
}

func TestUndefined(t *testing.T) {
	e := New()
	vars := testVars()
	errCases := []struct {
		src, name, object, msg string
	}{
		{"{{ foo }}", "foo", "", "'foo' is undefined"},
		{"x {{ foo }} y", "foo", "", "'foo' is undefined"},
		{"{{ foo.bar }}", "foo", "", "'foo' is undefined"},
		{"{{ result.nope }}", "nope", "result", "'result' has no attribute 'nope'"},
		{"{{ result['nope'] }}", "nope", "result", "'result' has no attribute 'nope'"},
		{"{{ hostvars['db9'].x }}", "db9", "hostvars", "'hostvars' has no attribute 'db9'"},
		{"{{ foo | lower }}", "foo", "", "'foo' is undefined"},
		{"{{ 1 if foo else 2 }}", "foo", "", "'foo' is undefined"},
	}
	for _, c := range errCases {
		_, err := e.Render(c.src, vars)
		var u *UndefinedError
		if !errors.As(err, &u) {
			t.Errorf("Render(%q) error = %v, want *UndefinedError", c.src, err)
			continue
		}
		if u.Name != c.name || u.Object != c.object || err.Error() != c.msg {
			t.Errorf("Render(%q) = %+v %q, want name %q object %q msg %q", c.src, u, err, c.name, c.object, c.msg)
		}
	}
	okCases := []struct {
		src  string
		want any
	}{
		{"{{ foo is defined }}", false},
		{"{{ foo is undefined }}", true},
		{"{{ foo is not defined }}", true},
		{"{{ count is defined }}", true},
		{"{{ nothing is defined }}", true},
		{"{{ result.nope is defined }}", false},
		{"{{ foo.bar.baz is defined }}", false},
		{"{{ hostvars['db9'] is defined }}", false},
		{"{{ foo | default('d') }}", "d"},
		{"{{ foo | d('d') }}", "d"},
		{"{{ foo | default }}", ""},
		{"{{ foo.bar | default(5) }}", 5},
		{"{{ nothing | default('d') }}", nil},
		{"{{ empty | default('d') }}", ""},
		{"{{ empty | default('d', true) }}", "d"},
		{"{{ empty | default('d', boolean=true) }}", "d"},
		{"{{ count | default(9) }}", 3},
		{"{{ foo is defined and foo > 1 }}", false},
		{"{{ count is defined and count > 1 }}", true},
		{"{{ foo | default(omit) }}", Omit},
	}
	for _, c := range okCases {
		got, err := e.Render(c.src, vars)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("Render(%q) = %#v, %v; want %#v", c.src, got, err, c.want)
		}
	}
	if _, err := e.Render("{{ foo | mandatory('set foo') }}", vars); err == nil || err.Error() == "" {
		t.Errorf("mandatory did not fail")
	}
}

func TestEvalAndTruth(t *testing.T) {
	e := New()
	vars := testVars()
	vars["s_true"] = "True"
	vars["s_no"] = "no"
	vars["s_other"] = "something"
	cases := []struct {
		expr string
		want bool
	}{
		{"true", true},
		{"false", false},
		{"count > 2", true},
		{"count == 0", false},
		{"result.rc == 0 and 'x' in result.stdout", true},
		{"result.rc != 0 or result.failed", false},
		{"'web' in group_names", true},
		{"inventory_hostname in groups['web']", true},
		{"inventory_hostname not in groups['web']", false},
		{"s_true", true},
		{"s_no", false},
		{"s_other", true},
		{"empty", false},
		{"nothing", false},
		{"nums", true},
		{"enabled | bool", true},
		{"not (enabled | bool)", false},
		{"{{ count > 2 }}", true},
		{"  count > 2  ", true},
		{"result is succeeded", true},
		{"bad is failed", true},
		{"typed is changed", true},
		{"foo is not defined", true},
	}
	for _, c := range cases {
		got, err := e.Truth(c.expr, vars)
		if err != nil || got != c.want {
			t.Errorf("Truth(%q) = %v, %v; want %v", c.expr, got, err, c.want)
		}
	}
	v, err := e.Eval("nums | sort", vars)
	if err != nil || !reflect.DeepEqual(v, []any{1, 2, 3}) {
		t.Errorf("Eval(nums | sort) = %#v, %v", v, err)
	}
	if _, err := e.Truth("foo", vars); err == nil {
		t.Error("Truth of an undefined variable succeeded")
	}
	if _, err := e.Eval("", vars); err == nil {
		t.Error("Eval of an empty expression succeeded")
	}
}

func TestTruthy(t *testing.T) {
	cases := []struct {
		v    any
		want bool
	}{
		{nil, false}, {true, true}, {false, false},
		{"true", true}, {"YES", true}, {"on", true}, {"1", true}, {"y", true},
		{"false", false}, {"No", false}, {"off", false}, {"0", false}, {"", false}, {"  ", false},
		{"anything", true},
		{0, false}, {2, true}, {0.0, false}, {0.1, true},
		{[]any{}, false}, {[]any{1}, true},
		{map[string]any{}, false}, {map[string]any{"a": 1}, true},
	}
	for _, c := range cases {
		if got := Truthy(c.v); got != c.want {
			t.Errorf("Truthy(%#v) = %v, want %v", c.v, got, c.want)
		}
	}
}

func TestVarsNotModified(t *testing.T) {
	e := New()
	vars := testVars()
	before := len(vars)
	for _, s := range []string{"{% set x = 1 %}{{ x }}", "{{ nums | sort }}", "{{ pkgs | unique }}", "{% for i in nums %}{{ i }}{% endfor %}"} {
		if _, err := e.Render(s, vars); err != nil {
			t.Fatalf("Render(%q): %v", s, err)
		}
	}
	if len(vars) != before {
		t.Fatalf("vars grew from %d to %d entries", before, len(vars))
	}
	if !reflect.DeepEqual(vars["nums"], []any{3, 1, 2}) {
		t.Fatalf("nums was modified: %v", vars["nums"])
	}
}
