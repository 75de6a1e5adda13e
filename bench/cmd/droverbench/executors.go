package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// target is what the executors need to reach a fleet.
type target struct {
	Inventory  string
	KnownHosts string
	Key        string
	Hosts      int
}

// ansibleConfig writes an ansible.cfg tuned as a competent user would
// (forks = host count, pipelining, ControlPersist, no fact gathering,
// strict host key checking against the fleet's known_hosts, no interpreter
// discovery) into dir and returns its path.
func ansibleConfig(dir string, t target) (string, error) {
	cfg := fmt.Sprintf(`# written by droverbench: Ansible tuned as a competent user would.
[defaults]
inventory = %[1]s
forks = %[2]d
gathering = explicit
host_key_checking = True
private_key_file = %[3]s
interpreter_python = /usr/bin/python3
retry_files_enabled = False
deprecation_warnings = False
local_tmp = %[5]s/tmp
timeout = 30

[ssh_connection]
pipelining = True
ssh_args = -C -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=%[4]s -o StrictHostKeyChecking=yes
control_path_dir = %[5]s/cp
`, t.Inventory, t.Hosts, t.Key, t.KnownHosts, dir)
	path := filepath.Join(dir, "ansible.cfg")
	if err := os.MkdirAll(filepath.Join(dir, "cp"), 0o700); err != nil {
		return "", err
	}
	return path, os.WriteFile(path, []byte(cfg), 0o644)
}

// ansibleCommand runs playbook with ansible-playbook.
func ansibleCommand(bin, cfg, playbook string, t target, dir, log string) command {
	return command{
		Argv: []string{bin, "-i", t.Inventory, playbook},
		Env:  []string{"ANSIBLE_CONFIG=" + cfg, "ANSIBLE_NOCOLOR=1", "ANSIBLE_FORCE_COLOR=0"},
		Dir:  dir,
		Log:  log,
	}
}

// droverCommand runs playbook with drover, with a fresh state directory;
// forks 0 leaves drover's default.
func droverCommand(bin, playbook string, t target, stateDir, dir, log string, forks int) command {
	argv := []string{bin, "run", playbook, "-i", t.Inventory, "--known-hosts", t.KnownHosts,
		"--state-dir", stateDir, "--yes", "--color", "never"}
	if forks > 0 {
		argv = append(argv, "--forks", fmt.Sprint(forks))
	}
	return command{
		Argv: argv,
		Env:  []string{"NO_COLOR=1"},
		Dir:  dir,
		Log:  log,
	}
}

// tail returns the last n lines of a log file, for error messages.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
