package runner

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/drover-sh/drover/modules"
)

// recordingDialer notes when each host was dialed.
type recordingDialer struct {
	modules.Dialer
	mu    sync.Mutex
	dials map[string][]time.Time
}

func (d *recordingDialer) Dial(ctx context.Context, t modules.Target) (modules.Conn, error) {
	d.mu.Lock()
	d.dials[t.Name] = append(d.dials[t.Name], time.Now())
	d.mu.Unlock()
	return d.Dialer.Dial(ctx, t)
}

// In a rolling reboot the next batch is dialed once every host of the
// current batch has gone down — not while its pre-reboot tasks or its
// reboot command run — and before the next batch starts; it is not dialed
// again until its own reboot (the reconnects while it is down are the
// reboot's). The reboot command takes 0.3 s to take the host down.
func TestNextBatchConnectsWhenTheBatchIsDown(t *testing.T) {
	f := testFleet(t, 3, 1, 300*time.Millisecond, nil)
	d := &recordingDialer{Dialer: f.Dialer(), dials: map[string][]time.Time{}}
	_, rec := runPlay(t, f, `
- hosts: all
  serial: 1
  gather_facts: false
  pre_reboot:
    - command: sleep 0.3
  reboot:
    reboot_command: sleep 0.3; shutdown -r now
  post_reboot:
    - command: "true"
`, func(o *Options) { o.Dialer = d })
	started := map[string]time.Time{}
	for _, e := range rec.of(EvRebootStarted) {
		started[e.Host] = e.Time
	}
	batchAt := map[int]time.Time{}
	for _, e := range rec.of(EvBatchStarted) {
		batchAt[e.Batch] = e.Time
	}
	for i, pair := range [][2]string{{"host01", "host02"}, {"host02", "host03"}} {
		cur, next := pair[0], pair[1]
		var ds []time.Time // dials before its own reboot
		for _, at := range d.dials[next] {
			if at.Before(started[next]) {
				ds = append(ds, at)
			}
		}
		if len(ds) != 1 {
			t.Fatalf("%s dialed %d times before its reboot, want 1 (ahead of its batch, kept for it)", next, len(ds))
		}
		rs := f.Reboots(cur)
		if len(rs) != 1 {
			t.Fatalf("%s rebooted %d times, want 1", cur, len(rs))
		}
		if ds[0].Before(rs[0].Down) {
			t.Errorf("%s dialed at %v, before %s went down at %v (its reboot began at %v)", next, ds[0], cur, rs[0].Down, started[cur])
		}
		if !ds[0].Before(batchAt[i+2]) {
			t.Errorf("%s dialed at %v, not ahead of its batch (started %v)", next, ds[0], batchAt[i+2])
		}
	}
}
