package runner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/playbooks/template"
)

// TestHostvarsAcrossHostsAndPlays: what one host registers or sets is seen
// by the others through hostvars (in a later batch and in a later play),
// a host keeps its facts into the next play, and hostvars holds every
// inventory host, not only the play's. Asserted on files the hosts wrote.
func TestHostvarsAcrossHostsAndPlays(t *testing.T) {
	f := testFleet(t, 3, 1, 0, nil)
	progs := compile(t, `
- name: learn
  hosts: all
  serial: 1
  gather_facts: false
  tasks:
    - command: echo seen-on-{{ inventory_hostname }}
      register: who
    - set_fact:
        color: "blue-{{ inventory_hostname }}"
    - name: host02 and host03 see host01's register from an earlier batch
      copy:
        content: "{{ hostvars['host01'].who.stdout }}\n"
        dest: "{{ inventory_hostname }}-early"
      when: inventory_hostname != 'host01'
- name: use
  hosts: all
  gather_facts: false
  tasks:
    - copy:
        content: |
          own={{ color }}
          other={{ hostvars['host02']['color'] }}
          reg={{ hostvars['host03'].who.stdout }}
          self={{ hostvars[inventory_hostname].who.stdout }}
          db={{ hostvars['db1'].db_port }}
          all={{ groups['web'] | map('extract', hostvars, 'color') | join(',') }}
          known={{ 'db1' in hostvars }}
        dest: "{{ inventory_hostname }}-late"
`)
	hosts := fleetHosts(f)
	invVars := map[string]map[string]any{"db1": {"db_port": 5432}}
	groups := map[string][]string{"all": {"db1"}, "web": nil}
	for _, h := range hosts {
		invVars[h.Name] = h.Vars
		groups["all"] = append(groups["all"], h.Name)
		groups["web"] = append(groups["web"], h.Name)
	}
	opts := &Options{Dialer: f.Dialer(), Templater: template.New(), Sink: NewSinks(&recorder{}), RunID: "test",
		Facts: NewHostFacts(), InventoryVars: invVars}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for i, p := range progs {
		res := RunPlay(ctx, opts, i, p, hosts, groups)
		for _, hs := range res.Hosts {
			if hs.Status == StatusFailed || hs.Status == StatusUnreachable {
				t.Fatalf("play %d: %s %s: %s", i, hs.Name, hs.Status, hs.Msg)
			}
		}
	}
	read := func(host, file string) string {
		fh, _ := f.Host(host)
		b, err := os.ReadFile(filepath.Join(fh.Root, file))
		if err != nil {
			t.Fatalf("%s: %v", host, err)
		}
		return string(b)
	}
	for _, h := range []string{"host02", "host03"} {
		if got := read(h, h+"-early"); got != "seen-on-host01\n" {
			t.Errorf("%s-early = %q, want host01's registered stdout", h, got)
		}
	}
	for _, h := range f.Hosts() {
		want := strings.Join([]string{
			"own=blue-" + h,
			"other=blue-host02",
			"reg=seen-on-host03",
			"self=seen-on-" + h,
			"db=5432",
			"all=blue-host01,blue-host02,blue-host03",
			"known=True",
		}, "\n") + "\n"
		if got := read(h, h+"-late"); got != want {
			t.Errorf("%s-late =\n%s\nwant\n%s", h, got, want)
		}
	}
}
