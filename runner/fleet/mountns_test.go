package fleet

import (
	"os"
	"testing"
)

// TestMountNSBootID: a program that reads the boot id without naming its
// path on the command line still sees the simulated one.
func TestMountNSBootID(t *testing.T) {
	f := newFleet(t, Options{Hosts: 1, NoSSH: true})
	if !f.MountNS() {
		if os.Getenv("CI") == "true" && os.Geteuid() == 0 {
			t.Fatal("running as root in CI, but commands cannot get a mount namespace")
		}
		t.Skip("no mount namespaces here (needs root with CAP_SYS_ADMIN); the literal-path rewrite still applies")
	}
	c := dialDirect(t, f, "host01")
	res := run(t, c, `d=/proc/sys/kernel/random; cat "$d/boot_id"; grep -c . /proc/self/mountinfo >/dev/null`)
	if got := trim(res.Stdout); got != f.BootID("host01") {
		t.Errorf("boot id read through an unrewritten path = %q, want %q", got, f.BootID("host01"))
	}
	real, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil || trim(real) == f.BootID("host01") {
		t.Errorf("the machine's own boot id is %q (%v): the bind mount leaked", real, err)
	}

	g := newFleet(t, Options{Hosts: 1, NoSSH: true, NoMountNS: true})
	if g.MountNS() {
		t.Fatal("NoMountNS ignored")
	}
	res = run(t, dialDirect(t, g, "host01"), `d=/proc/sys/kernel/random; cat "$d/boot_id"`)
	if got := trim(res.Stdout); got != trim(real) {
		t.Errorf("without mount namespaces, an unrewritten path reads %q, want the machine's %q", got, trim(real))
	}
}
