package fleet

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/modules"
)

func TestFaultNeverReturn(t *testing.T) {
	f := newFleet(t, Options{Hosts: 2, NoSSH: true, RebootDelay: 100 * time.Millisecond,
		Faults: map[string]Fault{"host02": {NeverReturn: true}}})
	old := f.BootID("host02")
	if err := f.Reboot("host02"); err != nil {
		t.Fatal(err)
	}
	// host01 reboots after host02 went down; once it is back, host02 has
	// been down longer than a normal reboot.
	if err := f.Reboot("host01"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "host01 back", 20*time.Second, func() bool { return f.Up("host01") })
	if f.Up("host02") {
		t.Fatal("host02 came back despite NeverReturn")
	}
	if _, err := f.Dialer().Dial(context.Background(), f.Target("host02")); !errors.Is(err, modules.ErrUnreachable) {
		t.Fatalf("dial host02: err = %v, want ErrUnreachable", err)
	}
	if f.BootID("host02") != old || len(f.Reboots("host02")) != 0 {
		t.Errorf("host02 booted: boot id %s (was %s), reboots %v", f.BootID("host02"), old, f.Reboots("host02"))
	}
	if len(f.Reboots("host01")) != 1 {
		t.Errorf("host01 reboots = %v", f.Reboots("host01"))
	}
}

func TestFaultSlowReturn(t *testing.T) {
	const delay, slow = 100 * time.Millisecond, 600 * time.Millisecond
	f := newFleet(t, Options{Hosts: 1, NoSSH: true, RebootDelay: delay})
	if err := f.SetFault("host01", Fault{SlowReturn: slow}); err != nil {
		t.Fatal(err)
	}
	c := dialDirect(t, f, "host01")
	if _, err := c.Run(context.Background(), "systemctl reboot", nil); !errors.Is(err, modules.ErrConnectionLost) {
		t.Fatalf("systemctl reboot: err = %v", err)
	}
	waitUntil(t, "host01 back", 20*time.Second, func() bool { return f.Up("host01") })
	rb := f.Reboots("host01")
	if len(rb) != 1 {
		t.Fatalf("Reboots = %+v", rb)
	}
	if down := rb[0].Up.Sub(rb[0].Down); down < delay+slow {
		t.Errorf("down for %s, want at least RebootDelay+SlowReturn = %s", down, delay+slow)
	}
}

func TestFaultDown(t *testing.T) {
	f := newFleet(t, Options{Hosts: 2})
	old := f.BootID("host01")
	direct := dialDirect(t, f, "host01")
	sshc, err := dialTestSSH(f, "host01")
	if err != nil {
		t.Fatal(err)
	}
	defer sshc.Close()
	results := make(chan error, 2)
	for _, c := range []modules.Conn{direct, sshc} {
		go func(c modules.Conn) {
			_, err := c.Run(context.Background(), "sleep 300", nil)
			results <- err
		}(c)
	}
	waitUntil(t, "commands running", 10*time.Second, func() bool { return countMarked(f, "host01") >= 2 })
	if err := f.SetFault("host01", Fault{Down: true}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := <-results; !errors.Is(err, modules.ErrConnectionLost) {
			t.Errorf("command on a host going down: err = %v, want connection lost", err)
		}
	}
	waitUntil(t, "commands killed", 10*time.Second, func() bool { return countMarked(f, "host01") == 0 })
	if _, err := f.Dialer().Dial(context.Background(), f.Target("host01")); !errors.Is(err, modules.ErrUnreachable) {
		t.Errorf("direct dial of a down host: err = %v", err)
	}
	if _, err := dialTestSSH(f, "host01"); !errors.Is(err, modules.ErrUnreachable) {
		t.Errorf("SSH dial of a down host: err = %v", err)
	}
	if f.Fault("host01") != (Fault{Down: true}) {
		t.Errorf("Fault = %v", f.Fault("host01"))
	}

	// Back up: same boot (a network problem is not a reboot).
	if err := f.SetFault("host01", Fault{}); err != nil {
		t.Fatal(err)
	}
	c := dialDirect(t, f, "host01")
	if got := trim(run(t, c, "cat /proc/sys/kernel/random/boot_id").Stdout); got != old {
		t.Errorf("boot id after Down cleared = %q, want unchanged %q", got, old)
	}
	sshc2, err := dialTestSSH(f, "host01")
	if err != nil {
		t.Fatalf("SSH dial after Down cleared: %v", err)
	}
	sshc2.Close()
	if len(f.Reboots("host01")) != 0 {
		t.Errorf("Down counted as a reboot: %v", f.Reboots("host01"))
	}

	// Down from the start.
	g := newFleet(t, Options{Hosts: 1, NoSSH: true, Faults: map[string]Fault{"host01": {Down: true}}})
	if _, err := g.Dialer().Dial(context.Background(), g.Target("host01")); !errors.Is(err, modules.ErrUnreachable) {
		t.Errorf("dial of a host down from the start: err = %v", err)
	}
}

func TestFaultHealthFail(t *testing.T) {
	f := newFleet(t, Options{Hosts: 2, NoSSH: true, Faults: map[string]Fault{"host02": {HealthFail: true}}})
	c1 := dialDirect(t, f, "host01")
	c2 := dialDirect(t, f, "host02")
	if res := run(t, c1, "healthcheck"); res.ExitCode != 0 {
		t.Errorf("healthy host: healthcheck exit %d (%s)", res.ExitCode, res.Stderr)
	}
	res := run(t, c2, "healthcheck")
	if res.ExitCode == 0 || !strings.Contains(string(res.Stderr), "unhealthy") {
		t.Errorf("HealthFail host: healthcheck exit %d, stderr %q", res.ExitCode, res.Stderr)
	}
	if err := f.SetFault("host01", Fault{HealthFail: true}); err != nil {
		t.Fatal(err)
	}
	if res := run(t, c1, "healthcheck"); res.ExitCode == 0 {
		t.Errorf("after SetFault(HealthFail): healthcheck exit 0")
	}
	if err := f.SetFault("host02", Fault{}); err != nil {
		t.Fatal(err)
	}
	if res := run(t, c2, "healthcheck"); res.ExitCode != 0 {
		t.Errorf("after clearing HealthFail: healthcheck exit %d", res.ExitCode)
	}
	// The health fault survives a reboot.
	if err := f.Reboot("host01"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "host01 back", 20*time.Second, func() bool { return f.Up("host01") })
	c3 := dialDirect(t, f, "host01")
	if res := run(t, c3, "healthcheck"); res.ExitCode == 0 {
		t.Errorf("HealthFail lost across a reboot")
	}
}

func TestParseFault(t *testing.T) {
	cases := []struct {
		spec string
		name string
		want Fault
		bad  bool
	}{
		{spec: "host01=never", name: "host01", want: Fault{NeverReturn: true}},
		{spec: "host02=slow:30s", name: "host02", want: Fault{SlowReturn: 30 * time.Second}},
		{spec: "host03=down", name: "host03", want: Fault{Down: true}},
		{spec: "host04=healthfail", name: "host04", want: Fault{HealthFail: true}},
		{spec: "host05=slow", bad: true},
		{spec: "host06=down:1s", bad: true},
		{spec: "host07=melt", bad: true},
		{spec: "=down", bad: true},
		{spec: "host08", bad: true},
	}
	for _, c := range cases {
		name, ft, err := ParseFault(c.spec)
		if c.bad {
			if err == nil {
				t.Errorf("ParseFault(%q): no error", c.spec)
			}
			continue
		}
		if err != nil || name != c.name || ft != c.want {
			t.Errorf("ParseFault(%q) = %q, %+v, %v", c.spec, name, ft, err)
		}
	}
}
