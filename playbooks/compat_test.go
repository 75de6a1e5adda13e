package playbooks

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ansible.builtin. and ansible.legacy. include/import keywords (as
// ansible-lint's fqcn rule writes them) load exactly as the short ones,
// import_playbook included.
func TestFQCNIncludes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("t.yml", "- name: from t\n  debug: msg=t\n")
	write("roles/r/tasks/main.yml", "- name: from r\n  debug: msg=r\n")
	write("other.yml", "- hosts: all\n  tasks:\n    - name: other\n      command: \"true\"\n")
	graphs := map[string]string{}
	for _, form := range []string{"", "ansible.builtin.", "ansible.legacy."} {
		pb, err := Load(write(form+"pb.yml", `- `+form+`import_playbook: other.yml
- hosts: all
  gather_facts: false
  tasks:
    - `+form+`import_tasks: t.yml
    - `+form+`include_tasks: t.yml
    - `+form+`import_role: {name: r}
    - `+form+`include_role: {name: r}
`), LoadOptions{})
		if err != nil {
			t.Fatalf("%q: %v", form, err)
		}
		if len(pb.Plays) != 2 {
			t.Fatalf("%q: %d plays, want 2 (the import and the play)", form, len(pb.Plays))
		}
		graphs[form] = Compile(pb.Plays[0]).String() + Compile(pb.Plays[1]).String()
	}
	for _, form := range []string{"ansible.builtin.", "ansible.legacy."} {
		if graphs[form] != graphs[""] {
			t.Errorf("%s forms compile to\n%s\nshort forms to\n%s", form, graphs[form], graphs[""])
		}
	}
}

// Unquoted yes/no/on/off in conditions are YAML 1.1 booleans, as Ansible
// reads them; quoted, they stay words (variable names).
func TestYAML11BooleansInConditions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pb.yml")
	text := `- hosts: all
  tasks:
    - command: reboot
      changed_when: yes
      failed_when: Off
      when: [ON, "yes", y]
`
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	pb, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	task := pb.Plays[0].Tasks[0]
	if got := fmt.Sprint(task.ChangedWhen, task.FailedWhen, task.When); got != "[True] [False] [True yes y]" {
		t.Errorf("conditions %s, want [True] [False] [True yes y]", got)
	}
}

// local_action/action as a mapping whose module: carries key=value
// arguments after the name, merged with the mapping's other keys.
func TestActionMappingInlineArgs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pb.yml")
	text := `- hosts: all
  tasks:
    - local_action:
        module: wait_for host={{ inventory_hostname }} port=22 delay=1
        timeout: 30
        delay: 2
    - action:
        module: command echo hi
`
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	pb, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w, c := pb.Plays[0].Tasks[0], pb.Plays[0].Tasks[1]
	if got := fmt.Sprint(w.Module, " ", w.DelegateTo, " ", w.Args); got != "wait_for localhost map[delay:2 host:{{ inventory_hostname }} port:22 timeout:30]" {
		t.Errorf("local_action: %s", got)
	}
	if got := fmt.Sprint(c.Module, " ", c.Args["_raw_params"]); got != "command echo hi" {
		t.Errorf("action: %s", got)
	}
}

// The undefined-variable check trusts a name the task's when tests with
// `is defined` in its loop and arguments (the task is skipped where it
// is undefined); the same loop without it is still reported.
func TestValidateLoopGuardedByWhen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pb.yml")
	text := `- hosts: all
  tasks:
    - command: echo {{ item }} {{ opts.flag }}
      loop: "{{ checks }}"
      when: checks is defined and opts['flag'] is defined
    - command: echo {{ item }}
      loop: "{{ other }}"
`
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	pb, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	err = Validate(pb, ValidateOptions{})
	if err == nil || !strings.Contains(err.Error(), "undefined variable 'other' in loop") {
		t.Fatalf("want the unguarded loop reported, got %v", err)
	}
	if strings.Contains(err.Error(), "'checks'") || strings.Contains(err.Error(), "'opts'") {
		t.Errorf("guarded names reported: %v", err)
	}
}

// serial may be a template (rendered when the play starts); a template
// inside a serial list, or a template that does not parse, is an error.
func TestTemplatedSerialParsed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pb.yml")
	load := func(text string) (*Playbook, error) {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		pb, err := Load(path, LoadOptions{})
		if err == nil {
			err = Validate(pb, ValidateOptions{AllowUnknownVars: true})
		}
		return pb, err
	}
	pb, err := load("- hosts: all\n  serial: \"{{ batch | default(1) }}\"\n  tasks: []\n")
	if err != nil || pb.Plays[0].SerialExpr != "{{ batch | default(1) }}" || len(pb.Plays[0].Serial) != 0 {
		t.Fatalf("%v %+v", err, pb)
	}
	if _, err := load("- hosts: all\n  serial: [1, \"{{ b }}\"]\n  tasks: []\n"); err == nil || !strings.Contains(err.Error(), "a template is allowed for the whole of serial") {
		t.Errorf("list entry: %v", err)
	}
	if _, err := load("- hosts: all\n  serial: \"{{ b | }}\"\n  tasks: []\n"); err == nil || !strings.Contains(err.Error(), "pb.yml:2:11: template syntax error in serial") {
		t.Errorf("syntax: %v", err)
	}
	for _, c := range []struct {
		v    any
		want string
	}{{5, "[{5 0}]"}, {"25%", "[{0 25}]"}, {[]any{1, "50%"}, "[{1 0} {0 50}]"}} {
		got, err := ParseSerialValue(c.v)
		if err != nil || fmt.Sprint(got) != c.want {
			t.Errorf("%v: %v %v", c.v, got, err)
		}
	}
	for _, bad := range []any{"x", true, []any{}, 0} {
		if _, err := ParseSerialValue(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// Plays gather facts unless they say not to (Ansible's default); ansible.cfg
// gathering = explicit turns the default off.
func TestGatherFactsDefault(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pb.yml")
	if err := os.WriteFile(path, []byte("- hosts: all\n  tasks: []\n- hosts: all\n  gather_facts: false\n  tasks: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		cfg  *Config
		want string
	}{{&Config{}, "[true false]"}, {&Config{Gathering: "smart"}, "[true false]"}, {&Config{Gathering: "explicit"}, "[false false]"}} {
		pb, err := Load(path, LoadOptions{Config: c.cfg})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint([]bool{pb.Plays[0].GatherFacts, pb.Plays[1].GatherFacts}); got != c.want {
			t.Errorf("gathering %q: %s, want %s", c.cfg.Gathering, got, c.want)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "ansible.cfg"), []byte("[defaults]\ngathering = lazy\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfig(dir); err == nil || !strings.Contains(err.Error(), "ansible.cfg:2: gathering \"lazy\"") {
		t.Errorf("bad gathering: %v", err)
	}
}

// A play's user: is remote_user (Ansible 2.14 still reads it so); a task's
// user: is the user module; on a block it is an error saying both.
func TestUserKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pb.yml")
	load := func(text string) (*Playbook, error) {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return Load(path, LoadOptions{})
	}
	pb, err := load("- hosts: all\n  user: deploy\n  tasks:\n    - user: {name: app, system: true}\n")
	if err != nil || pb.Plays[0].RemoteUser != "deploy" || pb.Plays[0].Tasks[0].Module != "user" {
		t.Fatalf("play user and user module: %v %+v", err, pb)
	}
	if _, err := load("- hosts: all\n  tasks:\n    - block: [{debug: msg=x}]\n      user: root\n"); err == nil || !strings.Contains(err.Error(), "user is a module (a task of its own) or, on a play, the old name of remote_user") {
		t.Errorf("block user: %v", err)
	}
}

// writeTestFile writes dir/name (creating its directories).
func writeTestFile(t *testing.T, dir, name, text string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
