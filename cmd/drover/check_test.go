package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// drover check warns (exit 0) about a play running free that reads another
// host's registered result: text with the snippet on stderr, a GitHub
// warning annotation with --format github; strategy: linear silences it.
func TestCheckWarnsFreeRaces(t *testing.T) {
	dir := t.TempDir()
	pb := filepath.Join(dir, "pb.yml")
	play := `- hosts: all
  gather_facts: false
  tasks:
    - command: cat /etc/node-id
      register: node
    - name: members
      debug:
        msg: "{{ groups['all'] | map('extract', hostvars, 'node') | list }}"
`
	if err := os.WriteFile(pb, []byte(play), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if err := runCheck(context.Background(), checkOptions{Format: "text"}, []string{pb}, &out, &errb); err != nil {
		t.Fatalf("check: %v", err)
	}
	if want := pb + ":6:7: warning: members reads 'node' of other hosts through hostvars"; !strings.HasPrefix(errb.String(), want) || !strings.Contains(errb.String(), "        - name: members\n          ^") {
		t.Errorf("stderr:\n%s\nwant it to begin with %q and show the line", errb.String(), want)
	}
	if !strings.Contains(out.String(), ": ok") {
		t.Errorf("stdout: %q", out.String())
	}
	out.Reset()
	errb.Reset()
	if err := runCheck(context.Background(), checkOptions{Format: "github"}, []string{pb}, &out, &errb); err != nil {
		t.Fatalf("check: %v", err)
	}
	if !strings.HasPrefix(out.String(), "::warning file="+pb+",line=6,col=7::members reads 'node'") {
		t.Errorf("github: %q", out.String())
	}
	if err := os.WriteFile(pb, []byte(strings.Replace(play, "  gather_facts: false\n", "  gather_facts: false\n  strategy: linear\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errb.Reset()
	if err := runCheck(context.Background(), checkOptions{Format: "text"}, []string{pb}, &out, &errb); err != nil || errb.Len() != 0 {
		t.Errorf("linear: %v, stderr %q", err, errb.String())
	}
}
