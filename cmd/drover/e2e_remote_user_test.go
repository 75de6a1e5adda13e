package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drover-sh/drover/internal/sshdtest"
)

// A play's remote_user is the login user of the hosts whose inventory sets
// no ansible_user; a host's ansible_user wins over it, as in Ansible. Each
// host records, in its own files, who logged in.
func TestE2EPlayRemoteUser(t *testing.T) {
	f := sshdtest.StartT(t, 2, sshdtest.Options{SudoPassword: "unused-" + t.Name()})
	var b strings.Builder
	fmt.Fprintf(&b, "all:\n  vars:\n    ansible_ssh_common_args: \"-o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes\"\n    ansible_ssh_private_key_file: %s\n  hosts:\n", f.KnownHostsPath(), f.KeyPath())
	for i, h := range f.Hosts() {
		fmt.Fprintf(&b, "    %s:\n      ansible_host: %s\n      ansible_port: %d\n", h.Name, h.Addr, h.Port)
		if i == 1 {
			b.WriteString("      ansible_user: root\n")
		}
	}
	inv := filepath.Join(t.TempDir(), "inventory.yml")
	writeFile(t, inv, b.String())
	play := filepath.Join(t.TempDir(), "play.yml")
	writeFile(t, play, `
- hosts: all
  remote_user: `+sshdtest.SudoUser+`
  gather_facts: false
  tasks:
    - name: who logged in
      shell: if [ "$(id -u)" = 0 ]; then id -un > /var/lib/drover-host/login-user; else id -un > "$HOME/login-user"; fi
`)
	state := t.TempDir()
	out, code := runBecome(t, f, inv, play, state, filepath.Join(state, "events.jsonl"))
	if code != 0 {
		t.Fatalf("drover run exited %d:\n%s", code, out)
	}
	h1, h2 := f.Names()[0], f.Names()[1]
	if got, err := os.ReadFile(filepath.Join(f.UserHome(h1), "login-user")); err != nil || strings.TrimSpace(string(got)) != sshdtest.SudoUser {
		t.Errorf("%s (no ansible_user): login user %q (%v), want the play's remote_user %s", h1, got, err, sshdtest.SudoUser)
	}
	if _, err := os.Stat(filepath.Join(f.HostDir(h1), "login-user")); err == nil {
		t.Errorf("%s logged in as root", h1)
	}
	if got, err := os.ReadFile(filepath.Join(f.HostDir(h2), "login-user")); err != nil || strings.TrimSpace(string(got)) != "root" {
		t.Errorf("%s (ansible_user root): login user %q (%v), want root", h2, got, err)
	}
}

// Connection variables as Ansible reads them: templates in the inventory
// rendered (ansible_host, ansible_port from other variables), and the
// play's vars over the inventory's (ansible_user).
func TestE2EConnectionVarsFromPlayAndTemplates(t *testing.T) {
	f := sshdtest.StartT(t, 2, sshdtest.Options{SudoPassword: "unused-" + t.Name()})
	var b strings.Builder
	fmt.Fprintf(&b, "all:\n  vars:\n    ansible_ssh_common_args: \"-o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes\"\n    ansible_ssh_private_key_file: %s\n    ansible_user: root\n    ansible_port: \"{{ ssh_port }}\"\n  hosts:\n", f.KnownHostsPath(), f.KeyPath())
	for i, h := range f.Hosts() {
		// The second host uses the old name of ansible_host.
		hostVar := map[bool]string{true: "ansible_host", false: "ansible_ssh_host"}[i == 0]
		fmt.Fprintf(&b, "    %s:\n      lo_addr: %s\n      ssh_port: %d\n      %s: \"{{ lo_addr }}\"\n", h.Name, h.Addr, h.Port, hostVar)
	}
	inv := filepath.Join(t.TempDir(), "inventory.yml")
	writeFile(t, inv, b.String())
	play := filepath.Join(t.TempDir(), "play.yml")
	writeFile(t, play, `
- hosts: all
  gather_facts: false
  vars:
    ansible_user: `+sshdtest.SudoUser+`
  tasks:
    - name: who and where
      shell: echo "$(id -un) {{ inventory_hostname }}" > "$HOME/login-user"
`)
	state := t.TempDir()
	out, code := runBecome(t, f, inv, play, state, filepath.Join(state, "events.jsonl"))
	if code != 0 {
		t.Fatalf("drover run exited %d:\n%s", code, out)
	}
	for _, h := range f.Names() {
		want := sshdtest.SudoUser + " " + h
		if got, err := os.ReadFile(filepath.Join(f.UserHome(h), "login-user")); err != nil || strings.TrimSpace(string(got)) != want {
			t.Errorf("%s: %q (%v), want %q (the play's ansible_user, on the host the templates name)", h, got, err, want)
		}
	}
}

// ansible_become in the inventory wins over the play's become, both ways,
// and reads Ansible's booleans (an INI inventory gives the string "yes").
func TestE2EBecomeVariableWinsOverKeyword(t *testing.T) {
	pw := "pw-" + t.Name()
	f := sshdtest.StartT(t, 2, sshdtest.Options{SudoPassword: pw})
	var b strings.Builder
	fmt.Fprintf(&b, "all:\n  vars:\n    ansible_ssh_common_args: \"-o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes\"\n    ansible_ssh_private_key_file: %s\n    ansible_user: %s\n    ansible_become_password: %q\n  hosts:\n", f.KnownHostsPath(), f.KeyPath(), sshdtest.SudoUser, pw)
	for i, h := range f.Hosts() {
		fmt.Fprintf(&b, "    %s:\n      ansible_host: %s\n      ansible_port: %d\n", h.Name, h.Addr, h.Port)
		if i == 0 {
			b.WriteString("      ansible_become: \"yes\"\n")
		} else {
			b.WriteString("      ansible_become: false\n")
		}
	}
	inv := filepath.Join(t.TempDir(), "inventory.yml")
	writeFile(t, inv, b.String())
	play := filepath.Join(t.TempDir(), "play.yml")
	writeFile(t, play, `
- hosts: all
  gather_facts: false
  tasks:
    - name: who runs it
      become: false
      shell: if [ "$(id -u)" = 0 ]; then id -un > /var/lib/drover-host/task-user; else id -un > "$HOME/task-user"; fi
- hosts: all
  gather_facts: false
  become: true
  tasks:
    - name: who runs it with the play's become
      shell: if [ "$(id -u)" = 0 ]; then id -un > /var/lib/drover-host/play-user; else id -un > "$HOME/play-user"; fi
`)
	state := t.TempDir()
	out, code := runBecome(t, f, inv, play, state, filepath.Join(state, "events.jsonl"))
	if code != 0 {
		t.Fatalf("drover run exited %d:\n%s", code, out)
	}
	h1, h2 := f.Names()[0], f.Names()[1]
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			return "(" + err.Error() + ")"
		}
		return strings.TrimSpace(string(b))
	}
	for _, c := range []struct{ host, file, dir, want string }{
		{h1, "task-user", f.HostDir(h1), "root"},
		{h1, "play-user", f.HostDir(h1), "root"},
		{h2, "task-user", f.UserHome(h2), sshdtest.SudoUser},
		{h2, "play-user", f.UserHome(h2), sshdtest.SudoUser},
	} {
		if got := read(filepath.Join(c.dir, c.file)); got != c.want {
			t.Errorf("%s %s: ran as %q, want %q", c.host, c.file, got, c.want)
		}
	}
}

// ansible.cfg's [privilege_escalation] become = True makes every task
// become root, as in Ansible, unless the play says otherwise.
func TestE2EAnsibleCfgBecome(t *testing.T) {
	pw := "pw-" + t.Name()
	f := sshdtest.StartT(t, 1, sshdtest.Options{SudoPassword: pw})
	inv := becomeInventory(t, f, pw)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "ansible.cfg"), "[privilege_escalation]\nbecome = True\nbecome_method = sudo\n")
	play := filepath.Join(dir, "play.yml")
	writeFile(t, play, `
- hosts: all
  gather_facts: false
  tasks:
    - name: as whom
      shell: if [ "$(id -u)" = 0 ]; then id -un > /var/lib/drover-host/cfg-become; else id -un > "$HOME/cfg-become"; fi
- hosts: all
  gather_facts: false
  become: false
  tasks:
    - name: not become
      shell: if [ "$(id -u)" = 0 ]; then id -un > /var/lib/drover-host/cfg-no-become; else id -un > "$HOME/cfg-no-become"; fi
`)
	t.Setenv("ANSIBLE_CONFIG", "")
	state := t.TempDir()
	out, code := runBecome(t, f, inv, play, state, filepath.Join(state, "events.jsonl"))
	if code != 0 {
		t.Fatalf("drover run exited %d:\n%s", code, out)
	}
	h := f.Names()[0]
	if b, err := os.ReadFile(filepath.Join(f.HostDir(h), "cfg-become")); err != nil || strings.TrimSpace(string(b)) != "root" {
		t.Errorf("with ansible.cfg become = True the task ran as %q (%v), want root", b, err)
	}
	if b, err := os.ReadFile(filepath.Join(f.UserHome(h), "cfg-no-become")); err != nil || strings.TrimSpace(string(b)) != sshdtest.SudoUser {
		t.Errorf("with become: false on the play the task ran as %q (%v), want %s", b, err, sshdtest.SudoUser)
	}
}
