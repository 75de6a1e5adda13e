package sshdtest_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/internal/sshdtest"
)

// sshResult is what the OpenSSH client returned.
type sshResult struct {
	stdout, stderr string
	code           int // exit status; 255 means ssh's own failure (connection lost)
}

// runSSH runs cmd on the host with the OpenSSH client and strict host key
// checking against the fleet's known_hosts.
func runSSH(t *testing.T, f *sshdtest.Fleet, host, cmd string) sshResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, "ssh", append(f.SSHArgs(host), cmd)...)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	r := sshResult{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("ssh %s %q: %v", host, cmd, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("ssh %s %q: timed out", host, cmd)
	}
	return r
}

// mustSSH runs cmd and fails the test unless it exits 0; it returns stdout
// without surrounding space.
func mustSSH(t *testing.T, f *sshdtest.Fleet, host, cmd string) string {
	t.Helper()
	r := runSSH(t, f, host, cmd)
	if r.code != 0 {
		t.Fatalf("ssh %s %q: exit %d, stderr %q", host, cmd, r.code, r.stderr)
	}
	return strings.TrimSpace(r.stdout)
}

// realBootID is the test machine's own boot id.
func realBootID(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// waitReboots waits until the host's reboots.log has n lines and returns them.
func waitReboots(t *testing.T, f *sshdtest.Fleet, host string, n int) []sshdtest.Reboot {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		rs, err := f.Reboots(host)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) >= n {
			if len(rs) > n {
				t.Fatalf("%s: %d reboots, want %d: %+v", host, len(rs), n, rs)
			}
			if err := f.WaitUp(host, 30*time.Second); err != nil {
				t.Fatal(err)
			}
			return rs
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d reboots after 30 s, want %d", host, len(rs), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
