package modules_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover-sh/drover/modules"
	"github.com/drover-sh/drover/runner/fleet"
)

func rebootEnv(t *testing.T, faults map[string]fleet.Fault) (*fleet.Fleet, *modules.Env, *[]string) {
	t.Helper()
	f, err := fleet.New(fleet.Options{Dir: t.TempDir(), Hosts: 1, RebootDelay: 300 * time.Millisecond, NoSSH: true, Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	d := f.Dialer()
	tg := f.Target("host01")
	c, err := d.Dial(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	events := &[]string{}
	env := &modules.Env{Target: tg, Conn: c,
		Redial: func(ctx context.Context) (modules.Conn, error) { return d.Dial(ctx, tg) },
		Event: func(kind string, data map[string]any) {
			mu.Lock()
			*events = append(*events, kind)
			mu.Unlock()
		}}
	return f, env, events
}

func runReboot(env *modules.Env, args map[string]any) modules.Result {
	m, _ := modules.Lookup("ansible.builtin.reboot")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return m.Run(ctx, env, args)
}

func TestRebootNewBootID(t *testing.T) {
	f, env, events := rebootEnv(t, nil)
	old := f.BootID("host01")
	res := runReboot(env, map[string]any{"reboot_timeout": 20})
	if res.Failed() || res["rebooted"] != true {
		t.Fatalf("result: %v", res)
	}
	rs := f.Reboots("host01")
	if len(rs) != 1 || rs[0].OldBootID != old || rs[0].NewBootID != f.BootID("host01") {
		t.Fatalf("host's reboot record %+v (old %s, now %s)", rs, old, f.BootID("host01"))
	}
	if res["old_boot_id"] != old || res["boot_id"] != f.BootID("host01") {
		t.Errorf("result boot ids %v -> %v", res["old_boot_id"], res["boot_id"])
	}
	if d, _ := res["downtime"].(float64); d < 0.3 {
		t.Errorf("downtime %v, the host was down at least 0.3s", res["downtime"])
	}
	if strings.Join(*events, ",") != "reboot_started,host_back" {
		t.Errorf("events %v", *events)
	}
}

func TestRebootNeverReturns(t *testing.T) {
	f, env, _ := rebootEnv(t, map[string]fleet.Fault{"host01": {NeverReturn: true}})
	res := runReboot(env, map[string]any{"reboot_timeout": "2s", "connect_timeout": 1})
	if !res.Failed() || !strings.Contains(res.Msg(), "did not come back") {
		t.Fatalf("result: %v", res)
	}
	if f.Up("host01") {
		t.Error("host is up")
	}
}

// A reboot command that does nothing: the boot id never changes, and the
// module must not call that a reboot.
func TestRebootBootIDUnchangedFails(t *testing.T) {
	f, env, _ := rebootEnv(t, nil)
	res := runReboot(env, map[string]any{"reboot_command": "true", "reboot_timeout": "1500ms"})
	if !res.Failed() || res["rebooted"] == true {
		t.Fatalf("result: %v", res)
	}
	if len(f.Reboots("host01")) != 0 {
		t.Error("host rebooted")
	}
}

// A failing boot_time_command is an error, never a boot id
// (ansible/ansible#83018), and nothing is rebooted.
func TestRebootBootTimeCommandFails(t *testing.T) {
	f, env, _ := rebootEnv(t, nil)
	res := runReboot(env, map[string]any{"boot_time_command": "cat /nonexistent"})
	if !res.Failed() || !strings.Contains(res.Msg(), "boot_time_command") {
		t.Fatalf("result: %v", res)
	}
	if len(f.Reboots("host01")) != 0 {
		t.Error("host rebooted although its boot id could not be read")
	}
}

// stable_for: a host that comes back and reboots again within the window
// fails.
func TestRebootStableFor(t *testing.T) {
	f, env, events := rebootEnv(t, nil)
	go func() {
		// Once the host is back the first time, take it down again.
		for len(f.Reboots("host01")) == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond)
		f.Reboot("host01")
	}()
	res := runReboot(env, map[string]any{"stable_for": "3s", "reboot_timeout": 20})
	if !res.Failed() {
		t.Fatalf("a host that fell over again passed: %v (events %v)", res, *events)
	}
}

// On resume, a reboot begun before the crash whose boot id already changed
// is not issued again.
func TestRebootResumeDoesNotRebootTwice(t *testing.T) {
	f, env, _ := rebootEnv(t, nil)
	old := f.BootID("host01")
	if err := f.Reboot("host01"); err != nil { // the reboot the crashed run issued
		t.Fatal(err)
	}
	for i := 0; i < 500 && !f.Up("host01"); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	c, err := env.Redial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	env.Conn = c
	res := runReboot(env, map[string]any{"_resume_old_boot_id": old})
	if res.Failed() || res["rebooted"] != true {
		t.Fatalf("result %v", res)
	}
	if n := len(f.Reboots("host01")); n != 1 {
		t.Errorf("host rebooted %d times, want 1", n)
	}
}
