package modules

import (
	"context"
	"strings"
)

func init() {
	Register(rawModule{}, "ansible.builtin.raw", "ansible.legacy.raw")
}

// rawModule is Ansible's raw: the free form is run as it is by the host's
// shell (`executable` picks another one); no chdir, creates or removes.
type rawModule struct{}

func (rawModule) Name() string { return "raw" }

func (rawModule) Schema() Schema {
	return Schema{
		FreeForm:      true,
		Args:          map[string]Arg{"_raw_params": {Type: TypeRaw}, "executable": {Type: TypePath}},
		RequiredOneOf: [][]string{{"_raw_params"}},
	}
}

func (rawModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	cmd := argString(args, "_raw_params")
	if strings.TrimSpace(cmd) == "" {
		return Fail("no command given")
	}
	if env.Check {
		return Result{"changed": false, "skipped": true, "msg": "skipped, running in check mode"}
	}
	line := cmd
	if exe := argString(args, "executable"); exe != "" {
		line = ShellQuote(exe) + " -c " + ShellQuote(cmd)
	}
	res, fr := Exec(ctx, env, line, nil)
	if fr != nil {
		return fr
	}
	r := CommandResult(cmd, res)
	delete(r, "cmd")
	return r
}
