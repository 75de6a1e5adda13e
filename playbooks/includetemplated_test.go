package playbooks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A templated include_tasks file name loads every file it can render to
// (each {{ }} read as *), each in a block that runs where the name renders
// to it, then a fail task for a name that renders to none; the files
// are validated like any; a name matching nothing is an error at its
// position.
func TestTemplatedIncludeTasks(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"os/debian.yml": "- name: deb\n  command: \"true\"\n",
		"os/redhat.yml": "- name: rh\n  command: \"true\"\n",
		"os/README":     "not a match",
		"os/play.yml":   "- hosts: all\n  tasks: []\n",                      // a playbook beside them
		"os/vars.yml":   "a: 1\n",                                           // a vars file
		"os/broken.yml": "- name: x\n  hosts: all\n  tasks:\n   - bad: [\n", // a broken playbook
	} {
		writeTestFile(t, dir, name, text)
	}
	path := filepath.Join(dir, "pb.yml")
	write := func(text string) {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(`- hosts: all
  tasks:
    - include_tasks: "os/{{ family | lower }}.yml"
      when: family is defined
`)
	pb, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	whens := map[string]string{}
	for _, n := range Compile(pb.Plays[0]).Nodes {
		if n.Kind == KindIncludeGuard {
			whens["guard"] = strings.Join(n.Scope.When, " and ")
		}
		if n.Kind == KindTask {
			key := n.Task.Name
			if n.Task.Module == "fail" {
				key = "fail"
			}
			whens[key] = strings.Join(n.Scope.When, " and ")
		}
	}
	for name, want := range map[string]string{
		// The include's own when is decided once, before its tasks.
		"guard": "family is defined",
		"deb":   "('os/' ~ (family | lower) ~ '.yml') == 'os/debian.yml'",
		"rh":    "('os/' ~ (family | lower) ~ '.yml') == 'os/redhat.yml'",
		"fail":  "('os/' ~ (family | lower) ~ '.yml') not in ['os/debian.yml', 'os/redhat.yml']",
	} {
		if whens[name] != want {
			t.Errorf("%s: when %q\nwant %q", name, whens[name], want)
		}
	}
	write("- hosts: all\n  tasks:\n    - include_tasks: \"nope/{{ x }}.yml\"\n")
	if _, err := Load(path, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "pb.yml:3:22: include_tasks nope/{{ x }}.yml: no tasks file matches nope/*.yml") {
		t.Errorf("no candidates: %v", err)
	}
	write("- hosts: all\n  tasks:\n    - include_tasks: \"{% if x %}a{% endif %}.yml\"\n")
	if _, err := Load(path, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "only {{ ... }} expressions") {
		t.Errorf("statement: %v", err)
	}
}

// The hook pattern (include_tasks: "{{ hook | default('empty.yml') }}"):
// every tasks file beside it is a candidate, validated at the include's
// position; one that reads what a later include registers is not reported
// as used before registered (it runs where it is included for real).
func TestTemplatedIncludeCandidatesNotOrdered(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"pb.yml":    "- hosts: all\n  tasks:\n    - include_tasks: \"{{ hook | default('empty.yml') }}\"\n    - include_tasks: z.yml\n    - include_tasks: b.yml\n",
		"empty.yml": "[]\n",
		"z.yml":     "- command: \"true\"\n  register: r1\n",
		"b.yml":     "- debug: msg=\"{{ r1.rc }}\"\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pb, err := Load(filepath.Join(dir, "pb.yml"), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(pb, ValidateOptions{KnownVars: []string{"hook"}}); err != nil {
		t.Errorf("validate: %v", err)
	}
}
