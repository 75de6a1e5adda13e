package modules

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// unarchive's owner, group and mode go to every member and to each
// member's top directory (here sub/, which the archive has no entry for);
// a second run changes nothing (the mode and owner differences tar --diff
// sees are the task's own), and a member changed on the host since is put
// back without extracting again.
func TestUnarchiveAttrs(t *testing.T) {
	env, dir := testEnv(t)
	src := filepath.Join(dir, "payload")
	if err := os.MkdirAll(filepath.Join(src, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(src, "f.txt"), "hi\n", 0o600)
	writeFile(t, filepath.Join(src, "sub", "g.txt"), "there\n", 0o600)
	if err := os.Symlink("f.txt", filepath.Join(src, "link")); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(dir, "a.tar")
	if out, err := exec.Command("tar", "-cf", archive, "-C", src, "f.txt", "sub/g.txt", "link").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v %s", err, out)
	}
	dest := filepath.Join(dir, "out")
	if err := os.Mkdir(dest, 0o755); err != nil {
		t.Fatal(err)
	}
	root := os.Geteuid() == 0
	args := map[string]any{"src": archive, "dest": dest, "remote_src": true, "mode": "0640"}
	if root {
		args["owner"], args["group"] = "65534", "65533"
	}
	check := func(when string) {
		t.Helper()
		for _, p := range []string{"f.txt", "sub", "sub/g.txt"} {
			full := filepath.Join(dest, p)
			if m := fileMode(t, full); m != 0o640 {
				t.Errorf("%s: %s mode %o, want 640", when, p, m)
			}
			if !root {
				continue
			}
			fi, err := os.Lstat(full)
			if err != nil {
				t.Fatal(err)
			}
			if st := fi.Sys().(*syscall.Stat_t); st.Uid != 65534 || st.Gid != 65533 {
				t.Errorf("%s: %s owned by %d:%d, want 65534:65533", when, p, st.Uid, st.Gid)
			}
		}
	}

	env.Check = true
	mustOK(t, run(t, env, "unarchive", args), true)
	if _, err := os.Stat(filepath.Join(dest, "f.txt")); err == nil {
		t.Fatal("check mode extracted")
	}
	env.Check = false
	mustOK(t, run(t, env, "unarchive", args), true)
	check("first run")
	if got, _ := os.Readlink(filepath.Join(dest, "link")); got != "f.txt" {
		t.Errorf("link -> %q", got)
	}
	mustOK(t, run(t, env, "unarchive", args), false)

	if err := os.Chmod(filepath.Join(dest, "sub", "g.txt"), 0o644); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dest, "sub", "marker"), "", 0o600) // not a member: untouched
	mustOK(t, run(t, env, "unarchive", args), true)
	check("after a member's mode changed")
	if m := fileMode(t, filepath.Join(dest, "sub", "marker")); m != 0o600 {
		t.Errorf("a file not in the archive got mode %o", m)
	}

	// A symbolic mode, applied by chmod on the host.
	args["mode"] = "u=rw,g=,o="
	mustOK(t, run(t, env, "unarchive", args), true)
	if m := fileMode(t, filepath.Join(dest, "f.txt")); m != 0o600 {
		t.Errorf("symbolic mode: f.txt %o, want 600", m)
	}
	mustOK(t, run(t, env, "unarchive", args), false)
	mustFail(t, run(t, env, "unarchive", map[string]any{"src": archive, "dest": dest, "remote_src": true, "mode": "u+q"}), "mode must be in octal or symbolic form")
}

func TestMemberPaths(t *testing.T) {
	got := memberPaths("/d", []string{"./", "./a", "b/", "b/c", "e/f/g", "h"})
	want := []string{"/d/.", "/d/./a", "/d/b", "/d/b/c", "/d/e/f/g", "/d/h", "/d/e"}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
}
