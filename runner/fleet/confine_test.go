package fleet

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/modules"
)

func TestCommandsAreConfined(t *testing.T) {
	realBoot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		t.Fatalf("this machine's boot id: %v", err)
	}
	f := newFleet(t, Options{Hosts: 1, NoSSH: true, RebootDelay: 100 * time.Millisecond})
	h, _ := f.Host("host01")
	c := dialDirect(t, f, "host01")

	res := run(t, c, `pwd; echo "$HOME"; echo "$DROVER_FLEET_HOST"; echo "$USER"`)
	want := strings.Join([]string{h.Root, h.Root, "host01", f.User()}, "\n") + "\n"
	if string(res.Stdout) != want {
		t.Errorf("environment:\n%s\nwant:\n%s", res.Stdout, want)
	}
	for _, name := range []string{"reboot", "shutdown", "poweroff", "halt", "systemctl", "sudo", "healthcheck"} {
		res := run(t, c, "command -v "+name)
		if got, want := trim(res.Stdout), filepath.Join(h.Dir, "bin", name); got != want {
			t.Errorf("command -v %s = %q, want the stand-in %q", name, got, want)
		}
	}
	// Absolute paths of the stand-ins are rewritten.
	res = run(t, c, "echo /sbin/reboot /usr/bin/systemctl /usr/sbin/shutdown; echo /opt/sbin/reboot")
	wantEcho := filepath.Join(h.Dir, "bin", "reboot") + " " + filepath.Join(h.Dir, "bin", "systemctl") + " " +
		filepath.Join(h.Dir, "bin", "shutdown") + "\n/opt/sbin/reboot\n"
	if string(res.Stdout) != wantEcho {
		t.Errorf("rewritten paths = %q, want %q", res.Stdout, wantEcho)
	}

	// Every way to reboot reaches the fleet, never the machine.
	old := f.BootID("host01")
	for i, cmd := range []string{"reboot", "/sbin/reboot", "sudo /usr/sbin/shutdown -r now", "sudo -S -p 'pw:' reboot", "sh -c 'init 6'", "/bin/systemctl reboot"} {
		c := dialDirect(t, f, "host01")
		stdin := strings.NewReader("secret\n")
		if _, err := c.Run(context.Background(), cmd, stdin); !errors.Is(err, modules.ErrConnectionLost) {
			t.Fatalf("%s: err = %v, want connection lost", cmd, err)
		}
		waitUntil(t, cmd+": host back", 20*time.Second, func() bool { return len(f.Reboots("host01")) == i+1 })
		waitUntil(t, cmd+": host up", 20*time.Second, func() bool { return f.Up("host01") })
		if id := f.BootID("host01"); id == old {
			t.Errorf("%s: boot id unchanged", cmd)
		} else {
			old = id
		}
	}
	if now, _ := os.ReadFile("/proc/sys/kernel/random/boot_id"); string(now) != string(realBoot) {
		t.Fatalf("this machine's boot id changed")
	}

	// poweroff: down until PowerOn.
	c = dialDirect(t, f, "host01")
	if _, err := c.Run(context.Background(), "poweroff", nil); !errors.Is(err, modules.ErrConnectionLost) {
		t.Fatalf("poweroff: err = %v", err)
	}
	if err := f.Reboot("host02"); err == nil {
		t.Errorf("Reboot of an unknown host: no error")
	}
	if f.Up("host01") {
		t.Fatalf("host up right after poweroff")
	}
	n := len(f.Reboots("host01"))
	if err := f.PowerOn("host01"); err != nil {
		t.Fatal(err)
	}
	if !f.Up("host01") || len(f.Reboots("host01")) != n+1 {
		t.Errorf("after PowerOn: up %v, reboots %d (was %d)", f.Up("host01"), len(f.Reboots("host01")), n)
	}
}

func TestSystemctlStandIn(t *testing.T) {
	f := newFleet(t, Options{Hosts: 1, NoSSH: true})
	h, _ := f.Host("host01")
	c := dialDirect(t, f, "host01")
	state := func(file string) bool {
		_, err := os.Stat(filepath.Join(h.Root, ".systemd", file))
		return err == nil
	}
	steps := []cmdStep{
		{"systemctl is-active nginx", 3, "inactive"},
		{"systemctl reload nginx", 1, ""},
		{"systemctl status nginx >/dev/null", 3, ""},
		{"systemctl start nginx", 0, ""},
		{"systemctl is-active nginx.service", 0, "active"},
		{"systemctl is-active --quiet nginx", 0, ""},
		{"systemctl reload nginx", 0, ""},
		{"systemctl show -p ActiveState --value nginx", 0, "active"},
		{"systemctl is-enabled nginx", 1, "disabled"},
		{"systemctl enable nginx", 0, ""},
		{"systemctl is-enabled nginx", 0, "enabled"},
		{"systemctl daemon-reload", 0, ""},
		{"systemctl restart nginx", 0, ""},
		{"systemctl stop nginx", 0, ""},
		{"systemctl is-active nginx", 3, "inactive"},
		{"touch .systemd/db.service.broken; systemctl start db", 1, ""},
		{"systemctl is-failed db", 0, "failed"},
		{"systemctl frobnicate x", 1, ""},
	}
	runSteps(t, c, steps)
	if !state("nginx.service.enabled") || state("nginx.service.active") {
		t.Errorf("unit state files do not match: enabled %v active %v", state("nginx.service.enabled"), state("nginx.service.active"))
	}
	// At boot, enabled units start and the others stop.
	run(t, c, "systemctl stop nginx; systemctl start oneshot; systemctl enable db")
	if err := f.Reboot("host01"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "host back", 20*time.Second, func() bool { return f.Up("host01") })
	if !state("nginx.service.active") || state("oneshot.service.active") || !state("db.service.failed") {
		t.Errorf("after reboot: nginx active %v (want true), oneshot active %v (want false), db failed %v (want true)",
			state("nginx.service.active"), state("oneshot.service.active"), state("db.service.failed"))
	}
}

// The package managers are stand-ins: installs, upgrades and removals
// change the host's simulated packages, never the real machine's.
func TestPackageStandIns(t *testing.T) {
	f := newFleet(t, Options{Hosts: 1, NoSSH: true})
	h, _ := f.Host("host01")
	c := dialDirect(t, f, "host01")
	realStatus, _ := os.ReadFile("/var/lib/dpkg/status")
	pkg := func(name string) string {
		b, err := os.ReadFile(filepath.Join(h.Root, ".packages", name))
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(b))
	}
	steps := []cmdStep{
		{"dpkg-query -W -f='${Status} ${Version}' drover-fleet-pkg", 1, ""},
		{"apt-get install -s -y drover-fleet-pkg | tail -n 1", 0, "0 upgraded, 1 newly installed, 0 to remove and 0 not upgraded."},
		{"/usr/bin/apt-get -y -q -o Dpkg::Options::=--force-confold install drover-fleet-pkg=1.0 | tail -n 1", 0, "0 upgraded, 1 newly installed, 0 to remove and 0 not upgraded."},
		{"dpkg-query -W -f='${Status} ${Version}' drover-fleet-pkg", 0, "install ok installed 1.0"},
		{"mkdir -p .packages-repo && echo 2.0 > .packages-repo/drover-fleet-pkg; apt-get -y dist-upgrade | tail -n 1", 0, "1 upgraded, 0 newly installed, 0 to remove and 0 not upgraded."},
		{"apt-get -y upgrade --with-new-pkgs | tail -n 1", 0, "0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded."},
		{"rpm -q --qf '%{VERSION}-%{RELEASE}' drover-fleet-pkg", 0, "2.0-1"},
		{"dnf -q check-update", 0, ""},
		{"apt-get remove -y drover-fleet-pkg | tail -n 1", 0, "0 upgraded, 0 newly installed, 1 to remove and 0 not upgraded."},
		{"service nginx start && systemctl is-active nginx", 0, "active"},
		{"apt-get frobnicate", 100, ""},
	}
	runSteps(t, c, steps[:3])
	if pkg("drover-fleet-pkg") != "1.0" {
		t.Errorf("after install the host's package is %q, want 1.0", pkg("drover-fleet-pkg"))
	}
	runSteps(t, c, steps[3:])
	if pkg("drover-fleet-pkg") != "" {
		t.Errorf("removed package still there: %q", pkg("drover-fleet-pkg"))
	}
	if now, _ := os.ReadFile("/var/lib/dpkg/status"); string(now) != string(realStatus) {
		t.Error("the real machine's dpkg status changed")
	}
}

// cmdStep is a command run on a host and what it must give.
type cmdStep struct {
	cmd    string
	code   int
	stdout string
}

// runSteps runs each step's command on c and checks its exit code and
// stdout.
func runSteps(t *testing.T, c modules.Conn, steps []cmdStep) {
	t.Helper()
	for _, s := range steps {
		res := run(t, c, s.cmd)
		if res.ExitCode != s.code || trim(res.Stdout) != s.stdout {
			t.Errorf("%s: exit %d stdout %q, want exit %d stdout %q (stderr %q)", s.cmd, res.ExitCode, trim(res.Stdout), s.code, s.stdout, res.Stderr)
		}
	}
}
