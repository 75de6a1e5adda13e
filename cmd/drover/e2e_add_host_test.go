package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/internal/sshdtest"
)

// add_host on real sshd hosts: the inventory names two hosts; play 1 adds
// two more (address, port and key as host variables, as a cloud API's
// answer would give them) to a group; play 2 rolls that group. Exactly the
// added hosts rebooted, per their own records.
func TestE2EAddHost(t *testing.T) {
	f := sshdtest.StartT(t, 4, sshdtest.Options{RebootDelay: 300 * time.Millisecond})
	n := f.Names()
	dir := t.TempDir()
	inv := filepath.Join(dir, "inventory.yml")
	var b strings.Builder
	b.WriteString("all:\n  vars:\n    ansible_user: root\n    ansible_ssh_private_key_file: " + f.KeyPath() + "\n  hosts:\n")
	for _, h := range n[:2] {
		fmt.Fprintf(&b, "    %s: {ansible_host: %s, ansible_port: %d}\n", h, f.Addr(h), f.Port())
	}
	writeFile(t, inv, b.String())
	var found strings.Builder
	for _, h := range n[2:] {
		fmt.Fprintf(&found, "      - {name: %s, addr: %s}\n", h, f.Addr(h))
	}
	play := filepath.Join(dir, "playbook.yml")
	writeFile(t, play, `
- hosts: `+n[0]+`
  gather_facts: false
  vars:
    found:
`+found.String()+`  tasks:
    - name: add the hosts the API reported
      add_host:
        name: "{{ item.name }}"
        groups: [from_api]
        ansible_host: "{{ item.addr }}"
        ansible_port: `+fmt.Sprint(f.Port())+`
        ansible_user: root
        ansible_ssh_private_key_file: `+f.KeyPath()+`
      loop: "{{ found }}"

- hosts: from_api
  serial: 1
  gather_facts: false
  tasks:
    - reboot:
        reboot_timeout: 30
    - assert:
        that: ["'from_api' in group_names"]
`)
	out, err := droverCmd(f, filepath.Join(dir, "state"), "run", play, "-i", inv).CombinedOutput()
	if err != nil {
		t.Fatalf("drover run: %v\n%s", err, out)
	}
	var rebooted []string
	for _, w := range windows(t, f) {
		rebooted = append(rebooted, w.host)
	}
	slices.Sort(rebooted)
	if !slices.Equal(rebooted, n[2:]) {
		t.Errorf("rebooted %v (hosts' records), want %v\n%s", rebooted, n[2:], out)
	}
}
