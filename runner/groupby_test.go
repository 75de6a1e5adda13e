package runner

import (
	"fmt"
	"slices"
	"testing"
)

// group_by records each host's group (key templated, parents as a list
// or a comma-separated string) with Ansible's result, changed when the
// membership is new; a
// journal of the run gives the same groups back for --resume; an empty
// key fails the host.
func TestGroupBy(t *testing.T) {
	f := testFleet(t, 3, 1, 0, nil)
	adds := &GroupAdds{}
	res, rec := runPlay(t, f, `
- hosts: all
  gather_facts: false
  strategy: linear
  tasks:
    - group_by:
        key: "rack_{{ inventory_hostname[-1:] | int % 2 }}"
        parents: "odd_or_even, dc1"
      register: g
    - group_by: key=plain
    - group_by: key=plain
      register: again
    - name: the play sees the groups at once
      assert:
        that:
          - "'plain' in group_names and 'dc1' in group_names"
          - "'ungrouped' not in group_names"
          - "groups['plain'] | length == 3"
          - "inventory_hostname in groups['rack_' ~ (inventory_hostname[-1:] | int % 2)]"
    - group_by:
        key: "{{ '' if inventory_hostname == 'host03' else 'x' }}"
`, func(o *Options) { o.GroupAdds = adds })
	st := status(res)
	if st["host01"] == StatusFailed || st["host02"] == StatusFailed || st["host03"] != StatusFailed {
		t.Fatalf("statuses %v", st)
	}
	for _, e := range rec.of(EvTaskResult) {
		if e.Task == "the play sees the groups at once" && e.Status != StatusOK {
			t.Errorf("%s: %s %v", e.Host, e.Status, e.Result["msg"])
		}
	}
	got := map[string][]string{}
	for _, a := range adds.List() {
		got[a.Host] = append(got[a.Host], fmt.Sprintf("%s<%v", a.Group, a.Parents))
	}
	want := map[string][]string{
		"host01": {"rack_1<[odd_or_even dc1]", "plain<[all]", "plain<[all]", "x<[all]"},
		"host02": {"rack_0<[odd_or_even dc1]", "plain<[all]", "plain<[all]", "x<[all]"},
		"host03": {"rack_1<[odd_or_even dc1]", "plain<[all]", "plain<[all]"},
	}
	for h, w := range want {
		if !slices.Equal(got[h], w) {
			t.Errorf("%s: %q, want %q", h, got[h], w)
		}
	}
	for _, e := range rec.of(EvTaskResult) {
		if e.Host == "host01" && e.Register == "g" {
			if e.Status != StatusChanged || e.Result["add_group"] != "rack_1" || e.Result["changed"] != true {
				t.Errorf("result %v %v", e.Status, e.Result)
			}
		}
	}
	for _, e := range rec.of(EvTaskResult) {
		if e.Register == "again" && e.Status != StatusOK {
			t.Errorf("%s: the same group twice: %s, want ok", e.Host, e.Status)
		}
	}
	// --resume reads the same groups back from the journal's events.
	var back []string
	for _, a := range NewResume(rec.evs).GroupAdds() {
		back = append(back, fmt.Sprintf("%s:%s<%v", a.Host, a.Group, a.Parents))
	}
	var orig []string
	for _, a := range adds.List() {
		orig = append(orig, fmt.Sprintf("%s:%s<%v", a.Host, a.Group, a.Parents))
	}
	slices.Sort(back)
	slices.Sort(orig)
	if !slices.Equal(back, orig) {
		t.Errorf("from the journal %q, want %q", back, orig)
	}
}

// add_host runs once for the batch (per loop item), records the host with
// its variables (host:port sets ansible_port) and groups, with Ansible's
// result; the journal gives the same back for --resume.
func TestAddHost(t *testing.T) {
	f := testFleet(t, 2, 1, 0, nil)
	adds := &GroupAdds{}
	_, rec := runPlay(t, f, `
- hosts: all
  gather_facts: false
  tasks:
    - add_host:
        name: "{{ item }}"
        groups: new
        role: db
      loop: [db1.example.com, "db2.example.com:2222"]
`, func(o *Options) { o.GroupAdds = adds })
	var got []string
	for _, a := range adds.Hosts() {
		got = append(got, fmt.Sprintf("%s %v %v", a.Name, a.Groups, a.Vars))
	}
	want := []string{"db1.example.com [new] map[role:db]", "db2.example.com [new] map[ansible_port:2222 role:db]"}
	if !slices.Equal(got, want) {
		t.Errorf("adds %q, want %q (once for the batch, not per host)", got, want)
	}
	var back []string
	for _, a := range NewResume(rec.evs).HostAdds() {
		back = append(back, fmt.Sprintf("%s %v %v", a.Name, a.Groups, a.Vars))
	}
	slices.Sort(back)
	if !slices.Equal(back, want) {
		t.Errorf("from the journal %q, want %q", back, want)
	}
}
