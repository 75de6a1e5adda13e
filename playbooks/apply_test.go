package playbooks

import (
	"path/filepath"
	"testing"
)

// apply is include_tasks' and include_role's only (Ansible: "Invalid
// options for import_tasks: apply"), takes block keywords, and
// vars_from/defaults_from must name existing files.
func TestIncludeApplyErrors(t *testing.T) {
	p := writePlaybook(t, `- hosts: all
  tasks:
    - import_tasks:
        file: step.yml
        apply: {tags: [x]}
    - include_tasks:
        file: step.yml
        apply: {loop: [a], become: true}
    - include_role:
        name: r
        apply: [tags]
    - include_role:
        name: r
        vars_from: nope
`)
	dir := filepath.Dir(p)
	writeTestFile(t, dir, "step.yml", "- command: echo hi\n")
	writeTestFile(t, filepath.Join(dir, "roles", "r", "tasks"), "main.yml", "- command: echo hi\n")
	checkErrors(t, p, ValidateOptions{},
		"site.yml:5:9: Invalid options for import_tasks: apply (only include_tasks and include_role take it)",
		"site.yml:8:17: 'loop' is not supported in apply: it takes the keywords a block takes",
		"site.yml:11:16: apply must be a mapping of task keywords, got a list",
		"site.yml:13:15: role 'r' has no vars file vars/nope.yml (vars_from)",
	)
}
