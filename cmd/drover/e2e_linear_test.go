package main

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/internal/sshdtest"
)

// strategy: linear on real sshd hosts, asserted on the hosts' own records.
func TestE2ELinear(t *testing.T) {
	// A drain that fails on one host of a batch, with max_fail_percentage:
	// 0, keeps the batch's other hosts from rebooting: none starts the
	// next task before every host is done with the drain.
	t.Run("a failed drain stops the batch before its reboots", func(t *testing.T) {
		f := sshdtest.StartT(t, 8, sshdtest.Options{Racks: 1, RebootDelay: 300 * time.Millisecond})
		before := bootIDs(f)
		play := filepath.Join(t.TempDir(), "playbook.yml")
		writeFile(t, play, `
- hosts: all
  strategy: linear
  serial: 4
  max_fail_percentage: 0
  gather_facts: false
  tasks:
    - name: drain
      shell: "{{ 'sleep 0.5; exit 1' if inventory_hostname == 'h02' else 'true' }}"
    - name: reboot
      reboot:
        reboot_timeout: 30
`)
		out, err := droverCmd(f, t.TempDir()+"/state", "run", play).CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitStopped {
			t.Fatalf("exit %v, want %d\n%s", err, exitStopped, out)
		}
		if !strings.Contains(string(out), "max_fail_percentage 0% exceeded: 1 of 4 hosts of the batch failed") {
			t.Errorf("no threshold in the output:\n%s", out)
		}
		for _, h := range f.Names() {
			rs, err := f.Reboots(h)
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != 0 || f.BootID(h) != before[h] {
				t.Errorf("%s: rebooted (%d records)", h, len(rs))
			}
		}
	})
	// --strategy linear for a play that names none: no host of a batch
	// runs its post-reboot check before every host of the batch is back
	// (one host takes 1.5 s longer to boot).
	t.Run("--strategy linear: the check after the whole batch is back", func(t *testing.T) {
		f := sshdtest.StartT(t, 4, sshdtest.Options{Racks: 1, RebootDelay: 300 * time.Millisecond})
		if err := f.SetFault("h01", sshdtest.Fault{SlowReturn: 1800 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
		play := filepath.Join(t.TempDir(), "playbook.yml")
		writeFile(t, play, `
- hosts: all
  serial: 4
  gather_facts: false
  tasks:
    - reboot:
        reboot_timeout: 30
    - name: check
      shell: date +%s%N > `+sshdtest.PrivatePath+`/checked
`)
		out, err := droverCmd(f, t.TempDir()+"/state", "run", play, "--strategy", "linear").CombinedOutput()
		if err != nil {
			t.Fatalf("drover run: %v\n%s", err, out)
		}
		var lastUp time.Time
		for _, h := range f.Names() {
			rs, err := f.Reboots(h)
			if err != nil || len(rs) != 1 {
				t.Fatalf("%s: %d reboots (%v)", h, len(rs), err)
			}
			if rs[0].Up.After(lastUp) {
				lastUp = rs[0].Up
			}
		}
		for _, h := range f.Names() {
			ns, err := strconv.ParseInt(strings.TrimSpace(recordedFile(t, f, h, "checked")), 10, 64)
			if err != nil {
				t.Fatalf("%s: %v", h, err)
			}
			if at := time.Unix(0, ns); at.Before(lastUp) {
				t.Errorf("%s: checked %v before the batch's last host was back", h, lastUp.Sub(at))
			}
		}
	})
}
