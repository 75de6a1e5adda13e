package playbooks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A play running free that reads another host's registered result or fact
// set in the play gets a warning at the reading task; linear plays, the
// host's own entry, names the play does not set and health gates do not.
func TestFreeRaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pb.yml")
	text := `
- hosts: all
  gather_facts: false
  tasks:
    - command: cat /etc/node-id
      register: node
    - set_fact:
        role_name: primary
    - name: members
      debug:
        msg: "{{ ansible_play_hosts | map('extract', hostvars, 'node') | list }}"
    - name: own
      debug:
        msg: "{{ hostvars[inventory_hostname].node.stdout }}"
    - name: peer role
      assert:
        that: hostvars[item]['role_name'] == 'primary'
      loop: "{{ groups['all'] }}"
    - name: inventory only
      debug:
        msg: "{{ hostvars[item].ansible_host }} {{ hostvars[item].nodes }}"
      loop: "{{ groups['all'] }}"
  health_gate:
    - assert:
        that: hostvars[item].node.rc == 0
      loop: "{{ ansible_play_batch }}"
- hosts: all
  strategy: linear
  tasks:
    - command: "true"
      register: r
    - debug:
        msg: "{{ hostvars['h1'].r.rc }}"
`
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	pb, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range FreeRaces(pb, "") {
		got = append(got, w.Error())
	}
	want := []string{
		path + ":9:7: members reads 'node' of other hosts through hostvars, which this play sets (" + path + ":5:7)",
		path + ":15:7: peer role reads 'role_name' of other hosts through hostvars, which this play sets (" + path + ":7:7)",
	}
	if len(got) != len(want) {
		t.Fatalf("warnings:\n%s\nwant %d", strings.Join(got, "\n"), len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("warning %d:\n%s\nwant prefix\n%s", i, got[i], want[i])
		}
	}
	if !strings.Contains(got[0], "strategy: linear") {
		t.Errorf("no way out in %q", got[0])
	}
	// --strategy linear (or ansible.cfg's) makes the first play linear too.
	if ws := FreeRaces(pb, "linear"); len(ws) != 0 {
		t.Errorf("under linear: %v", ws)
	}
}

func TestReadsName(t *testing.T) {
	for _, c := range []struct {
		expr, name string
		want       bool
	}{
		{"hostvars[h].node.rc", "node", true},
		{"hostvars[h]['node']", "node", true},
		{`hostvars[h]["node"]`, "node", true},
		{"hostvars[h].nodes", "node", false},
		{"hostvars[node].x", "node", false},
		{"hostvars[h].x.node_id", "node", false},
		{"hostvars[h].x", "", false},
		{"", "node", false},
	} {
		if got := readsName(c.expr, c.name); got != c.want {
			t.Errorf("readsName(%q, %q) = %v, want %v", c.expr, c.name, got, c.want)
		}
	}
}
