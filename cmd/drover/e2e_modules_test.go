package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drover-sh/drover/internal/sshdtest"
	"github.com/drover-sh/drover/runner"
)

// service and package on real sshd hosts: the service module drives the
// host's systemctl (sshdtest's namespace-only fake, which keeps unit state
// in the host's private directory); the package module reads the real dpkg
// database but is only asked for what needs no change (a package that is
// installed, one that is absent), so nothing on the machine is modified.
// A second run changes nothing.
func TestE2EServiceAndPackageModules(t *testing.T) {
	f := sshdtest.StartT(t, 2, sshdtest.Options{})
	play := filepath.Join(t.TempDir(), "p.yml")
	writeFile(t, play, `
- hosts: all
  tasks:
    - name: app running and enabled
      service: {name: app, state: started, enabled: true}
    - name: worker stopped
      systemd: {name: worker, state: stopped}
    - name: coreutils present
      package: {name: coreutils, state: present}
    - name: nothing to remove
      apt: {name: drover-no-such-package, state: absent}
`)
	status := func() map[string]string {
		state := t.TempDir()
		events := filepath.Join(state, "events.jsonl")
		out, err := droverCmd(f, state, "run", play, "--events", events).CombinedOutput()
		if err != nil {
			t.Fatalf("drover run: %v\n%s", err, out)
		}
		got := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(readFile(t, events)), "\n") {
			var e runner.Event
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatal(err)
			}
			if e.Type == runner.EvTaskResult {
				got[e.Host+"/"+e.Task] = e.Status
			}
		}
		return got
	}
	first := status()
	for _, h := range f.Names() {
		for task, want := range map[string]string{"app running and enabled": "changed", "worker stopped": "ok", "coreutils present": "ok", "nothing to remove": "ok"} {
			if got := first[h+"/"+task]; got != want {
				t.Errorf("first run %s %q: %s, want %s", h, task, got, want)
			}
		}
		dir := filepath.Join(f.HostDir(h), ".systemd")
		for _, file := range []string{"app.service.active", "app.service.enabled"} {
			if _, err := os.Stat(filepath.Join(dir, file)); err != nil {
				ents, _ := os.ReadDir(dir)
				var names []string
				for _, e := range ents {
					names = append(names, e.Name())
				}
				t.Errorf("%s: the host's systemd state lacks %s (has %v)", h, file, names)
			}
		}
	}
	for k, st := range status() {
		if st != "ok" {
			t.Errorf("second run %s: %s, want ok", k, st)
		}
	}
}
