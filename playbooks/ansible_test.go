package playbooks

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// ansibleComparable lists the playbooks whose validity ansible-playbook
// --syntax-check can judge (pure Ansible, real module names), with the
// expected verdict.
var ansibleComparable = map[string]bool{
	"testdata/valid/rolling/site.yml":       true,
	"testdata/valid/lookups/site.yml":       true,
	"testdata/errors/yaml_syntax.yml":       false,
	"testdata/errors/unknown_key_play.yml":  false,
	"testdata/errors/unknown_key_block.yml": false,
	"testdata/errors/missing_include.yml":   false,
}

// TestAgreesWithAnsibleSyntaxCheck runs ansible-playbook --syntax-check and
// drover's Load+Validate on the same playbooks and requires the same
// verdict. (Include cycles are not comparable: ansible-playbook only finds
// them at run time.)
func TestAgreesWithAnsibleSyntaxCheck(t *testing.T) {
	bin, err := exec.LookPath("ansible-playbook")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ansible-playbook not installed (scripts/test-deps.sh installs ansible-core)")
		}
		t.Skip("ansible-playbook not installed")
	}
	for path, valid := range ansibleComparable {
		t.Run(strings.ReplaceAll(path, "/", "_"), func(t *testing.T) {
			t.Parallel()
			abs, _ := filepath.Abs(path)
			cmd := exec.Command(bin, "--syntax-check", "-i", "localhost,", abs)
			cmd.Env = append(os.Environ(), "ANSIBLE_NOCOLOR=1", "ANSIBLE_RETRY_FILES_ENABLED=0", "ANSIBLE_LOCAL_TEMP="+t.TempDir())
			out, err := cmd.CombinedOutput()
			ansibleOK := err == nil
			_, list, lerr := check(path, ValidateOptions{AllowUnknownVars: true})
			if lerr != nil {
				t.Fatal(lerr)
			}
			droverOK := list == nil
			if ansibleOK != valid || droverOK != valid {
				t.Fatalf("want valid=%v; ansible-playbook valid=%v (%s); drover valid=%v (%v)", valid, ansibleOK, strings.TrimSpace(string(out)), droverOK, list)
			}
		})
	}
}
