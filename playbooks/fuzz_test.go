package playbooks

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad parses and validates arbitrary playbook text: no panics, and
// every error carries a position. Seeds are the testdata corpus (run by
// plain go test).
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/*.yml")
	more, _ := filepath.Glob("testdata/*/*/*.yml")
	for _, s := range append(seeds, more...) {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("- hosts: all\n  tasks:\n    - block: [{command: ls}]\n      rescue: *x\n"))
	f.Add([]byte("- &a {hosts: all, tasks: [{<<: *a}]}\n"))
	f.Add([]byte("- hosts: all\n  adaptive_serial: {start: 2, max: \"25%\", grow: 1.5}\n  tasks: [{command: ls}]\n"))
	dir := f.TempDir()
	path := filepath.Join(dir, "fuzz.yml")
	// An include target so include_tasks paths are exercised.
	if err := os.WriteFile(filepath.Join(dir, "inc.yml"), []byte("- command: uptime\n  register: r\n"), 0o644); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		pb, err := Load(path, LoadOptions{})
		if list, ok := err.(*ErrorList); ok {
			for _, e := range list.Errors {
				if e.Pos.File == "" || e.Msg == "" {
					t.Fatalf("error without position or message: %#v", e)
				}
			}
		}
		if pb != nil {
			_ = Validate(pb, ValidateOptions{})
			for _, w := range FreeRaces(pb, "") {
				if w.Pos.File == "" || w.Msg == "" {
					t.Fatalf("warning without position or message: %#v", w)
				}
			}
		}
	})
}
