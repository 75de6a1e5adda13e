package runner

import (
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/playbooks"
)

// include_tasks with a loop runs the included tasks once per item, in
// order, with loop_var, index_var and ansible_loop; loops nest; an empty
// loop runs nothing; run_once runs once per item.
func TestIncludeTasksLoop(t *testing.T) {
	f := testFleet(t, 2, 1, 100*time.Millisecond, nil)
	res, rec := runFiles(t, f, map[string]string{
		"playbook.yml": `
- hosts: all
  gather_facts: false
  tasks:
    - include_tasks: service.yml
      loop: [api, worker]
      loop_control: {loop_var: svc, index_var: idx}
    - include_tasks: service.yml
      loop: []
      loop_control: {loop_var: svc}
    - name: after the loops
      shell: echo "after {{ svc | default('none') }}" >> items.log
`,
		"service.yml": `
- name: stop
  shell: echo "stop {{ svc }} {{ idx }} {{ ansible_loop.index }}/{{ ansible_loop.length }}" >> items.log
- include_tasks: check.yml
  loop: [1, 2]
- name: once per service
  shell: echo "{{ svc }}" >> once.log
  run_once: true
`,
		"check.yml": `
- name: check
  shell: echo "check {{ svc }} {{ item }}" >> items.log
`,
	}, nil)
	for _, h := range res.Hosts {
		if h.Status != StatusChanged {
			t.Fatalf("%s: %s %s", h.Name, h.Status, h.Msg)
		}
	}
	want := "stop api 0 1/2\ncheck api 1\ncheck api 2\nstop worker 1 2/2\ncheck worker 1\ncheck worker 2\nafter none\n"
	once := ""
	for _, h := range f.Hosts() {
		if got := hostFile(f, h, "items.log"); got != want {
			t.Errorf("%s: items.log\n%s\nwant\n%s", h, got, want)
		}
		once += hostFile(f, h, "once.log")
	}
	if strings.Count(once, "api\n") != 1 || strings.Count(once, "worker\n") != 1 {
		t.Errorf("run_once in the loop ran %q over the hosts, want api and worker once each", once)
	}
	var items []string
	for _, e := range rec.of(EvTaskResult) {
		if e.Task == "stop" && e.Host == f.Hosts()[0] {
			items = append(items, e.Item.(string))
		}
	}
	if strings.Join(items, ",") != "api,worker" {
		t.Errorf("task_result items of stop: %v", items)
	}
}

// A failure inside a looped include ends the loop for the host; a rescue
// around the include sees no loop variable, and later items never run.
func TestIncludeTasksLoopFailure(t *testing.T) {
	f := testFleet(t, 1, 1, 100*time.Millisecond, nil)
	res, _ := runFiles(t, f, map[string]string{
		"playbook.yml": `
- hosts: all
  gather_facts: false
  tasks:
    - block:
        - include_tasks: step.yml
          loop: [a, b, c]
      rescue:
        - name: rescued
          shell: echo "rescued {{ item | default('none') }}" >> items.log
    - include_tasks: step.yml
      loop: [x, b, y]
`,
		"step.yml": `
- shell: echo "{{ item }}" >> items.log
- command: "false"
  when: item == "b"
`,
	}, nil)
	h := res.Hosts[0]
	if h.Status != StatusFailed {
		t.Fatalf("%s: %s, want failed", h.Name, h.Status)
	}
	if got, want := hostFile(f, h.Name, "items.log"), "a\nb\nrescued none\nx\nb\n"; got != want {
		t.Errorf("items.log\n%s\nwant\n%s", got, want)
	}
}

// A run resumed after a crash inside a looped include starts that loop
// again from its first item (the journal does not say which was running).
func TestResumeInsideIncludeLoop(t *testing.T) {
	progs := compileFiles(t, map[string]string{
		"playbook.yml": `
- hosts: all
  gather_facts: false
  tasks:
    - name: before
      command: "true"
    - include_tasks: step.yml
      loop: [a, b]
    - name: after
      command: "true"
`,
		"step.yml": "- name: step\n  command: \"true\"\n",
	})
	prog := progs[0]
	id := map[string]int{}
	for _, n := range prog.Nodes {
		if n.Task != nil && n.Kind == playbooks.KindTask {
			id[n.Task.Name] = n.ID
		}
		if n.Kind == playbooks.KindLoopStart {
			id["start"] = n.ID
		}
	}
	pr := &playRun{prog: prog, facts: NewHostFacts()}
	hr := newHostRun(pr, &Host{Name: "h"})
	for name, want := range map[string]int{"before": id["start"], "step": id["start"], "after": prog.Nodes[id["after"]].Next} {
		r := NewResume([]*Event{{Type: EvTaskResult, Host: "h", Node: id[name], Status: StatusOK}})
		if got := r.restore(0, hr); got != want {
			t.Errorf("last result %q: resume at node %d, want %d\n%s", name, got, want, prog)
		}
	}
}

// include_role with a loop runs the role once per item, with the role's
// defaults and the item in its variables.
func TestIncludeRoleLoop(t *testing.T) {
	f := testFleet(t, 1, 1, 100*time.Millisecond, nil)
	res, _ := runFiles(t, f, map[string]string{
		"playbook.yml": `
- hosts: all
  gather_facts: false
  tasks:
    - include_role: {name: drain}
      loop: [lb1, lb2]
      loop_control: {loop_var: balancer}
`,
		"roles/drain/defaults/main.yml": "drain_mode: soft\n",
		"roles/drain/tasks/main.yml":    "- shell: echo \"{{ drain_mode }} {{ balancer }} {{ ansible_loop.index }}\" >> drained\n",
	}, nil)
	h := res.Hosts[0]
	if h.Status != StatusChanged {
		t.Fatalf("%s: %s %s", h.Name, h.Status, h.Msg)
	}
	if got, want := hostFile(f, h.Name, "drained"), "soft lb1 1\nsoft lb2 2\n"; got != want {
		t.Errorf("drained = %q, want %q", got, want)
	}
}

// A handler flushed from inside a looped include does not see the loop's
// item (Ansible's handlers run with the host's variables only), and the
// loop goes on with its next item after the flush.
func TestHandlerFlushedInLoopSeesNoItem(t *testing.T) {
	f := testFleet(t, 1, 1, 0, nil)
	res, _ := runFiles(t, f, map[string]string{"playbook.yml": `
- hosts: all
  gather_facts: false
  tasks:
    - include_tasks: pass.yml
      loop: [a, b]
  handlers:
    - name: h
      shell: echo "{{ item | default('none') }}" >> handled
`, "pass.yml": `
- command: "true"
  changed_when: true
  notify: h
- meta: flush_handlers
- shell: echo "{{ item }}" >> passes
`}, nil)
	if res.Stopped != "" || res.Hosts[0].Status != StatusChanged {
		t.Fatalf("%+v", res.Hosts[0])
	}
	h := f.Hosts()[0]
	if got := hostFile(f, h, "handled"); got != "none\nnone\n" {
		t.Errorf("handler saw %q, want none twice", got)
	}
	if got := hostFile(f, h, "passes"); got != "a\nb\n" {
		t.Errorf("passes %q", got)
	}
}
