package sshdtest_test

import (
	"context"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/internal/sshdtest"
)

func TestRebootCommandRebootsOnlyTheTestHost(t *testing.T) {
	t.Parallel()
	realBoot := realBootID(t)
	f := sshdtest.StartT(t, 3, sshdtest.Options{RebootDelay: 200 * time.Millisecond})
	old := f.BootID("h02")

	// The command never returns: the connection drops when the host goes down.
	r := runSSH(t, f, "h02", "echo going down; reboot")
	if r.code != 255 {
		t.Fatalf("ssh reboot: exit %d (stdout %q, stderr %q), want 255 (connection lost)", r.code, r.stdout, r.stderr)
	}
	rs := waitReboots(t, f, "h02", 1)
	if rs[0].OldBootID != old || rs[0].NewBootID != f.BootID("h02") || rs[0].NewBootID == old {
		t.Errorf("reboots.log %+v; boot ids before %s, now %s", rs[0], old, f.BootID("h02"))
	}
	if d := rs[0].Up.Sub(rs[0].Down); d < 200*time.Millisecond {
		t.Errorf("down for %v, RebootDelay is 200ms", d)
	}
	if got := mustSSH(t, f, "h02", "cat /proc/sys/kernel/random/boot_id"); got != rs[0].NewBootID {
		t.Errorf("h02 shows boot id %s after reboot, want %s", got, rs[0].NewBootID)
	}
	for _, h := range []string{"h01", "h03"} {
		if rs, _ := f.Reboots(h); len(rs) != 0 {
			t.Errorf("%s rebooted too: %+v", h, rs)
		}
	}

	// The other spellings, by absolute path too.
	for i, cmd := range []string{"/sbin/shutdown -r now", "systemctl reboot", "/usr/sbin/reboot -f"} {
		r := runSSH(t, f, "h02", cmd)
		if r.code != 255 {
			t.Fatalf("ssh %q: exit %d (stderr %q), want 255", cmd, r.code, r.stderr)
		}
		waitReboots(t, f, "h02", i+2)
	}
	if got := realBootID(t); got != realBoot {
		t.Fatalf("the real machine's boot id changed: %s -> %s", realBoot, got)
	}
}

func TestPoweroffKillAndRestart(t *testing.T) {
	t.Parallel()
	f := sshdtest.StartT(t, 2, sshdtest.Options{RebootDelay: 50 * time.Millisecond})

	// poweroff: the host goes down and stays down.
	if r := runSSH(t, f, "h01", "poweroff"); r.code != 255 {
		t.Fatalf("ssh poweroff: exit %d, want 255", r.code)
	}
	waitDown(t, f, "h01")
	if r := runSSH(t, f, "h01", "true"); r.code != 255 {
		t.Errorf("ssh to a powered-off host: exit %d, want 255", r.code)
	}

	// Kill kills running sessions too.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	long := exec.CommandContext(ctx, "ssh", append(f.SSHArgs("h02"), "echo started; sleep 300")...)
	stdout, err := long.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := long.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	if _, err := stdout.Read(buf); err != nil {
		t.Fatal(err)
	}
	old := f.BootID("h02")
	if err := f.Kill("h02"); err != nil {
		t.Fatal(err)
	}
	if err := long.Wait(); err == nil || ctx.Err() != nil {
		t.Errorf("session survived Kill: %v (ctx %v)", err, ctx.Err())
	}
	if f.Up("h02") {
		t.Error("h02 up after Kill")
	}

	if err := f.Restart("h02"); err != nil {
		t.Fatal(err)
	}
	rs := waitReboots(t, f, "h02", 1)
	if rs[0].OldBootID != old || rs[0].NewBootID == old {
		t.Errorf("Kill+Restart recorded %+v (old boot id %s)", rs[0], old)
	}
	mustSSH(t, f, "h02", "true")
}

func TestFaults(t *testing.T) {
	t.Parallel()
	f := sshdtest.StartT(t, 3, sshdtest.Options{RebootDelay: 50 * time.Millisecond})

	// HealthFail: healthcheck fails while set, also across reboots.
	if r := runSSH(t, f, "h01", "healthcheck"); r.code != 0 || strings.TrimSpace(r.stdout) != "healthy" {
		t.Fatalf("healthcheck on a healthy host: exit %d, %q", r.code, r.stdout)
	}
	if err := f.SetFault("h01", sshdtest.Fault{HealthFail: true}); err != nil {
		t.Fatal(err)
	}
	if r := runSSH(t, f, "h01", "healthcheck"); r.code != 1 {
		t.Errorf("healthcheck with HealthFail: exit %d, want 1", r.code)
	}
	if err := f.Reboot("h01"); err != nil {
		t.Fatal(err)
	}
	if r := runSSH(t, f, "h01", "healthcheck"); r.code != 1 {
		t.Errorf("healthcheck with HealthFail after reboot: exit %d, want 1", r.code)
	}
	if err := f.SetFault("h01", sshdtest.Fault{}); err != nil {
		t.Fatal(err)
	}
	if r := runSSH(t, f, "h01", "healthcheck"); r.code != 0 {
		t.Errorf("healthcheck after clearing the fault: exit %d", r.code)
	}

	// IgnoreReboot: reboot succeeds and nothing happens.
	if err := f.SetFault("h02", sshdtest.Fault{IgnoreReboot: true}); err != nil {
		t.Fatal(err)
	}
	old := f.BootID("h02")
	if r := runSSH(t, f, "h02", "reboot"); r.code != 0 {
		t.Errorf("reboot with IgnoreReboot: exit %d, want 0", r.code)
	}
	if got := mustSSH(t, f, "h02", "cat /proc/sys/kernel/random/boot_id"); got != old {
		t.Errorf("boot id changed from %s to %s with IgnoreReboot", old, got)
	}

	// NeverReturn: down after the reboot until Restart.
	if err := f.SetFault("h03", sshdtest.Fault{NeverReturn: true}); err != nil {
		t.Fatal(err)
	}
	if r := runSSH(t, f, "h03", "reboot"); r.code != 255 {
		t.Fatalf("reboot with NeverReturn: exit %d, want 255", r.code)
	}
	waitDown(t, f, "h03")
	if c, err := net.DialTimeout("tcp", net.JoinHostPort(f.Addr("h03"), "2222"), time.Second); err == nil {
		c.Close()
		t.Error("h03 accepts connections with NeverReturn")
	}
	if rs, _ := f.Reboots("h03"); len(rs) != 0 {
		t.Errorf("NeverReturn host recorded a reboot: %+v", rs)
	}

	// SlowReturn: down for at least the fault's delay.
	if err := f.SetFault("h03", sshdtest.Fault{SlowReturn: 700 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if err := f.Restart("h03"); err != nil {
		t.Fatal(err)
	}
	if err := f.Reboot("h03"); err != nil {
		t.Fatal(err)
	}
	rs := waitReboots(t, f, "h03", 2)
	if d := rs[1].Up.Sub(rs[1].Down); d < 700*time.Millisecond {
		t.Errorf("SlowReturn(700ms) host was down for %v", d)
	}
}

// waitDown waits until the host is down.
// A rebooting host is staged while it is down (namespace and mounts built,
// sshd not started): it must not listen before its RebootDelay is over, and
// Close must kill the staged wrapper.
func TestStagedRebootStaysDown(t *testing.T) {
	t.Parallel()
	f := sshdtest.StartT(t, 1, sshdtest.Options{RebootDelay: time.Hour})
	addr := net.JoinHostPort(f.Addr("h01"), "2222")
	if r := runSSH(t, f, "h01", "reboot"); r.code != 255 {
		t.Fatalf("ssh reboot: exit %d, want 255 (connection lost)", r.code)
	}
	waitDown(t, f, "h01")
	staged := func() string {
		for pid, cmdline := range fleetProcs(t, f) {
			if strings.Contains(cmdline, "wrapper.sh") {
				return pid
			}
		}
		return ""
	}
	deadline := time.Now().Add(30 * time.Second)
	for staged() == "" {
		if time.Now().After(deadline) {
			t.Fatalf("no staged wrapper for the rebooting host; fleet processes: %v", fleetProcs(t, f))
		}
		time.Sleep(10 * time.Millisecond)
	}
	// An unstaged wrapper would exec sshd within milliseconds: watch for a
	// second that nothing listens and the wrapper still waits.
	for end := time.Now().Add(time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Fatalf("%s accepts connections during its hour-long reboot", addr)
		}
		if staged() == "" {
			t.Fatalf("the staged wrapper went away; fleet processes: %v", fleetProcs(t, f))
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	for pid, cmdline := range fleetProcs(t, f) {
		t.Errorf("process %s still running after Close: %q", pid, cmdline)
	}
}

func waitDown(t *testing.T, f *sshdtest.Fleet, host string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for f.Up(host) {
		if time.Now().After(deadline) {
			t.Fatalf("%s still up", host)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
