package playbooks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// adaptive_serial: start and max as serial entries, grow a factor above
// 1, defaults start 1 and grow 2; bad values, unknown keys, a missing max
// and serial beside it are errors at their positions.
func TestAdaptiveSerialParsed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pb.yml")
	load := func(text string) (*Playbook, error) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return Load(path, LoadOptions{})
	}
	pb, err := load("- hosts: all\n  adaptive_serial: {max: \"25%\"}\n  tasks: [{command: \"true\"}]\n")
	if err != nil {
		t.Fatal(err)
	}
	a := pb.Plays[0].AdaptiveSerial
	if a == nil || a.Start != (Serial{Count: 1}) || a.Max != (Serial{Percent: 25}) || a.Grow != 2 {
		t.Fatalf("defaults: %+v", a)
	}
	pb, err = load("- hosts: all\n  adaptive_serial:\n    start: 2\n    max: 10\n    grow: 1.5\n  tasks: [{command: \"true\"}]\n")
	if err != nil {
		t.Fatal(err)
	}
	if a := pb.Plays[0].AdaptiveSerial; a.Start != (Serial{Count: 2}) || a.Max != (Serial{Count: 10}) || a.Grow != 1.5 {
		t.Errorf("parsed %+v", a)
	}
	for text, want := range map[string]string{
		"- hosts: all\n  adaptive_serial: {start: 2}\n  tasks: []\n":                     ":2:20: adaptive_serial needs max:",
		"- hosts: all\n  adaptive_serial: {max: 0}\n  tasks: []\n":                       `:2:26: invalid adaptive_serial.max "0"`,
		"- hosts: all\n  adaptive_serial: {max: 5, grow: 1}\n  tasks: []\n":              `:2:35: invalid adaptive_serial.grow "1": use a factor above 1`,
		"- hosts: all\n  adaptive_serial: {max: 5, grw: 3}\n  tasks: []\n":               ":2:29: unknown adaptive_serial key 'grw', did you mean 'grow'?",
		"- hosts: all\n  adaptive_serial: {max: 5, start: 6}\n  tasks: []\n":             ":2:36: adaptive_serial.start is larger than max",
		"- hosts: all\n  serial: 2\n  adaptive_serial: {max: 5}\n  tasks: []\n":          ":3:20: a play has serial or adaptive_serial, not both",
		"- hosts: all\n  adaptive_serial: 5\n  tasks: []\n":                              ":2:20: adaptive_serial",
		"- hosts: all\n  adaptiv_serial: {max: 5}\n  tasks: []\n":                        "did you mean 'adaptive_serial'?",
		"- hosts: all\n  adaptive_serial: {max: \"{{ n }}\"}\n  tasks: []\n":             `invalid adaptive_serial.max "{{ n }}"`,
		"- hosts: all\n  adaptive_serial: {max: \"20%\", start: \"30%\"}\n  tasks: []\n": "adaptive_serial.start is larger than max",
	} {
		_, err := load(text)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", text, err, want)
		}
	}
}
