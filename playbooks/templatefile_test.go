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

// The variables a template file reads are checked as the task's own
// templates are: a name nothing defines and a fact drover does not gather
// are errors at the task's src; the template module's own variables, the
// loop's item, role defaults and facts drover gathers are not.
func TestTemplateFileNames(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) { writeTestFile(t, dir, name, text) }
	write("pb.yml", "- hosts: all\n  roles: [r]\n")
	write("roles/r/defaults/main.yml", "port: 80\n")
	write("roles/r/tasks/main.yml", "- template: {src: svc.j2, dest: \"/etc/{{ item }}\"}\n  loop: [a, b]\n")
	write("roles/r/templates/svc.j2", "# {{ ansible_managed }} {{ template_host }}\n{{ item }} port={{ prot }}\n"+
		"{{ ansible_facts.hostname }} {{ ansible_facts['lvm'] }}\n{% for m in ansible_mounts %}{{ m.mount }}{% endfor %}\n")
	pb, err := Load(filepath.Join(dir, "pb.yml"), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	err = Validate(pb, ValidateOptions{})
	if err == nil {
		t.Fatal("no errors")
	}
	text := err.Error()
	for _, want := range []string{
		"main.yml:1:14: undefined variable 'prot' in template " + filepath.Join(dir, "roles/r/templates/svc.j2"),
		"main.yml:1:14: template " + filepath.Join(dir, "roles/r/templates/svc.j2") + " reads ansible_facts.lvm, a fact drover does not gather",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("errors lack %q:\n%s", want, text)
		}
	}
	for _, ok := range []string{"'item'", "'template_host'", "'ansible_managed'", "'m'", "hostname", "ansible_mounts"} {
		if strings.Contains(text, ok) {
			t.Errorf("%s reported:\n%s", ok, text)
		}
	}
}
