package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/internal/sshdtest"
)

// batch_groups on real sshd hosts: the racks listed roll first, in that
// order, then the others; serial's 50% is of each rack (one host a batch
// here) and batches never overlap — from the hosts' own reboot records. A
// group the inventory does not have is refused before any host is
// contacted.
func TestE2EBatchGroups(t *testing.T) {
	f := sshdtest.StartT(t, 6, sshdtest.Options{Racks: 3, RebootDelay: 300 * time.Millisecond})
	rack := map[string]string{}
	for _, h := range f.Hosts() {
		rack[h.Name] = h.Rack
	}
	play := filepath.Join(t.TempDir(), "playbook.yml")
	text := `
- hosts: all
  serial: "50%"
  batch_groups: [rack_r3, rack_r1]
  gather_facts: false
  tasks:
    - reboot:
        reboot_timeout: 30
`
	writeFile(t, play, strings.Replace(text, "rack_r1]", "rack_1]", 1))
	runRefused(t, f, play, "playbook.yml:4:17: batch_groups: no inventory group 'rack_1', did you mean 'rack_r1'?")
	writeFile(t, play, text)
	if out, err := droverCmd(f, t.TempDir()+"/state", "run", play).CombinedOutput(); err != nil {
		t.Fatalf("drover run: %v\n%s", err, out)
	}
	ws := windows(t, f)
	var racks []string
	for i, w := range ws {
		racks = append(racks, rack[w.host])
		if i > 0 && w.down.Before(ws[i-1].up) {
			t.Errorf("%s went down before %s was back", w.host, ws[i-1].host)
		}
	}
	if got := strings.Join(racks, " "); got != "r3 r3 r1 r1 r2 r2" {
		t.Errorf("racks in reboot order (hosts' records): %s, want r3 r3 r1 r1 r2 r2", got)
	}
}
