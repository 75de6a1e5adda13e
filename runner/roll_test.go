package runner

import (
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/playbooks"
)

// batch_groups rolls the groups one after the other, in the order given,
// then the hosts in none of them; a batch never mixes them, and serial's
// percentage is of each group. Asserted on the hosts' own reboot records.
func TestBatchGroupsRollTiers(t *testing.T) {
	f := testFleet(t, 6, 3, 50*time.Millisecond, nil)
	rackOf := map[string]string{}
	for _, h := range f.Hosts() {
		fh, _ := f.Host(h)
		rackOf[h] = fh.Rack
	}
	res, rec := runPlay(t, f, `
- hosts: all
  gather_facts: false
  serial: "50%"
  batch_groups: [rack_r2, rack_r1]
  tasks:
    - reboot: {}
`, nil)
	if res.Stopped != "" || res.Batches != 6 {
		t.Fatalf("stopped %q, %d batches, want 6 (one host a batch: 50%% of each rack's 2)", res.Stopped, res.Batches)
	}
	ws := rebootWindows(f)
	if len(ws) != 6 {
		t.Fatalf("%d reboots, want 6", len(ws))
	}
	var racks []string
	for i, w := range ws {
		racks = append(racks, rackOf[w.host])
		if i > 0 && w.down.Before(ws[i-1].up) {
			t.Errorf("%s went down before %s was back: two batches overlap", w.host, ws[i-1].host)
		}
	}
	if got := strings.Join(racks, " "); got != "r2 r2 r1 r1 r3 r3" {
		t.Errorf("racks in reboot order: %s, want r2 r2 r1 r1 r3 r3", got)
	}
	var groups []string
	for _, e := range rec.of(EvBatchStarted) {
		groups = append(groups, e.Group)
	}
	if got := strings.Join(groups, ","); got != "rack_r2,rack_r2,rack_r1,rack_r1,," {
		t.Errorf("batch_started groups %q", got)
	}
}

// The plan of batch_groups: tiers in order, a host in two listed groups in
// the first, serial lists starting again in each tier, the others last.
func TestPlanBatchGroups(t *testing.T) {
	var hosts []*Host
	for _, h := range []struct {
		name   string
		groups []string
	}{{"a1", []string{"app"}}, {"d1", []string{"db"}}, {"c1", []string{"canary", "app"}}, {"a2", []string{"app"}}, {"x1", nil}, {"a3", []string{"app"}}, {"d2", []string{"db"}}} {
		hosts = append(hosts, &Host{Name: h.name, Groups: h.groups})
	}
	serial := []playbooks.Serial{{Count: 1}, {Percent: 100}}
	p, err := PlanBatches(hosts, serial, nil, []string{"canary", "db", "app"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `batch 1/6 (canary, 1 host): c1
batch 2/6 (db, 1 host): d1
batch 3/6 (db, 1 host): d2
batch 4/6 (app, 1 host): a1
batch 5/6 (app, 2 hosts): a2 a3
batch 6/6 (1 host): x1
`
	if got := p.String(); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
}
