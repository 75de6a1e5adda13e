package fleet

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/modules"
	"github.com/drover-sh/drover/modules/conntest"
	droverssh "github.com/drover-sh/drover/runner/ssh"
)

func TestConformanceInterpDirect(t *testing.T) {
	f := newFleet(t, Options{Hosts: 1, NoSSH: true, InterpShell: true})
	conntest.Run(t, func(t *testing.T) modules.Conn {
		c, err := f.Dialer().Dial(t.Context(), f.Target("host01"))
		if err != nil {
			t.Fatalf("Dial: %v", err)
		}
		return c
	})
}

// dialDrover dials a fleet host with drover's own SSH client (persistent
// shell on).
func dialDrover(t *testing.T, f *Fleet, name string) modules.Conn {
	t.Helper()
	d, err := droverssh.New(droverssh.Config{
		KnownHostsFiles: []string{f.KnownHostsPath()},
		IdentityFiles:   []string{f.KeyPath()},
		SSHConfigFiles:  []string{},
		Warn:            func(string) {},
	})
	if err != nil {
		t.Fatalf("ssh.New: %v", err)
	}
	c, err := d.Dial(t.Context(), f.Target(name))
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	return c
}

func TestConformanceInterpSSH(t *testing.T) {
	f := newFleet(t, Options{Hosts: 1, InterpShell: true})
	conntest.Run(t, func(t *testing.T) modules.Conn { return dialDrover(t, f, "host01") })
}

func TestInterpPidIsFake(t *testing.T) {
	f := newFleet(t, Options{Hosts: 1, NoSSH: true, InterpShell: true})
	c := dialDirect(t, f, "host01")
	res := run(t, c, `echo $$ ${$} $PPID; eval 'echo $$'; sh -c 'echo $$ $PPID'`)
	fields := strings.Fields(string(res.Stdout))
	if len(fields) != 6 {
		t.Fatalf("output %q", res.Stdout)
	}
	for _, s := range fields {
		n, err := strconv.Atoi(s)
		if err != nil || (n != 1 && !isFakePid(n)) || n == os.Getpid() {
			t.Errorf("pid %q is not a fake pid (stdout %q)", s, res.Stdout)
		}
	}
	if fields[0] != fields[1] || fields[0] != fields[3] || fields[5] != fields[0] || fields[4] == fields[0] {
		t.Errorf("pids %q: want $$ the same, sh -c's $PPID the shell's", fields)
	}
	if res := run(t, c, "kill -KILL -- -1; echo rc=$?; kill -0 "+strconv.Itoa(os.Getpid())+"; echo rc=$?"); !strings.Contains(string(res.Stdout), "rc=1\nrc=1") {
		t.Errorf("kill of every process / of the fleet: stdout %q, want refused", res.Stdout)
	}
}

// startSleeper runs `echo $$; sleep 300` on c in the background and
// returns the shell's fake pid and the command's outcome.
func startSleeper(t *testing.T, c modules.Conn) (int, chan error, chan *modules.ExecResult) {
	t.Helper()
	errc := make(chan error, 1)
	resc := make(chan *modules.ExecResult, 1)
	pf := filepath.Join(t.TempDir(), "pid")
	go func() {
		res, err := c.Run(context.Background(), "echo $$ > "+pf+"; sleep 300; echo survived", nil)
		resc <- res
		errc <- err
	}()
	var pid int
	waitUntil(t, "the sleeper's pid", 20*time.Second, func() bool {
		b, _ := os.ReadFile(pf)
		n, err := strconv.Atoi(strings.TrimSpace(string(b)))
		pid = n
		return err == nil
	})
	return pid, errc, resc
}

func TestInterpKillFakePid(t *testing.T) {
	f := newFleet(t, Options{Hosts: 1, NoSSH: true, InterpShell: true})
	c := dialDirect(t, f, "host01")
	for _, form := range []string{"kill -KILL -- -%d", "kill -KILL %d", "kill -9 %d"} {
		pid, errc, resc := startSleeper(t, c)
		if !isFakePid(pid) {
			t.Fatalf("$$ = %d, not a fake pid", pid)
		}
		killer := dialDirect(t, f, "host01")
		cmd := strings.ReplaceAll(form, "%d", strconv.Itoa(pid)) + "; echo rc=$?"
		if got := trim(run(t, killer, cmd).Stdout); got != "rc=0" {
			t.Errorf("%s: %q", cmd, got)
		}
		res, err := <-resc, <-errc
		if err != nil {
			t.Fatalf("%s: Run: %v", form, err)
		}
		if res.ExitCode != 128+9 || strings.Contains(string(res.Stdout), "survived") {
			t.Errorf("%s: exit %d stdout %q, want 137 and no more output", form, res.ExitCode, res.Stdout)
		}
		if got := trim(run(t, killer, "kill -0 "+strconv.Itoa(pid)+"; echo rc=$?").Stdout); got != "rc=1" {
			t.Errorf("kill -0 of the dead shell: %q", got)
		}
	}
}

func TestInterpRebootStopsInterpreter(t *testing.T) {
	f := newFleet(t, Options{Hosts: 1, NoSSH: true, InterpShell: true})
	c := dialDirect(t, f, "host01")
	_, errc, _ := startSleeper(t, c)
	if err := f.Reboot("host01"); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; !errors.Is(err, modules.ErrConnectionLost) {
		t.Fatalf("Run across a reboot: err = %v, want ErrConnectionLost", err)
	}
	waitUntil(t, "host01 back", 20*time.Second, func() bool { return f.Up("host01") })
	// The reboot stand-in (a forked script) still reboots the host.
	c2 := dialDirect(t, f, "host01")
	old := f.BootID("host01")
	if _, err := c2.Run(context.Background(), "/sbin/reboot", nil); !errors.Is(err, modules.ErrConnectionLost) {
		t.Fatalf("Run(reboot): err = %v, want ErrConnectionLost", err)
	}
	waitUntil(t, "host01 back", 20*time.Second, func() bool { return f.Up("host01") && f.BootID("host01") != old })
}

// The persistent shell over SSH: a command cancelled by its context is
// killed (drover kills the shell's fake pid from another session) and the
// next command gets a new shell.
func TestInterpPersistentShellCancel(t *testing.T) {
	f := newFleet(t, Options{Hosts: 1, InterpShell: true})
	c := dialDrover(t, f, "host01")
	defer c.Close()
	first := trim(run(t, c, "echo $$").Stdout)
	if again := trim(run(t, c, "echo $$").Stdout); again != first {
		t.Fatalf("persistent shell: $$ %s then %s, want one shell", first, again)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	mark := filepath.Join(t.TempDir(), "started")
	go func() {
		_, err := c.Run(ctx, "touch "+mark+"; sleep 300", nil)
		done <- err
	}()
	waitUntil(t, "the sleep running", 20*time.Second, func() bool {
		_, err := os.Stat(mark)
		return err == nil
	})
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Run: err = %v", err)
	}
	waitUntil(t, "the old shell gone", 20*time.Second, func() bool {
		n, _ := strconv.Atoi(first)
		h := f.byName["host01"]
		h.mu.Lock()
		defer h.mu.Unlock()
		_, ok := h.interps[n]
		return !ok
	})
	if next := trim(run(t, c, "echo $$").Stdout); next == first || next == "" {
		t.Errorf("after the kill: $$ %q, want a new shell", next)
	}
}
