package modules

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// tempfile makes a 0600 file (default: in TMPDIR, named ansible.*) or a
// 0700 directory with prefix and suffix under path, and returns its path
// with its attributes; check mode is skipped (Ansible's module does not
// support it) and creates nothing.
func TestTempfile(t *testing.T) {
	env, dir := testEnv(t)
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", tmp)

	env.Check = true
	r := run(t, env, "tempfile", map[string]any{})
	if !r.Skipped() || r.Changed() || r.Msg() != "remote module (tempfile) does not support check mode" {
		t.Fatalf("check mode: %v", r)
	}
	if e, _ := os.ReadDir(tmp); len(e) != 0 {
		t.Fatalf("check mode created %v", e)
	}
	env.Check = false

	r = run(t, env, "ansible.builtin.tempfile", map[string]any{})
	mustOK(t, r, true)
	p, _ := r["path"].(string)
	if filepath.Dir(p) != tmp || !strings.HasPrefix(filepath.Base(p), "ansible.") || len(filepath.Base(p)) != len("ansible.")+8 {
		t.Fatalf("path %q", p)
	}
	if fi, err := os.Lstat(p); err != nil || !fi.Mode().IsRegular() || fileMode(t, p) != 0o600 {
		t.Fatalf("%s: %v %v", p, fi, err)
	}
	if r["mode"] != "0600" || r["state"] != "file" || r["size"] != int64(0) || r["owner"] == nil {
		t.Fatalf("result %v", r)
	}

	where := filepath.Join(dir, "build")
	if err := os.Mkdir(where, 0o755); err != nil {
		t.Fatal(err)
	}
	d := map[string]any{"state": "directory", "path": where, "prefix": "job-", "suffix": ".build"}
	r = run(t, env, "tempfile", d)
	mustOK(t, r, true)
	p, _ = r["path"].(string)
	b := filepath.Base(p)
	if filepath.Dir(p) != where || !strings.HasPrefix(b, "job-") || !strings.HasSuffix(b, ".build") || len(b) != len("job-.build")+8 {
		t.Fatalf("path %q", p)
	}
	if fi, err := os.Lstat(p); err != nil || !fi.IsDir() || fileMode(t, p) != 0o700 || r["state"] != "directory" || r["mode"] != "0700" {
		t.Fatalf("%s: %v %v, result %v", p, fi, err, r)
	}

	// A mktemp without --suffix (busybox): the name is made on the host.
	real, err := exec.LookPath("mktemp")
	if err != nil {
		t.Skip("no mktemp")
	}
	fakeBin(t, env, "mktemp", `case "$*" in *--suffix*) echo "mktemp: unrecognized option" >&2; exit 1;; esac
exec `+real+` "$@"
`)
	for _, state := range []string{"file", "directory"} {
		r = run(t, env, "tempfile", map[string]any{"state": state, "path": where, "suffix": ".x"})
		mustOK(t, r, true)
		p, _ = r["path"].(string)
		b = filepath.Base(p)
		want := map[string]os.FileMode{"file": 0o600, "directory": 0o700}[state]
		if !strings.HasPrefix(b, "ansible.") || !strings.HasSuffix(b, ".x") || len(b) != len("ansible..x")+8 || fileMode(t, p) != want || r["state"] != state {
			t.Fatalf("%s: path %q mode %o, result %v", state, p, fileMode(t, p), r)
		}
	}

	mustFail(t, run(t, env, "tempfile", map[string]any{"path": filepath.Join(dir, "missing")}), "No such file or directory")
}
