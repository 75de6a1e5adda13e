package playbooks

import (
	"path/filepath"
	"strings"
	"testing"
)

// A role's meta/main.yml dependencies run before it, in order, each once
// per play (with the same parameters) unless allow_duplicates; their
// defaults are the dependent role's variables too; a missing dependency
// and an unknown meta key are errors at their positions.
func TestRoleMetaDependencies(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) { writeTestFile(t, dir, name, text) }
	write("roles/app/tasks/main.yml", "- name: app\n  debug: msg=\"{{ base_port }}\"\n")
	write("roles/app/meta/main.yml", "galaxy_info: {author: me}\ndependencies:\n  - base\n  - role: common\n    vars: {flavor: app}\n  - {role: again}\n  - {role: again}\n")
	write("roles/base/tasks/main.yml", "- name: base\n  debug: msg=base\n")
	write("roles/base/defaults/main.yml", "base_port: 8080\n")
	write("roles/common/tasks/main.yml", "- name: common\n  debug: msg=\"{{ flavor }}\"\n")
	write("roles/common/meta/main.yml", "dependencies: [base]\n")
	write("roles/again/tasks/main.yml", "- name: again\n  debug: msg=again\n")
	write("roles/again/meta/main.yml", "allow_duplicates: true\n")
	write("pb.yml", "- hosts: all\n  gather_facts: false\n  roles: [app]\n")
	pb, err := Load(filepath.Join(dir, "pb.yml"), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(pb, ValidateOptions{}); err != nil {
		t.Fatalf("validate (base_port comes from the dependency's defaults): %v", err)
	}
	var names []string
	for _, n := range Compile(pb.Plays[0]).Nodes {
		if n.Kind == KindTask {
			names = append(names, n.Task.Name)
		}
	}
	if got := strings.Join(names, " "); got != "base common again again app" {
		t.Errorf("tasks %s, want base common again again app (base once: common's dependency on it is the same role)", got)
	}
	write("roles/app/meta/main.yml", "dependencies: [nope]\nplatforms: []\n")
	_, err = Load(filepath.Join(dir, "pb.yml"), LoadOptions{})
	for _, want := range []string{"roles/app/meta/main.yml:1:16: role 'nope' not found", "roles/app/meta/main.yml:2:1: unknown key 'platforms' in a role's meta/main.yml"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in %v", want, err)
		}
	}
}
