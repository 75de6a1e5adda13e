package ssh

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/drover-sh/drover/modules"
)

func (f *fixture) connect(t *testing.T, cfg Config) *Conn {
	t.Helper()
	c, err := f.dialer(t, cfg).Connect(t.Context(), f.target())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestRunResults(t *testing.T) {
	f := newFixture(t)
	c := f.connect(t, f.config())
	res, err := c.Run(t.Context(), "echo out; echo err >&2; exit 3", nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Stdout) != "out\n" || string(res.Stderr) != "err\n" || res.ExitCode != 3 {
		t.Fatalf("result %+v", res)
	}
	res, err = c.Run(t.Context(), "tr a-z A-Z", strings.NewReader("hello"))
	if err != nil || string(res.Stdout) != "HELLO" {
		t.Fatalf("stdin: %v %+v", err, res)
	}
	// A command that ignores a large stdin still succeeds.
	res, err = c.Run(t.Context(), "true", strings.NewReader(strings.Repeat("x", 4<<20)))
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("ignored stdin: %v %+v", err, res)
	}
	// Nil stdin is empty: cat ends.
	if got := mustRun(t, c, "cat; echo done"); got != "done\n" {
		t.Fatalf("nil stdin: %q", got)
	}
	if c.RemoteAddr().String() != f.srv.addr() {
		t.Fatalf("RemoteAddr %v", c.RemoteAddr())
	}
}

func TestUploadAtomicWithMode(t *testing.T) {
	f := newFixture(t)
	c := f.connect(t, f.config())
	dest := filepath.Join(f.srv.dir, "it's a dir", "file $x")
	os.MkdirAll(filepath.Dir(dest), 0o755)
	for _, content := range []string{"first", "second version"} {
		if err := c.Upload(t.Context(), dest, strings.NewReader(content), 0o640); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(dest)
		if err != nil || string(b) != content {
			t.Fatalf("content %q %v", b, err)
		}
	}
	fi, _ := os.Stat(dest)
	if fi.Mode().Perm() != 0o640 {
		t.Fatalf("mode %v", fi.Mode())
	}
	if err := c.Upload(t.Context(), dest, strings.NewReader("x"), 0o755|fs.ModeSetgid); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(dest); fi.Mode()&(fs.ModePerm|fs.ModeSetgid) != 0o755|fs.ModeSetgid {
		t.Fatalf("mode %v", fi.Mode())
	}
	entries, _ := os.ReadDir(filepath.Dir(dest))
	if len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}
	err := c.Upload(t.Context(), filepath.Join(f.srv.dir, "missing-dir", "f"), strings.NewReader("x"), 0o600)
	if err == nil || modules.IsUnreachable(err) {
		t.Fatalf("upload into a missing dir: %v", err)
	}
}

func TestOneTCPConnectionFor50Runs(t *testing.T) {
	f := newFixture(t)
	c := f.connect(t, f.config())
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := c.Run(t.Context(), "echo "+strconv.Itoa(i), nil)
			if err == nil && string(res.Stdout) != fmt.Sprintf("%d\n", i) {
				err = fmt.Errorf("run %d: stdout %q", i, res.Stdout)
			}
			errs <- err
		}()
		if i%10 == 9 {
			wg.Wait() // mix sequential and concurrent runs
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.srv.accepts.Load(); n != 1 {
		t.Fatalf("server accepted %d TCP connections for 50 runs, want 1", n)
	}
}

func TestServerRefusingSessions(t *testing.T) {
	f := newFixture(t)
	f.srv.maxSessions = 2
	c := f.connect(t, f.config())
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := c.Run(t.Context(), fmt.Sprintf("sleep 0.2; echo %d", i), nil)
			if err == nil && (res.ExitCode != 0 || string(res.Stdout) != fmt.Sprintf("%d\n", i)) {
				err = fmt.Errorf("run %d: %+v", i, res)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if f.srv.accepts.Load() != 1 {
		t.Fatalf("accepts %d", f.srv.accepts.Load())
	}
	if c.lim.limit > 2 {
		t.Fatalf("session bound %d not lowered", c.lim.limit)
	}
}

func TestKeepaliveDetectsDeadPeer(t *testing.T) {
	f := newFixture(t)
	cfg := f.config()
	cfg.KeepaliveInterval = 100 * time.Millisecond
	cfg.KeepaliveMax = 3
	c := f.connect(t, cfg)
	mustRun(t, c, "true")
	// The context is only a safety net: the keepalives must end the Run
	// long before it, with ErrConnectionLost rather than a ctx error.
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	done := make(chan error, 1)
	marker := filepath.Join(t.TempDir(), "started")
	go func() {
		_, err := c.Run(ctx, "touch "+marker+"; sleep 50", nil)
		done <- err
	}()
	waitFor(t, func() bool { _, err := os.Stat(marker); return err == nil })
	f.srv.freeze()
	err := <-done
	if !errors.Is(err, modules.ErrConnectionLost) || ctx.Err() != nil {
		t.Fatalf("want ErrConnectionLost from keepalives, got %v", err)
	}
	if !strings.Contains(err.Error(), "keepalive") {
		t.Fatalf("error does not say why: %v", err)
	}
	// Later runs fail fast as lost too.
	if _, err := c.Run(t.Context(), "true", nil); !errors.Is(err, modules.ErrConnectionLost) {
		t.Fatalf("run after loss: %v", err)
	}
}

func TestServerKilledMidCommand(t *testing.T) {
	f := newFixture(t)
	c := f.connect(t, f.config())
	done := make(chan error, 1)
	go func() {
		_, err := c.Run(t.Context(), "sleep 50", nil)
		done <- err
	}()
	waitFor(t, func() bool { return len(f.srv.procs()) >= 1 })
	f.srv.kill()
	if err := <-done; !errors.Is(err, modules.ErrConnectionLost) {
		t.Fatalf("want ErrConnectionLost, got %v", err)
	}
	// Redialing a dead host is unreachable, not lost.
	_, err := f.dialer(t, f.config()).Connect(t.Context(), f.target())
	if !errors.Is(err, modules.ErrUnreachable) {
		t.Fatalf("redial: %v", err)
	}
}

func TestContextCancelKillsRemoteCommand(t *testing.T) {
	f := newFixture(t)
	c := f.connect(t, f.config())
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := c.Run(ctx, "echo $$ > pid; exec sleep 50", nil)
		done <- err
	}()
	pidFile := filepath.Join(f.srv.dir, "pid")
	waitFor(t, func() bool { b, _ := os.ReadFile(pidFile); return strings.HasSuffix(string(b), "\n") })
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) || modules.IsUnreachable(err) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	b, _ := os.ReadFile(pidFile)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	waitFor(t, func() bool {
		// The test server reaps its children, so a killed one disappears.
		return syscall.Kill(pid, 0) != nil
	})
	// The connection is still usable.
	mustRun(t, c, "true")
}

func TestCommandTimeout(t *testing.T) {
	f := newFixture(t)
	cfg := f.config()
	cfg.CommandTimeout = 300 * time.Millisecond
	c := f.connect(t, cfg)
	if _, err := c.Run(t.Context(), "sleep 50", nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want deadline exceeded, got %v", err)
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	f := newFixture(t)
	c := f.connect(t, f.config())
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(t.Context(), "true", nil); !errors.Is(err, modules.ErrConnectionLost) {
		t.Fatalf("run after close: %v", err)
	}
}

func TestDialUnreachable(t *testing.T) {
	f := newFixture(t)
	f.srv.kill()
	_, err := f.dialer(t, f.config()).Dial(t.Context(), f.target())
	if !errors.Is(err, modules.ErrUnreachable) {
		t.Fatalf("want unreachable, got %v", err)
	}
}

// waitFor polls cond until it holds (bounded by the test's deadline).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 30s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWarmStartsTheShellOnce(t *testing.T) {
	f := newFixture(t)
	c := f.connect(t, f.config())
	if n := len(f.srv.procs()); n != 0 {
		t.Fatalf("%d processes before Warm, want 0", n)
	}
	if err := c.Warm(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := len(f.srv.procs()); n != 1 {
		t.Fatalf("%d processes after Warm, want 1 (the persistent shell)", n)
	}
	if err := c.Warm(t.Context()); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		res, err := c.Run(t.Context(), "echo warm"+strconv.Itoa(i), nil)
		if err != nil || string(res.Stdout) != fmt.Sprintf("warm%d\n", i) {
			t.Fatalf("run %d: %v %+v", i, err, res)
		}
	}
	if n := len(f.srv.procs()); n != 1 {
		t.Fatalf("%d session processes after Warm, Warm and 3 runs, want 1: the warmed shell ran them", n)
	}
}
