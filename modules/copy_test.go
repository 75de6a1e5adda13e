package modules

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestCopyContentIdempotent(t *testing.T) {
	env, dir := testEnv(t)
	dest := filepath.Join(dir, "motd")
	args := map[string]any{"content": "hello\n", "dest": dest, "mode": "0640"}
	r := run(t, env, "copy", args)
	mustOK(t, r, true)
	if got := readFile(t, dest); got != "hello\n" {
		t.Fatalf("content %q", got)
	}
	if m := fileMode(t, dest); m != 0o640 {
		t.Fatalf("mode %o", m)
	}
	if r["checksum"] != "f572d396fae9206628714fb2ce00f72e94f2258f" || r["mode"] != "0640" || r["state"] != "file" {
		t.Fatalf("result fields: %v", r)
	}
	mustOK(t, run(t, env, "ansible.builtin.copy", args), false)

	// Mode only: changed, content untouched.
	args["mode"] = 0o600
	mustOK(t, run(t, env, "copy", args), true)
	if m := fileMode(t, dest); m != 0o600 {
		t.Fatalf("mode %o", m)
	}
	mustOK(t, run(t, env, "copy", args), false)
}

func TestCopyCheckModeAndDiff(t *testing.T) {
	env, dir := testEnv(t)
	dest := filepath.Join(dir, "conf")
	writeFile(t, dest, "a\nb\n", 0o644)
	env.Check, env.Diff = true, true
	r := run(t, env, "copy", map[string]any{"content": "a\nc\n", "dest": dest})
	mustOK(t, r, true)
	if got := readFile(t, dest); got != "a\nb\n" {
		t.Fatalf("check mode changed the file: %q", got)
	}
	d := r["diff"].(map[string]any)
	if d["before"] != "a\nb\n" || d["after"] != "a\nc\n" || d["after_header"] != dest {
		t.Fatalf("diff %v", d)
	}
	env.Check = false
	r = run(t, env, "copy", map[string]any{"content": "a\nc\n", "dest": dest, "backup": "yes"})
	mustOK(t, r, true)
	b, _ := r["backup_file"].(string)
	if b == "" || readFile(t, b) != "a\nb\n" {
		t.Fatalf("backup %q: %v", b, r)
	}
	if readFile(t, dest) != "a\nc\n" {
		t.Fatal("not written")
	}
}

func TestCopySrcFromPlaybookDirAndForce(t *testing.T) {
	env, dir := testEnv(t)
	pb := t.TempDir()
	if err := os.MkdirAll(filepath.Join(pb, "files", "tree", "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(pb, "files", "app.conf"), "x=1\n", 0o644)
	writeFile(t, filepath.Join(pb, "files", "tree", "sub", "f"), "deep\n", 0o644)
	dest := filepath.Join(dir, "app.conf")
	args := map[string]any{"src": "app.conf", "dest": dest, "_playbook_dir": pb}
	mustOK(t, run(t, env, "copy", args), true)
	if readFile(t, dest) != "x=1\n" {
		t.Fatal("content")
	}
	// force=no keeps an existing file.
	writeFile(t, dest, "local edit\n", 0o644)
	mustOK(t, run(t, env, "copy", map[string]any{"src": "app.conf", "dest": dest, "_playbook_dir": pb, "force": false}), false)
	if readFile(t, dest) != "local edit\n" {
		t.Fatal("force=no overwrote")
	}
	// Into an existing directory.
	mustOK(t, run(t, env, "copy", map[string]any{"src": "app.conf", "dest": dir + "/sub/", "_playbook_dir": pb}), true)
	if readFile(t, filepath.Join(dir, "sub", "app.conf")) != "x=1\n" {
		t.Fatal("dest dir")
	}
	// A directory, recursively.
	targs := map[string]any{"src": "tree", "dest": dir, "_playbook_dir": pb}
	mustOK(t, run(t, env, "copy", targs), true)
	if readFile(t, filepath.Join(dir, "tree", "sub", "f")) != "deep\n" {
		t.Fatal("recursive copy")
	}
	mustOK(t, run(t, env, "copy", targs), false)
}

func TestCopyFailures(t *testing.T) {
	env, dir := testEnv(t)
	mustFail(t, run(t, env, "copy", map[string]any{"content": "x", "dest": filepath.Join(dir, "nodir", "f")}), "Destination directory")
	mustFail(t, run(t, env, "copy", map[string]any{"src": "nope.txt", "dest": filepath.Join(dir, "f")}), "Could not find or access 'nope.txt'")
	mustFail(t, run(t, env, "copy", map[string]any{"content": "x", "dest": filepath.Join(dir, "f"), "mode": "u+q"}), "mode must be in octal or symbolic form")
	dest := filepath.Join(dir, "sudoers")
	r := run(t, env, "copy", map[string]any{"content": "bad\n", "dest": dest, "validate": "grep -q good %s"})
	mustFail(t, r, "failed to validate")
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Fatal("invalid file was installed")
	}
	mustOK(t, run(t, env, "copy", map[string]any{"content": "good\n", "dest": dest, "validate": "grep -q good %s"}), true)
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".drover") {
			t.Fatalf("temporary file left behind: %s", e.Name())
		}
	}
}

// remote_src copies a file already on the host: idempotent, mode preserve
// takes the source's, a directory or a missing source fails.
func TestCopyRemoteSrc(t *testing.T) {
	env, dir := testEnv(t)
	src := filepath.Join(dir, "app.conf.dist")
	writeFile(t, src, "port=80\n", 0o604)
	dest := filepath.Join(dir, "app.conf")
	// A relative name: found in the host shell's directory only, not where
	// a controller copy would look (_playbook_dir).
	args := map[string]any{"src": "app.conf.dist", "dest": dest, "remote_src": true, "mode": "preserve", "_playbook_dir": filepath.Join(dir, "nowhere")}
	mustOK(t, run(t, env, "copy", args), true)
	if got := readFile(t, dest); got != "port=80\n" || fileMode(t, dest) != 0o604 {
		t.Fatalf("dest %q mode %o", got, fileMode(t, dest))
	}
	mustOK(t, run(t, env, "copy", args), false)
	writeFile(t, src, "port=8080\n", 0o604)
	mustOK(t, run(t, env, "copy", args), true)
	if got := readFile(t, dest); got != "port=8080\n" {
		t.Fatalf("dest %q after the source changed", got)
	}
	for what, a := range map[string]map[string]any{
		"is a directory": {"src": dir, "dest": dest + ".d", "remote_src": true},
		"not found":      {"src": filepath.Join(dir, "nope"), "dest": dest, "remote_src": true},
	} {
		if r := run(t, env, "copy", a); !r.Failed() || !strings.Contains(r.Msg(), what) {
			t.Errorf("%s: %v", what, r)
		}
	}
}

// unarchive's copy: no is remote_src: yes (its old name): the archive is
// read on the host, not looked up on the controller (a relative name
// resolved on the controller would not be found here).
func TestUnarchiveCopyNo(t *testing.T) {
	env, dir := testEnv(t)
	src := filepath.Join(dir, "payload")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(src, "f.txt"), "hi\n", 0o644)
	archive := filepath.Join(dir, "a.tar")
	if out, err := exec.Command("tar", "-cf", archive, "-C", src, "f.txt").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v %s", err, out)
	}
	dest := filepath.Join(dir, "out")
	if err := os.Mkdir(dest, 0o755); err != nil {
		t.Fatal(err)
	}
	args := map[string]any{"src": "a.tar", "dest": dest, "copy": false, "_playbook_dir": filepath.Join(dir, "nowhere")} // a.tar is in the host shell's directory only
	mustOK(t, run(t, env, "unarchive", args), true)
	if got := readFile(t, filepath.Join(dest, "f.txt")); got != "hi\n" {
		t.Fatalf("extracted %q", got)
	}
	if s := (unarchiveModule{}).Schema(); len(s.MutuallyExclusive) == 0 || s.MutuallyExclusive[0][0] != "copy" {
		t.Errorf("copy and remote_src are not mutually exclusive: %v", s.MutuallyExclusive)
	}
}
