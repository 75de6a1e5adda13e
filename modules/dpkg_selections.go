package modules

import (
	"context"
	"fmt"
	"strings"
)

func init() {
	Register(dpkgSelectionsModule{}, "ansible.builtin.dpkg_selections", "ansible.legacy.dpkg_selections")
}

// dpkgSelectionsModule is Ansible's dpkg_selections: a package's dpkg
// selection state (hold keeps apt from upgrading it on patch night).
type dpkgSelectionsModule struct{}

func (dpkgSelectionsModule) Name() string { return "dpkg_selections" }

func (dpkgSelectionsModule) Schema() Schema {
	return Schema{Args: map[string]Arg{
		"name":      {Type: TypeString, Required: true},
		"selection": {Type: TypeString, Required: true, Choices: []string{"install", "hold", "deinstall", "purge"}},
	}}
}

func (dpkgSelectionsModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	name, sel := argString(args, "name"), argString(args, "selection")
	res, fr := Exec(ctx, env, "LC_ALL=C dpkg --get-selections "+ShellQuote(name), nil)
	if fr != nil {
		return fr
	}
	if res.ExitCode != 0 {
		return Fail(fmt.Sprintf("dpkg --get-selections %s failed (rc=%d): %s", name, res.ExitCode, strings.TrimSpace(string(res.Stderr))))
	}
	current := "not present"
	if f := strings.Fields(string(res.Stdout)); len(f) >= 2 && f[0] == name {
		current = f[1]
	}
	out := Result{"changed": current != sel, "before": current, "after": sel}
	if current == sel || env.Check {
		return out
	}
	res, fr = Exec(ctx, env, "dpkg --set-selections", []byte(name+" "+sel+"\n"))
	if fr != nil {
		return fr
	}
	if res.ExitCode != 0 {
		return Fail(fmt.Sprintf("dpkg --set-selections failed (rc=%d): %s", res.ExitCode, strings.TrimSpace(string(res.Stderr))))
	}
	return out
}
