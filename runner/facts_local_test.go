package runner

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
)

// localHarness runs ansible-core's LocalFactCollector with fact_path
// argv[1].
const localHarness = `
import json, sys, subprocess
from ansible.module_utils.facts.system.local import LocalFactCollector
class Module:
    params = {'fact_path': sys.argv[1]}
    def run_command(self, args, **kw):
        r = subprocess.run(args, capture_output=True, text=True)
        return r.returncode, r.stdout, r.stderr
    def warn(self, m): pass
print(json.dumps(LocalFactCollector().collect(module=Module())['local']))
`

// ansible_local as ansible-core computes it for the same fact path: JSON
// and INI files (DEFAULT section, continuation lines, interpolation, :
// delimiters, comments), content that is neither, an interpolation
// error, executables printing JSON and INI, one failing, a dangling link;
// and the fact_path the setup module passes.
func TestLocalFactsLikeAnsible(t *testing.T) {
	dir := tempDir(t)
	files := map[string]string{
		"app.fact":    `{"version": "1.2.3", "nested": {"list": [1, 2]}, "flag": true}`,
		"ini.fact":    "# comment\n[DEFAULT]\nbase = /opt\n\n[paths]\nHome = %(base)s/app\nlogs: /var/log/app\nmulti = first\n  second\n; another\n[other]\nx=1\n",
		"bad.fact":    "this is not json\nnor ini\n",
		"empty.fact":  "",
		"dup.fact":    "[a]\nx=1\n[a]\ny=2\n",
		"nosect.fact": "x=1\n",
	}
	for n, c := range files {
		writeTestFile(t, filepath.Join(dir, n), c, 0o644)
	}
	writeTestFile(t, filepath.Join(dir, "run.fact"), "#!/bin/sh\necho '{\"up\": 1}'\n", 0o755)
	writeTestFile(t, filepath.Join(dir, "runini.fact"), "#!/bin/sh\nprintf '[s]\\nk=v'\n", 0o744)
	writeTestFile(t, filepath.Join(dir, "fail.fact"), "#!/bin/sh\necho out; echo oops >&2; exit 3\n", 0o755)
	writeTestFile(t, filepath.Join(dir, "ignored.txt"), "{}", 0o644)
	if err := exec.Command("ln", "-s", "/nonexistent", filepath.Join(dir, "dangling.fact")).Run(); err != nil {
		t.Fatal(err)
	}
	conn := &LocalConn{}
	out, err := conn.Run(context.Background(), factsCommand(dir), nil)
	if err != nil || out.ExitCode != 0 {
		t.Fatalf("facts: %v", err)
	}
	got, _ := parseFacts(string(out.Stdout))["local"].(map[string]any)
	if len(got) != 10 {
		t.Errorf("local facts: %v", got)
	}
	if def, _ := parseFacts(string(mustRun(t, conn, factsScript)))["local"].(map[string]any); def == nil {
		t.Errorf("no ansible_local with the default fact path")
	}
	// an interpolation error fails Ansible's whole local collector
	idir := tempDir(t)
	writeTestFile(t, filepath.Join(idir, "interp.fact"), "[s]\na = 100%\n", 0o644)
	if l, ok := parseFacts(string(mustRun(t, conn, factsCommand(idir))))["local"]; ok {
		t.Errorf("ansible_local %v with an interpolation error", l)
	}
	py := ansiblePython(t)
	if py == "" {
		return
	}
	b, err := exec.Command(py, "-c", localHarness, dir).Output()
	if err != nil {
		var se []byte
		if ee, ok := err.(*exec.ExitError); ok {
			se = ee.Stderr
		}
		t.Fatalf("ansible: %v %s", err, se)
	}
	var want map[string]any
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	g := normJSON(t, got).(map[string]any)
	for k := range want {
		if !reflect.DeepEqual(g[k], want[k]) {
			t.Errorf("%s: drover %s\nansible-core %s", k, jsonOf(t, g[k]), jsonOf(t, want[k]))
		}
	}
	for k := range g {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: drover only", k)
		}
	}
}

func mustRun(t *testing.T, conn *LocalConn, cmd string) []byte {
	t.Helper()
	out, err := conn.Run(context.Background(), cmd, nil)
	if err != nil || out.ExitCode != 0 {
		t.Fatalf("%v", err)
	}
	return out.Stdout
}
