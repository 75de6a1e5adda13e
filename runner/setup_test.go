package runner

import (
	"strings"
	"testing"
	"time"
)

// setup as a task gathers the facts again (after a reboot: the new boot
// id); ping proves the login and returns its data ("crash" fails).
func TestSetupAndPing(t *testing.T) {
	f := testFleet(t, 1, 1, 100*time.Millisecond, nil)
	h := f.Hosts()[0]
	before := f.BootID(h)
	res, _ := runPlay(t, f, `
- hosts: all
  gather_facts: true
  pre_reboot:
    - shell: echo "{{ ansible_boot_id }}" > boot-before
  reboot: true
  post_reboot:
    - name: gather again
      setup:
        gather_timeout: 20
    - shell: echo "{{ ansible_boot_id }} {{ ansible_facts.boot_id }}" > boot-after
    - ping:
      register: p
    - ping: {data: crash}
      register: crashed
      ignore_errors: true
    - shell: echo "{{ p.ping }} {{ crashed.failed }} {{ crashed.msg }}" > pinged
`, nil)
	if s := res.Hosts[0]; s.Status != StatusChanged {
		t.Fatalf("%s: %s %s", s.Name, s.Status, s.Msg)
	}
	after := f.BootID(h)
	if before == after {
		t.Fatal("the host did not reboot")
	}
	if got := strings.TrimSpace(hostFile(f, h, "boot-before")); got != before {
		t.Errorf("boot-before = %q, want %q", got, before)
	}
	if got, want := strings.TrimSpace(hostFile(f, h, "boot-after")), after+" "+after; got != want {
		t.Errorf("boot-after = %q, want %q (setup's fresh facts)", got, want)
	}
	if got := strings.TrimSpace(hostFile(f, h, "pinged")); got != "pong True boom" {
		t.Errorf("pinged = %q", got)
	}
}

// A task name with a template is rendered with the host's variables in
// the events (and the failure message); one that cannot be rendered (a
// loop's item) stays as written.
func TestTaskNamesRendered(t *testing.T) {
	f := testFleet(t, 1, 1, 100*time.Millisecond, nil)
	h := f.Hosts()[0]
	res, rec := runPlay(t, f, `
- hosts: all
  gather_facts: false
  vars:
    lb: lb01
  tasks:
    - name: drain {{ inventory_hostname }} from {{ lb }}
      command: "true"
    - name: each {{ item }}
      command: "true"
      loop: [a]
    - name: fail on {{ inventory_hostname }}
      command: "false"
`, nil)
	var names []string
	for _, e := range rec.of(EvTaskResult) {
		names = append(names, e.Task)
	}
	want := "drain " + h + " from lb01|each {{ item }}|fail on " + h
	if got := strings.Join(names, "|"); got != want {
		t.Errorf("task_result names %q, want %q", got, want)
	}
	if s := res.Hosts[0]; !strings.HasPrefix(s.Msg, "fail on "+h+" (") {
		t.Errorf("host message %q", s.Msg)
	}
}

// service_facts on the in-process fleet (its systemctl stand-in lists the
// units it knows): after a reboot, the enabled service runs again and the
// one only started by hand does not.
func TestServiceFactsOnTheFleet(t *testing.T) {
	f := testFleet(t, 1, 1, 100*time.Millisecond, nil)
	h := f.Hosts()[0]
	res, _ := runPlay(t, f, `
- hosts: all
  gather_facts: false
  pre_reboot:
    - systemd: {name: web, state: started, enabled: true}
    - systemd: {name: batch, state: started}
    - service_facts:
    - shell: echo "{{ ansible_facts.services['web.service'].state }} {{ ansible_facts.services['batch.service'].state }}" > before
  reboot: true
  post_reboot:
    - service_facts:
    - shell: echo "{{ ansible_facts.services['web.service'].state }} {{ ansible_facts.services['batch.service'].state }} {{ services['batch.service'].status }} {{ ansible_services is defined }}" > after
`, nil)
	if s := res.Hosts[0]; s.Status != StatusChanged {
		t.Fatalf("%s: %s %s", s.Name, s.Status, s.Msg)
	}
	if got := strings.TrimSpace(hostFile(f, h, "before")); got != "running running" {
		t.Errorf("before = %q", got)
	}
	if got := strings.TrimSpace(hostFile(f, h, "after")); got != "running stopped disabled False" { // services, not ansible_services, as Ansible (namespace_facts, clean_facts)
		t.Errorf("after = %q", got)
	}
}
