package playbooks

import (
	"path/filepath"
	"strings"
	"testing"
)

// drover check reads the file a template task renders (found as the module
// finds it: here a role's templates/): its Jinja syntax errors and unknown
// filters are errors at the task's src, with the template's line and
// column; a valid file, or a templated src, is not an error.
func TestTemplateFileChecked(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) { writeTestFile(t, dir, name, text) }
	write("pb.yml", "- hosts: all\n  roles: [r]\n")
	write("roles/r/tasks/main.yml", "- template: {src: svc.j2, dest: /etc/svc}\n- template: {src: \"{{ name }}.j2\", dest: /etc/x}\n")
	check := func() error {
		pb, err := Load(filepath.Join(dir, "pb.yml"), LoadOptions{})
		if err != nil {
			return err
		}
		return Validate(pb, ValidateOptions{AllowUnknownVars: true})
	}
	write("roles/r/templates/svc.j2", "port={{ port }}\n{% if tls %}\ntls=on\n")
	if err := check(); err == nil || !strings.Contains(err.Error(), "main.yml:1:14: template "+filepath.Join(dir, "roles/r/templates/svc.j2")+":4:1:") {
		t.Errorf("syntax: %v", err)
	}
	write("roles/r/templates/svc.j2", "port={{ port | nosuch }}\n")
	if err := check(); err == nil || !strings.Contains(err.Error(), "svc.j2:1:16: no filter named 'nosuch'") {
		t.Errorf("filter: %v", err)
	}
	write("roles/r/templates/svc.j2", "port={{ port | default(80) }}\n{% if tls %}tls=on{% endif %}\n")
	if err := check(); err != nil {
		t.Errorf("valid: %v", err)
	}
}
