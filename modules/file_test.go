package modules

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFileDirectoryRecurseIdempotent(t *testing.T) {
	env, dir := testEnv(t)
	d := filepath.Join(dir, "a", "b")
	args := map[string]any{"path": d, "state": "directory", "mode": "0750"}
	r := run(t, env, "file", args)
	mustOK(t, r, true)
	if fi, err := os.Stat(d); err != nil || !fi.IsDir() || fileMode(t, d) != 0o750 {
		t.Fatalf("dir not created right: %v", err)
	}
	if r["state"] != "directory" || r["mode"] != "0750" {
		t.Fatalf("result %v", r)
	}
	mustOK(t, run(t, env, "file", args), false)

	writeFile(t, filepath.Join(d, "f"), "x", 0o600)
	rargs := map[string]any{"path": d, "state": "directory", "mode": 0o755, "recurse": true}
	env.Check = true
	mustOK(t, run(t, env, "file", rargs), true)
	if fileMode(t, filepath.Join(d, "f")) != 0o600 {
		t.Fatal("check mode changed a mode")
	}
	env.Check = false
	mustOK(t, run(t, env, "file", rargs), true)
	if fileMode(t, filepath.Join(d, "f")) != 0o755 {
		t.Fatal("recurse did not apply")
	}
	mustOK(t, run(t, env, "file", rargs), false)
}

func TestFileTouchAbsentSymbolic(t *testing.T) {
	env, dir := testEnv(t)
	f := filepath.Join(dir, "stamp")
	mustOK(t, run(t, env, "file", map[string]any{"path": f, "state": "touch", "mode": "u=rw,g=r,o="}), true)
	if fileMode(t, f) != 0o640 {
		t.Fatalf("mode %o", fileMode(t, f))
	}
	// Symbolic mode on an existing file, then idempotent.
	sargs := map[string]any{"path": f, "mode": "u+x"}
	mustOK(t, run(t, env, "file", sargs), true)
	if fileMode(t, f) != 0o740 {
		t.Fatalf("mode %o", fileMode(t, f))
	}
	mustOK(t, run(t, env, "file", sargs), false)
	env.Diff = true
	r := run(t, env, "file", map[string]any{"path": f, "state": "absent"})
	mustOK(t, r, true)
	if _, err := os.Stat(f); !os.IsNotExist(err) {
		t.Fatal("not removed")
	}
	d := r["diff"].(map[string]any)
	if d["before"].(map[string]any)["state"] != "file" || d["after"].(map[string]any)["state"] != "absent" {
		t.Fatalf("diff %v", d)
	}
	mustOK(t, run(t, env, "file", map[string]any{"path": f, "state": "absent"}), false)
}

func TestFileLinks(t *testing.T) {
	env, dir := testEnv(t)
	target := filepath.Join(dir, "target")
	writeFile(t, target, "t", 0o644)
	l := filepath.Join(dir, "link")
	args := map[string]any{"src": target, "dest": l, "state": "link"}
	mustOK(t, run(t, env, "file", args), true)
	if got, err := os.Readlink(l); err != nil || got != target {
		t.Fatalf("readlink %q %v", got, err)
	}
	mustOK(t, run(t, env, "file", args), false)
	// Repoint.
	other := filepath.Join(dir, "other")
	writeFile(t, other, "o", 0o644)
	mustOK(t, run(t, env, "file", map[string]any{"src": other, "dest": l, "state": "link"}), true)
	if got, _ := os.Readlink(l); got != other {
		t.Fatal("not repointed")
	}
	// Hard link.
	h := filepath.Join(dir, "hard")
	hargs := map[string]any{"src": target, "path": h, "state": "hard"}
	mustOK(t, run(t, env, "file", hargs), true)
	a, _ := os.Stat(h)
	b, _ := os.Stat(target)
	if !os.SameFile(a, b) {
		t.Fatal("not a hard link")
	}
	mustOK(t, run(t, env, "file", hargs), false)
	// Refusals.
	mustFail(t, run(t, env, "file", map[string]any{"src": "/nonexistent", "dest": filepath.Join(dir, "l2"), "state": "link"}), "src file does not exist")
	mustFail(t, run(t, env, "file", map[string]any{"src": other, "dest": target, "state": "link"}), "refusing to convert from")
	mustFail(t, run(t, env, "file", map[string]any{"path": filepath.Join(dir, "missing"), "state": "file"}), "is absent, cannot continue")
	mustFail(t, run(t, env, "file", map[string]any{"path": target, "state": "directory"}), "already exists as a")
	mustFail(t, run(t, env, "file", map[string]any{"path": target, "mode": "0999"}), "mode must be in octal or symbolic form")
}
