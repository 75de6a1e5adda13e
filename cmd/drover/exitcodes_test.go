package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/runner/fleet"
)

// TestExitCodes runs drover against a real SSH fleet for each documented
// exit code and checks the code and the hosts' real state.
func TestExitCodes(t *testing.T) {
	t.Run("0 all ok", func(t *testing.T) {
		f := startFleet(t, 3, nil)
		before := f.BootID("host01")
		r := drover(t, nil, f.runArgs(f.file(t, "ok.yml", rebootPlay("2", "")))...)
		if r.code != exitOK {
			t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
		}
		if f.BootID("host01") == before || len(f.Reboots("host03")) != 1 {
			t.Fatalf("hosts were not rebooted once: host01 boot id unchanged or host03 reboots %d", len(f.Reboots("host03")))
		}
	})
	t.Run("1 usage", func(t *testing.T) {
		for _, args := range [][]string{
			{"run"},                           // no playbook
			{"run", "a.yml", "--no-such"},     // unknown flag
			{"run", "a.yml", "--serial", "x"}, // bad value
			{"run", "a.yml", "--strategy", "lineer"},
			{"no-such-command"},
		} {
			f := t.TempDir()
			p := filepath.Join(f, "a.yml")
			os.WriteFile(p, []byte(rebootPlay("1", "")), 0o644)
			for i := range args {
				if args[i] == "a.yml" {
					args[i] = p
				}
			}
			if r := drover(t, nil, args...); r.code != exitUsage {
				t.Errorf("%v: exit %d, want 1\n%s", args, r.code, r.stderr)
			}
		}
	})
	t.Run("2 invalid", func(t *testing.T) {
		f := startFleet(t, 1, nil)
		bad := f.file(t, "bad.yml", "- name: bad\n  hosts: all\n  tasks:\n    - name: what\n      no_such_module: {}\n")
		r := drover(t, nil, f.runArgs(bad)...)
		if r.code != exitInvalid {
			t.Fatalf("invalid playbook: exit %d, want 2\n%s", r.code, r.stderr)
		}
		if !strings.Contains(r.stderr, "no_such_module") {
			t.Errorf("the error does not name the problem:\n%s", r.stderr)
		}
		inv := f.file(t, "bad-inv.yml", "all:\n  hosts: [unclosed\n")
		ok := f.file(t, "ok.yml", rebootPlay("1", ""))
		r = drover(t, nil, "run", ok, "-i", inv, "--state-dir", f.state)
		if r.code != exitInvalid {
			t.Fatalf("invalid inventory: exit %d, want 2\n%s", r.code, r.stderr)
		}
		if n := len(f.Reboots("host01")); n != 0 {
			t.Fatalf("nothing should have run, host01 rebooted %d times", n)
		}
	})
	t.Run("3 failed", func(t *testing.T) {
		f := startFleet(t, 3, nil)
		r := drover(t, nil, f.runArgs(f.file(t, "p.yml", rebootPlay("3", "host02")))...)
		if r.code != exitFailed {
			t.Fatalf("exit %d, want 3\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		if len(f.Reboots("host02")) != 0 || len(f.Reboots("host01")) != 1 {
			t.Fatalf("host02 failed before its reboot and must not reboot; host01 must (got %d, %d)", len(f.Reboots("host02")), len(f.Reboots("host01")))
		}
	})
	t.Run("4 unreachable", func(t *testing.T) {
		f := startFleet(t, 3, map[string]fleet.Fault{"host03": {Down: true}})
		r := drover(t, nil, f.runArgs(f.file(t, "p.yml", rebootPlay("3", "")))...)
		if r.code != exitUnreachable {
			t.Fatalf("exit %d, want 4\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stdout, "UNREACHABLE") {
			t.Errorf("no UNREACHABLE in the output:\n%s", r.stdout)
		}
	})
	t.Run("5 stopped", func(t *testing.T) {
		f := startFleet(t, 3, nil)
		play := strings.Replace(rebootPlay("1", "host01"), "  serial: 1\n", "  serial: 1\n  max_fail_percentage: 0\n", 1)
		r := drover(t, nil, f.runArgs(f.file(t, "p.yml", play))...)
		if r.code != exitStopped {
			t.Fatalf("exit %d, want 5\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		if len(f.Reboots("host02"))+len(f.Reboots("host03")) != 0 {
			t.Fatal("the roll went on after the first batch failed")
		}
		if !strings.Contains(r.stderr, "drover run --resume") {
			t.Errorf("no resume hint on stderr:\n%s", r.stderr)
		}
	})
	t.Run("130 interrupted", func(t *testing.T) {
		f := startFleet(t, 3, nil)
		events := filepath.Join(f.dir, "events.jsonl")
		stop := make(chan struct{})
		done := make(chan result, 1)
		args := f.runArgs(f.file(t, "p.yml", rebootPlay("1", "")), "--events", events)
		go func() { done <- drover(t, stop, args...) }()
		waitFor(t, "the first host to start", 30*time.Second, func() bool {
			b, _ := os.ReadFile(events)
			return strings.Contains(string(b), `"type":"host_started"`)
		})
		close(stop)
		r := <-done
		if r.code != exitInterrupted {
			t.Fatalf("exit %d, want 130\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		if len(f.Reboots("host03")) != 0 {
			t.Fatal("host03 was rebooted after the interrupt")
		}
		if !strings.Contains(r.stderr, "--resume") {
			t.Errorf("no resume hint:\n%s", r.stderr)
		}
	})
}
