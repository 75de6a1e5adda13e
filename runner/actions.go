package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/drover-sh/drover/modules"
	"github.com/drover-sh/drover/playbooks"
)

// action is a module that runs on the controller, inside the executor,
// because it reads or writes the host's variables or the play's flow.
type action func(ctx context.Context, h *hostRun, n *playbooks.Node, vars map[string]any) modules.Result

var actions map[string]action

func init() {
	actions = map[string]action{
		"debug":        actDebug,
		"set_fact":     actSetFact,
		"assert":       actAssert,
		"fail":         actFail,
		"pause":        actPause,
		"meta":         actMeta,
		"include_vars": actIncludeVars,
		"group_by":     actGroupBy,
		"add_host":     actAddHost,
		"set_stats":    actSetStats,
		"setup":        actSetup,

		"validate_argument_spec": actValidateArgumentSpec,
	}
}

func (h *hostRun) render(v any, vars map[string]any) (any, error) {
	return h.pr.opts.Templater.RenderValue(v, vars)
}

// actSetStats is set_stats: its rendered data is the task's result
// (ansible_stats), so the journal and the events keep it; drover shows no
// custom stats at the end (Ansible shows them only when asked to).
func actSetStats(_ context.Context, h *hostRun, n *playbooks.Node, vars map[string]any) modules.Result {
	data, err := h.render(n.Task.Args["data"], vars)
	if err != nil {
		return modules.Fail(err.Error())
	}
	if _, ok := data.(map[string]any); !ok {
		return modules.Fail(fmt.Sprintf("set_stats: data must be a dictionary, got %T", data))
	}
	perHost, aggregate := false, true
	if v, ok := n.Task.Args["per_host"].(bool); ok {
		perHost = v
	}
	if v, ok := n.Task.Args["aggregate"].(bool); ok {
		aggregate = v
	}
	return modules.Result{"changed": false, "ansible_stats": map[string]any{"data": data, "per_host": perHost, "aggregate": aggregate}}
}

func actDebug(_ context.Context, h *hostRun, n *playbooks.Node, vars map[string]any) modules.Result {
	args := n.Task.Args
	if v, ok := args["var"]; ok {
		name := fmt.Sprint(v)
		val, err := h.pr.opts.Templater.Eval(name, vars)
		if err != nil {
			val = "VARIABLE IS NOT DEFINED!"
		}
		return modules.Result{"changed": false, name: val}
	}
	msg := any("Hello world!")
	if m, ok := args["msg"]; ok {
		r, err := h.render(m, vars)
		if err != nil {
			return modules.Fail(err.Error())
		}
		msg = r
	}
	return modules.Result{"changed": false, "msg": msg}
}

func actSetFact(_ context.Context, h *hostRun, n *playbooks.Node, vars map[string]any) modules.Result {
	facts := map[string]any{}
	for k, v := range n.Task.Args {
		if k == "cacheable" || k == "_raw_params" {
			continue
		}
		r, err := h.render(v, vars)
		if err != nil {
			return modules.Fail(err.Error())
		}
		facts[k] = r
	}
	target := h.host.Name
	if n.Scope.DelegateFacts {
		d, fail := h.delegationFor(n.Scope, vars)
		if fail != nil {
			return fail
		}
		target = h.factsHost(n, d)
	}
	for k, v := range facts {
		h.pr.facts.set(target, k, v)
	}
	return modules.Result{"changed": false, "ansible_facts": facts}
}

func actAssert(_ context.Context, h *hostRun, n *playbooks.Node, vars map[string]any) modules.Result {
	args := n.Task.Args
	var that []string
	switch x := args["that"].(type) {
	case string:
		that = []string{x}
	case []any:
		for _, e := range x {
			that = append(that, fmt.Sprint(e))
		}
	case bool:
		that = []string{fmt.Sprint(x)}
	}
	for _, e := range that {
		ok, err := h.pr.opts.Templater.Truth(e, vars)
		if err != nil {
			return modules.Fail(fmt.Sprintf("The conditional check '%s' failed. The error was: %v", e, err))
		}
		if !ok {
			msg := "Assertion failed"
			for _, k := range []string{"fail_msg", "msg"} {
				if m, ok := args[k]; ok {
					r, err := h.render(m, vars)
					if err == nil {
						msg = fmt.Sprint(r)
					}
					break
				}
			}
			return modules.Result{"failed": true, "changed": false, "assertion": e, "evaluated_to": false, "msg": msg}
		}
	}
	msg := "All assertions passed"
	if m, ok := args["success_msg"]; ok {
		if r, err := h.render(m, vars); err == nil {
			msg = fmt.Sprint(r)
		}
	}
	return modules.Result{"changed": false, "msg": msg}
}

func actFail(_ context.Context, h *hostRun, n *playbooks.Node, vars map[string]any) modules.Result {
	msg := "Failed as requested from task"
	if m, ok := n.Task.Args["msg"]; ok {
		if r, err := h.render(m, vars); err == nil {
			msg = fmt.Sprint(r)
		}
	}
	return modules.Fail(msg)
}

func actPause(ctx context.Context, h *hostRun, n *playbooks.Node, vars map[string]any) modules.Result {
	args, err := h.render(n.Task.Args, vars)
	if err != nil {
		return modules.Fail(err.Error())
	}
	am, _ := args.(map[string]any)
	if p, ok := am["prompt"]; ok && am["seconds"] == nil && am["minutes"] == nil {
		if h.pr.opts.Prompter == nil {
			return modules.Fail("pause with a prompt needs a terminal; none is attached (run with --yes or remove the prompt)")
		}
		yes, err := h.pr.opts.Prompter.Confirm(ctx, fmt.Sprint(p))
		if err != nil || !yes {
			return modules.Fail("not confirmed at the pause prompt")
		}
		return modules.Result{"changed": false, "user_input": ""}
	}
	d := time.Duration(toInt(am["seconds"]))*time.Second + time.Duration(toInt(am["minutes"]))*time.Minute
	start := time.Now()
	select {
	case <-ctx.Done():
		return modules.Fail("pause interrupted")
	case <-time.After(d):
	}
	return modules.Result{"changed": false, "delta": int(time.Since(start).Seconds()), "stop": time.Now().String()}
}

func actMeta(_ context.Context, h *hostRun, n *playbooks.Node, vars map[string]any) modules.Result {
	what := fmt.Sprint(n.Task.Args["_raw_params"])
	switch what {
	case "flush_handlers":
		return modules.Result{"changed": false, "_meta": "flush_handlers"}
	case "end_host", "end_batch", "end_play":
		return modules.Result{"changed": false, "_meta": what, "msg": what}
	case "reset_connection":
		// The next task connects again (a new login: new group
		// memberships, changed authorized_keys or sshd settings apply).
		h.close()
		return modules.Result{"changed": false}
	case "noop", "refresh_inventory":
		return modules.Result{"changed": false}
	case "clear_facts":
		h.pr.facts.clear(h.host.Name)
		return modules.Result{"changed": false}
	}
	return modules.Fail(fmt.Sprintf("meta: %q is not supported", what))
}

func actIncludeVars(_ context.Context, h *hostRun, n *playbooks.Node, vars map[string]any) modules.Result {
	file := fmt.Sprint(n.Task.Args["file"])
	if n.Task.Args["file"] == nil {
		file = fmt.Sprint(n.Task.Args["_raw_params"])
	}
	r, err := h.render(file, vars)
	if err != nil {
		return modules.Fail(err.Error())
	}
	file = fmt.Sprint(r)
	if !filepath.IsAbs(file) && n.Task.Pos.File != "" {
		file = filepath.Join(filepath.Dir(n.Task.Pos.File), file)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return modules.Fail(fmt.Sprintf("Could not find or access '%s'", file))
	}
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		return modules.Fail(fmt.Sprintf("%s: %v", file, err))
	}
	if name, ok := n.Task.Args["name"].(string); ok && name != "" {
		h.setFact(name, m)
	} else {
		for k, v := range m {
			h.setFact(k, v)
		}
	}
	return modules.Result{"changed": false, "ansible_included_var_files": []any{file}, "ansible_facts": m}
}

func toInt(v any) int {
	switch x := v.(type) {
	case int:
		return x
	case int64:
		return int(x)
	case float64:
		return int(x)
	case string:
		var i int
		fmt.Sscan(x, &i)
		return i
	}
	return 0
}
