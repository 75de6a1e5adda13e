package modules

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLineinfileReplaceInsertRemove(t *testing.T) {
	env, dir := testEnv(t)
	f := filepath.Join(dir, "sshd_config")
	writeFile(t, f, "Port 22\n#PermitRootLogin yes\nUsePAM yes\n", 0o600)
	runEditSteps(t, env, "lineinfile", f, 0o600, []editStep{
		{map[string]any{"regexp": `^#?PermitRootLogin`, "line": "PermitRootLogin no"}, true, "line replaced",
			"Port 22\nPermitRootLogin no\nUsePAM yes\n"},
		{map[string]any{"regexp": `^#?PermitRootLogin`, "line": "PermitRootLogin no"}, false, "",
			"Port 22\nPermitRootLogin no\nUsePAM yes\n"},
		{map[string]any{"line": "X11Forwarding no", "insertafter": "^Port"}, true, "line added",
			"Port 22\nX11Forwarding no\nPermitRootLogin no\nUsePAM yes\n"},
		{map[string]any{"line": "X11Forwarding no", "insertafter": "^Port"}, false, "",
			"Port 22\nX11Forwarding no\nPermitRootLogin no\nUsePAM yes\n"},
		{map[string]any{"line": "# top", "insertbefore": "BOF"}, true, "line added",
			"# top\nPort 22\nX11Forwarding no\nPermitRootLogin no\nUsePAM yes\n"},
		{map[string]any{"line": "Banner none"}, true, "line added",
			"# top\nPort 22\nX11Forwarding no\nPermitRootLogin no\nUsePAM yes\nBanner none\n"},
		{map[string]any{"regexp": `^Port (\d+)`, "line": `Port \g<1>0 # was \1`, "backrefs": true}, true, "line replaced",
			"# top\nPort 220 # was 22\nX11Forwarding no\nPermitRootLogin no\nUsePAM yes\nBanner none\n"},
		{map[string]any{"regexp": `^Nope (\d+)`, "line": `x \1`, "backrefs": "yes"}, false, "",
			"# top\nPort 220 # was 22\nX11Forwarding no\nPermitRootLogin no\nUsePAM yes\nBanner none\n"},
		{map[string]any{"search_string": "UsePAM", "state": "absent"}, true, "1 line(s) removed",
			"# top\nPort 220 # was 22\nX11Forwarding no\nPermitRootLogin no\nBanner none\n"},
		{map[string]any{"regexp": "^#", "state": "absent"}, true, "1 line(s) removed",
			"Port 220 # was 22\nX11Forwarding no\nPermitRootLogin no\nBanner none\n"},
		{map[string]any{"line": "Banner none", "state": "absent"}, true, "1 line(s) removed",
			"Port 220 # was 22\nX11Forwarding no\nPermitRootLogin no\n"},
		{map[string]any{"line": "Banner none", "state": "absent"}, false, "",
			"Port 220 # was 22\nX11Forwarding no\nPermitRootLogin no\n"},
	})
}

// editStep is one run of a file-editing module and what it must leave.
type editStep struct {
	args    map[string]any
	changed bool
	msg     string
	want    string
}

// runEditSteps runs module on path for each step in turn and checks the
// result, the content and that the file keeps mode.
func runEditSteps(t *testing.T, env *Env, module, path string, mode os.FileMode, steps []editStep) {
	t.Helper()
	for i, s := range steps {
		s.args["path"] = path
		r := run(t, env, module, s.args)
		mustOK(t, r, s.changed)
		if r.Msg() != s.msg {
			t.Errorf("step %d: msg %q, want %q", i, r.Msg(), s.msg)
		}
		if got := readFile(t, path); got != s.want {
			t.Fatalf("step %d: content\n%q\nwant\n%q", i, got, s.want)
		}
		if fileMode(t, path) != mode {
			t.Fatalf("step %d: mode not kept: %o", i, fileMode(t, path))
		}
	}
}

func TestLineinfileCreateCheckDiffBackup(t *testing.T) {
	env, dir := testEnv(t)
	f := filepath.Join(dir, "new", "file.conf")
	mustFail(t, run(t, env, "lineinfile", map[string]any{"path": f, "line": "a=1"}), "does not exist !")
	env.Check, env.Diff = true, true
	r := run(t, env, "lineinfile", map[string]any{"path": f, "line": "a=1", "create": true, "mode": "0644"})
	mustOK(t, r, true)
	if _, err := os.Stat(f); !os.IsNotExist(err) {
		t.Fatal("check mode created the file")
	}
	if d := r["diff"].(map[string]any); d["before"] != "" || d["after"] != "a=1\n" {
		t.Fatalf("diff %v", d)
	}
	env.Check = false
	mustOK(t, run(t, env, "lineinfile", map[string]any{"path": f, "line": "a=1", "create": true, "mode": "0644"}), true)
	if readFile(t, f) != "a=1\n" || fileMode(t, f) != 0o644 {
		t.Fatal("create")
	}
	r = run(t, env, "lineinfile", map[string]any{"path": f, "regexp": "^a=", "line": "a=2", "backup": true})
	mustOK(t, r, true)
	if b, _ := r["backup"].(string); b == "" || readFile(t, b) != "a=1\n" {
		t.Fatalf("backup: %v", r)
	}
	r = run(t, env, "lineinfile", map[string]any{"path": f, "line": "a=2", "mode": "0600"})
	mustOK(t, r, true)
	if r.Msg() != "ownership, perms or SE linux context changed" {
		t.Fatalf("msg %q", r.Msg())
	}
	mustFail(t, run(t, env, "lineinfile", map[string]any{"path": f, "regexp": "(", "line": "x"}), "invalid regexp")
	mustFail(t, run(t, env, "lineinfile", map[string]any{"path": dir, "line": "x"}), "is a directory")
	mustFail(t, run(t, env, "lineinfile", map[string]any{"path": f, "line": "b", "validate": "false %s"}), "failed to validate")
	if readFile(t, f) != "a=2\n" {
		t.Fatal("invalid content installed")
	}
}

func TestBlockinfile(t *testing.T) {
	env, dir := testEnv(t)
	f := filepath.Join(dir, "hosts")
	writeFile(t, f, "127.0.0.1 localhost\n# tail", 0o644)
	args := map[string]any{"path": f, "block": "10.0.0.1 a\n10.0.0.2 b\n", "insertafter": "localhost"}
	r := run(t, env, "blockinfile", args)
	mustOK(t, r, true)
	want := "127.0.0.1 localhost\n# BEGIN ANSIBLE MANAGED BLOCK\n10.0.0.1 a\n10.0.0.2 b\n# END ANSIBLE MANAGED BLOCK\n# tail"
	if got := readFile(t, f); got != want || r.Msg() != "Block inserted" {
		t.Fatalf("got %q (%v)", got, r)
	}
	mustOK(t, run(t, env, "blockinfile", args), false)
	// Replaced in place.
	args["block"] = "10.0.0.3 c"
	mustOK(t, run(t, env, "blockinfile", args), true)
	want = "127.0.0.1 localhost\n# BEGIN ANSIBLE MANAGED BLOCK\n10.0.0.3 c\n# END ANSIBLE MANAGED BLOCK\n# tail"
	if got := readFile(t, f); got != want {
		t.Fatalf("got %q", got)
	}
	// Custom marker at EOF, then removal.
	m := map[string]any{"path": f, "block": "x", "marker": "// {mark} drover", "marker_begin": "start", "marker_end": "stop"}
	mustOK(t, run(t, env, "blockinfile", m), true)
	if got := readFile(t, f); got != want+"\n// start drover\nx\n// stop drover\n" {
		t.Fatalf("got %q", got)
	}
	m["state"] = "absent"
	r = run(t, env, "blockinfile", m)
	mustOK(t, r, true)
	if r.Msg() != "Block removed" || readFile(t, f) != want+"\n" {
		t.Fatalf("removed: %q %v", readFile(t, f), r)
	}
	mustFail(t, run(t, env, "blockinfile", map[string]any{"path": filepath.Join(dir, "none"), "block": "x"}), "does not exist !")
	r = run(t, env, "blockinfile", map[string]any{"path": filepath.Join(dir, "none"), "block": "x", "create": true, "insertbefore": "BOF"})
	mustOK(t, r, true)
	if readFile(t, filepath.Join(dir, "none")) != "# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\n" || r.Msg() != "File created" {
		t.Fatalf("create %v", r)
	}
}
