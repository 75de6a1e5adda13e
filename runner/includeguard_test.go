package runner

import (
	"strings"
	"testing"
	"time"
)

// include_tasks' when and tags are the include's own, as in Ansible
// (checked with ansible-playbook 2.14): the when is decided once, so a
// task inside that makes it false does not stop the tasks after it (an
// import's when is every task's), and a false one skips them all; ignore_errors on the include does not
// cover its tasks; a looped include's when is decided per item, with
// index_var counting in the whole loop.
func TestIncludeWhenDecidedOnce(t *testing.T) {
	f := testFleet(t, 1, 1, 100*time.Millisecond, nil)
	h := f.Hosts()[0]
	res, _ := runFiles(t, f, map[string]string{
		"playbook.yml": `
- hosts: all
  gather_facts: false
  vars: {done: false}
  tasks:
    - include_tasks: inc.yml
      when: not done
    - include_tasks: inc.yml
      when: not done
    - import_tasks: imp.yml
      when: not (done2 | default(false))
    - include_tasks: item.yml
      loop: [a, b, c]
      loop_control: {index_var: i}
      when: item != 'b'
    - include_tasks: item.yml
      loop: [x]
      when: false
    - include_tasks: fails.yml
      ignore_errors: true
    - shell: echo not-reached >> w.log
`,
		"inc.yml": `
- shell: echo one >> w.log
- set_fact: {done: true}
- shell: echo two >> w.log
`,
		"imp.yml": `
- shell: echo three >> w.log
- set_fact: {done2: true}
- shell: echo four >> w.log
`,
		"item.yml": `
- shell: echo "{{ item }} {{ i }} {{ ansible_loop.index }}/{{ ansible_loop.length }}" >> w.log
`,
		"fails.yml": `
- shell: "false"
`,
	}, nil)
	if got := res.Hosts[0].Status; got != StatusFailed {
		t.Errorf("status %s, want failed: ignore_errors on an include does not cover its tasks", got)
	}
	want := "one\ntwo\nthree\na 0 1/3\nc 2 3/3\n"
	if got := hostFile(f, h, "w.log"); got != want {
		t.Errorf("w.log\n%s\nwant\n%s", got, want)
	}
}

// An include's tags select the include, not its tasks (Ansible 2.14):
// with --tags x the include tagged x runs, but only its tasks tagged x (or
// always); its tasks tagged x do not run when the include is not
// selected; --skip-tags x skips the include and all of its tasks.
func TestIncludeTags(t *testing.T) {
	files := map[string]string{
		"playbook.yml": `
- hosts: all
  gather_facts: false
  tasks:
    - include_tasks: inc.yml
      tags: [x]
    - include_tasks: other.yml
`,
		"inc.yml": `
- shell: echo untagged >> w.log
- shell: echo tagged-x >> w.log
  tags: [x]
- shell: echo always >> w.log
  tags: [always]
`,
		"other.yml": `
- shell: echo other-x >> w.log
  tags: [x]
`,
	}
	for _, c := range []struct {
		name       string
		tags, skip []string
		want       string
	}{
		{"all", nil, nil, "untagged\ntagged-x\nalways\nother-x\n"},
		{"tags x", []string{"x"}, nil, "tagged-x\nalways\n"},
		{"skip x", nil, []string{"x"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := testFleet(t, 1, 1, 100*time.Millisecond, nil)
			runFiles(t, f, files, func(o *Options) { o.Tags, o.SkipTags = c.tags, c.skip })
			if got := hostFile(f, f.Hosts()[0], "w.log"); got != c.want {
				t.Errorf("w.log %q, want %q", got, c.want)
			}
		})
	}
}

// run_once on an include: one host runs it and its tasks, the others skip
// it all (Ansible: "included ... for a" only).
func TestIncludeRunOnce(t *testing.T) {
	f := testFleet(t, 3, 1, 0, nil)
	res, _ := runFiles(t, f, map[string]string{
		"playbook.yml": `
- hosts: all
  gather_facts: false
  tasks:
    - include_tasks: once.yml
      run_once: true
    - include_tasks: once-loop.yml
      run_once: true
      loop: [a, b]
`,
		"once.yml":      "- shell: echo once >> w.log\n- shell: echo twice >> w.log\n",
		"once-loop.yml": "- shell: echo {{ item }} >> w.log\n",
	}, nil)
	// Each run_once include picks one host (the first to reach it: with
	// the free strategy, not necessarily the same host for both).
	all := ""
	for _, h := range f.Hosts() {
		all += hostFile(f, h, "w.log")
	}
	for line, want := range map[string]int{"once": 1, "twice": 1, "a": 1, "b": 1} {
		if got := strings.Count(all, line+"\n"); got != want {
			t.Errorf("%q ran %d times over the hosts, want %d (%v)", line, got, want, status(res))
		}
	}
}
