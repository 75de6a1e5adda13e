package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/internal/sshdtest"
)

// The reboot-only-what-needs-it playbook on real sshd hosts: play 1 looks
// for the reboot-required marker on each host and puts it in a group with
// group_by; play 2 rolls that group one host at a time. Only the hosts
// with the marker rebooted, per their own records; the later play's host
// pattern names a group the inventory does not have. A run interrupted
// after play 1 and resumed still knows the groups (from the journal).
func TestE2EGroupBy(t *testing.T) {
	f := sshdtest.StartT(t, 4, sshdtest.Options{RebootDelay: 300 * time.Millisecond})
	need := []string{f.Names()[1], f.Names()[3]}
	for _, h := range need {
		writeFile(t, filepath.Join(f.HostDir(h), "reboot-required"), "")
	}
	play := filepath.Join(t.TempDir(), "playbook.yml")
	goAhead := filepath.Join(t.TempDir(), "go-ahead")
	writeFile(t, play, `
- hosts: all
  gather_facts: false
  tasks:
    - stat:
        path: `+sshdtest.PrivatePath+`/reboot-required
      register: rr
    - group_by:
        key: "reboot_{{ rr.stat.exists }}"
        parents: needs_attention

- hosts: reboot_True
  serial: 1
  gather_facts: false
  tasks:
    - reboot:
        reboot_timeout: 30
    - name: group_names has the runtime groups
      assert:
        that:
          - "'reboot_True' in group_names"
          - "'needs_attention' in group_names"
          - "groups['reboot_True'] | length == 2"
  health_gate:
    - command: test -e `+goAhead+`
      delegate_to: localhost
`)
	out, err := droverCmd(f, t.TempDir()+"/state", "run", "--list-hosts", play).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "and the hosts group_by in play 1 puts in its groups") {
		t.Errorf("--list-hosts: %v\n%s", err, out)
	}
	// The health gate stops the roll after the first batch; resumed, the
	// run knows reboot_True from its journal (play 1 does not run again).
	state := t.TempDir() + "/state"
	out, err = droverCmd(f, state, "run", play).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitStopped {
		t.Fatalf("drover run: %v, want exit %d (health gate)\n%s", err, exitStopped, out)
	}
	if !strings.Contains(string(out), "playbook.yml:12:3: warning: play \"\": no group or host of the inventory is named reboot_True") {
		t.Errorf("no warning about the runtime group:\n%s", out)
	}
	if n := len(windows(t, f)); n != 1 {
		t.Fatalf("%d reboots before the gate stopped the roll, want 1\n%s", n, out)
	}
	writeFile(t, goAhead, "")
	out, err = droverCmd(f, state, "run", "--resume").CombinedOutput()
	if err != nil {
		t.Fatalf("drover run --resume: %v\n%s", err, out)
	}
	var rebooted []string
	for _, w := range windows(t, f) {
		rebooted = append(rebooted, w.host)
	}
	slices.Sort(rebooted)
	if !slices.Equal(rebooted, need) {
		t.Errorf("rebooted %v (hosts' records), want %v\n%s", rebooted, need, out)
	}
	if n := len(batchSizes(windows(t, f))); n != 2 {
		t.Errorf("%d batches, want 2 (serial: 1)", n)
	}

	// No host needs it: play 2 matches nothing and is skipped.
	for _, h := range need {
		if err := os.Remove(filepath.Join(f.HostDir(h), "reboot-required")); err != nil {
			t.Fatal(err)
		}
	}
	out, err = droverCmd(f, t.TempDir()+"/state", "run", play).CombinedOutput()
	if err != nil || !strings.Contains(string(out), `skipped: no hosts matched "reboot_True"`) {
		t.Errorf("nothing to reboot: %v\n%s", err, out)
	}
	if got := len(windows(t, f)); got != 2 {
		t.Errorf("%d reboots in all, want still 2", got)
	}
}
