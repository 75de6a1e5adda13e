package runner

import "testing"

// Facts a module returns are stored as Ansible's namespace_facts and
// clean_facts store them: ansible_facts without the ansible_ prefix,
// variables named as returned, connection variables dropped.
func TestAddModuleFacts(t *testing.T) {
	pr := &playRun{facts: NewHostFacts()}
	hr := &hostRun{pr: pr, host: &Host{Name: "h"}}
	hr.addModuleFacts("h", map[string]any{"ansible_hostname": "web01", "getent_passwd": "pw",
		"packages": 1, "ansible_host": "10.0.0.9", "ansible_ssh_user": "evil", "ansible_python_interpreter": "/x",
		"ansible_become_password": "x", "ansible_ssh_host_key_ed25519_public": "AAAA"})
	got := pr.facts.of("h")
	af := got["ansible_facts"].(map[string]any)
	for k, want := range map[string]any{"hostname": "web01", "packages": 1, "getent_passwd": "pw", "ssh_host_key_ed25519_public": "AAAA"} {
		if af[k] != want {
			t.Errorf("ansible_facts.%s = %v, want %v", k, af[k], want)
		}
	}
	for k, want := range map[string]any{"ansible_hostname": "web01", "getent_passwd": "pw", "packages": 1} {
		if got[k] != want {
			t.Errorf("variable %s = %v, want %v", k, got[k], want)
		}
	}
	for _, k := range []string{"ansible_host", "ansible_ssh_user", "ansible_python_interpreter", "ansible_become_password",
		"ansible_packages", "ansible_ansible_hostname"} {
		if _, ok := got[k]; ok {
			t.Errorf("variable %s set", k)
		}
	}
	for _, k := range []string{"host", "ssh_user", "python_interpreter", "become_password"} {
		if _, ok := af[k]; ok {
			t.Errorf("ansible_facts.%s set", k)
		}
	}
}
