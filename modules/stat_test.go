package modules

import (
	"os"
	"path/filepath"
	"testing"
)

func TestStat(t *testing.T) {
	env, dir := testEnv(t)
	f := filepath.Join(dir, "f")
	writeFile(t, f, "hello\n", 0o640)
	r := run(t, env, "stat", map[string]any{"path": f})
	mustOK(t, r, false)
	s := r["stat"].(map[string]any)
	fi, _ := os.Stat(f)
	if s["exists"] != true || s["isreg"] != true || s["isdir"] != false || s["mode"] != "0640" ||
		s["size"] != int64(6) || s["checksum"] != "f572d396fae9206628714fb2ce00f72e94f2258f" ||
		s["uid"] != os.Getuid() || s["rusr"] != true || s["roth"] != false || s["mtime"] != float64(fi.ModTime().Unix()) {
		t.Fatalf("stat %v", s)
	}
	if _, ok := s["md5"]; ok {
		t.Errorf("md5 without get_md5: %v", s["md5"])
	}
	// get_md5 (Ansible up to 2.14; false is what playbooks usually say).
	r = run(t, env, "stat", map[string]any{"path": f, "get_md5": true})
	if got := r["stat"].(map[string]any)["md5"]; got != "b1946ac92492d2347c6235b4d2611184" {
		t.Errorf("get_md5: md5 %v", got)
	}
	r = run(t, env, "stat", map[string]any{"path": f, "checksum_algorithm": "sha256"})
	if r["stat"].(map[string]any)["checksum"] != "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03" {
		t.Fatalf("sha256 %v", r)
	}
	l := filepath.Join(dir, "l")
	if err := os.Symlink(f, l); err != nil {
		t.Fatal(err)
	}
	s = run(t, env, "stat", map[string]any{"path": l})["stat"].(map[string]any)
	if s["islnk"] != true || s["lnk_target"] != f || s["isreg"] != false {
		t.Fatalf("link %v", s)
	}
	s = run(t, env, "stat", map[string]any{"path": l, "follow": true})["stat"].(map[string]any)
	if s["isreg"] != true || s["checksum"] == nil {
		t.Fatalf("followed link %v", s)
	}
	s = run(t, env, "stat", map[string]any{"path": dir})["stat"].(map[string]any)
	if s["isdir"] != true || s["checksum"] != nil {
		t.Fatalf("dir %v", s)
	}
	r = run(t, env, "stat", map[string]any{"path": filepath.Join(dir, "nope")})
	mustOK(t, r, false)
	if r["stat"].(map[string]any)["exists"] != false {
		t.Fatalf("missing %v", r)
	}
	mustFail(t, run(t, env, "stat", map[string]any{"path": f, "checksum_algorithm": "crc"}), "checksum_algorithm must be one of")
}

func TestSlurp(t *testing.T) {
	env, dir := testEnv(t)
	f := filepath.Join(dir, "f")
	writeFile(t, f, "a\x00b\n", 0o600)
	r := run(t, env, "slurp", map[string]any{"src": f})
	mustOK(t, r, false)
	if r["content"] != "YQBiCg==" || r["encoding"] != "base64" || r["source"] != f {
		t.Fatalf("slurp %v", r)
	}
	mustFail(t, run(t, env, "slurp", map[string]any{"src": filepath.Join(dir, "x")}), "file not found")
	mustFail(t, run(t, env, "slurp", map[string]any{"src": dir}), "source is a directory")
}

func TestFetch(t *testing.T) {
	env, dir := testEnv(t)
	env.Target.Name = "web1"
	f := filepath.Join(dir, "etc", "app.conf")
	if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, f, "k=v\n", 0o600)
	out := t.TempDir()
	args := map[string]any{"src": f, "dest": out}
	r := run(t, env, "fetch", args)
	mustOK(t, r, true)
	local := filepath.Join(out, "web1", f)
	if readFile(t, local) != "k=v\n" || r["dest"] != local || r["checksum"] != r["remote_checksum"] {
		t.Fatalf("fetch %v", r)
	}
	mustOK(t, run(t, env, "fetch", args), false)
	flat := map[string]any{"src": f, "dest": "got/", "flat": true, "_playbook_dir": out}
	env.Check = true
	mustOK(t, run(t, env, "fetch", flat), true)
	if _, err := os.Stat(filepath.Join(out, "got")); !os.IsNotExist(err) {
		t.Fatal("check mode wrote")
	}
	env.Check = false
	mustOK(t, run(t, env, "fetch", flat), true)
	if readFile(t, filepath.Join(out, "got", "app.conf")) != "k=v\n" {
		t.Fatal("flat")
	}
	mustFail(t, run(t, env, "fetch", map[string]any{"src": "/nonexistent", "dest": out}), "the remote file does not exist")
	r = run(t, env, "fetch", map[string]any{"src": "/nonexistent", "dest": out, "fail_on_missing": "no"})
	mustOK(t, r, false)
}
