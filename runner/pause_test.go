package runner

import (
	"context"
	"sync/atomic"
	"testing"
)

type countingPrompter struct{ n atomic.Int32 }

func (p *countingPrompter) Confirm(context.Context, string) (bool, error) {
	p.n.Add(1)
	return true, nil
}

// A pause prompt asks once a batch, not once a host (Ansible's pause
// bypasses the host loop; a reboot confirmation over 25 hosts must not
// ask 25 times).
func TestPauseOncePerBatch(t *testing.T) {
	f := testFleet(t, 4, 1, 0, nil)
	pr := &countingPrompter{}
	res, _ := runPlay(t, f, `
- hosts: all
  gather_facts: false
  serial: 2
  tasks:
    - pause:
        prompt: "reboot this batch?"
    - command: "true"
`, func(o *Options) { o.Prompter = pr })
	for h, s := range status(res) {
		if s == StatusFailed {
			t.Errorf("%s failed", h)
		}
	}
	if n := pr.n.Load(); n != 2 {
		t.Errorf("asked %d times, want 2 (once for each of the 2 batches)", n)
	}
}
