package playbooks

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeBigPlaybook writes a playbook of n tasks: half in the playbook, half
// in 50 included files.
func writeBigPlaybook(tb testing.TB, n int) string {
	dir := tb.TempDir()
	const files = 50
	per := n / 2 / files
	task := func(b *strings.Builder, i int) {
		fmt.Fprintf(b, "    - name: task %d\n      command: echo {{ inventory_hostname }} %d chdir=/tmp\n      register: r%d\n      when: r%d is not defined or r%d.rc == 0\n      changed_when: false\n", i, i, i, i, i)
	}
	var main strings.Builder
	main.WriteString("- hosts: all\n  serial: [1, \"10%\"]\n  vars:\n    x: 1\n  tasks:\n")
	i := 0
	for f := 0; f < files; f++ {
		var inc strings.Builder
		inc.WriteString("- block:\n  - name: dummy\n    command: \"true\"\n")
		inc.Reset()
		for j := 0; j < per; j++ {
			var tb strings.Builder
			task(&tb, i)
			inc.WriteString(strings.ReplaceAll(strings.TrimPrefix(tb.String(), "    "), "\n    ", "\n"))
			i++
		}
		name := fmt.Sprintf("inc%d.yml", f)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(inc.String()), 0o644); err != nil {
			tb.Fatal(err)
		}
		fmt.Fprintf(&main, "    - include_tasks: %s\n", name)
	}
	for ; i < n; i++ {
		task(&main, i)
	}
	path := filepath.Join(dir, "big.yml")
	if err := os.WriteFile(path, []byte(main.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// BenchmarkLoadValidate5000 loads and validates a 5,000-task playbook with
// includes (target: well under 200 ms per op).
func BenchmarkLoadValidate5000(b *testing.B) {
	path := writeBigPlaybook(b, 5000)
	pb, err := Load(path, LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	count := 0
	walkPlay(pb.Plays[0], func(*Task) { count++ })
	if count != 5000 {
		b.Fatalf("tasks = %d", count)
	}
	if err := Validate(pb, ValidateOptions{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		pb, err := Load(path, LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if err := Validate(pb, ValidateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
