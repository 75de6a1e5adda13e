package template

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lookup() joins string results with ",", query()/q() return lists, and
// relative files are found under the playbook's (or role's) files/.
func TestLookupFunctions(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "files"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "files", "key.pub"), []byte("ssh-ed25519 AAAA me@host\n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	role := filepath.Join(dir, "roles", "web")
	if err := os.MkdirAll(filepath.Join(role, "files"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(role, "files", "site.conf"), []byte("listen 80\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DROVER_LOOKUP_TEST", "v1")
	e := New()
	vars := map[string]any{"playbook_dir": dir, "users": map[string]any{"b": 2, "a": 1}}
	for _, c := range []struct {
		tpl  string
		vars map[string]any
		want string // JSON of the native result, or "error: <substring>"
	}{
		{`{{ lookup('env', 'DROVER_LOOKUP_TEST') }}`, vars, `"v1"`},
		{`{{ lookup('ansible.builtin.env', 'DROVER_LOOKUP_TEST', 'DROVER_LOOKUP_UNSET') }}`, vars, `"v1,"`},
		{`{{ lookup('env', 'DROVER_LOOKUP_UNSET', default='none here') }}`, vars, `"none here"`},
		{`{{ lookup('file', 'key.pub') }}`, vars, `"ssh-ed25519 AAAA me@host"`},
		{`{{ lookup('file', 'site.conf') }}`, map[string]any{"playbook_dir": dir, "role_path": role}, `"listen 80"`},
		{`{{ lookup('file', 'missing.pub') }}`, vars, "error: could not find or access 'missing.pub'"},
		{`{{ lookup('file', 'missing.pub', errors='ignore') }}`, vars, `""`},
		{`{{ query('sequence', 'start=1 end=3') }}`, vars, `["1","2","3"]`},
		{`{{ lookup('sequence', 'count=2') }}`, vars, `"1,2"`},
		{`{{ q('dict', users) | map(attribute='key') | list }}`, vars, `["a","b"]`},
		{`{{ lookup('dict', {'k': [1, 2]}) }}`, vars, `{"key":"k","value":[1,2]}`},
		{`{{ lookup('items', [1, 2], wantlist=True) }}`, vars, `[1,2]`},
		{`{{ lookup('pipe', 'echo hello; echo world') }}`, vars, `"hello\nworld"`},
		{`{{ query('lines', 'printf "a\nb\n"') }}`, vars, `["a","b"]`},
		{`{{ lookup('pipe', 'exit 3') }}`, vars, "error: exit status 3"},
		{`{{ lookup('first_found', ['nope.yml', 'key.pub']) | basename }}`, vars, `"key.pub"`},
		{`{{ lookup('first_found', {'files': ['a.yml'], 'paths': ['/nonexistent']}, skip=True) }}`, vars, `""`},
		{`{{ lookup('vars', 'port_' ~ env) }}`, map[string]any{"env": "prod", "port_prod": 8443}, `8443`},
		{`{{ query('vars', 'a', 'b') }}`, map[string]any{"a": []any{1}, "b": "x"}, `[[1],"x"]`},
		{`{{ lookup('vars', 'nope', default='d') }}`, vars, `"d"`},
		{`{{ lookup('vars', 'nope') }}`, vars, "error: No variable found with this name: nope"},
	} {
		got, err := e.Render(c.tpl, c.vars)
		if want, ok := strings.CutPrefix(c.want, "error: "); ok {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: got %v, %v; want an error containing %q", c.tpl, got, err, want)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.tpl, err)
			continue
		}
		b, _ := json.Marshal(got)
		if string(b) != c.want {
			t.Errorf("%s = %s, want %s", c.tpl, b, c.want)
		}
	}
}

// A lookup drover does not have is a syntax error before anything runs.
func TestUnknownLookupIsASyntaxError(t *testing.T) {
	e := New()
	err := e.CheckTemplate(`x {{ lookup('password', '/tmp/pw length=12') }}`)
	if err == nil || !strings.Contains(err.Error(), "no lookup named 'password'") {
		t.Fatalf("CheckTemplate = %v", err)
	}
	if err := e.CheckTemplate(`{{ query('ansible.builtin.fileglob', '*.conf') }}`); err != nil {
		t.Fatalf("fileglob: %v", err)
	}
}

// An engine built without command lookups (the fuzz test's) refuses pipe
// and lines, and only those.
func TestCommandLookupsCanBeDisabled(t *testing.T) {
	e := New()
	e.globals["lookup"] = e.lookupFunction(false, false)
	if _, err := e.Render(`{{ lookup('pipe', 'touch /tmp/drover-must-not-exist') }}`, nil); err == nil || !strings.Contains(err.Error(), "disabled") {
		t.Fatalf("pipe with commands disabled: %v", err)
	}
	if _, err := os.Stat("/tmp/drover-must-not-exist"); err == nil {
		t.Fatal("the command ran")
	}
	if got, err := e.Render(`{{ lookup('sequence', 'count=2') }}`, nil); err != nil || got != "1,2" {
		t.Fatalf("sequence with commands disabled: %v, %v", got, err)
	}
}

// lookup('template', ...) renders a file from templates/ with the looking
// up template's variables; a template that looks itself up is stopped.
func TestTemplateLookup(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "templates"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"greet.j2": "hello {{ who }}\n{% for i in range(2) %}{{ i }}{% endfor %}\n",
		"self.j2":  "{{ lookup('template', 'self.j2') }}",
		// A template file reads literals as Jinja2 does (the lookup does
		// not double backslashes, unlike a playbook's {{ }}).
		"esc.j2": `{{ 'a\tb' }}|{{ 'x.y' | regex_replace('\.', '\\\\') }}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, "templates", name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e := New()
	vars := map[string]any{"playbook_dir": dir, "who": "web1"}
	got, err := e.Render(`{{ lookup('template', 'greet.j2') }}`, vars)
	if err != nil || got != "hello web1\n01" { // trim_blocks eats the newline after endfor, as in Ansible
		t.Fatalf("template lookup = %q, %v", got, err)
	}
	if got, err := e.Render(`{{ lookup('template', 'esc.j2') }}`, vars); err != nil || got != "a\tb|x\\y" {
		t.Fatalf("template lookup = %q, %v", got, err)
	}
	if _, err := e.Render(`{{ lookup('template', 'self.j2') }}`, vars); err == nil || !strings.Contains(err.Error(), "nested more than") {
		t.Fatalf("self-referencing template: %v", err)
	}
	if _, err := e.Render(`{{ lookup('template', 'none.j2') }}`, vars); err == nil || !strings.Contains(err.Error(), "could not find") {
		t.Fatalf("missing template: %v", err)
	}
	if err := e.CheckTemplate(`{{ lookup('ansible.builtin.template', 'greet.j2') }}`); err != nil {
		t.Fatalf("check: %v", err)
	}
}
