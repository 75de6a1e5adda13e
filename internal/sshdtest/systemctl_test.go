package sshdtest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drover-sh/drover/internal/sshdtest"
)

// steps runs each command on the host in one session and returns
// "command => exit code: output" lines.
func steps(t *testing.T, f *sshdtest.Fleet, host string, cmds ...string) []string {
	t.Helper()
	var script strings.Builder
	for _, c := range cmds {
		script.WriteString("out=$(" + c + " 2>&1); echo \"" + c + " => $?: $(echo $out)\"\n")
	}
	return strings.Split(mustSSH(t, f, host, script.String()), "\n")
}

func TestFakeSystemctl(t *testing.T) {
	t.Parallel()
	f := sshdtest.StartT(t, 2)
	state := filepath.Join(f.HostDir("h01"), ".systemd")
	exists := func(name string) bool {
		_, err := os.Stat(filepath.Join(state, name))
		return err == nil
	}

	got := steps(t, f, "h01",
		"systemctl is-active nginx",
		"systemctl start nginx",
		"/usr/bin/systemctl is-active nginx.service",
		"systemctl reload nginx",
		"systemctl restart nginx",
		"systemctl daemon-reload",
		"systemctl status nginx",
	)
	want := []string{
		"systemctl is-active nginx => 3: inactive",
		"systemctl start nginx => 0: ",
		"/usr/bin/systemctl is-active nginx.service => 0: active",
		"systemctl reload nginx => 0: ",
		"systemctl restart nginx => 0: ",
		"systemctl daemon-reload => 0: ",
	}
	for i, w := range want {
		if got[i] != w {
			t.Errorf("got %q, want %q", got[i], w)
		}
	}
	if !strings.HasPrefix(got[6], "systemctl status nginx => 0: ") {
		t.Errorf("got %q, want status exit 0", got[6])
	}
	if !exists("nginx.service.active") {
		t.Error("start did not record nginx.service as active")
	}

	got = steps(t, f, "h01",
		"systemctl stop nginx",
		"systemctl reload nginx",
		"systemctl status nginx >/dev/null",
		"systemctl is-enabled chronyd",
		"systemctl enable --now chronyd",
		"systemctl is-enabled chronyd",
		"systemctl show -p ActiveState,UnitFileState chronyd",
		"systemctl mask foo",
		"systemctl start foo",
	)
	want = []string{
		"systemctl stop nginx => 0: ",
		"systemctl reload nginx => 1: Failed to reload nginx.service: Unit nginx.service is not active.",
		"systemctl status nginx >/dev/null => 3: ",
		"systemctl is-enabled chronyd => 1: disabled",
		"systemctl enable --now chronyd => 0: ",
		"systemctl is-enabled chronyd => 0: enabled",
		"systemctl show -p ActiveState,UnitFileState chronyd => 0: ActiveState=active UnitFileState=enabled",
		"systemctl mask foo => 0: ",
		"systemctl start foo => 1: Failed to start foo.service: Unit foo.service is masked.",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if exists("nginx.service.active") || !exists("chronyd.service.enabled") || !exists("chronyd.service.active") {
		t.Error("unit state files do not match stop nginx / enable --now chronyd")
	}

	journal, err := os.ReadFile(filepath.Join(state, "journal.log"))
	if err != nil {
		t.Fatal(err)
	}
	var verbs []string
	for _, line := range strings.Split(strings.TrimSpace(string(journal)), "\n") {
		verbs = append(verbs, strings.SplitN(line, " ", 2)[1])
	}
	wantJ := "start nginx.service|reload nginx.service|restart nginx.service|daemon-reload|stop nginx.service|enable chronyd.service|start chronyd.service|mask foo.service"
	if got := strings.Join(verbs, "|"); got != wantJ {
		t.Errorf("journal:\n%s\nwant %s", got, wantJ)
	}

	// A reboot starts the enabled units and only them.
	mustSSH(t, f, "h01", "systemctl start nginx")
	if err := f.Reboot("h01"); err != nil {
		t.Fatal(err)
	}
	got = steps(t, f, "h01", "systemctl is-active chronyd", "systemctl is-active nginx")
	if got[0] != "systemctl is-active chronyd => 0: active" || got[1] != "systemctl is-active nginx => 3: inactive" {
		t.Errorf("after reboot: %q, want chronyd active and nginx inactive", got)
	}

	// Units are per host.
	if c := runSSH(t, f, "h02", "systemctl is-active chronyd").code; c != 3 {
		t.Errorf("h02 sees h01's unit: exit %d", c)
	}
}
