package runner

import (
	"testing"
	"time"
)

// include_tasks' and include_role's apply gives its keywords to every
// included task (vars, when, environment here); include_role's
// vars_from and defaults_from load those files instead of main.yml.
func TestIncludeApplyAndRoleFiles(t *testing.T) {
	f := testFleet(t, 2, 1, 100*time.Millisecond, nil)
	hosts := f.Hosts()
	res, _ := runFiles(t, f, map[string]string{
		"playbook.yml": `
- hosts: all
  gather_facts: false
  tasks:
    - include_tasks:
        file: inc.yml
        apply:
          vars: {greeting: hello}
          when: inventory_hostname == "` + hosts[0] + `"
    - include_role:
        name: r
        vars_from: night
        defaults_from: extra
        apply:
          environment: {DROVER_APPLIED: yes-env}
`,
		"inc.yml": `
- shell: echo "{{ greeting }}" >> applied.log
- shell: echo second >> applied.log
`,
		"roles/r/tasks/main.yml": `
- shell: echo "$DROVER_APPLIED {{ from_vars }} {{ from_defaults }} {{ main_default | default('no-main') }}" >> role.log
`,
		"roles/r/vars/night.yml":     "from_vars: night-vars\n",
		"roles/r/defaults/extra.yml": "from_defaults: extra-defaults\n",
		"roles/r/defaults/main.yml":  "main_default: should-not-load\n",
	}, nil)
	for _, h := range res.Hosts {
		if h.Status != StatusChanged {
			t.Fatalf("%s: %s %s", h.Name, h.Status, h.Msg)
		}
	}
	if got := hostFile(f, hosts[0], "applied.log"); got != "hello\nsecond\n" {
		t.Errorf("%s: applied.log %q", hosts[0], got)
	}
	if got := hostFile(f, hosts[1], "applied.log"); got != "" {
		t.Errorf("%s: apply's when did not skip the included tasks: %q", hosts[1], got)
	}
	for _, h := range hosts {
		if got := hostFile(f, h, "role.log"); got != "yes-env night-vars extra-defaults no-main\n" {
			t.Errorf("%s: role.log %q", h, got)
		}
	}
}
