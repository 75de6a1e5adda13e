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

// follow: true writes through a link at dest (a chain of two, relative
// and absolute) to the file it names, and the links stay; without it the
// link is replaced by the file, as in Ansible. A dangling link is replaced
// either way.
func TestTemplateCopyFollow(t *testing.T) {
	env, dir := testEnv(t)
	real := filepath.Join(dir, "etc", "real.conf")
	if err := os.MkdirAll(filepath.Dir(real), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, real, "old\n", 0o644)
	mid := filepath.Join(dir, "mid.conf")
	if err := os.Symlink(real, mid); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "app.conf")
	if err := os.Symlink("mid.conf", link); err != nil {
		t.Fatal(err)
	}
	role := t.TempDir()
	writeFile(t, filepath.Join(role, "app.conf.j2"), "port={{ port }}\n", 0o644)
	args := map[string]any{"src": "app.conf.j2", "dest": link, "follow": true, "_role_dir": role, "_vars": map[string]any{"port": 80}}
	r := run(t, env, "template", args)
	mustOK(t, r, true)
	if got := readFile(t, real); got != "port=80\n" {
		t.Fatalf("the link's target holds %q", got)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("follow replaced the link: %v", err)
	}
	if r["dest"] != real {
		t.Errorf("dest %v, want %s", r["dest"], real)
	}
	mustOK(t, run(t, env, "template", args), false)

	r = run(t, env, "copy", map[string]any{"content": "x\n", "dest": link, "follow": true})
	mustOK(t, r, true)
	if got := readFile(t, real); got != "x\n" {
		t.Fatalf("copy follow: target holds %q", got)
	}

	dangling := filepath.Join(dir, "dangling.conf")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), dangling); err != nil {
		t.Fatal(err)
	}
	mustOK(t, run(t, env, "copy", map[string]any{"content": "d\n", "dest": dangling, "follow": true}), true)

	delete(args, "follow")
	mustOK(t, run(t, env, "template", args), true)
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink != 0 {
		t.Fatalf("without follow the link stays a link: %v", err)
	}
	if got := readFile(t, real); got != "x\n" {
		t.Fatalf("without follow the old target changed: %q", got)
	}
}
