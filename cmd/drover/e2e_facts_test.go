package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drover-sh/drover/internal/sshdtest"
)

// package_facts reads each host's own dpkg database: a play installs the
// test package, gathers package facts and writes what the facts say about
// it and about a package every Debian host has to a file on the host; the
// test compares with the host's dpkg status file.
func TestE2EPackageFacts(t *testing.T) {
	f, repo := aptFleet(t, 2)
	repo.publish(t, "1.3")
	runPackagePlay(t, f, `
- hosts: all
  gather_facts: false
  tasks:
    - apt: {name: `+e2ePkg+`, update_cache: yes}
    - package_facts:
    - name: record what the facts say
      copy:
        dest: `+sshdtest.PrivatePath+`/facts.txt
        content: |
          {{ ansible_facts.packages['`+e2ePkg+`'][0].version }} {{ ansible_facts.packages['`+e2ePkg+`'][0].source }}
          {{ ansible_facts.packages['dpkg'][0].version }} {{ ansible_packages['dpkg'] | length }}
          {{ 'drover-e2e-absent' in ansible_facts.packages }}
`).expect(t, f, "package_facts", 0, "record what the facts say", "changed")
	for _, h := range f.Names() {
		status := filepath.Join(f.DpkgDir(h), "status")
		_, dpkgV := dpkgStatus(t, status, "dpkg")
		b, err := os.ReadFile(filepath.Join(f.HostDir(h), "facts.txt"))
		if err != nil {
			t.Fatal(err)
		}
		want := "1.3 apt\n" + dpkgV + " 1\nFalse\n"
		if dpkgV == "" || string(b) != want {
			t.Errorf("%s: facts.txt = %q, want %q (from the host's dpkg status)", h, b, want)
		}
		if strings.Contains(string(b), "{{") {
			t.Errorf("%s: unrendered: %q", h, b)
		}
	}
}
