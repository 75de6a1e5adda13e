package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Keywords on a block reach its tasks: notify, check_mode, timeout,
// throttle, become_method (a task's own still wins), as in Ansible. They
// were accepted on blocks and ignored.
func TestBlockKeywordsReachTheirTasks(t *testing.T) {
	f := testFleet(t, 2, 1, 100*time.Millisecond, nil)
	text := `
- hosts: all
  handlers:
    - name: note it
      shell: echo handled >> handled
  tasks:
    - block:
        - shell: echo ran >> notifying
      notify: note it
    - block:
        - shell: echo ran anyway >> checked
      check_mode: false
    - block:
        - shell: sleep 5
      timeout: 1
      ignore_errors: true
    - block:
        - shell: "date +%s%N > t0; sleep 0.2; date +%s%N > t1"
      throttle: 1
`
	res, rec := runPlay(t, f, text, func(o *Options) { o.Check = true })
	for _, h := range res.Hosts {
		if h.Status == StatusFailed || h.Status == StatusUnreachable {
			t.Fatalf("%s: %s %s", h.Name, h.Status, h.Msg)
		}
		if got := hostFile(f, h.Name, "checked"); got != "ran anyway\n" {
			t.Errorf("%s: a block's check_mode: false did not run its task in --check: %q", h.Name, got)
		}
		if got := hostFile(f, h.Name, "notifying"); got != "" {
			t.Errorf("%s: --check ran a check-mode task: %q", h.Name, got)
		}
	}
	_ = rec

	// Without --check: the block's notify runs the handler, its timeout
	// stops the sleep, its throttle runs one host at a time.
	res, rec = runPlay(t, f, text, nil)
	var spans []span
	for _, h := range res.Hosts {
		if got := hostFile(f, h.Name, "handled"); got != "handled\n" {
			t.Errorf("%s: the block's notify did not run the handler: %q", h.Name, got)
		}
		spans = append(spans, taskSpan(t, f, h.Name))
	}
	timedOut := 0
	for _, e := range rec.of(EvTaskResult) {
		if strings.Contains(e.Msg, "expected time frame (1)") {
			timedOut++
		}
	}
	if timedOut != 2 {
		t.Errorf("%d hosts' sleep 5 stopped by the block's timeout: 1, want 2", timedOut)
	}
	checkOneAtATime(t, spans)
}

// Task keywords set on a play reach every task of the play, as Ansible's
// play keywords do: throttle (parsed and ignored before), check_mode,
// ignore_errors, no_log, timeout; a task's own check_mode still wins.
func TestPlayKeywordsReachTheirTasks(t *testing.T) {
	f := testFleet(t, 2, 1, 100*time.Millisecond, nil)
	res, rec := runPlay(t, f, `
- hosts: all
  gather_facts: false
  throttle: 1
  ignore_errors: true
  no_log: true
  timeout: 1
  tasks:
    - shell: "date +%s%N > t0; sleep 0.2; date +%s%N > t1"
    - name: fails, ignored
      shell: echo secret-output; exit 3
    - name: stopped by the play's timeout
      shell: sleep 5
    - name: after
      shell: echo after > after
`, nil)
	var spans []span
	for _, h := range res.Hosts {
		if h.Status == StatusFailed || h.Status == StatusUnreachable {
			t.Fatalf("%s: %s %s (the play's ignore_errors)", h.Name, h.Status, h.Msg)
		}
		if hostFile(f, h.Name, "after") != "after\n" {
			t.Errorf("%s: the tasks after the ignored failures did not run", h.Name)
		}
		spans = append(spans, taskSpan(t, f, h.Name))
	}
	checkOneAtATime(t, spans)
	timedOut := 0
	for _, e := range rec.of(EvTaskResult) {
		if strings.Contains(fmt.Sprint(e.Result), "secret-output") {
			t.Errorf("%s %s: the play's no_log did not hide the result: %v", e.Host, e.Task, e.Result)
		}
		if e.Task == "stopped by the play's timeout" && e.Status == StatusFailed {
			timedOut++
		}
	}
	if timedOut != 2 {
		t.Errorf("%d hosts' sleep 5 stopped by the play's timeout: 1, want 2", timedOut)
	}

	// check_mode on the play: nothing runs but a task that says otherwise.
	f2 := testFleet(t, 1, 1, 100*time.Millisecond, nil)
	runPlay(t, f2, `
- hosts: all
  gather_facts: false
  check_mode: true
  tasks:
    - shell: echo ran > skipped-in-check
    - shell: echo ran > ran-anyway
      check_mode: false
`, nil)
	h := f2.Hosts()[0]
	if hostFile(f2, h, "skipped-in-check") != "" || hostFile(f2, h, "ran-anyway") != "ran\n" {
		t.Errorf("play check_mode: %q %q", hostFile(f2, h, "skipped-in-check"), hostFile(f2, h, "ran-anyway"))
	}
}

// module_defaults give a module's arguments where the task sets none (the
// play's, then a block's over them); the task's own win.
func TestModuleDefaultsReachTheModule(t *testing.T) {
	f := testFleet(t, 1, 1, 100*time.Millisecond, nil)
	h := f.Hosts()[0]
	fh, _ := f.Host(h)
	res, _ := runPlay(t, f, `
- hosts: all
  gather_facts: false
  module_defaults:
    ansible.builtin.shell: {chdir: `+fh.Root+`/play}
    file: {state: directory}
  tasks:
    - file: {path: `+fh.Root+`/play}
    - file: {path: `+fh.Root+`/block}
    - shell: pwd > where
    - block:
        - shell: pwd > where
        - name: the task's own chdir wins
          shell: pwd > where
          args: {chdir: `+fh.Root+`}
      module_defaults:
        shell: {chdir: `+fh.Root+`/block}
`, nil)
	if s := res.Hosts[0]; s.Status == StatusFailed || s.Status == StatusUnreachable {
		t.Fatalf("%s: %s %s", s.Name, s.Status, s.Msg)
	}
	for file, want := range map[string]string{"play/where": fh.Root + "/play\n", "block/where": fh.Root + "/block\n", "where": fh.Root + "\n"} {
		if got := hostFile(f, h, file); got != want {
			t.Errorf("%s = %q, want %q", file, got, want)
		}
	}
}

// force_handlers (the play's, or --force-handlers): a host that fails
// still runs the handlers its earlier tasks notified; without it, not.
func TestForceHandlers(t *testing.T) {
	play := func(force string) string {
		return `
- hosts: all
  gather_facts: false` + force + `
  handlers:
    - name: restart
      shell: echo restarted >> handled
  tasks:
    - shell: echo changed
      notify: restart
    - command: "false"
`
	}
	for _, c := range []struct {
		name, force string
		flag        bool
		want        string
	}{
		{"play keyword", "\n  force_handlers: true", false, "restarted\n"},
		{"flag", "", true, "restarted\n"},
		{"neither", "", false, ""},
	} {
		f := testFleet(t, 1, 1, 100*time.Millisecond, nil)
		res, _ := runPlay(t, f, play(c.force), func(o *Options) { o.ForceHandlers = c.flag })
		if s := res.Hosts[0]; s.Status != StatusFailed {
			t.Errorf("%s: host %s, want failed", c.name, s.Status)
		}
		if got := hostFile(f, f.Hosts()[0], "handled"); got != c.want {
			t.Errorf("%s: handled = %q, want %q", c.name, got, c.want)
		}
	}
}

// Fact gathering is bounded by the play's gather_timeout: a host whose
// facts command hangs fails with the reason instead of holding the run.
func TestGatherTimeout(t *testing.T) {
	f := testFleet(t, 1, 1, 100*time.Millisecond, nil)
	// Every fleet host finds its commands in the shared stand-ins first.
	if err := os.WriteFile(filepath.Join(f.Dir(), "stand-ins", "nproc"), []byte("#!/bin/sh\nsleep 20\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, _ := runPlay(t, f, `
- hosts: all
  gather_facts: true
  gather_timeout: 1
  gather_subset: ["!all", "min"]
  tasks:
    - shell: echo ran > ran
`, nil)
	s := res.Hosts[0]
	if s.Status != StatusFailed || !strings.Contains(s.Msg, "gathering facts did not finish within 1s (gather_timeout)") {
		t.Errorf("host %s %q, want failed by gather_timeout", s.Status, s.Msg)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("the play took %s: the timeout did not stop the facts command", d)
	}
	if hostFile(f, s.Name, "ran") != "" {
		t.Error("the task ran after the facts failed")
	}
}

// meta: end_batch ends the batch for all its hosts (the host that runs it
// at once, the others at their next step); the next batch runs. The
// batch's first host signals, through a file outside the hosts, that it
// is about to run end_batch; the other waits for that, then pauses, and
// must not reach its last task.
func TestMetaEndBatch(t *testing.T) {
	f := testFleet(t, 4, 1, 100*time.Millisecond, nil)
	sig := t.TempDir()
	res, _ := runPlay(t, f, `
- hosts: all
  gather_facts: false
  serial: 2
  tasks:
    - shell: echo ran > first
    - shell: touch `+sig+`/"{{ ansible_play_batch[0] }}"
      when: inventory_hostname == ansible_play_batch[0]
    - meta: end_batch
      when: inventory_hostname == ansible_play_batch[0]
    - shell: i=0; while [ ! -e `+sig+`/"{{ ansible_play_batch[0] }}" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done
    - pause:
        seconds: 2
    - shell: echo ran > after
`, nil)
	for _, h := range res.Hosts {
		if h.Status != StatusChanged {
			t.Errorf("%s: %s %s", h.Name, h.Status, h.Msg)
		}
		if hostFile(f, h.Name, "first") != "ran\n" {
			t.Errorf("%s: its batch did not run", h.Name)
		}
		if hostFile(f, h.Name, "after") != "" {
			t.Errorf("%s: ran past the batch's end_batch", h.Name)
		}
	}
}

// meta: reset_connection makes the next task log in again.
func TestMetaResetConnection(t *testing.T) {
	f := testFleet(t, 1, 1, 100*time.Millisecond, nil)
	runPlay(t, f, `
- hosts: all
  gather_facts: false
  tasks:
    - shell: echo ran > first
    - meta: reset_connection
    - shell: echo ran > second
`, nil)
	h := f.Hosts()[0]
	if hostFile(f, h, "second") != "ran\n" {
		t.Errorf("%s: the task after reset_connection did not run", h)
	}
	if n := f.Connections(h); n != 2 {
		t.Errorf("%s: %d connections, want 2 (reset_connection)", h, n)
	}
}

// any_errors_fatal on a block (or a task) stops the roll when one of its
// tasks fails on any host, as the play's does (it was refused there). The
// other hosts wait for the failing one's signal, then must not reach their
// last task.
func TestAnyErrorsFatalOnABlock(t *testing.T) {
	f := testFleet(t, 3, 1, 100*time.Millisecond, nil)
	sig := t.TempDir()
	first := f.Hosts()[0]
	res, _ := runPlay(t, f, `
- hosts: all
  gather_facts: false
  tasks:
    - block:
        - shell: touch `+sig+`/failing; exit 1
          when: inventory_hostname == '`+first+`'
      any_errors_fatal: true
    - shell: i=0; while [ ! -e `+sig+`/failing ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done
    - pause:
        seconds: 2
    - shell: echo ran > after
`, nil)
	if !strings.Contains(res.Stopped, "any_errors_fatal") {
		t.Errorf("the roll did not stop: %q", res.Stopped)
	}
	for _, h := range res.Hosts {
		if hostFile(f, h.Name, "after") != "" {
			t.Errorf("%s: ran past the fatal failure (%s)", h.Name, h.Status)
		}
	}
}
