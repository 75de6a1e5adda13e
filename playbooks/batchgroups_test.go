package playbooks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// batch_groups: names the inventory's groups (with a suggestion), each
// once, no templates.
func TestBatchGroupsChecked(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pb.yml")
	text := `- hosts: all
  batch_groups: [canary, dbs, "{{ x }}", canary]
  tasks:
    - command: "true"
`
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path, LoadOptions{})
	if err == nil {
		t.Fatal("loaded")
	}
	for _, want := range []string{":2:31: batch_groups: '{{ x }}' is a template", ":2:42: batch_groups: 'canary' is listed twice"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%v\nwant %q", err, want)
		}
	}
	if err := os.WriteFile(path, []byte(strings.Replace(text, `, "{{ x }}", canary]`, "]", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	pb, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(pb.Plays[0].BatchGroups, ","); got != "canary,dbs" {
		t.Errorf("BatchGroups %q", got)
	}
	err = Validate(pb, ValidateOptions{AllowUnknownVars: true, Groups: []string{"all", "canary", "db", "web"}})
	if err == nil || !strings.Contains(err.Error(), ":2:17: batch_groups: no inventory group 'dbs', did you mean 'db'?") {
		t.Errorf("validate: %v", err)
	}
}
