package template

import "testing"

// The comment filter matches ansible-core 2.14's output (the strings were
// produced by its filter under Jinja2).
func TestCommentFilter(t *testing.T) {
	e := New()
	for src, want := range map[string]string{
		"{{ 'Ansible managed' | comment }}":                    "#\n# Ansible managed\n#",
		"{{ 'a\nb' | comment('c') }}":                          "//\n// a\n// b\n//",
		"{{ 'x' | comment('xml') }}":                           "<!--\n -\n - x\n -\n-->",
		"{{ 'x' | comment(decoration='; ', prefix_count=2) }}": ";\n;\n; x\n;",
		"{{ 'x' | comment('cblock') }}":                        "/*\n *\n * x\n *\n */",
		"{{ ansible_managed | ansible.builtin.comment }}":      "#\n# Ansible managed\n#",
	} {
		got, err := e.RenderFile(src, map[string]any{"ansible_managed": "Ansible managed"})
		if err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", src, got, err, want)
		}
	}
}
