package runner

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// A loop over a variable the task's when tests with `is defined`: where
// it is undefined the task is skipped (as Ansible checks when before
// reporting the loop), where it is defined the loop runs; an undefined
// loop without such a when still fails.
func TestLoopGuardedByWhen(t *testing.T) {
	f := testFleet(t, 2, 1, 0, nil)
	res, rec := runPlay(t, f, `
- hosts: all
  gather_facts: false
  tasks:
    - set_fact: {xs: [a, b]}
      when: inventory_hostname == 'host01'
    - name: guarded
      command: echo {{ item }}
      loop: "{{ xs }}"
      when: xs is defined
    - name: unguarded
      command: echo {{ item }}
      loop: "{{ xs }}"
`, nil)
	got := map[string]string{}
	for _, e := range rec.of(EvTaskResult) {
		got[e.Task+"/"+e.Host] = e.Status
	}
	for k, want := range map[string]string{
		"guarded/host01": StatusChanged, "guarded/host02": StatusSkipped,
		"unguarded/host01": StatusChanged, "unguarded/host02": StatusFailed,
	} {
		if got[k] != want {
			t.Errorf("%s: %s, want %s", k, got[k], want)
		}
	}
	if st := status(res); st["host02"] != StatusFailed {
		t.Errorf("host02 %s: the unguarded loop fails", st["host02"])
	}
}

// A templated include_tasks name: each host runs the file its name
// renders to (here per rack), and a host whose name renders to no loaded
// file fails with the names drover knows.
func TestTemplatedIncludeRuns(t *testing.T) {
	f := testFleet(t, 3, 3, 0, nil)
	res, rec := runFiles(t, f, map[string]string{
		"playbook.yml": `
- hosts: all
  gather_facts: false
  tasks:
    - include_tasks: "racks/{{ rack }}.yml"
`,
		"racks/r1.yml": "- name: in r1\n  command: \"true\"\n",
		"racks/r2.yml": "- name: in r2\n  command: \"true\"\n",
	}, nil)
	ran := map[string]string{}
	for _, e := range rec.of(EvTaskResult) {
		if e.Status != StatusSkipped && !strings.HasPrefix(e.Task, "include_tasks: ") { // not the include's own ok result
			ran[e.Host] += e.Task + ";"
		}
	}
	rackOf := map[string]string{}
	for _, h := range fleetHosts(f) {
		rackOf[h.Name] = h.Vars["rack"].(string)
	}
	for h, r := range rackOf {
		switch r {
		case "r1", "r2":
			if ran[h] != "in "+r+";" {
				t.Errorf("%s (rack %s) ran %q", h, r, ran[h])
			}
		default:
			if st := status(res)[h]; st != StatusFailed || !strings.Contains(ran[h], "include_tasks racks/"+r+".yml") {
				t.Errorf("%s (rack %s): %s, ran %q", h, r, st, ran[h])
			}
		}
	}
}

// retries and delay written as templates are rendered per host: the
// attempts follow the rendered count; a value that is not a number fails
// the host with what it rendered to.
func TestTemplatedRetries(t *testing.T) {
	f := testFleet(t, 2, 1, 0, nil)
	_, rec := runPlay(t, f, `
- hosts: all
  gather_facts: false
  vars:
    tries: "{{ 2 if inventory_hostname == 'host01' else 'many' }}"
  tasks:
    - name: retried
      command: "false"
      register: r
      until: r.rc == 0
      retries: "{{ tries }}"
      delay: "{{ 0 }}"
`, nil)
	for _, e := range rec.of(EvTaskResult) {
		switch e.Host {
		case "host01":
			if e.Status != StatusFailed || fmt.Sprint(e.Result["attempts"]) != "3" {
				t.Errorf("host01: %s after %v attempts, want failed after 3", e.Status, e.Result["attempts"])
			}
		case "host02":
			if msg := fmt.Sprint(e.Result["msg"]); e.Status != StatusFailed || !strings.Contains(msg, `rendered to "many", not a count`) {
				t.Errorf("host02: %s %s", e.Status, msg)
			}
		}
	}
}

// set_stats: the rendered data is the task's result (journaled), per
// host; data that is not a dictionary fails.
func TestSetStats(t *testing.T) {
	f := testFleet(t, 1, 1, 0, nil)
	_, rec := runPlay(t, f, `
- hosts: all
  gather_facts: false
  tasks:
    - name: stats
      set_stats:
        data: {patched: "{{ inventory_hostname }}"}
        per_host: true
    - name: bad stats
      set_stats:
        data: "{{ [1, 2] }}"
`, nil)
	for _, e := range rec.of(EvTaskResult) {
		switch e.Task {
		case "stats":
			st, _ := e.Result["ansible_stats"].(map[string]any)
			if e.Status != StatusOK || fmt.Sprint(st["data"]) != "map[patched:host01]" || st["per_host"] != true {
				t.Errorf("stats: %s %v", e.Status, e.Result)
			}
		case "bad stats":
			if e.Status != StatusFailed {
				t.Errorf("bad stats: %s", e.Status)
			}
		}
	}
}

// A templated serial is rendered when the play starts with the play's vars
// and extra vars (not host vars): batches of the rendered size, checked
// on the hosts' reboot records; a value that is not a size stops the play
// with what it rendered to.
func TestTemplatedSerial(t *testing.T) {
	f := testFleet(t, 4, 1, 200*time.Millisecond, nil)
	res, _ := runPlay(t, f, `
- hosts: all
  gather_facts: false
  vars:
    size: 1
  serial: "{{ batch | default(size) }}"
  tasks:
    - reboot: {}
`, func(o *Options) { o.ExtraVars = map[string]any{"batch": "50%"} })
	if res.Stopped != "" || res.Batches != 2 {
		t.Fatalf("stopped %q, %d batches, want 2 (50%% of 4)", res.Stopped, res.Batches)
	}
	if got := fmt.Sprint(batchesFromHosts(rebootWindows(f))); got != "[2 2]" {
		t.Errorf("batches by the hosts' records %s, want [2 2]", got)
	}
	res, _ = runPlay(t, f, `
- hosts: all
  gather_facts: false
  serial: "{{ 'many' }}"
  tasks:
    - command: "true"
`, nil)
	if !strings.Contains(res.Stopped, `serial {{ 'many' }}: "many" is not a host count or a percentage`) {
		t.Errorf("stopped %q", res.Stopped)
	}
}

// Facts are gathered by default (as in Ansible); a host resumed in the
// middle of its walk gets the facts the journal holds instead of being
// gathered again (it may still be down in a reboot).
func TestFactsByDefaultAndOnResume(t *testing.T) {
	f := testFleet(t, 1, 1, 0, nil)
	text := `
- hosts: all
  tasks:
    - name: first
      command: "true"
    - name: second
      debug: msg="{{ ansible_hostname }}"
`
	_, rec := runPlay(t, f, text, nil)
	if n := len(rec.of(EvTaskResult)); n != 3 {
		t.Fatalf("%d results, want 3 (facts gathered without gather_facts, then two tasks)", n)
	}
	// The journal up to the first task: resume from there.
	var upto []*Event
	for _, e := range rec.evs {
		upto = append(upto, e)
		if e.Type == EvTaskResult && e.Task == "first" {
			break
		}
	}
	_, rec2 := runPlay(t, f, text, func(o *Options) { o.Resume = NewResume(upto) })
	var tasks []string
	for _, e := range rec2.of(EvTaskResult) {
		tasks = append(tasks, e.Task+":"+e.Status)
	}
	if got := strings.Join(tasks, " "); got != "second:ok" {
		t.Errorf("resumed: %s, want only second:ok (facts from the journal, not gathered again)", got)
	}
}

// A role's meta dependencies run before it, and their defaults are the
// role's variables.
func TestRoleDependenciesRun(t *testing.T) {
	f := testFleet(t, 1, 1, 0, nil)
	res, rec := runFiles(t, f, map[string]string{
		"playbook.yml":                 "- hosts: all\n  gather_facts: false\n  roles: [app]\n",
		"roles/app/meta/main.yml":      "dependencies: [base]\n",
		"roles/app/tasks/main.yml":     "- name: app\n  command: echo {{ base_port }}\n  register: out\n",
		"roles/base/defaults/main.yml": "base_port: 8080\n",
		"roles/base/tasks/main.yml":    "- name: base\n  command: \"true\"\n",
	}, nil)
	var order []string
	for _, e := range rec.of(EvTaskResult) {
		order = append(order, e.Task)
		if e.Task == "app : app" && strings.TrimSpace(fmt.Sprint(e.Result["stdout"])) != "8080" {
			t.Errorf("app: stdout %v", e.Result["stdout"])
		}
	}
	// Role tasks are named "ROLE : name", as Ansible names them.
	if got := strings.Join(order, ";"); got != "base : base;app : app" || status(res)["host01"] == StatusFailed {
		t.Errorf("ran %s (%v), want base : base;app : app", got, status(res))
	}
}

// environment written as a template (play, block or task) renders to the
// variables the commands see; one that does not render to a mapping fails
// the task.
func TestTemplatedEnvironment(t *testing.T) {
	f := testFleet(t, 1, 1, 0, nil)
	_, rec := runPlay(t, f, `
- hosts: all
  gather_facts: false
  vars:
    proxy_env: {HTTP_PROXY: "http://proxy:3128", NO_PROXY: localhost}
  environment: "{{ proxy_env }}"
  tasks:
    - name: play env
      command: printenv HTTP_PROXY
    - block:
        - name: block env
          command: printenv BLOCK_VAR
      environment: "{{ {'BLOCK_VAR': 'b' ~ 1} }}"
    - name: bad env
      command: "true"
      environment: "{{ 'not a mapping' }}"
`, nil)
	got := map[string]string{}
	for _, e := range rec.of(EvTaskResult) {
		got[e.Task] = e.Status + " " + strings.TrimSpace(fmt.Sprint(e.Result["stdout"])) + " " + fmt.Sprint(e.Result["msg"])
	}
	if !strings.HasPrefix(got["play env"], "changed http://proxy:3128") || !strings.HasPrefix(got["block env"], "changed b1") ||
		!strings.Contains(got["bad env"], "must render to a mapping") {
		t.Errorf("results %q", got)
	}
}

// no_log may be a template, rendered per host: true (or a render error)
// censors the journaled result, false shows it.
func TestTemplatedNoLog(t *testing.T) {
	f := testFleet(t, 1, 1, 0, nil)
	_, rec := runPlay(t, f, `
- hosts: all
  gather_facts: false
  vars:
    debug_mode: false
  tasks:
    - name: hidden
      command: echo s3cret
      no_log: "{{ not debug_mode }}"
    - name: shown
      command: echo visible
      no_log: "{{ debug_mode }}"
    - name: broken
      command: echo s3cret2
      no_log: "{{ undefined_thing }}"
`, nil)
	for _, e := range rec.of(EvTaskResult) {
		out := fmt.Sprint(e.Result)
		switch e.Task {
		case "hidden", "broken":
			if strings.Contains(out, "s3cret") || e.Result["censored"] == nil {
				t.Errorf("%s not censored: %s", e.Task, out)
			}
		case "shown":
			if !strings.Contains(out, "visible") {
				t.Errorf("shown censored: %s", out)
			}
		}
	}
}

// ansible_version says the ansible-core release whose semantics drover
// follows (version guards in playbooks hold), and the env fact is the
// host session's environment.
func TestAnsibleVersionAndEnvFact(t *testing.T) {
	f := testFleet(t, 1, 1, 0, nil)
	res, rec := runPlay(t, f, `
- hosts: all
  tasks:
    - assert:
        that:
          - ansible_version.full is version('2.9', '>=')
          - ansible_version.major == 2
          - ansible_env.PATH | length > 0
          - ansible_facts.env.PATH == ansible_env.PATH
`, nil)
	if st := status(res)["host01"]; st != StatusOK {
		for _, e := range rec.of(EvTaskResult) {
			t.Logf("%s %s %v", e.Task, e.Status, e.Result["msg"])
		}
		t.Errorf("host01 %s", st)
	}
}

// any_errors_fatal may be a template on the play, rendered when it starts:
// true stops the roll at the first failure, false does not.
func TestTemplatedAnyErrorsFatal(t *testing.T) {
	for _, fatal := range []bool{true, false} {
		f := testFleet(t, 3, 1, 0, nil)
		res, _ := runPlay(t, f, fmt.Sprintf(`
- hosts: all
  gather_facts: false
  serial: 1
  max_fail_percentage: 100
  continue_on_batch_failure: true
  vars:
    stop_on_error: %v
  any_errors_fatal: "{{ stop_on_error }}"
  tasks:
    - command: "false"
      when: inventory_hostname == 'host01'
`, fatal), nil)
		st := status(res)
		ran := st["host02"] != StatusSkipped && st["host02"] != StatusStopped
		if fatal == ran || (fatal && res.Stopped == "") {
			t.Errorf("any_errors_fatal %v: stopped %q, statuses %v", fatal, res.Stopped, st)
		}
	}
}

// A role's handler can be notified as "ROLE : name" (as Ansible allows),
// besides its name.
func TestNotifyRoleHandler(t *testing.T) {
	f := testFleet(t, 1, 1, 0, nil)
	h := f.Hosts()[0]
	res, _ := runFiles(t, f, map[string]string{
		"playbook.yml": `
- hosts: all
  gather_facts: false
  roles: [web]
  tasks:
    - command: "true"
      notify: "web : restart web"
`,
		"roles/web/tasks/main.yml":    "- command: \"true\"\n",
		"roles/web/handlers/main.yml": "- name: restart web\n  shell: echo restarted >> handler.log\n",
	}, nil)
	if st := res.Hosts[0].Status; st == StatusFailed {
		t.Fatalf("%s: %s", st, res.Hosts[0].Msg)
	}
	if got := hostFile(f, h, "handler.log"); got != "restarted\n" {
		t.Errorf("handler.log %q, want one restart", got)
	}
}
