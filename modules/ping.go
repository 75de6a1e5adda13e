package modules

import (
	"context"
	"fmt"
	"strings"
)

func init() {
	Register(pingModule{}, "ansible.builtin.ping", "ansible.legacy.ping")
}

// pingModule is Ansible's ping: it proves the host can be logged into and
// run a command (with become, when set) — without Python, with `sh`'s `:`.
// data comes back as ping; "crash" fails the task, as in Ansible.
type pingModule struct{}

func (pingModule) Name() string { return "ping" }

func (pingModule) Schema() Schema {
	return Schema{Args: map[string]Arg{"data": {Type: TypeString, Default: "pong"}}}
}

func (pingModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	data := argString(args, "data")
	if data == "" {
		data = "pong"
	}
	res, fr := Exec(ctx, env, ":", nil)
	if fr != nil {
		return fr
	}
	if res.ExitCode != 0 {
		return Fail(fmt.Sprintf("ping: the host's shell failed (rc %d): %s", res.ExitCode, strings.TrimSpace(string(res.Stderr))))
	}
	if data == "crash" {
		return Fail("boom")
	}
	return Result{"changed": false, "failed": false, "ping": data}
}
