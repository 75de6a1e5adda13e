package modules

import (
	"context"
	"fmt"
	"time"
)

func init() {
	Register(waitForConnection{}, "ansible.builtin.wait_for_connection", "ansible.legacy.wait_for_connection")
}

// waitForConnection waits until the host answers a command again: the old
// fire-and-forget reboot idiom (`shell: sleep 2 && reboot` with async/poll
// 0, then wait_for_connection) relies on it.
type waitForConnection struct{}

func (waitForConnection) Name() string { return "wait_for_connection" }

func (waitForConnection) Schema() Schema {
	return Schema{Args: map[string]Arg{
		"connect_timeout": {Type: TypeDuration, Default: 5},
		"delay":           {Type: TypeDuration, Default: 0},
		"sleep":           {Type: TypeDuration, Default: 1},
		"timeout":         {Type: TypeDuration, Default: 600},
	}}
}

func (waitForConnection) Run(ctx context.Context, env *Env, args map[string]any) Result {
	var d [4]time.Duration
	for i, k := range []struct {
		name string
		def  time.Duration
	}{{"connect_timeout", 5 * time.Second}, {"delay", 0}, {"sleep", time.Second}, {"timeout", 600 * time.Second}} {
		v, err := ArgDuration(args, k.name, k.def)
		if err != nil {
			return Fail(err.Error())
		}
		d[i] = v
	}
	connect, delay, sleep, timeout := d[0], d[1], d[2], d[3]
	start := env.now()
	if err := env.sleep(ctx, delay); err != nil {
		return Fail("interrupted")
	}
	var last string
	first := true
	for {
		if !first && env.Redial != nil {
			dctx, cancel := context.WithTimeout(ctx, connect)
			c, err := env.Redial(dctx)
			cancel()
			if err == nil {
				env.Conn = c
			} else {
				last = err.Error()
			}
		}
		first = false
		cctx, cancel := context.WithTimeout(ctx, connect)
		res, fail := Exec(cctx, env, "echo ping", nil)
		cancel()
		if fail == nil && res.ExitCode == 0 {
			return Result{"changed": false, "elapsed": int(env.now().Sub(start).Seconds())}
		}
		if fail != nil {
			last = fail.Msg()
		}
		if env.now().Sub(start) > timeout {
			return Fail(fmt.Sprintf("timed out waiting for connection after %s: %s", timeout, last))
		}
		if err := env.sleep(ctx, sleep); err != nil {
			return Fail("interrupted")
		}
	}
}
