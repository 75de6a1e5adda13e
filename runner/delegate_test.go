package runner

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/playbooks/template"
	"github.com/drover-sh/drover/runner/fleet"
)

// runDelegating runs text's first play over the fleet's first hosts, with
// the fleet's last host as the inventory's only other host (the load
// balancer the play delegates to).
func runDelegating(t *testing.T, f *fleet.Fleet, play int, text string) (*PlayResult, *recorder, string) {
	t.Helper()
	all := fleetHosts(f)
	lb := all[len(all)-1]
	progs := compile(t, text)
	rec := &recorder{}
	opts := &Options{Dialer: f.Dialer(), Templater: template.New(), Sink: NewSinks(rec), RunID: "test",
		DelegateHost: func(idx int, name string) *Host {
			if idx != play {
				t.Errorf("DelegateHost asked for play %d, want %d", idx, play)
			}
			for _, h := range all {
				if h.Name == name {
					return h
				}
			}
			return nil
		}}
	opts.InventoryVars = map[string]map[string]any{}
	for _, h := range all {
		opts.InventoryVars[h.Name] = h.Vars
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	groups := map[string][]string{"lb": {lb.Name}}
	return RunPlay(ctx, opts, play, progs[0], all[:len(all)-1], groups), rec, lb.Name
}

// A task delegated to another inventory host runs there, with the
// delegating host's variables; its result is the delegating host's.
func TestDelegateToAnotherHost(t *testing.T) {
	f := testFleet(t, 4, 1, 100*time.Millisecond, nil)
	res, rec, lb := runDelegating(t, f, 0, `
- hosts: all
  gather_facts: false
  tasks:
    - name: drain
      shell: echo "drain {{ inventory_hostname }}" >> balancer.log
      delegate_to: "{{ groups['lb'][0] }}"
    - name: read the balancer
      command: cat balancer.log
      delegate_to: "{{ groups['lb'][0] }}"
      register: seen
    - name: keep what the balancer said
      copy:
        content: "{{ seen.stdout }}"
        dest: seen
    - name: every balancer, by loop
      shell: echo "{{ inventory_hostname }} via {{ item }}" >> loop.log
      delegate_to: "{{ item }}"
      loop: "{{ groups['lb'] }}"
    - name: a typo in a templated name
      command: "true"
      delegate_to: "{{ 'lb99' }}"
      ignore_errors: true
      register: bad
    - name: record the error
      copy:
        content: "{{ bad.msg }}"
        dest: bad
`)
	web := f.Hosts()[:3]
	for _, h := range res.Hosts {
		if h.Status != StatusChanged {
			t.Fatalf("%s: %s %s", h.Name, h.Status, h.Msg)
		}
	}
	// The balancer's own state: one line per delegating host.
	lines := strings.Split(strings.TrimSpace(hostFile(f, lb, "balancer.log")), "\n")
	slices.Sort(lines)
	var want []string
	for _, h := range web {
		want = append(want, "drain "+h)
	}
	if !slices.Equal(lines, want) {
		t.Errorf("balancer.log on %s = %q, want %q", lb, lines, want)
	}
	loop := strings.Split(strings.TrimSpace(hostFile(f, lb, "loop.log")), "\n")
	if len(loop) != 3 {
		t.Errorf("loop.log on %s = %q", lb, loop)
	}
	for _, h := range web {
		if hostFile(f, h, "balancer.log") != "" || hostFile(f, h, "loop.log") != "" {
			t.Errorf("%s: a delegated task wrote on the delegating host", h)
		}
		// register holds the delegated result, on the delegating host.
		if !strings.Contains(hostFile(f, h, "seen"), "drain "+h) {
			t.Errorf("%s: seen = %q", h, hostFile(f, h, "seen"))
		}
		if b := hostFile(f, h, "bad"); !strings.Contains(b, "delegate_to 'lb99' is not an inventory host") {
			t.Errorf("%s: the unknown delegate's error = %q", h, b)
		}
	}
	// One connection to the balancer for the whole play, shared by
	// every delegating host.
	if n := f.Connections(lb); n != 1 {
		t.Errorf("%s accepted %d connections, want 1", lb, n)
	}
	delegated := map[string]string{}
	for _, e := range rec.of(EvTaskResult) {
		delegated[e.Task] = e.Delegate
	}
	if delegated["drain"] != lb || delegated["every balancer, by loop"] != lb || delegated["keep what the balancer said"] != "" {
		t.Errorf("task_result delegate_to: %v", delegated)
	}
}

// A delegate that cannot be reached makes the delegating host
// unreachable; once it is back, the next delegated task connects again.
func TestDelegateUnreachableThenBack(t *testing.T) {
	f := testFleet(t, 2, 1, 100*time.Millisecond, nil)
	lb := f.Hosts()[1]
	text := `
- hosts: all
  gather_facts: false
  tasks:
    - shell: echo "{{ inventory_hostname }}" >> balancer.log
      delegate_to: ` + lb + `
`
	if res, _, _ := runDelegating(t, f, 0, text); res.Hosts[0].Status != StatusChanged {
		t.Fatalf("first run: %+v", res.Hosts[0])
	}
	if err := f.SetFault(lb, fleet.Fault{Down: true}); err != nil {
		t.Fatal(err)
	}
	res, _, _ := runDelegating(t, f, 0, text)
	if h := res.Hosts[0]; h.Status != StatusUnreachable || !strings.Contains(h.Msg, "delegate_to "+lb) {
		t.Fatalf("with the delegate down: %s %q", h.Status, h.Msg)
	}
	if err := f.SetFault(lb, fleet.Fault{}); err != nil {
		t.Fatal(err)
	}
	if res, _, _ := runDelegating(t, f, 0, text); res.Hosts[0].Status != StatusChanged {
		t.Fatalf("delegate back: %+v", res.Hosts[0])
	}
	if got := strings.Count(hostFile(f, lb, "balancer.log"), "\n"); got != 2 {
		t.Errorf("balancer.log has %d lines, want 2", got)
	}
}

// Within a play, a delegate's connection that fails a task is dropped: the
// next task delegated to it connects again instead of failing on the dead
// connection.
func TestDelegateReconnectsAfterLostConnection(t *testing.T) {
	f := testFleet(t, 2, 1, 200*time.Millisecond, nil) // back long before the 3 s pause ends
	lb := f.Hosts()[1]
	res, rec, _ := runDelegating(t, f, 0, `
- hosts: all
  gather_facts: false
  tasks:
    - name: the balancer reboots under the task
      command: reboot
      delegate_to: `+lb+`
      ignore_unreachable: true
    - pause:
        seconds: 3
    - name: after it is back
      shell: echo back >> after.log
      delegate_to: `+lb+`
`)
	if h := res.Hosts[0]; h.Status != StatusChanged {
		t.Fatalf("%s: %s %q", h.Name, h.Status, h.Msg)
	}
	st := map[string]string{}
	for _, e := range rec.of(EvTaskResult) {
		st[e.Task] = e.Status
	}
	if st["the balancer reboots under the task"] != StatusUnreachable {
		t.Errorf("the connection was not lost: %v", st)
	}
	if hostFile(f, lb, "after.log") != "back\n" {
		t.Errorf("after.log on %s = %q", lb, hostFile(f, lb, "after.log"))
	}
	if len(f.Reboots(lb)) != 1 {
		t.Errorf("%s rebooted %d times", lb, len(f.Reboots(lb)))
	}
}

// delegate_facts: the facts a delegated setup gathers, and those a
// delegated set_fact sets, are the delegate's (hostvars[lb]); without it a
// delegated setup gathers the delegate's facts as the host's own, as in
// Ansible. Asserted against the balancer's real boot id.
func TestDelegateFacts(t *testing.T) {
	f := testFleet(t, 3, 1, 0, nil)
	res, _, lb := runDelegating(t, f, 0, `
- hosts: all
  gather_facts: false
  tasks:
    - name: the balancer's facts, for everyone
      setup:
      delegate_to: "{{ groups['lb'][0] }}"
      delegate_facts: true
      run_once: true
    - name: tell the balancer who went last
      set_fact:
        last_seen: "{{ inventory_hostname }}"
      delegate_to: "{{ groups['lb'][0] }}"
      delegate_facts: true
    - name: record what hostvars says
      copy:
        content: "{{ hostvars[groups['lb'][0]].ansible_boot_id }} {{ hostvars[groups['lb'][0]].last_seen in ansible_play_hosts }} {{ last_seen | default('unset') }} {{ ansible_boot_id | default('none') }}"
        dest: delegated
    - name: without delegate_facts
      setup:
      delegate_to: "{{ groups['lb'][0] }}"
    - copy:
        content: "{{ ansible_boot_id }}"
        dest: own
`)
	for _, h := range res.Hosts {
		if h.Status != StatusChanged {
			t.Fatalf("%s: %s %s", h.Name, h.Status, h.Msg)
		}
	}
	lbBoot := f.BootID(lb)
	for _, h := range f.Hosts()[:2] {
		if got, want := hostFile(f, h, "delegated"), lbBoot+" True unset none"; got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
		if got := hostFile(f, h, "own"); got != lbBoot {
			t.Errorf("%s: its ansible_boot_id after a delegated setup %q, want the balancer's %q", h, got, lbBoot)
		}
	}
}
