package playbooks

import (
	"path/filepath"
	"strings"
	"testing"
)

func argSpecTaskNames(t *testing.T, dir string) []string {
	t.Helper()
	pb, err := Load(filepath.Join(dir, "pb.yml"), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(pb, ValidateOptions{AllowUnknownVars: true}); err != nil {
		t.Fatalf("validate: %v", err)
	}
	var names []string
	for _, n := range Compile(pb.Plays[0]).Nodes {
		if n.Kind == KindTask {
			names = append(names, n.Task.DisplayName())
		}
	}
	return names
}

// A role's argument specs add a validation task first, only for the
// entry point being loaded (main, or tasks_from); meta/argument_specs.yml
// wins over meta/main.yml's argument_specs (Ansible does not merge them);
// rolespec_validate: false leaves it out.
func TestRoleArgSpecLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) { writeTestFile(t, dir, name, text) }
	write("roles/app/tasks/main.yml", "- name: main\n  debug: msg=m\n")
	write("roles/app/tasks/other.yml", "- name: other\n  debug: msg=o\n")
	write("roles/app/tasks/third.yml", "- name: third\n  debug: msg=t\n")
	write("roles/app/meta/argument_specs.yml", "argument_specs:\n  main:\n    short_description: The app\n    options:\n      a: {type: int, required: true}\n  other:\n    options:\n      b: {type: str}\n  third: {}\n")
	write("roles/app/meta/main.yml", "argument_specs:\n  third:\n    options: {c: {type: int}}\n")
	write("pb.yml", `- hosts: all
  gather_facts: false
  roles: [app]
  tasks:
    - include_role: {name: app, tasks_from: other}
    - include_role: {name: app, tasks_from: third}
    - import_role: {name: app, tasks_from: other, rolespec_validate: false}
`)
	got := strings.Join(argSpecTaskNames(t, dir), "|")
	want := "app : Validating arguments against arg spec 'main' - The app|app : main|" +
		"app : Validating arguments against arg spec 'other'|app : other|app : third|app : other"
	if got != want {
		t.Errorf("tasks\n%s\nwant\n%s", got, want)
	}

	// Without argument_specs.yml, meta/main.yml's; a role without tasks
	// still validates.
	write("roles/lib/meta/main.yml", "argument_specs:\n  main:\n    options: {c: {type: int}}\n")
	write("pb.yml", "- hosts: all\n  gather_facts: false\n  roles:\n    - role: lib\n      c: 1\n")
	pb, err := Load(filepath.Join(dir, "pb.yml"), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	nodes := Compile(pb.Plays[0]).Nodes
	var vt *Task
	for _, n := range nodes {
		if n.Kind == KindTask {
			vt = n.Task
		}
	}
	if vt == nil || vt.Module != "validate_argument_spec" || vt.Name != "Validating arguments against arg spec 'main'" ||
		strings.Join(vt.Tags, ",") != "always" || !strings.HasSuffix(vt.Pos.File, filepath.Join("lib", "meta", "main.yml")) {
		t.Fatalf("validation task %+v", vt)
	}
	if p, _ := vt.Args["provided_arguments"].(map[string]any); p["c"] != 1 || len(p) != 1 {
		t.Errorf("provided_arguments %v (the role's parameters)", vt.Args["provided_arguments"])
	}
	if o, _ := vt.Args["argument_spec"].(map[string]any); o["c"] == nil {
		t.Errorf("argument_spec %v", vt.Args["argument_spec"])
	}
}

// drover check reads the argument specs: bad YAML, unknown keys and
// types are errors at their file:line:col.
func TestRoleArgSpecFileErrors(t *testing.T) {
	for _, c := range []struct {
		spec, file string
		want       []string
	}{
		{"argument_specs:\n  main:\n    options:\n      a: {type: int\n", "argument_specs.yml",
			[]string{"roles/app/meta/argument_specs.yml:3:1: YAML syntax error: did not find expected"}},
		{"argument_specs:\n  main:\n    options:\n      a:\n        type: integer\n        requird: true\n      b:\n        type: dict\n        suboptions: {}\n        options:\n          c: {elements: str}\n    summary: x\n", "argument_specs.yml",
			[]string{
				"roles/app/meta/argument_specs.yml:5:15: option 'a': type must be one of str, list, dict, bool, int, float, path, raw, jsonarg, json, bytes, bits, got 'integer'",
				"roles/app/meta/argument_specs.yml:6:9: unknown key 'requird' in the spec of option 'a', did you mean 'required'?",
				"roles/app/meta/argument_specs.yml:9:9: unknown key 'suboptions' in the spec of option 'b': role argument specs nest options under options:",
				"roles/app/meta/argument_specs.yml:11:25: option 'c': elements is for options of type list, not str",
				"roles/app/meta/argument_specs.yml:12:5: unknown key 'summary' in argument_specs entry point 'main'",
			}},
		{"argument_specs:\n  main:\n    mutually_exclusive: [[a, b]]\n    options:\n      a: {required: true, default: 1}\nother: 1\n", "argument_specs.yml",
			[]string{
				"roles/app/meta/argument_specs.yml:3:5: 'mutually_exclusive' at entry point 'main' is not applied by Ansible",
				"roles/app/meta/argument_specs.yml:5:36: option 'a' is required and has a default",
				"roles/app/meta/argument_specs.yml:6:1: unknown key 'other' in a role's meta/argument_specs.yml",
			}},
		{"argument_specs:\n  main:\n    options:\n      a: {type: str, choices: a}\n", "main.yml",
			[]string{"roles/app/meta/main.yml:4:31: option 'a': choices must be a list, got a string"}},
	} {
		dir := t.TempDir()
		writeTestFile(t, dir, "roles/app/tasks/main.yml", "- debug: msg=m\n")
		writeTestFile(t, dir, "roles/app/meta/"+c.file, c.spec)
		writeTestFile(t, dir, "pb.yml", "- hosts: all\n  gather_facts: false\n  roles: [app]\n")
		_, err := Load(filepath.Join(dir, "pb.yml"), LoadOptions{})
		for _, w := range c.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("want %q in %v", w, err)
			}
		}
	}
}
