package runner

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/playbooks"
)

// adaptive_serial's plan (every batch succeeding): start, then twice as
// many each batch up to max (a percentage of the play's hosts), the rest
// last; with batch_groups each group starts again from start.
func TestPlanAdaptiveSerial(t *testing.T) {
	var hosts []*Host
	for i := 1; i <= 20; i++ {
		g := "app"
		if i <= 6 {
			g = "db"
		}
		hosts = append(hosts, &Host{Name: fmt.Sprintf("h%02d", i), Groups: []string{g}})
	}
	a := &playbooks.AdaptiveSerial{Start: playbooks.Serial{Count: 1}, Max: playbooks.Serial{Percent: 25}, Grow: 2}
	sizes := func(groups []string, a *playbooks.AdaptiveSerial) string {
		p, err := PlanBatches(hosts, nil, a, groups, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, b := range p.Batches {
			out = append(out, fmt.Sprint(len(b)))
		}
		return strings.Join(out, " ")
	}
	if got := sizes(nil, a); got != "1 2 4 5 5 3" {
		t.Errorf("batch sizes %s, want 1 2 4 5 5 3 (max 25%% of 20 = 5)", got)
	}
	// db: 6 hosts, max 25% = 1; app: 14 hosts, max 3.
	if got := sizes([]string{"db", "app"}, a); got != "1 1 1 1 1 1 1 2 3 3 3 2" {
		t.Errorf("with batch_groups: %s, want 1 1 1 1 1 1 1 2 3 3 3 2", got)
	}
	g3 := &playbooks.AdaptiveSerial{Start: playbooks.Serial{Count: 2}, Max: playbooks.Serial{Count: 10}, Grow: 1.5}
	if got := sizes(nil, g3); got != "2 3 5 8 2" {
		t.Errorf("start 2, ×1.5 rounded up: %s, want 2 3 5 8 2", got)
	}
}

// adaptive_serial on a run: a batch with a failed host halves the next
// batch, a clean batch doubles it. The batches are checked against the
// hosts' own reboot records: every host of a batch was back before any
// host of the next went down.
func TestAdaptiveSerialShrinksAfterFailure(t *testing.T) {
	f := testFleet(t, 12, 1, 30*time.Millisecond, nil)
	res, rec := runPlay(t, f, `
- hosts: all
  gather_facts: false
  adaptive_serial: {start: 1, max: 4}
  max_fail_percentage: 50
  tasks:
    - reboot: {}
    - name: post-reboot check
      command: "true"
      failed_when: inventory_hostname == 'host05'
`, nil)
	if res.Stopped != "" {
		t.Fatalf("stopped: %s", res.Stopped)
	}
	var sizes []string
	var batches [][]string
	for _, e := range rec.of(EvBatchStarted) {
		sizes = append(sizes, fmt.Sprint(len(e.Hosts)))
		batches = append(batches, e.Hosts)
		if !strings.HasPrefix(e.Msg, "adaptive_serial: ") {
			t.Errorf("batch_started msg %q", e.Msg)
		}
	}
	// 1, 2, 4 (host05 fails: 25% ≤ 50%), half: 2, then 4 (3 left).
	if got := strings.Join(sizes, " "); got != "1 2 4 2 3" {
		t.Fatalf("batch sizes %s, want 1 2 4 2 3", got)
	}
	if m := rec.of(EvBatchStarted)[3].Msg; !strings.Contains(m, "2 hosts after a batch of 4 with 1 failed host") {
		t.Errorf("4th batch's msg %q", m)
	}
	win := map[string]window{}
	for _, w := range rebootWindows(f) {
		if _, dup := win[w.host]; dup {
			t.Errorf("%s rebooted twice", w.host)
		}
		win[w.host] = w
	}
	if len(win) != 12 {
		t.Fatalf("%d hosts rebooted, want 12", len(win))
	}
	for i := 1; i < len(batches); i++ {
		for _, prev := range batches[i-1] {
			for _, h := range batches[i] {
				if win[h].down.Before(win[prev].up) {
					t.Errorf("%s (batch %d) went down before %s (batch %d) was back", h, i+1, prev, i)
				}
			}
		}
	}
}
