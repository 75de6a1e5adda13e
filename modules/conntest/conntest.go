package conntest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover-sh/drover/modules"
)

// waitLimit bounds every wait for a condition on the host (a file to
// appear, a process to die). It is a safety net, not a timing assertion.
const waitLimit = 20 * time.Second

// Run runs the conformance suite. dial must return a new, open connection
// to the same host each time it is called; the suite closes it.
func Run(t *testing.T, dial func(t *testing.T) modules.Conn) {
	t.Helper()
	t.Run("ExitCodes", func(t *testing.T) { testExitCodes(t, dial) })
	t.Run("StdoutStderr", func(t *testing.T) { testStdoutStderr(t, dial) })
	t.Run("Stdin", func(t *testing.T) { testStdin(t, dial) })
	t.Run("LargeOutput", func(t *testing.T) { testLargeOutput(t, dial) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, dial) })
	t.Run("Cancel", func(t *testing.T) { testCancel(t, dial) })
	t.Run("Deadline", func(t *testing.T) { testDeadline(t, dial) })
	t.Run("Upload", func(t *testing.T) { testUpload(t, dial) })
	t.Run("Close", func(t *testing.T) { testClose(t, dial) })
}

// open dials and registers Close as cleanup.
func open(t *testing.T, dial func(t *testing.T) modules.Conn) modules.Conn {
	t.Helper()
	c := dial(t)
	if c == nil {
		t.Fatal("dial returned a nil Conn")
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// tempDir makes a directory on the host with mktemp -d and removes it at
// cleanup (before the connection closes).
func tempDir(t *testing.T, c modules.Conn) string {
	t.Helper()
	res := mustRun(t, c, "mktemp -d", nil)
	dir := strings.TrimSpace(string(res.Stdout))
	if res.ExitCode != 0 || !strings.HasPrefix(dir, "/") {
		t.Fatalf("mktemp -d: exit %d, stdout %q, stderr %q", res.ExitCode, res.Stdout, res.Stderr)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		if _, err := c.Run(ctx, "rm -rf "+quote(dir), nil); err != nil {
			t.Logf("removing %s: %v", dir, err)
		}
	})
	return dir
}

func mustRun(t *testing.T, c modules.Conn, cmd string, stdin io.Reader) *modules.ExecResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*waitLimit)
	defer cancel()
	res, err := c.Run(ctx, cmd, stdin)
	if err != nil {
		t.Fatalf("Run(%q): %v", cmd, err)
	}
	if res == nil {
		t.Fatalf("Run(%q): nil result and nil error", cmd)
	}
	return res
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func testExitCodes(t *testing.T, dial func(t *testing.T) modules.Conn) {
	c := open(t, dial)
	for _, code := range []int{0, 1, 42} {
		res := mustRun(t, c, fmt.Sprintf("exit %d", code), nil)
		if res.ExitCode != code {
			t.Errorf("exit %d: ExitCode = %d", code, res.ExitCode)
		}
	}
	res := mustRun(t, c, "false", nil)
	if res.ExitCode != 1 {
		t.Errorf("false: ExitCode = %d, want 1", res.ExitCode)
	}
}

func testStdoutStderr(t *testing.T, dial func(t *testing.T) modules.Conn) {
	c := open(t, dial)
	res := mustRun(t, c, "printf 'to out\\n'; printf 'to err\\n' >&2; printf 'more out'; exit 3", nil)
	if got, want := string(res.Stdout), "to out\nmore out"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
	if got, want := string(res.Stderr), "to err\n"; got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}
	if res.ExitCode != 3 {
		t.Errorf("ExitCode = %d, want 3", res.ExitCode)
	}
}

func testStdin(t *testing.T, dial func(t *testing.T) modules.Conn) {
	c := open(t, dial)
	in := "line one\nline two\n\x00binary\xff"
	res := mustRun(t, c, "cat", strings.NewReader(in))
	if string(res.Stdout) != in {
		t.Errorf("cat of stdin = %q, want %q", res.Stdout, in)
	}
	res = mustRun(t, c, "cat; echo end", nil)
	if got := string(res.Stdout); got != "end\n" {
		t.Errorf("nil stdin: cat printed %q, want only %q", got, "end\n")
	}
	res = mustRun(t, c, "wc -c", bytes.NewReader(nil))
	if got := strings.TrimSpace(string(res.Stdout)); got != "0" {
		t.Errorf("empty stdin: wc -c = %q, want 0", got)
	}
	// A command that does not read its stdin still completes.
	res = mustRun(t, c, "echo ignored", strings.NewReader(strings.Repeat("x", 256<<10)))
	if string(res.Stdout) != "ignored\n" {
		t.Errorf("unread stdin: stdout = %q", res.Stdout)
	}
}

func testLargeOutput(t *testing.T, dial func(t *testing.T) modules.Conn) {
	c := open(t, dial)
	const size = 1 << 20
	res := mustRun(t, c, "dd if=/dev/zero bs=1024 count=1024 2>/dev/null | tr '\\000' x; dd if=/dev/zero bs=1024 count=1024 2>/dev/null | tr '\\000' e >&2", nil)
	if len(res.Stdout) != size || bytes.Count(res.Stdout, []byte("x")) != size {
		t.Errorf("stdout: %d bytes (%d x), want %d x", len(res.Stdout), bytes.Count(res.Stdout, []byte("x")), size)
	}
	if len(res.Stderr) != size || bytes.Count(res.Stderr, []byte("e")) != size {
		t.Errorf("stderr: %d bytes (%d e), want %d e", len(res.Stderr), bytes.Count(res.Stderr, []byte("e")), size)
	}
	// 1 MiB through stdin and back.
	in := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	res = mustRun(t, c, "cat", bytes.NewReader(in))
	if !bytes.Equal(res.Stdout, in) {
		t.Errorf("1 MiB stdin echoed as %d bytes, not equal", len(res.Stdout))
	}
}

func testConcurrent(t *testing.T, dial func(t *testing.T) modules.Conn) {
	c := open(t, dial)
	const n = 16
	type outcome struct {
		i   int
		res *modules.ExecResult
		err error
	}
	out := make(chan outcome, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 2*waitLimit)
			defer cancel()
			cmd := fmt.Sprintf("read v; echo \"out $v %d\"; echo \"err %d\" >&2; exit %d", i, i, i%4)
			res, err := c.Run(ctx, cmd, strings.NewReader(fmt.Sprintf("in%d\n", i)))
			out <- outcome{i, res, err}
		}(i)
	}
	wg.Wait()
	close(out)
	for o := range out {
		if o.err != nil {
			t.Errorf("run %d: %v", o.i, o.err)
			continue
		}
		if got, want := string(o.res.Stdout), fmt.Sprintf("out in%d %d\n", o.i, o.i); got != want {
			t.Errorf("run %d: stdout = %q, want %q", o.i, got, want)
		}
		if got, want := string(o.res.Stderr), fmt.Sprintf("err %d\n", o.i); got != want {
			t.Errorf("run %d: stderr = %q, want %q", o.i, got, want)
		}
		if o.res.ExitCode != o.i%4 {
			t.Errorf("run %d: ExitCode = %d, want %d", o.i, o.res.ExitCode, o.i%4)
		}
	}
}

// waitFor runs cond on the host until it exits 0, failing after waitLimit.
func waitFor(t *testing.T, c modules.Conn, what, cond string) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		res := mustRun(t, c, cond, nil)
		if res.ExitCode == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still not true after %s: %s", what, waitLimit, cond)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startSleeper runs, in the background of the test, a command that writes
// its pid to dir/pid and then sleeps (as that very process), with ctx.
func startSleeper(ctx context.Context, c modules.Conn, dir string) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := c.Run(ctx, "echo $$ > "+quote(dir+"/pid.tmp")+" && mv "+quote(dir+"/pid.tmp")+" "+quote(dir+"/pid")+" && exec sleep 60", nil)
		done <- err
	}()
	return done
}

// checkKilled waits until the process whose pid is in dir/pid is gone.
func checkKilled(t *testing.T, c modules.Conn, dir string) {
	t.Helper()
	res := mustRun(t, c, "cat "+quote(dir+"/pid"), nil)
	pid, err := strconv.Atoi(strings.TrimSpace(string(res.Stdout)))
	if err != nil || pid <= 1 {
		t.Fatalf("pid file: %q", res.Stdout)
	}
	waitFor(t, c, fmt.Sprintf("remote process %d killed", pid), fmt.Sprintf("! kill -0 %d 2>/dev/null", pid))
}

func testCancel(t *testing.T, dial func(t *testing.T) modules.Conn) {
	c := open(t, dial)
	dir := tempDir(t, c)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := startSleeper(ctx, c, dir)
	waitFor(t, c, "command started", "test -s "+quote(dir+"/pid"))
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run after cancel: err = %v, want one wrapping context.Canceled", err)
		}
	case <-time.After(waitLimit):
		t.Fatalf("Run did not return within %s of its context being cancelled", waitLimit)
	}
	checkKilled(t, c, dir)
	// The connection is still usable.
	if res := mustRun(t, c, "echo ok", nil); string(res.Stdout) != "ok\n" {
		t.Errorf("after cancel: stdout = %q", res.Stdout)
	}
}

func testDeadline(t *testing.T, dial func(t *testing.T) modules.Conn) {
	c := open(t, dial)
	dir := tempDir(t, c)
	// The deadline is far enough for the command to start and write its
	// pid; the sleep is far longer.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	done := startSleeper(ctx, c, dir)
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Run past its deadline: err = %v, want one wrapping context.DeadlineExceeded", err)
		}
	case <-time.After(2*time.Second + waitLimit):
		t.Fatalf("Run did not return within %s of its deadline", waitLimit)
	}
	res := mustRun(t, c, "test -s "+quote(dir+"/pid"), nil)
	if res.ExitCode != 0 {
		t.Fatalf("the command never wrote its pid file before the deadline")
	}
	checkKilled(t, c, dir)
}

func testUpload(t *testing.T, dial func(t *testing.T) modules.Conn) {
	c := open(t, dial)
	dir := tempDir(t, c)
	path := dir + "/uploaded file"
	ctx, cancel := context.WithTimeout(context.Background(), 2*waitLimit)
	defer cancel()

	check := func(step, content, mode string) {
		t.Helper()
		res := mustRun(t, c, "cat "+quote(path), nil)
		if string(res.Stdout) != content {
			t.Errorf("%s: content = %q, want %q", step, res.Stdout, content)
		}
		res = mustRun(t, c, "stat -c %a "+quote(path), nil)
		if got := strings.TrimSpace(string(res.Stdout)); got != mode {
			t.Errorf("%s: mode = %q, want %q", step, got, mode)
		}
		res = mustRun(t, c, "cd "+quote(dir)+" && ls -A", nil)
		if got := string(res.Stdout); got != "uploaded file\n" {
			t.Errorf("%s: directory holds %q, want only the uploaded file (no temporary left)", step, got)
		}
	}
	if err := c.Upload(ctx, path, strings.NewReader("first\ncontent\n"), 0o640); err != nil {
		t.Fatalf("Upload: %v", err)
	}
	check("new file", "first\ncontent\n", "640")
	big := strings.Repeat("overwritten ", 100000)
	if err := c.Upload(ctx, path, strings.NewReader(big), 0o755); err != nil {
		t.Fatalf("Upload over an existing file: %v", err)
	}
	check("overwrite", big, "755")
	if err := c.Upload(ctx, path, strings.NewReader(""), 0o600); err != nil {
		t.Fatalf("Upload of empty content: %v", err)
	}
	check("empty", "", "600")
	if err := c.Upload(ctx, dir+"/no/such/dir/file", strings.NewReader("x"), 0o644); err == nil {
		t.Errorf("Upload into a missing directory: no error")
	}
}

func testClose(t *testing.T, dial func(t *testing.T) modules.Conn) {
	c := dial(t)
	if c == nil {
		t.Fatal("dial returned a nil Conn")
	}
	mustRun(t, c, "true", nil)
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v (Close must be idempotent)", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	res, err := c.Run(ctx, "echo should not run", nil)
	if err == nil {
		t.Errorf("Run after Close: no error (result %+v)", res)
	}
	if err := c.Upload(ctx, "/nonexistent-drover-conntest", strings.NewReader("x"), 0o644); err == nil {
		t.Errorf("Upload after Close: no error")
	}
}
