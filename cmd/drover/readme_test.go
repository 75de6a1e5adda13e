package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The playbooks users read first must be valid: README's and the
// examples'.
func TestDocumentedPlaybooksCheck(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "```yaml\n")
	if i < 0 {
		t.Fatal("README has no yaml block")
	}
	s = s[i+len("```yaml\n"):]
	readme := filepath.Join(t.TempDir(), "readme.yml")
	if err := os.WriteFile(readme, []byte(s[:strings.Index(s, "```")]), 0o644); err != nil {
		t.Fatal(err)
	}
	for pb, inv := range map[string]string{
		readme:                                   "../../examples/xen-reboot/inventory.yml",
		"../../examples/xen-reboot/playbook.yml": "../../examples/xen-reboot/inventory.yml",
		"../../examples/patch-reboot/playbook.yml": "../../examples/patch-reboot/inventory.yml",
	} {
		var out, errb bytes.Buffer
		if err := runCheck(context.Background(), checkOptions{Inventory: []string{inv}, Format: "text"}, []string{pb}, &out, &errb); err != nil || errb.Len() > 0 {
			t.Errorf("%s: %v\n%s%s", pb, err, out.String(), errb.String())
		}
	}
}
