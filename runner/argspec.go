package runner

import (
	"context"
	"fmt"
	"strings"

	"github.com/drover-sh/drover/modules"
	"github.com/drover-sh/drover/playbooks"
)

// actValidateArgumentSpec is validate_argument_spec (Ansible's action
// plugin, ansible-core 2.14): the variables named in argument_spec (the
// task's, templated) with provided_arguments over them are validated as
// Ansible's ArgumentSpecValidator does. Nothing is written back: the
// conversions and defaults the validation applies are not seen by later
// tasks, as in Ansible.
//
// A role whose meta/argument_specs.yml has an entry point for the tasks
// file being loaded gets such a task first (see playbooks/argspec.go).
func actValidateArgumentSpec(_ context.Context, h *hostRun, n *playbooks.Node, vars map[string]any) modules.Result {
	args := n.Task.Args
	res := modules.Result{"validate_args_context": map[string]any{}}
	if c, ok := args["validate_args_context"]; ok && c != nil {
		res["validate_args_context"] = c
	}
	rawSpec, ok := args["argument_spec"]
	if !ok {
		return modules.Fail(fmt.Sprintf("\"argument_spec\" arg is required in args: %s", asPyStr(args)))
	}
	sv, err := h.render(rawSpec, vars)
	if err != nil {
		return modules.Fail(err.Error())
	}
	spec, ok := sv.(map[string]any)
	if !ok {
		return modules.Fail(fmt.Sprintf("Incorrect type for argument_spec, expected dict and got %s", asPyType(sv)))
	}
	provided := map[string]any{}
	if p, ok := args["provided_arguments"]; ok && p != nil {
		pv, err := argspecValue(h, p, vars)
		if err != nil {
			return modules.Fail(err.Error())
		}
		if provided, ok = pv.(map[string]any); !ok {
			return modules.Fail(fmt.Sprintf("Incorrect type for provided_arguments, expected dict and got %s", asPyType(pv)))
		}
	}
	params := map[string]any{}
	for name := range spec {
		if raw, ok := vars[name]; ok {
			v, err := argspecValue(h, raw, vars)
			if err != nil {
				return modules.Fail(err.Error())
			}
			params[name] = v
		}
	}
	for k, v := range provided {
		params[k] = v
	}
	order, _ := args["_argument_spec_order"].(map[string]any)
	errs := validateArgSpec(spec, params, order)
	if len(errs) > 0 {
		list := make([]any, len(errs))
		for i, e := range errs {
			list[i] = e
		}
		res["failed"] = true
		res["msg"] = "Validation of arguments failed:\n" + strings.Join(errs, "\n")
		res["argument_spec_data"] = spec
		res["argument_errors"] = list
		return res
	}
	res["changed"] = false
	res["msg"] = "The arg spec validation passed"
	return res
}

// yamlStr is a string as a YAML file gave it, not the result of a
// template: Ansible's AnsibleUnicode, which its messages name.
type yamlStr string

// argspecValue templates a value as Ansible's templar does for the
// validation: a string without a template stays the YAML's string, a
// rendered one is a plain str; containers are rebuilt.
func argspecValue(h *hostRun, v any, vars map[string]any) (any, error) {
	switch t := v.(type) {
	case string:
		if !strings.Contains(t, "{{") && !strings.Contains(t, "{%") {
			return yamlStr(t), nil
		}
		r, err := h.render(t, vars)
		if err != nil {
			return nil, err
		}
		return asPlainValue(r), nil
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			r, err := argspecValue(h, e, vars)
			if err != nil {
				return nil, err
			}
			m[k] = r
		}
		return m, nil
	case []any:
		s := make([]any, len(t))
		for i, e := range t {
			r, err := argspecValue(h, e, vars)
			if err != nil {
				return nil, err
			}
			s[i] = r
		}
		return s, nil
	}
	return asPlainValue(v), nil
}

// asPlainValue normalises a rendered value (its strings are str).
func asPlainValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = asPlainValue(e)
		}
		return m
	case []any:
		s := make([]any, len(t))
		for i, e := range t {
			s[i] = asPlainValue(e)
		}
		return s
	case []string:
		s := make([]any, len(t))
		for i, e := range t {
			s[i] = e
		}
		return s
	case int64:
		return int(t)
	}
	return v
}
