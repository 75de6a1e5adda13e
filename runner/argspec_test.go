package runner

import (
	"fmt"
	"strings"
	"testing"
)

// argSpecRole is a role with meta/argument_specs.yml (main and extra
// entry points); its tasks show what they see of the variables.
func argSpecRole(play string) map[string]string {
	return map[string]string{
		"playbook.yml": "- hosts: all\n  gather_facts: false\n" + play,
		"roles/app/meta/argument_specs.yml": `argument_specs:
  main:
    short_description: Install the app
    options:
      app_name: {type: str, required: true}
      app_port: {type: int}
      app_mode: {type: str, choices: [fast, safe]}
      app_debug: {type: bool}
      app_level: {type: str, default: low}
      app_db:
        type: dict
        options:
          host: {type: str, required: true}
          size: {type: int}
      app_ids: {type: list, elements: int}
  extra:
    options:
      count: {type: int, required: true}
`,
		"roles/app/tasks/main.yml":  "- name: show\n  debug:\n    msg: \"{{ app_port | default('U') }} {{ app_port is string }} {{ app_debug | default('U') }} {{ app_level | default('UNDEF') }}\"\n",
		"roles/app/tasks/extra.yml": "- name: extra\n  debug: msg=extra\n",
	}
}

const validationTask = "app : Validating arguments against arg spec 'main' - Install the app"

// taskResults are the task results of the run, by task name.
func taskResults(rec *recorder) (map[string]*Event, []string) {
	m := map[string]*Event{}
	var order []string
	for _, e := range rec.of(EvTaskResult) {
		m[e.Task] = e
		order = append(order, e.Task)
	}
	return m, order
}

// A role with argument specs starts with the validation task: with valid
// variables it passes and the role runs, seeing its variables unchanged
// (no conversion, no default set), as in Ansible.
func TestRoleArgSpecValid(t *testing.T) {
	f := testFleet(t, 1, 1, 0, nil)
	res, rec := runFiles(t, f, argSpecRole("  vars: {app_name: web, app_port: \"80\", app_debug: \"yes\"}\n  roles: [app]\n"), nil)
	got, order := taskResults(rec)
	if strings.Join(order, ";") != validationTask+";app : show" || status(res)["host01"] == StatusFailed {
		t.Fatalf("ran %q (%v)", order, status(res))
	}
	// From ansible-core 2.14: the result and what the role's task sees.
	if m := got[validationTask].Result["msg"]; m != "The arg spec validation passed" {
		t.Errorf("validation msg %q", m)
	}
	if m := got["app : show"].Result["msg"]; m != "80 True yes UNDEF" {
		t.Errorf("show msg %q, want %q (the validation converts nothing)", m, "80 True yes UNDEF")
	}
}

// Invalid variables fail the host at the validation task with Ansible's
// message (the strings come from ansible-core 2.14 runs of the same
// role); the role's tasks do not run.
func TestRoleArgSpecErrors(t *testing.T) {
	const uni = "<class 'ansible.parsing.yaml.objects.AnsibleUnicode'>"
	for _, c := range []struct {
		name, play string
		errs       []string
	}{
		{"missing required", "  roles: [app]\n", []string{"missing required arguments: app_name"}},
		{"wrong type", "  vars: {app_name: web, app_port: abc}\n  roles: [app]\n",
			[]string{"argument 'app_port' is of type " + uni + " and we were unable to convert to int: " + uni + " cannot be converted to an int"}},
		{"bad choice", "  vars: {app_name: web, app_mode: turbo}\n  roles: [app]\n",
			[]string{"value of app_mode must be one of: fast, safe, got: turbo"}},
		{"nested options", "  vars: {app_name: web, app_db: {size: big, extra: 1}}\n  roles: [app]\n", []string{
			"missing required arguments: host found in app_db",
			"argument 'size' is of type " + uni + " found in 'app_db'. and we were unable to convert to int: " + uni + " cannot be converted to an int",
			"app_db.extra. Supported parameters include: host, size."}},
		{"role params", "  vars: {tmpl: \"{{ 'x' }}\"}\n  roles:\n    - role: app\n      app_name: web\n      app_port: \"{{ tmpl }}\"\n      bogus: 1\n      vars: {app_mode: fast, app_ids: [1, two], unrelated: 1}\n", []string{
			"argument 'app_port' is of type <class 'str'> and we were unable to convert to int: <class 'str'> cannot be converted to an int",
			"Elements value for option 'app_ids' is of type " + uni + " and we were unable to convert to int: " + uni + " cannot be converted to an int",
			"bogus. Supported parameters include: app_db, app_debug, app_ids, app_level, app_mode, app_name, app_port."}},
		{"several", "  vars: {app_name: [1], app_port: 1.5, app_mode: c, app_db: \"host=a size=b\", app_ids: \"1,x\"}\n  roles: [app]\n", []string{
			"argument 'app_port' is of type <class 'float'> and we were unable to convert to int: <class 'float'> cannot be converted to an int",
			"Elements value for option 'app_ids' is of type <class 'str'> and we were unable to convert to int: <class 'str'> cannot be converted to an int",
			"value of app_mode must be one of: fast, safe, got: c",
			"argument 'size' is of type <class 'str'> found in 'app_db'. and we were unable to convert to int: <class 'str'> cannot be converted to an int"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := testFleet(t, 1, 1, 0, nil)
			res, rec := runFiles(t, f, argSpecRole(c.play), nil)
			got, order := taskResults(rec)
			if strings.Join(order, ";") != validationTask || status(res)["host01"] != StatusFailed {
				t.Fatalf("ran %q (%v), want only the failed validation task", order, status(res))
			}
			r := got[validationTask].Result
			want := "Validation of arguments failed:\n" + strings.Join(c.errs, "\n")
			if r["msg"] != want {
				t.Errorf("msg\n%v\nwant\n%s", r["msg"], want)
			}
			if fmt.Sprint(r["argument_errors"]) != fmt.Sprint(c.errs) {
				t.Errorf("argument_errors %v", r["argument_errors"])
			}
			if spec, _ := r["argument_spec_data"].(map[string]any); spec["app_port"] == nil {
				t.Errorf("argument_spec_data %v", r["argument_spec_data"])
			}
			ctx, _ := r["validate_args_context"].(map[string]any)
			if ctx["type"] != "role" || ctx["name"] != "app" || ctx["argument_spec_name"] != "main" {
				t.Errorf("validate_args_context %v", ctx)
			}
		})
	}
}

// A bool that does not convert: Ansible's message (its list of booleans
// is in Python's set order, which varies from run to run).
func TestRoleArgSpecBool(t *testing.T) {
	f := testFleet(t, 1, 1, 0, nil)
	_, rec := runFiles(t, f, argSpecRole("  vars: {app_name: web, app_debug: maybe}\n  roles: [app]\n"), nil)
	got, _ := taskResults(rec)
	want := "Validation of arguments failed:\nargument 'app_debug' is of type <class 'ansible.parsing.yaml.objects.AnsibleUnicode'> and we were unable to convert to bool: The value 'maybe' is not a valid boolean.  Valid booleans include: "
	if r := got[validationTask]; r == nil || !strings.HasPrefix(fmt.Sprint(r.Result["msg"]), want) {
		t.Errorf("got %v, want %q...", r, want)
	}
}

// include_role's tasks_from picks the entry point; rolespec_validate:
// false leaves the validation out.
func TestRoleArgSpecEntryPoint(t *testing.T) {
	f := testFleet(t, 1, 1, 0, nil)
	res, rec := runFiles(t, f, argSpecRole(`  tasks:
    - include_role: {name: app, tasks_from: extra, rolespec_validate: false}
      vars: {count: many}
    - include_role: {name: app, tasks_from: extra}
      vars: {count: many}
`), nil)
	got, order := taskResults(rec)
	const vt = "app : Validating arguments against arg spec 'extra'"
	if strings.Join(order, ";") != "include_role: app;app : extra;include_role: app;"+vt || status(res)["host01"] != StatusFailed {
		t.Fatalf("ran %q (%v)", order, status(res))
	}
	// From ansible-core 2.14.
	want := "Validation of arguments failed:\nargument 'count' is of type <class 'ansible.parsing.yaml.objects.AnsibleUnicode'> and we were unable to convert to int: <class 'ansible.parsing.yaml.objects.AnsibleUnicode'> cannot be converted to an int"
	if m := got[vt].Result["msg"]; m != want {
		t.Errorf("msg %q", m)
	}
}

// validate_argument_spec as a task: provided_arguments over the task's
// variables named in argument_spec.
func TestValidateArgumentSpecModule(t *testing.T) {
	f := testFleet(t, 1, 1, 0, nil)
	res, rec := runPlay(t, f, `
- hosts: all
  gather_facts: false
  vars: {want: 5}
  tasks:
    - name: bad
      validate_argument_spec:
        argument_spec:
          want: {type: str, choices: [a, b]}
          need: {type: int, required: true}
        provided_arguments: {need: "3"}
      ignore_errors: true
    - name: good
      ansible.builtin.validate_argument_spec:
        argument_spec: {want: {type: int}}
`, nil)
	got, _ := taskResults(rec)
	// From ansible-core 2.14.
	if r := got["bad"]; r == nil || r.Result["msg"] != "Validation of arguments failed:\nvalue of want must be one of: a, b, got: 5" || r.Result["failed"] != true {
		t.Errorf("bad: %v", r)
	}
	if r := got["good"]; r == nil || r.Result["msg"] != "The arg spec validation passed" || status(res)["host01"] == StatusFailed {
		t.Errorf("good: %v (%v)", r, status(res))
	}
}

// The checks of nested options groups, from an ansible-core 2.14 run.
func TestArgSpecOptionGroups(t *testing.T) {
	spec := map[string]any{
		"srv": map[string]any{
			"type": "list", "elements": "dict",
			"mutually_exclusive": []any{[]any{"p1", "p2"}},
			"required_together":  []any{[]any{"u", "v"}},
			"required_one_of":    []any{[]any{"p1", "p2", "w"}},
			"required_by":        map[string]any{"w": []any{"u"}},
			"options": map[string]any{
				"p1": map[string]any{"type": "str"}, "p2": map[string]any{"type": "str"},
				"u": map[string]any{"type": "int"}, "v": map[string]any{"type": "int"}, "w": map[string]any{"type": "str"},
				"deep": map[string]any{"type": "dict", "options": map[string]any{"z": map[string]any{"type": "int", "required": true}}},
			},
		},
		"h": map[string]any{"type": "dict", "required_if": []any{[]any{"p1", "on", []any{"u"}}},
			"options": map[string]any{"p1": map[string]any{}, "u": map[string]any{}}},
	}
	params := map[string]any{
		"srv": []any{
			map[string]any{"p1": yamlStr("x"), "p2": yamlStr("y"), "u": 1},
			map[string]any{"w": yamlStr("q"), "deep": map[string]any{}},
		},
		"h": map[string]any{"p1": yamlStr("on")},
	}
	got := validateArgSpec(spec, params, map[string]any{"": []any{"srv", "h"}})
	want := []string{
		"parameters are mutually exclusive: p1|p2 found in srv",
		"parameters are required together: u, v found in srv",
		"missing parameter(s) required by 'w': u found in srv",
		"missing required arguments: z found in srv -> deep",
		"p1 is on but all of the following are missing: u found in h",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
