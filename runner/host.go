package runner

import (
	"context"
	"fmt"
	"strconv"

	"github.com/drover-sh/drover/modules"
)

// Host is one inventory host as the runner needs it.
type Host struct {
	Name   string
	Vars   map[string]any // merged inventory variables
	Groups []string       // group_names
}

// Target builds the dialer's view of the host.
func (h *Host) Target() modules.Target {
	t := modules.Target{Name: h.Name, Addr: h.Name, Vars: h.Vars}
	// ansible_ssh_host, _port and _user are the old names, still found in
	// inventories; the new ones win.
	if s := firstVar(h.Vars, "ansible_host", "ansible_ssh_host"); s != "" {
		t.Addr = s
	}
	if p, err := strconv.Atoi(firstVar(h.Vars, "ansible_port", "ansible_ssh_port")); err == nil {
		t.Port = p
	}
	t.User = firstVar(h.Vars, "ansible_user", "ansible_ssh_user")
	return t
}

// firstVar is the first non-empty of the variables keys.
func firstVar(vars map[string]any, keys ...string) string {
	for _, k := range keys {
		if s := varString(vars, k); s != "" {
			return s
		}
	}
	return ""
}

func varString(vars map[string]any, k string) string {
	v, ok := vars[k]
	if !ok || v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// Templater renders Jinja2 templates and evaluates bare expressions. The
// playbooks/template Engine implements it.
type Templater interface {
	RenderValue(v any, vars map[string]any) (any, error)
	RenderString(s string, vars map[string]any) (string, error)
	Eval(expr string, vars map[string]any) (any, error)
	Truth(expr string, vars map[string]any) (bool, error)
}

// Prompter asks the operator something on a terminal. Confirm returns
// false when the answer is no or no terminal is there.
type Prompter interface {
	Confirm(ctx context.Context, question string) (bool, error)
}
