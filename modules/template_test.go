package modules

import (
	"os"
	"path/filepath"
	"testing"
)

func TestTemplate(t *testing.T) {
	env, dir := testEnv(t)
	role := t.TempDir()
	if err := os.Mkdir(filepath.Join(role, "templates"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(role, "templates", "app.conf.j2"),
		"# {{ ansible_managed }}\nport={{ port }}\n{% for h in hosts %}\nserver {{ h }}\n{% endfor %}\n", 0o644)
	dest := filepath.Join(dir, "app.conf")
	args := map[string]any{"src": "app.conf.j2", "dest": dest, "mode": "0600", "_role_dir": role,
		"_vars": map[string]any{"port": 8080, "hosts": []any{"a", "b"}}}
	r := run(t, env, "template", args)
	mustOK(t, r, true)
	want := "# Ansible managed\nport=8080\nserver a\nserver b\n"
	if got := readFile(t, dest); got != want {
		t.Fatalf("got %q", got)
	}
	if fileMode(t, dest) != 0o600 || r["checksum"] != sha1hex([]byte(want)) {
		t.Fatalf("result %v", r)
	}
	mustOK(t, run(t, env, "template", args), false)
	env.Check, env.Diff = true, true
	args["_vars"] = map[string]any{"port": 9090, "hosts": []any{"a"}}
	r = run(t, env, "template", args)
	mustOK(t, r, true)
	if readFile(t, dest) != want {
		t.Fatal("check mode wrote")
	}
	d := r["diff"].(map[string]any)
	if d["after"] != "# Ansible managed\nport=9090\nserver a\n" {
		t.Fatalf("diff %v", d)
	}
	env.Check = false
	mustFail(t, run(t, env, "template", map[string]any{"src": "app.conf.j2", "dest": dest, "_role_dir": role, "_vars": map[string]any{}}), "template error")
	mustFail(t, run(t, env, "template", map[string]any{"src": "nope.j2", "dest": dest}), "Could not find or access 'nope.j2'")
}
