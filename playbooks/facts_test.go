package playbooks

import (
	"strings"
	"testing"
)

// A playbook reading a fact drover does not gather (as ansible_NAME or
// ansible_facts.NAME / ['NAME']) is refused before any host is
// contacted, unless guarded or defined by the playbook; gathered facts
// pass.
func TestNotGatheredFacts(t *testing.T) {
	p := writePlaybook(t, `- hosts: all
  tasks:
    - debug: msg="{{ ansible_devices }}"
    - debug: msg="{{ ansible_facts['lvm'].vgs }}"
    - command: echo {{ ansible_facts.python.version.major }}
      when: ansible_facts.hostnqn != ""
    - debug: msg="{{ ansible_facts.mounts }} {{ ansible_interfaces }} {{ ansible_facts['distribution'] }}"
    - debug: msg="{{ ansible_facts.iscsi_iqn | default('none') }}"
      when: ansible_python_version is defined
    - set_fact: {ansible_fibre_channel_wwn: []}
    - debug: msg="{{ ansible_fibre_channel_wwn }}"
`)
	text := checkErrors(t, p, ValidateOptions{},
		"site.yml:3:14: msg reads ansible_devices, a fact drover does not gather",
		"site.yml:4:14: msg reads ansible_facts.lvm, a fact drover does not gather",
		"site.yml:5:16: the free form reads ansible_facts.python, a fact drover does not gather",
		"site.yml:6:13: when reads ansible_facts.hostnqn, a fact drover does not gather",
	)
	for _, ok := range []string{"mounts", "interfaces", "distribution", "iscsi_iqn", "python_version", "fibre_channel_wwn"} {
		if strings.Contains(text, ok+", a fact") {
			t.Errorf("%s reported:\n%s", ok, text)
		}
	}
	if n := strings.Count(text, "a fact drover does not gather"); n != 4 {
		t.Errorf("%d fact errors, want 4:\n%s", n, text)
	}
}

// The variables modules set through their facts count as defined.
func TestModuleFactVars(t *testing.T) {
	p := writePlaybook(t, `- hosts: all
  tasks:
    - package_facts:
    - ansible.builtin.service_facts:
    - getent: {database: passwd}
    - debug: msg="{{ packages['dpkg'] }} {{ services | length }} {{ getent_passwd.root }}"
    - debug: msg="{{ getent_group }}"
`)
	text := checkErrors(t, p, ValidateOptions{}, "undefined variable 'getent_group'")
	for _, n := range []string{"'packages'", "'services'", "'getent_passwd'"} {
		if strings.Contains(text, n) {
			t.Errorf("%s reported undefined:\n%s", n, text)
		}
	}
}
