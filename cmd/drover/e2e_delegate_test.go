package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/internal/sshdtest"
)

// delegateInventory puts the fleet's first hosts in group web (root
// logins) and its last host in group lb, which is reached as the sudo
// user with its own become password, as a load balancer often is.
func delegateInventory(t *testing.T, f *sshdtest.Fleet, pw string) string {
	t.Helper()
	hs := f.Hosts()
	var b strings.Builder
	fmt.Fprintf(&b, "all:\n  vars:\n    ansible_ssh_common_args: \"-o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes\"\n    ansible_ssh_private_key_file: %s\n    ansible_user: root\n  children:\n    web:\n      hosts:\n", f.KnownHostsPath(), f.KeyPath())
	for _, h := range hs[:len(hs)-1] {
		fmt.Fprintf(&b, "        %s: {ansible_host: %s, ansible_port: %d}\n", h.Name, h.Addr, h.Port)
	}
	lb := hs[len(hs)-1]
	fmt.Fprintf(&b, "    lb:\n      hosts:\n        %s: {ansible_host: %s, ansible_port: %d, ansible_user: %s, ansible_become_password: %q}\n", lb.Name, lb.Addr, lb.Port, sshdtest.SudoUser, pw)
	inv := filepath.Join(t.TempDir(), "inventory.yml")
	writeFile(t, inv, b.String())
	return inv
}

// The reboot night's drain and put-back: each web host is taken out of
// the load balancer's backends (a task delegated to the balancer) before
// its reboot (an include_tasks looped over the balancers, each task
// delegated to the loop's balancer) and put back after, one host at a
// time. The balancer is
// reached with its own login user and become password. Asserted on the
// hosts' own state: the balancer's backends file and log (with times),
// and the web hosts' reboot records.
func TestE2EDelegateDrainAndPutBack(t *testing.T) {
	pw := "pw-" + t.Name()
	f := sshdtest.StartT(t, 3, sshdtest.Options{SudoPassword: pw, RebootDelay: 500 * time.Millisecond})
	names := f.Names()
	web, lb := names[:2], names[2]
	backends := filepath.Join(f.HostDir(lb), "backends")
	writeFile(t, backends, web[0]+"\n"+web[1]+"\nother\n")
	inv := delegateInventory(t, f, pw)
	dir := t.TempDir()
	p := filepath.Join(dir, "play.yml")
	// The drain is Ansible's idiom: an include looped over the balancers.
	writeFile(t, filepath.Join(dir, "drain.yml"), `
- name: drain
  become: true
  lineinfile:
    path: `+sshdtest.PrivatePath+`/backends
    line: "{{ inventory_hostname }}"
    state: absent
  delegate_to: "{{ balancer }}"
- name: log the drain
  become: true
  shell: echo "drain {{ inventory_hostname }} $(id -un) $(date +%s%N)" >> `+sshdtest.PrivatePath+`/lb.log
  delegate_to: "{{ balancer }}"
`)
	writeFile(t, p, `
- hosts: web
  serial: 1
  gather_facts: false
  tasks:
    - include_tasks: drain.yml
      loop: "{{ groups['lb'] }}"
      loop_control: {loop_var: balancer}
    - name: reboot
      reboot:
    - name: put back
      become: true
      lineinfile:
        path: `+sshdtest.PrivatePath+`/backends
        line: "{{ inventory_hostname }}"
      delegate_to: `+lb+`
    - name: log the put-back
      become: true
      shell: echo "back {{ inventory_hostname }} $(id -un) $(date +%s%N)" >> `+sshdtest.PrivatePath+`/lb.log
      delegate_to: `+lb+`
`)
	state := t.TempDir()
	events := filepath.Join(state, "events.jsonl")
	out, code := runBecome(t, f, inv, p, state, events)
	if code != 0 {
		t.Fatalf("drover run exited %d:\n%s", code, out)
	}
	assertNoSecret(t, pw, out, state)

	// The balancer's log: drain, reboot, put back, host by host, as root
	// (sudo with the balancer's own password).
	type entry struct {
		what, host, user string
		at               time.Time
	}
	var log []entry
	raw, err := os.ReadFile(filepath.Join(f.HostDir(lb), "lb.log"))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(string(raw)))
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		ns, err := strconv.ParseInt(fs[len(fs)-1], 10, 64)
		if len(fs) != 4 || err != nil {
			t.Fatalf("lb.log line %q", sc.Text())
		}
		log = append(log, entry{fs[0], fs[1], fs[2], time.Unix(0, ns)})
	}
	want := []string{"drain " + web[0], "back " + web[0], "drain " + web[1], "back " + web[1]}
	if len(log) != len(want) {
		t.Fatalf("lb.log:\n%s\nwant %q", raw, want)
	}
	for i, e := range log {
		if e.what+" "+e.host != want[i] || e.user != "root" {
			t.Errorf("lb.log line %d = %+v, want %q as root", i, e, want[i])
		}
	}
	// Each web host was down only between its drain and its put-back.
	for i, h := range web {
		rs, err := f.Reboots(h)
		if err != nil || len(rs) != 1 {
			t.Fatalf("%s: reboots %v, %v", h, rs, err)
		}
		if drain, back := log[2*i].at, log[2*i+1].at; !drain.Before(rs[0].Down) || !back.After(rs[0].Up) {
			t.Errorf("%s: drained %s, down %s, up %s, back %s", h, drain.Format(time.StampMicro), rs[0].Down.Format(time.StampMicro), rs[0].Up.Format(time.StampMicro), back.Format(time.StampMicro))
		}
		if _, err := os.Stat(filepath.Join(f.HostDir(h), "lb.log")); err == nil {
			t.Errorf("%s: a delegated task wrote on the web host", h)
		}
	}
	if rs, _ := f.Reboots(lb); len(rs) != 0 {
		t.Errorf("the balancer rebooted: %v", rs)
	}
	if b, _ := os.ReadFile(backends); string(b) != "other\n"+web[0]+"\n"+web[1]+"\n" {
		t.Errorf("backends at the end = %q", b)
	}
	// The journal and event stream say where the task ran.
	ev, err := os.ReadFile(events)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(ev), "\n") {
		var e struct {
			Type, Task string
			Delegate   string `json:"delegate_to"`
		}
		if json.Unmarshal([]byte(line), &e) == nil && e.Type == "task_result" && strings.HasPrefix(e.Task, "drain") {
			n++
			if e.Delegate != lb {
				t.Errorf("task_result %s: delegate_to %q, want %s", e.Task, e.Delegate, lb)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d drain results in the events, want 2", n)
	}
	if !strings.Contains(out, web[0]+" -> "+lb) {
		t.Errorf("the output does not show the delegation (%s -> %s):\n%s", web[0], lb, out)
	}
}

// A delegate_to naming no inventory host is refused before any host is
// contacted: file:line:col, a suggestion, exit 2.
func TestE2EDelegateToUnknownHostRefused(t *testing.T) {
	f := sshdtest.StartT(t, 2, sshdtest.Options{SudoPassword: "unused-" + t.Name()})
	inv := delegateInventory(t, f, "unused")
	lb := f.Names()[1]
	typo := lb + "x"
	dir := t.TempDir()
	p := filepath.Join(dir, "play.yml")
	writeFile(t, p, `- hosts: web
  gather_facts: false
  tasks:
    - name: drain
      shell: touch `+sshdtest.PrivatePath+`/ran
      delegate_to: `+typo+`
`)
	state := t.TempDir()
	out, code := runBecome(t, f, inv, p, state, filepath.Join(state, "events.jsonl"))
	if code != 2 {
		t.Fatalf("exit %d, want 2:\n%s", code, out)
	}
	if want := "play.yml:6:20: delegate_to '" + typo + "' is not an inventory host, did you mean '" + lb + "'?"; !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
	for _, h := range f.Names() {
		if _, err := os.Stat(filepath.Join(f.HostDir(h), "ran")); err == nil {
			t.Errorf("%s: the task ran", h)
		}
	}
}
