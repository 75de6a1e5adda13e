package template

import (
	"reflect"
	"testing"
)

func TestFilters(t *testing.T) {
	e := New()
	vars := testVars()
	vars["json"] = `{"a": 1, "b": [true, null, 2.5], "c": "x"}`
	vars["yaml"] = "a: 1\nb:\n  - x\n"
	vars["path"] = "/etc/nginx/nginx.conf"
	vars["kernel"] = "5.10.0-21-amd64"
	vars["nested"] = []any{1, []any{2, []any{3, nil}}}
	vars["users"] = []any{
		map[string]any{"name": "bob", "admin": true},
		map[string]any{"name": "al", "admin": false},
	}
	cases := []struct {
		src  string
		want any
	}{
		// bool
		{"{{ 'yes' | bool }}", true},
		{"{{ 'TRUE' | bool }}", true},
		{"{{ 'on' | bool }}", true},
		{"{{ '1' | bool }}", true},
		{"{{ 'no' | bool }}", false},
		{"{{ 'banana' | bool }}", false},
		{"{{ 1 | bool }}", true},
		{"{{ 0 | bool }}", false},
		{"{{ nothing | bool }}", false},
		{"{{ true | bool }}", true},
		// int / float / string
		{"{{ '42' | int }}", 42},
		{"{{ ' 7 ' | int }}", 7},
		{"{{ '4.7' | int }}", 4},
		{"{{ 'x' | int }}", 0},
		{"{{ 'x' | int(5) }}", 5},
		{"{{ 'ff' | int(base=16) }}", 255},
		{"{{ 3.9 | int }}", 3},
		{"{{ true | int }}", 1},
		{"{{ '2.5' | float }}", 2.5},
		{"{{ 42 | string }}", "42"},
		{"{{ true | string }}", "True"},
		{"{{ nothing | string }}", "None"},
		{"{{ (count | string) ~ 'x' }}", "3x"},
		// case / trim
		{"{{ 'AbC' | lower }}", "abc"},
		{"{{ 'AbC' | upper }}", "ABC"},
		{"{{ '  a b \n' | trim }}", "a b"},
		// length / count
		{"{{ pkgs | length }}", 4},
		{"{{ 'abc' | length }}", 3},
		{"{{ svc | length }}", 2},
		{"{{ pkgs | count }}", 4},
		// join / split
		{"{{ pkgs | join(',') }}", "b,a,c,a"},
		{"{{ nums | join('-') }}", "3-1-2"},
		{"{{ pkgs | join }}", "bac a"[:0] + "baca"},
		{"{{ 'a,b,,c' | split(',') }}", []any{"a", "b", "", "c"}},
		{"{{ ' a  b c ' | split }}", []any{"a", "b", "c"}},
		{"{{ 'a:b:c' | split(':', 1) }}", []any{"a", "b:c"}},
		// first / last
		{"{{ pkgs | first }}", "b"},
		{"{{ pkgs | last }}", "a"},
		{"{{ 'xyz' | first }}", "x"},
		{"{{ result.stdout_lines | last }}", "active x"},
		// regex
		{"{{ kernel | regex_search('^[0-9]+\\.[0-9]+') }}", "5.10"},
		{"{{ kernel | regex_search('nomatch') }}", nil},
		{"{{ kernel | regex_search('^(\\d+)\\.(\\d+)', '\\2', '\\1') }}", []any{"10", "5"}},
		{"{{ kernel | regex_search('(?P<maj>\\d+)', '\\g<maj>') }}", []any{"5"}},
		{"{{ 'ABC' | regex_search('b', ignorecase=true) }}", "B"},
		{"{{ kernel | regex_replace('-amd64$', '') }}", "5.10.0-21"},
		{"{{ 'a1b2' | regex_replace('([a-z])(\\d)', '\\2\\1') }}", "1a2b"},
		{"{{ 'a1b2' | regex_replace('(?P<l>[a-z])', '<\\g<l>>') }}", "<a>1<b>2"},
		{"{{ 'aaa' | regex_replace('a', 'b', count=2) }}", "bba"},
		{"{{ 'cost' | regex_replace('o', '$') }}", "c$st"},
		{"{{ 'a1b22' | regex_findall('\\d+') }}", []any{"1", "22"}},
		// json / yaml
		{"{{ svc | to_json }}", `{"name": "nginx", "port": 80}`},
		{"{{ [1, 'a', none, true, 1.5] | to_json }}", `[1, "a", null, true, 1.5]`},
		{"{{ 'é<' | to_json }}", `"é<"`},
		{"{{ svc | to_nice_json }}", "{\n    \"name\": \"nginx\",\n    \"port\": 80\n}"},
		{"{{ svc | to_nice_json(indent=2) }}", "{\n  \"name\": \"nginx\",\n  \"port\": 80\n}"},
		{"{{ json | from_json }}", map[string]any{"a": 1, "b": []any{true, nil, 2.5}, "c": "x"}},
		{"{{ (json | from_json).b[2] }}", 2.5},
		{"{{ svc | to_yaml }}", "name: nginx\nport: 80\n"},
		{"{{ pkgs | to_yaml }}", "- b\n- a\n- c\n- a\n"},
		{"{{ yaml | from_yaml }}", map[string]any{"a": 1, "b": []any{"x"}}},
		{"{{ typed | to_json }}", `{"changed": true, "failed": false, "rc": 0}`},
		// paths and shell
		{"{{ path | basename }}", "nginx.conf"},
		{"{{ path | dirname }}", "/etc/nginx"},
		{"{{ '/etc/' | basename }}", ""},
		{"{{ '/etc' | dirname }}", "/"},
		{"{{ 'file' | dirname }}", ""},
		{"{{ 'simple-word_1.0' | quote }}", "simple-word_1.0"},
		{"{{ 'two words' | quote }}", "'two words'"},
		{"{{ \"it's\" | quote }}", `'it'"'"'s'`},
		{"{{ '' | quote }}", "''"},
		{"{{ '$(rm -rf /)' | quote }}", "'$(rm -rf /)'"},
		// lists
		{"{{ pkgs | unique }}", []any{"b", "a", "c"}},
		{"{{ pkgs | sort }}", []any{"a", "a", "b", "c"}},
		{"{{ nums | sort(reverse=true) }}", []any{3, 2, 1}},
		{"{{ users | map(attribute='name') | list }}", []any{"bob", "al"}},
		{"{{ pkgs | map('upper') | list }}", []any{"B", "A", "C", "A"}},
		{"{{ users | selectattr('admin') | map(attribute='name') | list }}", []any{"bob"}},
		{"{{ users | rejectattr('admin') | map(attribute='name') | list }}", []any{"al"}},
		{"{{ nums | select('odd') | list }}", []any{3, 1}},
		{"{{ nums | reject('odd') | list }}", []any{2}},
		{"{{ nested | flatten }}", []any{1, 2, 3}},
		{"{{ nested | flatten(levels=1) }}", []any{1, 2, []any{3, nil}}},
		{"{{ [1, 2, 3] | difference([2]) }}", []any{1, 3}},
		{"{{ [1, 2, 3] | intersect([3, 2, 9]) }}", []any{2, 3}},
		{"{{ [1, 2] | union([2, 3]) }}", []any{1, 2, 3}},
		// dicts
		{"{{ svc | combine({'port': 8080}) }}", map[string]any{"name": "nginx", "port": 8080}},
		{"{{ {'a': {'x': 1}} | combine({'a': {'y': 2}}, recursive=true) }}", map[string]any{"a": map[string]any{"x": 1, "y": 2}}},
		{"{{ svc | dict2items }}", []any{map[string]any{"key": "name", "value": "nginx"}, map[string]any{"key": "port", "value": 80}}},
		{"{{ svc | dict2items | items2dict }}", map[string]any{"name": "nginx", "port": 80}},
		// misc
		{"{{ true | ternary('a', 'b') }}", "a"},
		{"{{ (count > 5) | ternary('a', 'b') }}", "b"},
		{"{{ 'hi' | b64encode }}", "aGk="},
		{"{{ 'aGk=' | b64decode }}", "hi"},
		{"{{ kernel | version_compare('5.4', '>=') }}", true},
		{"{{ nums | type_debug }}", "list"},
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

func TestFilterErrors(t *testing.T) {
	e := New()
	vars := testVars()
	for _, src := range []string{
		"{{ '{bad' | from_json }}",
		"{{ [] | first }}",
		"{{ 'x' | regex_search('(') }}",
		"{{ 'x' | combine({}) }}",
		"{{ 'x' | split('') }}",
	} {
		if got, err := e.Render(src, vars); err == nil {
			t.Errorf("Render(%q) = %#v, want an error", src, got)
		}
	}
}
