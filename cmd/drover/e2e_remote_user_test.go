package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drover-sh/drover/internal/sshdtest"
	"github.com/drover-sh/drover/internal/vault"
)

// userInventory writes an inventory of the fleet (host keys checked, the
// fleet's key) with allVars added to all's vars (lines indented 4) and
// hostVars(i, host) added to each host (lines indented 6).
func userInventory(t *testing.T, f *sshdtest.Fleet, allVars string, hostVars func(i int, h sshdtest.HostInfo) string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "all:\n  vars:\n    ansible_ssh_common_args: \"-o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes\"\n    ansible_ssh_private_key_file: %s\n%s  hosts:\n", f.KnownHostsPath(), f.KeyPath(), allVars)
	for i, h := range f.Hosts() {
		fmt.Fprintf(&b, "    %s:\n", h.Name)
		if hostVars != nil {
			b.WriteString(hostVars(i, h))
		}
	}
	inv := filepath.Join(t.TempDir(), "inventory.yml")
	writeFile(t, inv, b.String())
	return inv
}

// addrVars are a host's address and port as inventory host variables.
func addrVars(h sshdtest.HostInfo) string {
	return fmt.Sprintf("      ansible_host: %s\n      ansible_port: %d\n", h.Addr, h.Port)
}

// recordUser is a shell command writing the user it runs as to file: in
// the host's private directory as root, else in the user's home.
func recordUser(file string) string {
	return `if [ "$(id -u)" = 0 ]; then id -un > /var/lib/drover-host/` + file + `; else id -un > "$HOME/` + file + `"; fi`
}

// runPlayOK writes play (into dir, or a new directory when "") and runs it
// with drover against inv; the run must exit 0.
func runPlayOK(t *testing.T, f *sshdtest.Fleet, inv, dir, play string) {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	p := filepath.Join(dir, "play.yml")
	writeFile(t, p, play)
	state := t.TempDir()
	if out, code := runBecome(t, f, inv, p, state, filepath.Join(state, "events.jsonl")); code != 0 {
		t.Fatalf("drover run exited %d:\n%s", code, out)
	}
}

// recordedUser reads what recordUser wrote on host: as root (in the
// host's private directory) or as the sudo user (in its home).
func recordedUser(f *sshdtest.Fleet, host, file string) string {
	for _, dir := range []string{f.HostDir(host), f.UserHome(host)} {
		if b, err := os.ReadFile(filepath.Join(dir, file)); err == nil {
			return strings.TrimSpace(string(b))
		}
	}
	return "(nothing recorded)"
}

// A play's remote_user is the login user of the hosts whose inventory sets
// no ansible_user; a host's ansible_user wins over it, as in Ansible. Each
// host records, in its own files, who logged in.
func TestE2EPlayRemoteUser(t *testing.T) {
	f := sshdtest.StartT(t, 2, sshdtest.Options{SudoPassword: "unused-" + t.Name()})
	inv := userInventory(t, f, "", func(i int, h sshdtest.HostInfo) string {
		if i == 1 {
			return addrVars(h) + "      ansible_user: root\n"
		}
		return addrVars(h)
	})
	runPlayOK(t, f, inv, "", `
- hosts: all
  remote_user: `+sshdtest.SudoUser+`
  gather_facts: false
  tasks:
    - name: who logged in
      shell: `+recordUser("login-user")+`
`)
	h1, h2 := f.Names()[0], f.Names()[1]
	if got := recordedUser(f, h1, "login-user"); got != sshdtest.SudoUser {
		t.Errorf("%s (no ansible_user): login user %q, want the play's remote_user %s", h1, got, sshdtest.SudoUser)
	}
	if got := recordedUser(f, h2, "login-user"); got != "root" {
		t.Errorf("%s (ansible_user root): login user %q, want root", h2, got)
	}
}

// Connection variables as Ansible reads them: templates in the inventory
// rendered (ansible_host or its old name ansible_ssh_host, ansible_port,
// from other variables), and the play's vars over the inventory's
// (ansible_user).
func TestE2EConnectionVarsFromPlayAndTemplates(t *testing.T) {
	f := sshdtest.StartT(t, 2, sshdtest.Options{SudoPassword: "unused-" + t.Name()})
	inv := userInventory(t, f, "    ansible_user: root\n    ansible_port: \"{{ ssh_port }}\"\n", func(i int, h sshdtest.HostInfo) string {
		// The second host uses the old name of ansible_host.
		hostVar := map[bool]string{true: "ansible_host", false: "ansible_ssh_host"}[i == 0]
		return fmt.Sprintf("      lo_addr: %s\n      ssh_port: %d\n      %s: \"{{ lo_addr }}\"\n", h.Addr, h.Port, hostVar)
	})
	runPlayOK(t, f, inv, "", `
- hosts: all
  gather_facts: false
  vars:
    ansible_user: `+sshdtest.SudoUser+`
  tasks:
    - name: who and where
      shell: echo "$(id -un) {{ inventory_hostname }}" > "$HOME/login-user"
`)
	for _, h := range f.Names() {
		if got, want := recordedUser(f, h, "login-user"), sshdtest.SudoUser+" "+h; got != want {
			t.Errorf("%s: %q, want %q (the play's ansible_user, on the host the templates name)", h, got, want)
		}
	}
}

// ansible_become in the inventory wins over the play's and the task's
// become, both ways, and reads Ansible's booleans (an INI inventory gives
// the string "yes").
func TestE2EBecomeVariableWinsOverKeyword(t *testing.T) {
	pw := "pw-" + t.Name()
	f := sshdtest.StartT(t, 2, sshdtest.Options{SudoPassword: pw})
	inv := userInventory(t, f, fmt.Sprintf("    ansible_user: %s\n    ansible_become_password: %q\n", sshdtest.SudoUser, pw), func(i int, h sshdtest.HostInfo) string {
		return addrVars(h) + map[bool]string{true: "      ansible_become: \"yes\"\n", false: "      ansible_become: false\n"}[i == 0]
	})
	runPlayOK(t, f, inv, "", `
- hosts: all
  gather_facts: false
  tasks:
    - name: who runs it
      become: false
      shell: `+recordUser("task-user")+`
- hosts: all
  gather_facts: false
  become: true
  tasks:
    - name: who runs it with the play's become
      shell: `+recordUser("play-user")+`
`)
	h1, h2 := f.Names()[0], f.Names()[1]
	for _, c := range []struct{ host, file, want string }{
		{h1, "task-user", "root"},
		{h1, "play-user", "root"},
		{h2, "task-user", sshdtest.SudoUser},
		{h2, "play-user", sshdtest.SudoUser},
	} {
		if got := recordedUser(f, c.host, c.file); got != c.want {
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
	t.Setenv("ANSIBLE_CONFIG", "")
	runPlayOK(t, f, inv, dir, `
- hosts: all
  gather_facts: false
  tasks:
    - name: as whom
      shell: `+recordUser("cfg-become")+`
- hosts: all
  gather_facts: false
  become: false
  tasks:
    - name: not become
      shell: `+recordUser("cfg-no-become")+`
`)
	h := f.Names()[0]
	if got := recordedUser(f, h, "cfg-become"); got != "root" {
		t.Errorf("with ansible.cfg become = True the task ran as %q, want root", got)
	}
	if got := recordedUser(f, h, "cfg-no-become"); got != sshdtest.SudoUser {
		t.Errorf("with become: false on the play the task ran as %q, want %s", got, sshdtest.SudoUser)
	}
}

// A play's port is the SSH port of hosts whose inventory gives none.
func TestE2EPlayPort(t *testing.T) {
	f := sshdtest.StartT(t, 1, sshdtest.Options{SudoPassword: "unused-" + t.Name()})
	port := f.Hosts()[0].Port
	if port == 22 {
		t.Skip("the fleet listens on 22: a missing port would not show")
	}
	inv := userInventory(t, f, "    ansible_user: root\n", func(_ int, h sshdtest.HostInfo) string {
		return "      ansible_host: " + h.Addr + "\n"
	})
	runPlayOK(t, f, inv, "", fmt.Sprintf(`
- hosts: all
  port: %d
  gather_facts: false
  tasks:
    - name: reached
      shell: %s
`, port, recordUser("port-user")))
	if got := recordedUser(f, f.Names()[0], "port-user"); got != "root" {
		t.Errorf("over the play's port: %q, want root", got)
	}
}

// become and become_user may be templates, decided per host as Ansible
// does (they were refused, and a templated become_user reached sudo
// literally). Each host records who ran the task.
func TestE2ETemplatedBecome(t *testing.T) {
	pw := "pw-" + t.Name()
	f := sshdtest.StartT(t, 2, sshdtest.Options{SudoPassword: pw})
	inv := becomeInventory(t, f, pw)
	h1, h2 := f.Names()[0], f.Names()[1]
	runPlayOK(t, f, inv, "", `
- hosts: all
  gather_facts: false
  vars:
    needs_root: "{{ inventory_hostname == '`+h1+`' }}"
    run_as: "{{ 'root' if inventory_hostname == '`+h1+`' else '`+sshdtest.SudoUser+`' }}"
  tasks:
    - name: become when the host needs it
      become: "{{ needs_root }}"
      shell: `+recordUser("tmpl-become")+`
    - name: become the host's user
      become: true
      become_user: "{{ run_as }}"
      shell: `+recordUser("tmpl-user")+`
`)
	for _, c := range []struct{ host, file, want string }{
		{h1, "tmpl-become", "root"},
		{h2, "tmpl-become", sshdtest.SudoUser},
		{h1, "tmpl-user", "root"},
		{h2, "tmpl-user", sshdtest.SudoUser},
	} {
		if got := recordedUser(f, c.host, c.file); got != c.want {
			t.Errorf("%s %s: ran as %q, want %q", c.host, c.file, got, c.want)
		}
	}
}

// A become password kept as a !vault value in the inventory (as teams keep
// it in group_vars) is decrypted with --vault-password-file and reaches
// sudo; it is never printed or journaled. Without the password file the
// ciphertext would reach sudo and the task fail.
func TestE2EVaultedBecomePasswordInInventory(t *testing.T) {
	pw := "pw-" + t.Name()
	f := sshdtest.StartT(t, 1, sshdtest.Options{SudoPassword: pw})
	vaultPass := "vault-" + t.Name()
	enc, err := vault.Encrypt([]byte(pw), []byte(vaultPass), bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	block := "      ansible_become_password: !vault |\n          " + strings.ReplaceAll(strings.TrimSpace(string(enc)), "\n", "\n          ") + "\n"
	inv := userInventory(t, f, "    ansible_user: "+sshdtest.SudoUser+"\n", func(_ int, h sshdtest.HostInfo) string {
		return addrVars(h) + block
	})
	dir := t.TempDir()
	passFile := filepath.Join(dir, "vault-pass")
	writeFile(t, passFile, vaultPass+"\n")
	p := filepath.Join(dir, "play.yml")
	writeFile(t, p, `
- hosts: all
  gather_facts: false
  become: true
  tasks:
    - name: as whom
      shell: `+recordUser("vaulted-become")+`
`)
	state := t.TempDir()
	run := func(extra ...string) ([]byte, error) {
		cmd := exec.Command(droverBin, append([]string{"run", p, "-vv", "-i", inv, "--known-hosts", f.KnownHostsPath(),
			"--state-dir", state, "--events", filepath.Join(state, "events.jsonl")}, extra...)...)
		cmd.Env = append(os.Environ(), "NO_COLOR=1", "HOME="+filepath.Dir(state))
		return cmd.CombinedOutput()
	}
	// Without the vault password: a clear failure, not the ciphertext
	// handed to sudo.
	if out, err := run(); err == nil || !strings.Contains(string(out), "the become password is encrypted with ansible-vault (!vault): give --vault-password-file") {
		t.Fatalf("drover run without --vault-password-file: %v\n%s", err, out)
	}
	out, err := run("--vault-password-file", passFile)
	if err != nil {
		t.Fatalf("drover run: %v\n%s", err, out)
	}
	if got := recordedUser(f, f.Names()[0], "vaulted-become"); got != "root" {
		t.Errorf("ran as %q, want root (sudo with the vaulted password)", got)
	}
	assertNoSecret(t, pw, string(out), state)
}

// A play's remote_user may be a template, rendered per host like any
// templated connection variable (it was refused).
func TestE2ETemplatedRemoteUser(t *testing.T) {
	f := sshdtest.StartT(t, 2, sshdtest.Options{SudoPassword: "unused-" + t.Name()})
	inv := userInventory(t, f, "", func(i int, h sshdtest.HostInfo) string {
		return addrVars(h) + map[bool]string{true: "      login: root\n", false: "      login: " + sshdtest.SudoUser + "\n"}[i == 0]
	})
	runPlayOK(t, f, inv, "", `
- hosts: all
  remote_user: "{{ login }}"
  gather_facts: false
  tasks:
    - name: who logged in
      shell: `+recordUser("tmpl-login")+`
`)
	h1, h2 := f.Names()[0], f.Names()[1]
	if got := recordedUser(f, h1, "tmpl-login"); got != "root" {
		t.Errorf("%s: login user %q, want root", h1, got)
	}
	if got := recordedUser(f, h2, "tmpl-login"); got != sshdtest.SudoUser {
		t.Errorf("%s: login user %q, want %s", h2, got, sshdtest.SudoUser)
	}
}
