package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sysvTestEnv points the sysvinit module's init.d, /etc and binary search
// into a temp dir and returns the env, the etc dir and a log file every
// fake appends its argv to.
func sysvTestEnv(t *testing.T, rc0 bool) (*Env, string, string) {
	t.Helper()
	env, dir := testEnv(t)
	etc := filepath.Join(dir, "etc")
	initd := filepath.Join(etc, "init.d")
	for _, d := range []string{initd, filepath.Join(etc, "rc2.d"), filepath.Join(etc, "rc3.d")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if rc0 {
		if err := os.Mkdir(filepath.Join(etc, "rc0.d"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin := env.Conn.(*localConn).bin
	oi, oe, ob, os_ := sysvInitDir, sysvEtcDir, sysvBinDirs, sysvSearchPath
	sysvInitDir, sysvEtcDir, sysvBinDirs, sysvSearchPath = initd, etc, []string{bin}, ShellQuote(bin)
	t.Cleanup(func() { sysvInitDir, sysvEtcDir, sysvBinDirs, sysvSearchPath = oi, oe, ob, os_ })
	log := filepath.Join(dir, "calls.log")
	return env, etc, log
}

// sysvFake installs a fake that logs "NAME ARGS" and then runs body.
func sysvFake(t *testing.T, env *Env, log, name, body string) {
	t.Helper()
	fakeBin(t, env, name, "echo \""+name+" $*\" >>"+ShellQuote(log)+"\n"+body)
}

// sysvScript writes an init script that logs "init.d/NAME ARGS".
func sysvScript(t *testing.T, etc, log, name, body string) {
	t.Helper()
	writeFile(t, filepath.Join(etc, "init.d", name), "#!/bin/sh\necho \"init.d/"+name+" $*\" >>"+ShellQuote(log)+"\n"+body, 0o755)
}

func sysvLog(t *testing.T, log string) string {
	t.Helper()
	b, err := os.ReadFile(log)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

func sysvStatus(t *testing.T, r Result, key string) map[string]any {
	t.Helper()
	st, ok := r["status"].(map[string]any)[key].(map[string]any)
	if !ok {
		t.Fatalf("no status[%s]: %v", key, r)
	}
	return st
}

func TestSysvinitMissingScript(t *testing.T) {
	env, _, _ := sysvTestEnv(t, true)
	r := run(t, env, "ansible.builtin.sysvinit", map[string]any{"name": "nope", "state": "started"})
	mustFail(t, r, "Could not find the requested service nope: ")
}

func TestSysvinitDaemonizeRefused(t *testing.T) {
	env, etc, log := sysvTestEnv(t, true)
	sysvScript(t, etc, log, "foo", "")
	r := run(t, env, "ansible.legacy.sysvinit", map[string]any{"name": "foo", "state": "started", "daemonize": true})
	mustFail(t, r, "daemonize is not supported")
	if sysvLog(t, log) != "" {
		t.Fatalf("ran something: %q", sysvLog(t, log))
	}
}

// service NAME status output "running" means started; stopped runs the
// init script's stop and records its rc/stdout.
func TestSysvinitServiceStatusRunningThenStop(t *testing.T) {
	env, etc, log := sysvTestEnv(t, true)
	sysvFake(t, env, log, "service", "echo \"$1 is running\"\n")
	sysvScript(t, etc, log, "foo", "echo done-$1\n")
	r := run(t, env, "sysvinit", map[string]any{"name": "foo", "state": "started", "sleep": 0})
	mustOK(t, r, false)
	if got := sysvLog(t, log); got != "service foo status\n" {
		t.Fatalf("calls %q", got)
	}
	if st := sysvStatus(t, r, "started"); st["changed"] != false || st["rc"] != nil {
		t.Fatalf("status %v", st)
	}
	os.Remove(log)
	r = run(t, env, "sysvinit", map[string]any{"name": "foo", "state": "stopped"})
	mustOK(t, r, true)
	if got := sysvLog(t, log); got != "service foo status\ninit.d/foo stop\n" {
		t.Fatalf("calls %q", got)
	}
	st := sysvStatus(t, r, "stopped")
	if st["changed"] != true || st["rc"] != 0 || st["stdout"] != "done-stop\n" || st["stderr"] != "" {
		t.Fatalf("status %v", st)
	}
	if r["name"] != "foo" {
		t.Fatalf("name %v", r)
	}
	en := sysvStatus(t, r, "enabled")
	if en["changed"] != false || en["rc"] != nil {
		t.Fatalf("enabled %v", en)
	}
}

// The module's output heuristics: a stop word wins over rc; "not " voids
// the started words; rc 3 means known-down; multi-line rc 0 means up.
func TestSysvinitStatusHeuristics(t *testing.T) {
	cases := []struct {
		out, rc string
		started bool
	}{
		{"foo is stopped", "0", false},
		{"foo: not running", "1", false},
		{"foo: not running", "0", true},
		{"foo start/running", "1", true},
		{"foo is active", "5", true},
		{"line1\nline2\nline3", "3", false},
		{"line1\nline2\nline3", "0", true},
		{"FOO", "0", true},
		{"foo is running\nmore\nmore", "1", false},
		{"foo is dead now", "0", false},
	}
	for _, c := range cases {
		env, etc, log := sysvTestEnv(t, true)
		sysvFake(t, env, log, "service", "printf '%s\\n' "+ShellQuote(c.out)+"\nexit "+c.rc+"\n")
		sysvScript(t, etc, log, "foo", "")
		r := run(t, env, "sysvinit", map[string]any{"name": "foo", "state": "started"})
		if r.Failed() || r.Changed() == c.started {
			t.Fatalf("%q rc %s: %v", c.out, c.rc, r)
		}
		if r["warnings"] != nil {
			t.Fatalf("%q: warnings %v", c.out, r["warnings"])
		}
	}
}

// Without service(8), the init script's own status is asked; an unknown
// answer falls back to ps matching the name (with the module's warning),
// and else to "assuming it is down".
func TestSysvinitScriptStatusAndPsFallback(t *testing.T) {
	env, etc, log := sysvTestEnv(t, true)
	os.Remove(filepath.Join(env.Conn.(*localConn).bin, "service"))
	sysvScript(t, etc, log, "foo", "[ \"$1\" = status ] && { echo a; echo b; exit 5; }\nexit 0\n")
	sysvFake(t, env, log, "ps", "echo 'USER PID COMMAND'\necho 'root 1 /usr/sbin/foo -d'\n")
	r := run(t, env, "sysvinit", map[string]any{"name": "foo", "state": "started"})
	mustOK(t, r, false)
	if got := sysvLog(t, log); !strings.HasPrefix(got, "init.d/foo status\n") || !strings.Contains(got, "ps auxww\n") {
		t.Fatalf("calls %q", got)
	}
	if w, _ := r["warnings"].([]string); len(w) != 1 || !strings.Contains(w[0], "Used ps output") {
		t.Fatalf("warnings %v", r["warnings"])
	}
	sysvFake(t, env, log, "ps", "echo 'root 1 /usr/sbin/bar'\n")
	r = run(t, env, "sysvinit", map[string]any{"name": "foo", "state": "started", "sleep": 0})
	mustOK(t, r, true)
	if w, _ := r["warnings"].([]string); len(w) != 1 || w[0] != "Unable to determine if service is up, assuming it is down" {
		t.Fatalf("warnings %v", r["warnings"])
	}
	// The last-resort ps is required, as get_bin_path(required=True).
	os.Remove(filepath.Join(env.Conn.(*localConn).bin, "ps"))
	r = run(t, env, "sysvinit", map[string]any{"name": "foo", "state": "started"})
	mustFail(t, r, `Failed to find required executable "ps"`)
}

// pattern: ps decides alone; no status command runs.
func TestSysvinitPattern(t *testing.T) {
	env, etc, log := sysvTestEnv(t, true)
	sysvFake(t, env, log, "service", "echo stopped\n")
	sysvFake(t, env, log, "ps", "echo 'root 77 /opt/app/bin/daemon --x'\n")
	sysvScript(t, etc, log, "app", "")
	r := run(t, env, "sysvinit", map[string]any{"name": "app", "state": "started", "pattern": "bin/daemon"})
	mustOK(t, r, false)
	if got := sysvLog(t, log); strings.Contains(got, "service") {
		t.Fatalf("status ran with pattern: %q", got)
	}
	r = run(t, env, "sysvinit", map[string]any{"name": "app", "state": "stopped", "pattern": "nomatch"})
	mustOK(t, r, false)
}

// iptables counts as up when its status prints ACCEPT.
func TestSysvinitIptablesAccept(t *testing.T) {
	env, etc, log := sysvTestEnv(t, true)
	sysvFake(t, env, log, "service", "echo 'Chain INPUT (policy ACCEPT)'; echo x; echo y; exit 3\n")
	sysvScript(t, etc, log, "iptables", "")
	r := run(t, env, "sysvinit", map[string]any{"name": "iptables", "state": "started"})
	mustOK(t, r, false)
}

// enabled without runlevels: any rc?.d/S??NAME link; update-rc.d
// defaults / disable is preferred over chkconfig on / off.
func TestSysvinitEnableDefaults(t *testing.T) {
	env, etc, log := sysvTestEnv(t, true)
	sysvFake(t, env, log, "service", "echo running\n")
	sysvFake(t, env, log, "update-rc.d", "echo urc-out; echo urc-err >&2\n")
	sysvFake(t, env, log, "chkconfig", "")
	sysvScript(t, etc, log, "foo", "")
	r := run(t, env, "sysvinit", map[string]any{"name": "foo", "enabled": true})
	mustOK(t, r, true)
	if got := sysvLog(t, log); got != "service foo status\nupdate-rc.d foo defaults\n" {
		t.Fatalf("calls %q", got)
	}
	en := sysvStatus(t, r, "enabled")
	if en["changed"] != true || en["rc"] != 0 || en["stdout"] != "urc-out\n" || en["stderr"] != "urc-err\n" {
		t.Fatalf("enabled %v", en)
	}
	if st := sysvStatus(t, r, "null"); st["changed"] != false {
		t.Fatalf("null %v", st)
	}
	if err := os.Symlink("../init.d/foo", filepath.Join(etc, "rc3.d", "S20foo")); err != nil {
		t.Fatal(err)
	}
	os.Remove(log)
	r = run(t, env, "sysvinit", map[string]any{"name": "foo", "enabled": true})
	mustOK(t, r, false)
	r = run(t, env, "sysvinit", map[string]any{"name": "foo", "enabled": false})
	mustOK(t, r, true)
	os.Remove(filepath.Join(env.Conn.(*localConn).bin, "update-rc.d"))
	r = run(t, env, "sysvinit", map[string]any{"name": "foo", "enabled": false})
	mustOK(t, r, true)
	if got := sysvLog(t, log); !strings.Contains(got, "update-rc.d foo disable\n") || !strings.HasSuffix(got, "chkconfig foo off\n") {
		t.Fatalf("calls %q", got)
	}
}

// Without /etc/rc0.d the links are looked for in /etc/init.d/rc?.d.
func TestSysvinitEnabledInitdLayout(t *testing.T) {
	env, etc, log := sysvTestEnv(t, false)
	sysvFake(t, env, log, "service", "echo running\n")
	sysvFake(t, env, log, "chkconfig", "")
	sysvScript(t, etc, log, "foo", "")
	os.MkdirAll(filepath.Join(etc, "init.d", "rc3.d"), 0o755)
	writeFile(t, filepath.Join(etc, "init.d", "rc3.d", "S01foo"), "", 0o644)
	os.Remove(filepath.Join(env.Conn.(*localConn).bin, "update-rc.d"))
	r := run(t, env, "sysvinit", map[string]any{"name": "foo", "enabled": true})
	mustOK(t, r, false)
	writeFile(t, filepath.Join(etc, "rc3.d", "S01bar"), "", 0o644)
	r = run(t, env, "sysvinit", map[string]any{"name": "bar", "enabled": true})
	mustFail(t, r, "Could not find") // no script
	sysvScript(t, etc, log, "bar", "")
	r = run(t, env, "sysvinit", map[string]any{"name": "bar", "enabled": true})
	mustOK(t, r, true) // /etc/rc3.d is not looked at
	if !strings.HasSuffix(sysvLog(t, log), "chkconfig bar on\n") {
		t.Fatalf("calls %q", sysvLog(t, log))
	}
}

// runlevels: each is checked; update-rc.d NAME enable|disable RL..., or
// chkconfig --level RLS NAME on|off; an illegal runlevel fails.
func TestSysvinitRunlevels(t *testing.T) {
	env, etc, log := sysvTestEnv(t, true)
	sysvFake(t, env, log, "service", "echo running\n")
	sysvFake(t, env, log, "update-rc.d", "")
	sysvFake(t, env, log, "chkconfig", "")
	sysvScript(t, etc, log, "foo", "")
	writeFile(t, filepath.Join(etc, "rc2.d", "S20foo"), "", 0o644)
	r := run(t, env, "sysvinit", map[string]any{"name": "foo", "enabled": true, "runlevels": []any{"2"}})
	mustOK(t, r, false)
	r = run(t, env, "sysvinit", map[string]any{"name": "foo", "enabled": true, "runlevels": []any{"2", "3"}})
	mustOK(t, r, true)
	en := sysvStatus(t, r, "enabled")
	if rl, _ := en["runlevels"].([]any); len(rl) != 2 {
		t.Fatalf("enabled %v", en)
	}
	if !strings.HasSuffix(sysvLog(t, log), "update-rc.d foo enable 2 3\n") {
		t.Fatalf("calls %q", sysvLog(t, log))
	}
	// enabled unset with runlevels compares None with each: a disable.
	r = run(t, env, "sysvinit", map[string]any{"name": "foo", "state": "started", "runlevels": []any{"2"}})
	mustOK(t, r, true)
	if !strings.HasSuffix(sysvLog(t, log), "update-rc.d foo disable 2\n") {
		t.Fatalf("calls %q", sysvLog(t, log))
	}
	os.Remove(filepath.Join(env.Conn.(*localConn).bin, "update-rc.d"))
	sysvFake(t, env, log, "chkconfig", "echo 'chkconfig: illegal runlevel specified' >&2; exit 1\n")
	r = run(t, env, "sysvinit", map[string]any{"name": "foo", "enabled": false, "runlevels": []any{"2", "3"}, "state": "stopped"})
	mustFail(t, r, "Illegal runlevel specified for enable operation on service foo")
	if !strings.HasSuffix(sysvLog(t, log), "chkconfig --level 23 foo off\n") {
		t.Fatalf("calls %q (the stop must not run)", sysvLog(t, log))
	}
}

// restarted always stops then starts the script (with arguments),
// sleeping after each; reloaded always runs reload; a failing script
// fails with the module's message.
func TestSysvinitRestartReloadArgsAndFailure(t *testing.T) {
	env, etc, log := sysvTestEnv(t, true)
	sysvFake(t, env, log, "service", "echo stopped\n")
	sysvFake(t, env, log, "sleep", "")
	sysvScript(t, etc, log, "foo", "[ \"$1\" = reload ] && exit 1\necho $1\n")
	r := run(t, env, "sysvinit", map[string]any{"name": "foo", "state": "restarted", "arguments": "-v 'a b'", "sleep": 2})
	mustOK(t, r, true)
	want := "service foo status\ninit.d/foo stop -v a b\nsleep 2\ninit.d/foo start -v a b\nsleep 2\n"
	if got := sysvLog(t, log); got != want {
		t.Fatalf("calls %q, want %q", got, want)
	}
	if st := sysvStatus(t, r, "restarted"); st["stdout"] != "start\n" {
		t.Fatalf("status %v", st)
	}
	r = run(t, env, "sysvinit", map[string]any{"name": "foo", "state": "reloaded"})
	mustFail(t, r, "Failed to reload service: foo")
	if r["rc"] != 1 {
		t.Fatalf("rc %v", r)
	}
}

// Check mode reports the change and runs nothing but the read.
func TestSysvinitCheckMode(t *testing.T) {
	env, etc, log := sysvTestEnv(t, true)
	env.Check = true
	sysvFake(t, env, log, "service", "echo stopped\n")
	sysvFake(t, env, log, "update-rc.d", "")
	sysvScript(t, etc, log, "foo", "")
	r := run(t, env, "sysvinit", map[string]any{"name": "foo", "state": "started", "enabled": true})
	mustOK(t, r, true)
	if got := sysvLog(t, log); got != "service foo status\n" {
		t.Fatalf("calls %q", got)
	}
	if en := sysvStatus(t, r, "enabled"); en["changed"] != true || en["rc"] != nil {
		t.Fatalf("enabled %v", en)
	}
}
