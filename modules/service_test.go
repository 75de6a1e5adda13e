package modules

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// fakeSystemctl installs a systemctl that keeps unit state in files under
// dir/.units (UNIT.exists, UNIT.active, UNIT.enabled) and logs its calls.
func fakeSystemctl(t *testing.T, env *Env, dir string) string {
	t.Helper()
	s := filepath.Join(dir, ".units")
	if err := os.Mkdir(s, 0o755); err != nil {
		t.Fatal(err)
	}
	fakeBin(t, env, "systemctl", `S=`+s+`
echo "$*" >> $S/log
while [ "${1#--}" != "$1" ]; do shift; done
verb=$1; shift
while [ "${1#--}" != "$1" ]; do shift; done
u=${1%.service}
case $verb in
show)
  if [ ! -f $S/$u.exists ]; then echo LoadState=not-found; echo ActiveState=inactive; exit 0; fi
  if [ -f $S/$u.masked ]; then echo LoadState=masked; else echo LoadState=loaded; fi
  echo Id=$u.service
  echo ActiveState=$(cat $S/$u.active 2>/dev/null || echo inactive)
  echo UnitFileState=$(cat $S/$u.enabled 2>/dev/null || echo disabled);;
start|restart) echo active > $S/$u.active;;
reload) [ "$(cat $S/$u.active)" = active ] || exit 1;;
stop) echo inactive > $S/$u.active;;
enable) echo enabled > $S/$u.enabled;;
disable) echo disabled > $S/$u.enabled;;
mask) touch $S/$u.masked;;
unmask) rm -f $S/$u.masked;;
daemon-reload) touch $S/reloaded;;
*) echo "unknown verb $verb" >&2; exit 1;;
esac
`)
	return s
}

func TestSystemd(t *testing.T) {
	env, dir := testEnv(t)
	s := fakeSystemctl(t, env, dir)
	writeFile(t, filepath.Join(s, "nginx.exists"), "", 0o644)
	args := map[string]any{"name": "nginx", "state": "started", "enabled": "yes"}

	env.Check = true
	mustOK(t, run(t, env, "service", args), true)
	if _, err := os.Stat(filepath.Join(s, "nginx.active")); err == nil {
		t.Fatal("check mode started the unit")
	}
	env.Check = false
	r := run(t, env, "ansible.builtin.service", args)
	mustOK(t, r, true)
	if readFile(t, filepath.Join(s, "nginx.active")) != "active\n" || readFile(t, filepath.Join(s, "nginx.enabled")) != "enabled\n" {
		t.Fatal("not started/enabled")
	}
	if r["name"] != "nginx" || r["state"] != "started" || r["enabled"] != true {
		t.Fatalf("result %v", r)
	}
	mustOK(t, run(t, env, "service", args), false)

	r = run(t, env, "systemd", map[string]any{"name": "nginx", "state": "restarted", "daemon_reload": true})
	mustOK(t, r, true)
	if _, err := os.Stat(filepath.Join(s, "reloaded")); err != nil {
		t.Fatal("no daemon-reload")
	}
	if st := r["status"].(map[string]any); st["ActiveState"] != "active" {
		t.Fatalf("status %v", st)
	}
	mustOK(t, run(t, env, "systemd", map[string]any{"name": "nginx", "state": "reloaded"}), true)
	mustOK(t, run(t, env, "systemd", map[string]any{"name": "nginx", "state": "stopped", "enabled": false}), true)
	if readFile(t, filepath.Join(s, "nginx.active")) != "inactive\n" || readFile(t, filepath.Join(s, "nginx.enabled")) != "disabled\n" {
		t.Fatal("not stopped/disabled")
	}
	mustOK(t, run(t, env, "systemd", map[string]any{"name": "nginx", "masked": true}), true)
	mustOK(t, run(t, env, "systemd", map[string]any{"name": "nginx", "masked": true}), false)
	log := readFile(t, filepath.Join(s, "log"))
	if strings.Count(log, "restart nginx") != 1 || strings.Count(log, "start nginx") != 2 {
		t.Fatalf("calls:\n%s", log)
	}
	mustFail(t, run(t, env, "service", map[string]any{"name": "nope", "state": "started"}), "Could not find the requested service nope")
	r = run(t, env, "service", map[string]any{"name": "nginx", "state": "reloaded"})
	// reloaded on a stopped unit starts it.
	mustOK(t, r, true)
}

func TestServiceSysv(t *testing.T) {
	env, dir := testEnv(t)
	fakeBin(t, env, "service", `S=`+dir+`
case $2 in
status) [ -f $S/$1.running ];;
start) touch $S/$1.running;;
stop) rm -f $S/$1.running;;
restart) touch $S/$1.running;;
*) exit 1;;
esac
`)
	args := map[string]any{"name": "cron", "state": "started", "use": "sysvinit"}
	mustOK(t, run(t, env, "service", args), true)
	if _, err := os.Stat(filepath.Join(dir, "cron.running")); err != nil {
		t.Fatal("not started")
	}
	mustOK(t, run(t, env, "service", args), false)
	mustOK(t, run(t, env, "service", map[string]any{"name": "cron", "state": "stopped", "use": "sysvinit"}), true)
	if _, err := os.Stat(filepath.Join(dir, "cron.running")); err == nil {
		t.Fatal("not stopped")
	}
	fakeBin(t, env, "service", "exit 1\n")
	mustFail(t, run(t, env, "service", map[string]any{"name": "cron", "state": "started", "use": "sysvinit"}), "Unable to change service cron")
}

// scope: user runs every systemctl call with --user, against the user's
// manager found through XDG_RUNTIME_DIR (/run/user/UID when the session
// has none, as Ansible sets it); the system manager is never asked.
func TestSystemdUserScope(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", "")
	os.Unsetenv("XDG_RUNTIME_DIR") // restored by t.Setenv's cleanup
	env, dir := testEnv(t)
	s := fakeSystemctl(t, env, dir)
	real := filepath.Join(env.Conn.(*localConn).bin, "systemctl.system")
	if err := os.Rename(filepath.Join(env.Conn.(*localConn).bin, "systemctl"), real); err != nil {
		t.Fatal(err)
	}
	// The user manager's units are those of the fake; a call without
	// --user fails as if the system manager had no such unit.
	fakeBin(t, env, "systemctl", `case " $* " in *" --user "*) ;; *) echo "system manager asked: $*" >&2; exit 1;; esac
echo "XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR" >> `+s+`/env
exec `+real+` "$@"
`)
	writeFile(t, filepath.Join(s, "syncthing.exists"), "", 0o644)
	args := map[string]any{"name": "syncthing", "state": "started", "enabled": true, "scope": "user", "daemon_reload": true}
	mustOK(t, run(t, env, "systemd", args), true)
	if readFile(t, filepath.Join(s, "syncthing.active")) != "active\n" || readFile(t, filepath.Join(s, "syncthing.enabled")) != "enabled\n" {
		t.Fatal("user unit not started/enabled")
	}
	mustOK(t, run(t, env, "systemd", args), false)
	want := "XDG_RUNTIME_DIR=/run/user/" + strconv.Itoa(os.Getuid()) + "\n"
	if got := readFile(t, filepath.Join(s, "env")); !strings.HasPrefix(got, want) {
		t.Errorf("systemctl ran with %q, want %q", got, want)
	}
	if s := (serviceModule{systemd: true}).Schema().Args["scope"]; !slices.Contains(s.Choices, "user") || slices.Contains(s.Choices, "global") {
		t.Errorf("scope choices %v", s.Choices)
	}
}
