package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRaw(t *testing.T) {
	env, dir := testEnv(t)
	r := run(t, env, "raw", map[string]any{"_raw_params": "echo hi | tr a-z A-Z; echo err >&2; touch made"})
	mustOK(t, r, true)
	if r["stdout"] != "HI" || r["stderr"] != "err" || r["rc"] != 0 {
		t.Fatalf("raw %v", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "made")); err != nil {
		t.Fatal(err)
	}
	r = run(t, env, "raw", map[string]any{"_raw_params": "exit 3"})
	if !r.Failed() || r["rc"] != 3 {
		t.Fatalf("raw exit %v", r)
	}
	env.Check = true
	r = run(t, env, "raw", map[string]any{"_raw_params": "touch nope"})
	if !r.Skipped() {
		t.Fatalf("check %v", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "nope")); err == nil {
		t.Fatal("check mode ran raw")
	}
}

func TestScript(t *testing.T) {
	env, dir := testEnv(t)
	pb := t.TempDir()
	if err := os.Mkdir(filepath.Join(pb, "files"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(pb, "files", "s.sh"), "#!/bin/sh\necho \"args: $*\"; pwd; touch \"$1\"\n", 0o644)
	args := map[string]any{"_raw_params": "s.sh marker 'two words'", "_playbook_dir": pb, "chdir": dir, "creates": "marker"}
	r := run(t, env, "script", args)
	mustOK(t, r, true)
	if r["stdout_lines"].([]string)[0] != "args: marker two words" {
		t.Fatalf("script %v", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "marker")); err != nil {
		t.Fatal(err)
	}
	r = run(t, env, "script", args)
	mustOK(t, r, false)
	if !strings.Contains(r.Msg(), "matching creates") {
		t.Fatalf("creates %v", r)
	}
	ents, _ := filepath.Glob("/tmp/.drover-tmp-*")
	for _, e := range ents {
		if b, _ := os.ReadFile(e); strings.Contains(string(b), "args: $*") {
			t.Fatalf("script left behind: %s", e)
		}
	}
	mustFail(t, run(t, env, "script", map[string]any{"_raw_params": "missing.sh"}), "Could not find or access 'missing.sh'")
	r = run(t, env, "script", map[string]any{"_raw_params": "s.sh /nonexistent/dir/x", "_playbook_dir": pb})
	if !r.Failed() || r["rc"] == 0 {
		t.Fatalf("failing script %v", r)
	}
}
