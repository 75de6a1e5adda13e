package modules

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The install script gives modes by the umask where it can and skips
// chown where the file is already ours: these tests pin the resulting
// files' attributes for every branch of it.

func needRoot(t *testing.T) {
	t.Helper()
	if os.Getuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("this test needs root (chown to other users)")
		}
		t.Skip("needs root")
	}
}

func owner(t *testing.T, p string) (uid, gid uint32) {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return st.Uid, st.Gid
}

func TestInstallKeepsReplacedFilesModeAndOwner(t *testing.T) {
	needRoot(t)
	env, dir := testEnv(t)
	for _, tc := range []struct {
		name string
		mode os.FileMode
	}{{"private", 0o600}, {"script", 0o750}, {"sticky", 0o644 | os.ModeSticky}} {
		dest := filepath.Join(dir, tc.name)
		writeFile(t, dest, "old\n", tc.mode)
		if err := os.Chmod(dest, tc.mode); err != nil { // beyond the umask
			t.Fatal(err)
		}
		if err := os.Chown(dest, 1234, 2345); err != nil {
			t.Fatal(err)
		}
		r := run(t, env, "copy", map[string]any{"content": "new\n", "dest": dest})
		mustOK(t, r, true)
		if got := readFile(t, dest); got != "new\n" {
			t.Fatalf("%s: content %q", tc.name, got)
		}
		fi, _ := os.Stat(dest)
		if m := fi.Mode() & (os.ModePerm | os.ModeSticky | os.ModeSetuid | os.ModeSetgid); m != tc.mode {
			t.Errorf("%s: mode %v, want %v (kept)", tc.name, m, tc.mode)
		}
		if u, g := owner(t, dest); u != 1234 || g != 2345 {
			t.Errorf("%s: owner %d:%d, want 1234:2345 (kept)", tc.name, u, g)
		}
		if r["uid"] != 1234 || r["gid"] != 2345 {
			t.Errorf("%s: result uid/gid %v/%v", tc.name, r["uid"], r["gid"])
		}
	}
	// lineinfile keeps them too.
	dest := filepath.Join(dir, "conf")
	writeFile(t, dest, "a=1\n", 0o640)
	if err := os.Chown(dest, 1234, 2345); err != nil {
		t.Fatal(err)
	}
	mustOK(t, run(t, env, "lineinfile", map[string]any{"path": dest, "line": "b=2"}), true)
	if got := readFile(t, dest); got != "a=1\nb=2\n" {
		t.Fatalf("lineinfile content %q", got)
	}
	if m := fileMode(t, dest); m != 0o640 {
		t.Errorf("lineinfile mode %o, want 640", m)
	}
	if u, g := owner(t, dest); u != 1234 || g != 2345 {
		t.Errorf("lineinfile owner %d:%d, want 1234:2345", u, g)
	}
}

func TestInstallModes(t *testing.T) {
	env, dir := testEnv(t)
	for _, tc := range []struct {
		name     string
		mode     any
		validate string
		want     os.FileMode
	}{
		{"umask-0644", "0644", "", 0o644},
		{"umask-0400", "0400", "", 0o400},
		{"exec-0755", "0755", "", 0o755},
		{"setgid-2640", "2640", "", 0o640 | os.ModeSetgid},
		{"symbolic", "u=rw,g=r", "", 0o640},
		{"validated-0600", "0600", "test -s %s", 0o600},
	} {
		dest := filepath.Join(dir, tc.name)
		args := map[string]any{"content": "x\n", "dest": dest, "mode": tc.mode}
		if tc.validate != "" {
			args["validate"] = tc.validate
		}
		r := run(t, env, "copy", args)
		mustOK(t, r, true)
		fi, err := os.Stat(dest)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode() & (os.ModePerm | os.ModeSetgid); m != tc.want {
			t.Errorf("%s: mode %v, want %v", tc.name, m, tc.want)
		}
		mustOK(t, run(t, env, "copy", args), false)
		// The existing file now gets new content and keeps the mode.
		args["content"] = "y\n"
		mustOK(t, run(t, env, "copy", args), true)
		if fi, _ := os.Stat(dest); fi.Mode()&(os.ModePerm|os.ModeSetgid) != tc.want {
			t.Errorf("%s: mode after rewrite %v, want %v", tc.name, fi.Mode(), tc.want)
		}
	}
	// Nothing is left beside the files.
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".drover.") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

func TestInstallNewFileGetsUmaskDefault(t *testing.T) {
	env, dir := testEnv(t)
	// The umask trick must not leak into the file's default mode: a file
	// without mode gets 0666 & ~umask of the user's shell.
	dest := filepath.Join(dir, "plain")
	mustOK(t, run(t, env, "copy", map[string]any{"content": "x\n", "dest": dest}), true)
	old := syscall.Umask(0)
	syscall.Umask(old)
	if m := fileMode(t, dest); m != 0o666&^os.FileMode(old) {
		t.Errorf("new file mode %o, want %o (umask %03o)", m, 0o666&^old, old)
	}
}

func TestFileDirectoryCreatesEveryLevelWithAttributes(t *testing.T) {
	needRoot(t)
	env, dir := testEnv(t)
	top := filepath.Join(dir, "a")
	p := filepath.Join(top, "b", "c") + "/"
	r := run(t, env, "file", map[string]any{"path": p, "state": "directory", "mode": "0710", "owner": "1234", "group": "2345"})
	mustOK(t, r, true)
	for _, d := range []string{top, filepath.Join(top, "b"), filepath.Join(top, "b", "c")} {
		fi, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if !fi.IsDir() || fi.Mode().Perm() != 0o710 {
			t.Errorf("%s: %v, want a directory with mode 0710", d, fi.Mode())
		}
		if u, g := owner(t, d); u != 1234 || g != 2345 {
			t.Errorf("%s: owner %d:%d, want 1234:2345", d, u, g)
		}
	}
	if r["mode"] != "0710" || r["uid"] != 1234 || r["state"] != "directory" {
		t.Errorf("result %v", r)
	}
	mustOK(t, run(t, env, "file", map[string]any{"path": p, "state": "directory", "mode": "0710", "owner": "1234", "group": "2345"}), false)

	// No attributes: the umask's default, like mkdir -p.
	plain := filepath.Join(dir, "r1", "r2")
	mustOK(t, run(t, env, "file", map[string]any{"path": plain, "state": "directory"}), true)
	old := syscall.Umask(0)
	syscall.Umask(old)
	for _, d := range []string{filepath.Dir(plain), plain} {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o777&^os.FileMode(old) {
			t.Errorf("%s: %v %v, want a directory with mode %o", d, fi.Mode(), err, 0o777&^old)
		}
	}
}
