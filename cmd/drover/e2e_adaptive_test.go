package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/internal/sshdtest"
)

// adaptive_serial on real sshd hosts, from the hosts' own reboot records:
// the batches (hosts down at the same time, each batch back before the
// next goes down) grow 1, 2, 4 while they succeed; the batch where a
// host's post-reboot check fails makes the next one half as large. drover
// plan shows the growth; serial beside adaptive_serial is refused before
// any host is contacted.
func TestE2EAdaptiveSerial(t *testing.T) {
	f := sshdtest.StartT(t, 10, sshdtest.Options{RebootDelay: 500 * time.Millisecond})
	play := filepath.Join(t.TempDir(), "playbook.yml")
	text := fmt.Sprintf(`
- hosts: all
  adaptive_serial: {start: 1, max: 4}
  max_fail_percentage: 50
  gather_facts: false
  tasks:
    - reboot:
        reboot_timeout: 30
    - name: post-reboot check
      command: "true"
      failed_when: inventory_hostname == '%s'
`, f.Names()[3])
	writeFile(t, play, strings.Replace(text, "  gather_facts", "  serial: 2\n  gather_facts", 1))
	runRefused(t, f, play, "playbook.yml:3:20: a play has serial or adaptive_serial, not both")
	writeFile(t, play, text)
	out, err := exec.Command(droverBin, "plan", play, "-i", f.InventoryPath()).CombinedOutput()
	if err != nil {
		t.Fatalf("drover plan: %v\n%s", err, out)
	}
	for _, want := range []string{"adaptive serial: first batch 1, then ×2 after a batch without failures, up to 4", "batch 1/4 (1 host)", "batch 3/4 (4 hosts)", "batch 4/4 (3 hosts)"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	out, err = droverCmd(f, t.TempDir()+"/state", "run", play).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFailed {
		t.Fatalf("drover run: %v, want exit %d (one host failed)\n%s", err, exitFailed, out)
	}
	// Batches from the hosts' records: a batch ends when the next window
	// opens after every window so far has closed.
	sizes := fmt.Sprint(batchSizes(windows(t, f)))
	if got := sizes; got != "[1 2 4 2 1]" {
		t.Errorf("batches by the hosts' reboot records: %s, want 1 2 4 2 1\n%s", got, out)
	}
}
