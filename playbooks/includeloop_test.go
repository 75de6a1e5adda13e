package playbooks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIncludeTasksLoopCompiles(t *testing.T) {
	p := writePlaybook(t, `- hosts: all
  tasks:
    - name: per service
      include_tasks: service.yml
      loop: "{{ services }}"
      loop_control: {loop_var: svc}
    - name: after
      command: "true"
`)
	if err := os.WriteFile(filepath.Join(filepath.Dir(p), "service.yml"), []byte("- name: stop\n  command: echo {{ svc }}\n- name: start\n  command: echo {{ svc }}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pb, list, err := check(p, ValidateOptions{KnownVars: []string{"services"}})
	if err != nil || list != nil {
		t.Fatalf("check: %v %v", err, list)
	}
	got := Compile(pb.Plays[0]).String()
	want := `entry 0
0 loop-start tasks "per service" loop 3 -> 1 | fail -> fail
1 task tasks "stop" -> 2 | fail -> 5
2 task tasks "start" -> 3 | fail -> 5
3 loop-next tasks "per service" loop 1 -> 4 | fail -> fail
4 task tasks "after" -> end | fail -> fail
5 loop-abort tasks "per service" -> fail | fail -> fail
`
	if got != want {
		t.Errorf("program:\n%s\nwant\n%s", got, want)
	}
}

func TestIncludeTasksLoopErrors(t *testing.T) {
	p := writePlaybook(t, `- hosts: all
  tasks:
    - import_tasks: step.yml
      loop: [a, b]
    - include_tasks: reboot.yml
      loop: [a, b]
    - include_tasks: step.yml
      loop: [a, b]
      loop_control: {loop_var: svc}
`)
	dir := filepath.Dir(p)
	for name, text := range map[string]string{
		"step.yml":   "- command: echo {{ svc }} {{ missing_thing }}\n",
		"reboot.yml": "- reboot:\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	text := checkErrors(t, p, ValidateOptions{},
		"site.yml:4:13: 'loop' is not supported on import_tasks: Ansible does not loop over an import (use include_tasks or include_role)",
		"reboot.yml:1:3: reboot inside a looped include (include_tasks, include_role) is not supported",
		"undefined variable 'missing_thing'",
	)
	// svc is the loop variable of the include around step.yml's task.
	if strings.Contains(text, "'svc'") {
		t.Errorf("the loop variable is reported undefined:\n%s", text)
	}
}
