// Package playbooks parses drover's playbook language (a well-defined subset
// of Ansible's, plus reboot phases and rolling extensions) with every node's
// position, and compiles each play into a Program: a validated control-flow
// graph of tasks that the runner walks per host. No host is contacted here.
package playbooks
