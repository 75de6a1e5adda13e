package modules

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

func init() {
	Register(rebootModule{}, "ansible.builtin.reboot", "ansible.legacy.reboot")
}

// rebootModule reboots a host and waits until it is back on a new boot:
// Ansible's reboot semantics, plus a stability window (stable_for), a
// downtime measurement, and exactly-once behaviour on resume.
type rebootModule struct{}

func (rebootModule) Name() string { return "reboot" }

func (rebootModule) Schema() Schema {
	return Schema{Args: map[string]Arg{
		"pre_reboot_delay":  {Type: TypeDuration, Default: 0},
		"post_reboot_delay": {Type: TypeDuration, Default: 0},
		"reboot_timeout":    {Type: TypeDuration, Default: 600},
		"connect_timeout":   {Type: TypeDuration},
		"test_command":      {Type: TypeString, Default: "whoami"},
		"msg":               {Type: TypeString, Default: "Reboot initiated by drover"},
		"boot_time_command": {Type: TypeString, Default: "cat /proc/sys/kernel/random/boot_id"},
		"reboot_command":    {Type: TypeString},
		"search_paths":      {Type: TypeList},
		"stable_for":        {Type: TypeDuration, Default: 0},
		// set by the runner when resuming a reboot begun before a crash
		"_resume_old_boot_id": {Type: TypeString},
	}}
}

// ArgDuration reads a duration argument: a number of seconds or a Go
// duration string ("10s", "1m30s").
func ArgDuration(args map[string]any, k string, def time.Duration) (time.Duration, error) {
	switch v := args[k].(type) {
	case nil:
		return def, nil
	case int:
		return time.Duration(v) * time.Second, nil
	case int64:
		return time.Duration(v) * time.Second, nil
	case float64:
		return time.Duration(v * float64(time.Second)), nil
	case string:
		if v == "" {
			return def, nil
		}
		var n float64
		if _, err := fmt.Sscan(v, &n); err == nil && !strings.ContainsAny(v, "hms") {
			return time.Duration(n * float64(time.Second)), nil
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			return 0, fmt.Errorf("%s: %q is not a duration (seconds or 10s, 2m)", k, v)
		}
		return d, nil
	}
	return 0, fmt.Errorf("%s: %v is not a duration", k, args[k])
}

type rebootArgs struct {
	pre, post, timeout, connect, stable time.Duration
	test, boot, command, msg            string
	resumeOld                           string
}

func parseRebootArgs(args map[string]any) (*rebootArgs, error) {
	a := &rebootArgs{test: argString(args, "test_command"), boot: argString(args, "boot_time_command"),
		command: argString(args, "reboot_command"), msg: argString(args, "msg"), resumeOld: argString(args, "_resume_old_boot_id")}
	var err error
	for _, d := range []struct {
		k   string
		p   *time.Duration
		def time.Duration
	}{{"pre_reboot_delay", &a.pre, 0}, {"post_reboot_delay", &a.post, 0}, {"reboot_timeout", &a.timeout, 600 * time.Second},
		{"connect_timeout", &a.connect, 10 * time.Second}, {"stable_for", &a.stable, 0}} {
		if *d.p, err = ArgDuration(args, d.k, d.def); err != nil {
			return nil, err
		}
	}
	if a.test == "" {
		a.test = "whoami"
	}
	if a.boot == "" {
		a.boot = "cat /proc/sys/kernel/random/boot_id"
	}
	if a.msg == "" {
		a.msg = "Reboot initiated by drover"
	}
	if a.command == "" {
		a.command = "shutdown -r now " + ShellQuote(a.msg)
	}
	return a, nil
}

// readBootID runs the boot time command. A transport error is returned as
// such (never read as a boot id); a failing command is an error too.
func readBootID(ctx context.Context, env *Env, a *rebootArgs) (string, error, bool) {
	res, fail := Exec(ctx, env, a.boot, nil)
	if fail != nil {
		return "", errors.New(fail.Msg()), fail.Unreachable()
	}
	if res.ExitCode != 0 {
		return "", fmt.Errorf("boot_time_command %q failed (rc=%d): %s", a.boot, res.ExitCode, strings.TrimSpace(string(res.Stderr))), false
	}
	id := strings.TrimSpace(string(res.Stdout))
	if id == "" {
		return "", fmt.Errorf("boot_time_command %q printed nothing", a.boot), false
	}
	return id, nil, false
}

// testMarker ends the output of a boot id read that also ran test_command.
const testMarker = "__drover_test_rc="

// readBootIDAndTest reads the boot id and, in the same command, runs
// test_command: one round trip instead of two when the host is back.
func readBootIDAndTest(ctx context.Context, env *Env, a *rebootArgs) (id string, testOK bool, err error, unreach bool) {
	script := a.boot + "\nrc=$?; [ $rc -eq 0 ] || exit $rc\n{ " + a.test + "\n} </dev/null >/dev/null 2>&1\necho; echo " + testMarker + "$?"
	res, fail := Exec(ctx, env, script, nil)
	if fail != nil {
		return "", false, errors.New(fail.Msg()), fail.Unreachable()
	}
	if res.ExitCode != 0 {
		return "", false, fmt.Errorf("boot_time_command %q failed (rc=%d): %s", a.boot, res.ExitCode, strings.TrimSpace(string(res.Stderr))), false
	}
	out := string(res.Stdout)
	i := strings.LastIndex(out, "\n"+testMarker)
	if i < 0 {
		return "", false, fmt.Errorf("boot_time_command %q: unexpected output", a.boot), false
	}
	testOK = strings.TrimSpace(out[i+1+len(testMarker):]) == "0"
	id = strings.TrimSpace(out[:i])
	if id == "" {
		return "", false, fmt.Errorf("boot_time_command %q printed nothing", a.boot), false
	}
	return id, testOK, nil, false
}

func (rebootModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	a, err := parseRebootArgs(args)
	if err != nil {
		return Fail(err.Error())
	}
	if env.Check {
		return Result{"changed": true, "rebooted": false, "elapsed": 0, "msg": "reboot skipped in check mode"}
	}
	start := env.now()
	old, err, unreach := readBootID(ctx, env, a)
	issued := false
	var down time.Time
	switch {
	case err != nil && unreach && a.resumeOld != "":
		// Resuming a reboot begun before a crash, and the host is down:
		// it is rebooting. Wait for it.
		issued, down, old = true, start, a.resumeOld
	case err != nil && unreach:
		return UnreachableResult(err)
	case err != nil:
		return Fail(err.Error())
	}
	if issued {
		// nothing to issue
	} else if a.resumeOld != "" && a.resumeOld != old {
		// An earlier attempt of this run rebooted the host already.
		issued = true
		down = start
		old = a.resumeOld
	} else if a.resumeOld != "" {
		// Same boot: the earlier attempt's reboot command may still be on
		// its way (a slow shutdown). Watch before issuing another.
		old = a.resumeOld
		if goingDown(ctx, env, a, old, resumeGrace) {
			issued, down = true, env.now()
		}
	}
	if !issued {
		if err := env.sleep(ctx, a.pre); err != nil {
			return Fail("interrupted before reboot")
		}
		env.event("reboot_started", map[string]any{"old_boot_id": old})
		// The command usually never returns: the connection drops.
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		res, fail := Exec(cctx, env, a.command, nil)
		cancel()
		down = env.now()
		switch {
		case fail != nil && ctx.Err() != nil:
			return Fail("interrupted while rebooting")
		case fail == nil && res.ExitCode != 0:
			return Result{"failed": true, "changed": false, "rebooted": false, "rc": res.ExitCode,
				"msg": fmt.Sprintf("reboot command %q failed (rc=%d): %s", a.command, res.ExitCode, strings.TrimSpace(string(res.Stderr)))}
		}
	}
	env.down()
	newID, back, testOK, r := waitNewBoot(ctx, env, a, old, start)
	if r != nil {
		return r
	}
	downtime := back.Sub(down)
	env.event("host_back", map[string]any{"boot_id": newID, "old_boot_id": old, "downtime": downtime.Seconds()})
	if !testOK {
		if r := waitTestCommand(ctx, env, a, start); r != nil {
			return r
		}
	}
	if r := checkStable(ctx, env, a, newID); r != nil {
		return r
	}
	if err := env.sleep(ctx, a.post); err != nil {
		return Fail("interrupted after reboot")
	}
	return Result{"changed": true, "failed": false, "rebooted": true,
		"elapsed":     int(env.now().Sub(start).Seconds()),
		"elapsed_s":   env.now().Sub(start).Seconds(),
		"downtime":    downtime.Seconds(),
		"old_boot_id": old, "boot_id": newID}
}

// resumeGrace is how long a resumed reboot watches for a reboot begun by
// the crashed attempt before issuing it again.
const resumeGrace = 10 * time.Second

// goingDown reports whether, within grace, the host drops the connection
// or shows a new boot id.
func goingDown(ctx context.Context, env *Env, a *rebootArgs, old string, grace time.Duration) bool {
	until := env.now().Add(grace)
	for env.now().Before(until) {
		id, err, unreach := readBootID(ctx, env, a)
		if unreach || (err == nil && id != old) {
			return true
		}
		if env.sleep(ctx, 500*time.Millisecond) != nil {
			return false
		}
	}
	return false
}

// backoff is the delay before the next reconnect attempt: 25 ms for the
// first ten seconds (a refused connection costs the host almost nothing,
// and the delay is added to the host's downtime: half of it on average),
// then growing to 2 s.
func backoff(elapsed time.Duration, prev time.Duration) time.Duration {
	if elapsed < 10*time.Second {
		return 25 * time.Millisecond
	}
	return min(max(prev*3/2, 200*time.Millisecond), 2*time.Second)
}

// waitNewBoot reconnects until the boot id differs from old.
func waitNewBoot(ctx context.Context, env *Env, a *rebootArgs, old string, start time.Time) (string, time.Time, bool, Result) {
	deadline := start.Add(a.timeout)
	var delay time.Duration
	var lastErr string
	needDial := true
	for {
		if env.now().After(deadline) {
			msg := fmt.Sprintf("host did not come back with a new boot id within reboot_timeout (%s)", a.timeout)
			if lastErr != "" {
				msg += "; last error: " + lastErr
			}
			return "", time.Time{}, false, Result{"failed": true, "changed": true, "rebooted": false, "msg": msg, "old_boot_id": old}
		}
		if needDial && env.Redial != nil {
			dctx, cancel := context.WithTimeout(ctx, a.connect)
			c, err := env.Redial(dctx)
			cancel()
			if err != nil {
				var hk *HostKeyError
				if errors.As(err, &hk) {
					return "", time.Time{}, false, Result{"failed": true, "changed": true, "rebooted": false,
						"msg": "host key changed across the reboot: " + hk.Error(), "old_boot_id": old}
				}
				lastErr = err.Error()
			} else {
				env.Conn = c
				needDial = false
			}
		}
		if !needDial {
			cctx, cancel := context.WithTimeout(ctx, a.connect)
			id, testOK, err, unreach := readBootIDAndTest(cctx, env, a)
			cancel()
			switch {
			case err == nil && id != old:
				return id, env.now(), testOK, nil
			case err != nil && unreach:
				needDial = true
				lastErr = err.Error()
			case err != nil:
				lastErr = err.Error() // still booting; never read as a boot id
			}
		}
		if ctx.Err() != nil {
			return "", time.Time{}, false, Fail("interrupted while waiting for the host to come back")
		}
		delay = backoff(env.now().Sub(start), delay)
		if err := env.sleep(ctx, delay); err != nil {
			return "", time.Time{}, false, Fail("interrupted while waiting for the host to come back")
		}
	}
}

// waitTestCommand runs test_command until it succeeds.
func waitTestCommand(ctx context.Context, env *Env, a *rebootArgs, start time.Time) Result {
	deadline := start.Add(a.timeout)
	for {
		res, fail := Exec(ctx, env, a.test, nil)
		if fail == nil && res.ExitCode == 0 {
			return nil
		}
		if env.now().After(deadline) {
			return Result{"failed": true, "changed": true, "rebooted": true,
				"msg": fmt.Sprintf("test_command %q did not succeed within reboot_timeout after the reboot", a.test)}
		}
		if fail != nil && fail.Unreachable() && env.Redial != nil {
			if c, err := env.Redial(ctx); err == nil {
				env.Conn = c
			}
		}
		if err := env.sleep(ctx, 200*time.Millisecond); err != nil {
			return Fail("interrupted while running test_command")
		}
	}
}

// checkStable requires test_command to keep succeeding on the same boot for
// stable_for.
func checkStable(ctx context.Context, env *Env, a *rebootArgs, bootID string) Result {
	if a.stable <= 0 {
		return nil
	}
	until := env.now().Add(a.stable)
	for env.now().Before(until) {
		if err := env.sleep(ctx, min(500*time.Millisecond, until.Sub(env.now()))); err != nil {
			return Fail("interrupted during the stability check")
		}
		res, fail := Exec(ctx, env, a.test+" >/dev/null && "+a.boot, nil)
		switch {
		case fail != nil:
			return Result{"failed": true, "changed": true, "rebooted": true,
				"msg": fmt.Sprintf("host came back but did not stay up for stable_for %s: %s", a.stable, fail.Msg())}
		case res.ExitCode != 0:
			return Result{"failed": true, "changed": true, "rebooted": true,
				"msg": fmt.Sprintf("host came back but test_command failed within stable_for %s (rc=%d)", a.stable, res.ExitCode)}
		case strings.TrimSpace(string(res.Stdout)) != bootID:
			return Result{"failed": true, "changed": true, "rebooted": true,
				"msg": fmt.Sprintf("host rebooted again within stable_for %s", a.stable)}
		}
	}
	return nil
}
