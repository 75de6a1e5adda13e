package fleet

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drover-sh/drover/modules"
)

// alive reports whether pid is a live (not zombie) process.
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

func TestRebootChangesBootIDAndLogs(t *testing.T) {
	const delay = 300 * time.Millisecond
	f := newFleet(t, Options{Hosts: 2, NoSSH: true, RebootDelay: delay})
	c := dialDirect(t, f, "host01")
	old := f.BootID("host01")
	if got := trim(run(t, c, "cat /proc/sys/kernel/random/boot_id").Stdout); got != old {
		t.Fatalf("simulated boot_id = %q, want %q", got, old)
	}
	other := f.BootID("host02")

	// Processes left behind, one of them out of the process group.
	res := run(t, c, "nohup sleep 300 >/dev/null 2>&1 & echo $!; setsid sleep 301 >/dev/null 2>&1 & echo $!")
	var pids []int
	for _, s := range strings.Fields(string(res.Stdout)) {
		pid, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("pid %q: %v", s, err)
		}
		pids = append(pids, pid)
	}
	if len(pids) != 2 {
		t.Fatalf("want 2 background pids, got %q", res.Stdout)
	}
	waitUntil(t, "background sleeps running", 10*time.Second, func() bool { return alive(pids[0]) && alive(pids[1]) })

	_, err := c.Run(context.Background(), "reboot", nil)
	if !errors.Is(err, modules.ErrConnectionLost) {
		t.Fatalf("Run(reboot): err = %v, want ErrConnectionLost", err)
	}
	if _, err := c.Run(context.Background(), "true", nil); !errors.Is(err, modules.ErrConnectionLost) {
		t.Fatalf("Run on a connection from before the reboot: err = %v, want ErrConnectionLost", err)
	}
	waitUntil(t, "host01 back", 20*time.Second, func() bool { return f.Up("host01") })

	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("process %d started before the reboot survived it", pid)
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	if n := countMarked(f, "host01"); n != 0 {
		t.Errorf("%d processes of host01 survived the reboot", n)
	}

	newID := f.BootID("host01")
	if newID == old || newID == "" {
		t.Fatalf("boot id after reboot = %q (before %q)", newID, old)
	}
	c2 := dialDirect(t, f, "host01")
	if got := trim(run(t, c2, "cat /proc/sys/kernel/random/boot_id").Stdout); got != newID {
		t.Errorf("simulated boot_id after reboot = %q, want %q", got, newID)
	}
	h, _ := f.Host("host01")
	logText := readFile(t, filepath.Join(h.Root, "reboots.log"))
	fields := strings.Fields(logText)
	if len(fields) != 4 || fields[2] != old || fields[3] != newID {
		t.Fatalf("reboots.log = %q, want `down up %s %s`", logText, old, newID)
	}
	rb := f.Reboots("host01")
	if len(rb) != 1 || rb[0].OldBootID != old || rb[0].NewBootID != newID {
		t.Fatalf("Reboots = %+v", rb)
	}
	if down := rb[0].Up.Sub(rb[0].Down); down < delay {
		t.Errorf("host was down %s, less than RebootDelay %s", down, delay)
	}
	if f.BootID("host02") != other || len(f.Reboots("host02")) != 0 {
		t.Errorf("host02 was affected by host01's reboot")
	}

	// A second reboot, through sudo and shutdown, appends a second line.
	_, err = c2.Run(context.Background(), "sudo -n shutdown -r now 'drover test'", nil)
	if !errors.Is(err, modules.ErrConnectionLost) {
		t.Fatalf("Run(sudo shutdown -r now): err = %v, want ErrConnectionLost", err)
	}
	waitUntil(t, "host01 back again", 20*time.Second, func() bool { return len(f.Reboots("host01")) == 2 })
	rb = f.Reboots("host01")
	if rb[1].OldBootID != newID || rb[1].NewBootID != f.BootID("host01") || rb[1].NewBootID == newID {
		t.Errorf("second reboot = %+v (boot id before %s)", rb[1], newID)
	}
}

// countMarked counts live processes carrying host name's marker.
func countMarked(f *Fleet, name string) int {
	want := f.marker(name)
	dir, _ := os.ReadDir("/proc")
	n := 0
	for _, e := range dir {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || !alive(pid) {
			continue
		}
		env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err != nil {
			continue
		}
		for _, kv := range strings.Split(string(env), "\x00") {
			if kv == want {
				n++
				break
			}
		}
	}
	return n
}

func TestRebootDropsSSHAndRefusesUntilBack(t *testing.T) {
	// NeverReturn holds the host down as long as the test needs; clearing
	// it brings the host back.
	f := newFleet(t, Options{Hosts: 2, Faults: map[string]Fault{"host01": {NeverReturn: true}}})
	addr := f.Addr("host01")
	old := f.BootID("host01")
	c1, err := dialTestSSH(f, "host01")
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	c2, err := dialTestSSH(f, "host01")
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()

	// c2 runs a long command; c1 reboots the host.
	long := make(chan error, 1)
	go func() {
		_, err := c2.Run(context.Background(), "sleep 300", nil)
		long <- err
	}()
	waitUntil(t, "long command running", 10*time.Second, func() bool { return countMarked(f, "host01") > 0 })
	if _, err := c1.Run(context.Background(), "/sbin/reboot", nil); !errors.Is(err, modules.ErrConnectionLost) {
		t.Fatalf("reboot over SSH: err = %v, want connection lost", err)
	}
	if err := <-long; !errors.Is(err, modules.ErrConnectionLost) {
		t.Fatalf("other connection's command: err = %v, want connection lost", err)
	}
	if _, err := dialTestSSH(f, "host01"); !errors.Is(err, modules.ErrUnreachable) {
		t.Fatalf("SSH dial while down: err = %v, want refused", err)
	}
	if _, err := f.Dialer().Dial(context.Background(), f.Target("host01")); !errors.Is(err, modules.ErrUnreachable) {
		t.Fatalf("direct dial while down: err = %v, want ErrUnreachable", err)
	}
	if f.Up("host01") || f.BootID("host01") != old {
		t.Fatalf("host01 came back despite NeverReturn")
	}
	// host02 is unaffected.
	c3, err := dialTestSSH(f, "host02")
	if err != nil {
		t.Fatalf("host02: %v", err)
	}
	c3.Close()

	if err := f.SetFault("host01", Fault{}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "host01 back", 20*time.Second, func() bool { return f.Up("host01") })
	if f.Addr("host01") != addr {
		t.Errorf("address changed across the reboot: %s -> %s", addr, f.Addr("host01"))
	}
	c4, err := dialTestSSH(f, "host01") // same port, same host key
	if err != nil {
		t.Fatalf("dial after reboot: %v", err)
	}
	defer c4.Close()
	newID := trim(run(t, c4, "cat /proc/sys/kernel/random/boot_id").Stdout)
	if newID == old || newID != f.BootID("host01") {
		t.Errorf("boot id after reboot: %q (before %q, fleet says %q)", newID, old, f.BootID("host01"))
	}
	if n := f.Connections("host01"); n != 3 {
		t.Errorf("Connections(host01) = %d, want 3", n)
	}
	if rb := f.Reboots("host01"); len(rb) != 1 || rb[0].OldBootID != old || rb[0].NewBootID != newID {
		t.Errorf("Reboots = %+v", rb)
	}
}
