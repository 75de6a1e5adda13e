package runner

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The play's gather_subset selects the collectors as the setup module's
// does (network: interfaces, no mounts), and setup's filter and fact_path
// are accepted (a filtered setup adds only the matching facts; local
// facts, in the minimal set, are {} without a facts.d).
func TestPlayGatherSubsetAndSetupFilter(t *testing.T) {
	f := testFleet(t, 1, 1, 100*time.Millisecond, nil)
	h := f.Hosts()[0]
	res, _ := runFiles(t, f, map[string]string{
		"playbook.yml": `
- hosts: all
  gather_facts: true
  gather_subset: [network]
  tasks:
    - shell: echo "{{ ansible_mounts is defined }} {{ ansible_interfaces is defined }} {{ ansible_distribution is defined }}" >> facts.log
    - setup:
        filter: ['ansible_mounts', 'ansible_fips']
        fact_path: /nonexistent/facts.d
    - shell: echo "{{ ansible_mounts is defined }} {{ ansible_fips is defined }} {{ ansible_local }}" >> facts.log
`,
	}, nil)
	if st := res.Hosts[0].Status; st != StatusChanged {
		t.Fatalf("%s: %s", st, res.Hosts[0].Msg)
	}
	// network with the minimal set (distribution, ...), without mounts;
	// then the filtered setup adds mounts.
	if got, want := hostFile(f, h, "facts.log"), "False True True\nTrue True {}\n"; got != want {
		t.Errorf("facts.log %q, want %q", got, want)
	}
}

// The play's fact_path is where its gathering reads local facts.
func TestPlayFactPath(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "rack.fact"), []byte(`{"row": "b7"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	f := testFleet(t, 1, 1, 100*time.Millisecond, nil)
	res, _ := runFiles(t, f, map[string]string{
		"playbook.yml": `
- hosts: all
  gather_facts: true
  fact_path: ` + dir + `
  tasks:
    - shell: echo "{{ ansible_local.rack.row }}" > row
`,
	}, nil)
	if st := res.Hosts[0].Status; st != StatusChanged {
		t.Fatalf("%s: %s", st, res.Hosts[0].Msg)
	}
	if got := hostFile(f, f.Hosts()[0], "row"); got != "b7\n" {
		t.Errorf("row %q", got)
	}
}
