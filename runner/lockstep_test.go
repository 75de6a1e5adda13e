package runner

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/runner/fleet"
)

// stamp reads the nanosecond time `date +%s%N` wrote to the host's file
// name; the test fails when it is missing.
func stamp(t *testing.T, f *fleet.Fleet, host, name string) int64 {
	t.Helper()
	v, err := strconv.ParseInt(strings.TrimSpace(hostFile(f, host, name)), 10, 64)
	if err != nil {
		t.Fatalf("%s: no time in %s (%q)", host, name, hostFile(f, host, name))
	}
	return v
}

// Under strategy: linear no host starts a task before every host of the
// batch is done with the one before it: the slow first host holds the
// others at the second task, which then sees every host's registered
// result. forks (2 of 4 hosts) caps the hosts running a task at once, and
// gathering facts is a step of its own.
func TestLinearLockstep(t *testing.T) {
	f := testFleet(t, 4, 1, 0, nil)
	first := f.Hosts()[0]
	res, _ := runPlay(t, f, `
- hosts: all
  strategy: linear
  gather_facts: true
  tasks:
    - shell: date +%s%N > a0; sleep {{ '0.6' if inventory_hostname == '`+first+`' else '0.1' }}; date +%s%N > a1; echo done
      register: a
    - shell: date +%s%N > b0
    - assert:
        that: hostvars[item].a.stdout == 'done'
      loop: "{{ ansible_play_hosts }}"
    - shell: date +%s%N > t0; sleep 0.2; date +%s%N > t1
`, func(o *Options) { o.Forks = 2 })
	for h, s := range status(res) {
		if s != StatusChanged {
			t.Fatalf("%s: %s, want changed (%+v)", h, s, res.Hosts)
		}
	}
	var lastA1, firstB0 int64
	var spans []span
	for _, h := range f.Hosts() {
		a1, b0 := stamp(t, f, h, "a1"), stamp(t, f, h, "b0")
		lastA1 = max(lastA1, a1)
		if firstB0 == 0 || b0 < firstB0 {
			firstB0 = b0
		}
		spans = append(spans, taskSpan(t, f, h))
	}
	if firstB0 < lastA1 {
		t.Errorf("a host started the second task %v before the last host finished the first", time.Duration(lastA1-firstB0))
	}
	// forks 2: never more than two hosts in the last task at once.
	for _, s := range spans {
		at := 0
		for _, o := range spans {
			if o.a <= s.a && s.a < o.b {
				at++
			}
		}
		if at > 2 {
			t.Errorf("%d hosts ran a task at once with forks 2: %v", at, spans)
		}
	}
}

// --strategy linear (Options.Strategy) applies to a play that names no
// strategy; a play's own strategy: free wins over it.
func TestLinearByDefaultOption(t *testing.T) {
	for _, tc := range []struct {
		play     string
		lockstep bool
	}{{"", true}, {"  strategy: free\n", false}} {
		f := testFleet(t, 3, 1, 0, nil)
		first := f.Hosts()[0]
		sig := t.TempDir()
		// The first host finishes its first task only once another host
		// has begun the second, or after 1.5 s.
		res, _ := runPlay(t, f, `
- hosts: all
  gather_facts: false
`+tc.play+`  tasks:
    - shell: |
        if [ {{ inventory_hostname }} = `+first+` ]; then
          i=0; while [ ! -e `+sig+`/second ] && [ $i -lt 30 ]; do sleep 0.05; i=$((i+1)); done
        fi
        date +%s%N > a1
    - shell: touch `+sig+`/second; date +%s%N > b0
`, func(o *Options) { o.Strategy = "linear" })
		if res.Stopped != "" {
			t.Fatalf("stopped: %s", res.Stopped)
		}
		a1 := stamp(t, f, first, "a1")
		early := false
		for _, h := range f.Hosts()[1:] {
			if stamp(t, f, h, "b0") < a1 {
				early = true
			}
		}
		if early == tc.lockstep {
			t.Errorf("strategy %q with --strategy linear: a host ran the second task before the first host's first ended: %v, want %v", strings.TrimSpace(tc.play), early, !tc.lockstep)
		}
	}
}

// Under linear, an uncaught failure counts against max_fail_percentage at
// once: the batch's other hosts do not start their next task (here: the
// one that would take them down). A failure a rescue catches does not
// count.
func TestLinearMaxFailStopsTheBatch(t *testing.T) {
	f := testFleet(t, 4, 1, 0, nil)
	first := f.Hosts()[0]
	res, _ := runPlay(t, f, `
- hosts: all
  strategy: linear
  gather_facts: false
  max_fail_percentage: 20
  tasks:
    - block:
        - command: /bin/false
          when: inventory_hostname != '`+first+`'
      rescue:
        - shell: echo rescued > rescued
    - shell: sleep 0.3; exit 1
      when: inventory_hostname == '`+first+`'
    - shell: echo ran > after
`, nil)
	if !strings.Contains(res.Stopped, "max_fail_percentage 20% exceeded: 1 of 4 hosts of the batch failed") {
		t.Errorf("stopped: %q", res.Stopped)
	}
	st := status(res)
	for _, h := range f.Hosts() {
		if hostFile(f, h, "after") != "" {
			t.Errorf("%s: ran the task after the failure (%s)", h, st[h])
		}
		if h != first && hostFile(f, h, "rescued") == "" {
			t.Errorf("%s: not rescued", h)
		}
	}
	if st[first] != StatusFailed {
		t.Errorf("%s: %s, want failed", first, st[first])
	}
	for _, h := range f.Hosts()[1:] {
		if st[h] != StatusStopped {
			t.Errorf("%s: %s, want stopped", h, st[h])
		}
	}
}

// any_errors_fatal does not stop the roll for a failure a rescue catches
// (Ansible's rule: only a host that is failed stops it).
func TestAnyErrorsFatalRescued(t *testing.T) {
	f := testFleet(t, 2, 1, 0, nil)
	res, _ := runPlay(t, f, `
- hosts: all
  gather_facts: false
  any_errors_fatal: true
  tasks:
    - block:
        - command: /bin/false
      rescue:
        - shell: echo rescued > rescued
    - shell: echo ran > after
`, nil)
	if res.Stopped != "" {
		t.Errorf("stopped: %q", res.Stopped)
	}
	for _, h := range f.Hosts() {
		if hostFile(f, h, "after") == "" || hostFile(f, h, "rescued") == "" {
			t.Errorf("%s: rescued %q, after %q", h, hostFile(f, h, "rescued"), hostFile(f, h, "after"))
		}
	}
}

// Handlers run in step too (each notified host's first handler, then the
// next), and a looped include's passes: no host starts a pass's task
// before every host is done with the pass before.
func TestLinearHandlersAndLoops(t *testing.T) {
	f := testFleet(t, 3, 1, 0, nil)
	first := f.Hosts()[0]
	slow := `{{ '0.5' if inventory_hostname == '` + first + `' else '0' }}`
	res, _ := runFiles(t, f, map[string]string{"playbook.yml": `
- hosts: all
  strategy: linear
  gather_facts: false
  tasks:
    - command: "true"
      changed_when: inventory_hostname != '` + f.Hosts()[2] + `'
      notify: [h1, h2]
    - meta: flush_handlers
    - include_tasks: pass.yml
      loop: [1, 2]
  handlers:
    - name: h1
      shell: sleep ` + slow + `; date +%s%N > h1
    - name: h2
      shell: date +%s%N > h2
`, "pass.yml": `
- shell: date +%s%N > p{{ item }}a; sleep {{ '0.5' if inventory_hostname == '` + first + `' and item == 1 else 0 }}; date +%s%N > p{{ item }}b
- shell: date +%s%N > p{{ item }}c
`}, nil)
	if res.Stopped != "" {
		t.Fatalf("stopped: %s", res.Stopped)
	}
	hs := f.Hosts()[:2] // the notified hosts
	if hostFile(f, f.Hosts()[2], "h1") != "" {
		t.Errorf("%s ran a handler it was not notified for", f.Hosts()[2])
	}
	last := func(hosts []string, name string) int64 {
		var m int64
		for _, h := range hosts {
			m = max(m, stamp(t, f, h, name))
		}
		return m
	}
	firstOf := func(hosts []string, name string) int64 {
		var m int64
		for _, h := range hosts {
			if v := stamp(t, f, h, name); m == 0 || v < m {
				m = v
			}
		}
		return m
	}
	all := f.Hosts()
	for _, c := range []struct {
		before, after string
		bh, ah        []string // the hosts that ran them
	}{{"h1", "h2", hs, hs}, {"h2", "p1a", hs, all}, {"p1b", "p1c", all, all}, {"p1c", "p2a", all, all}, {"p2b", "p2c", all, all}} {
		if l, e := last(c.bh, c.before), firstOf(c.ah, c.after); e < l {
			t.Errorf("%s began on a host %v before %s ended on every host", c.after, time.Duration(l-e), c.before)
		}
	}
}
