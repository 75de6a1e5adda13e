package fleet

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/modules"
)

// newFleet starts a fleet in a temporary directory, closed at cleanup.
func newFleet(t *testing.T, opts Options) *Fleet {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	if opts.RebootDelay == 0 {
		opts.RebootDelay = 200 * time.Millisecond
	}
	f, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// waitUntil polls cond until it holds, failing the test after limit. It
// is a bound on a wait, not a timing assertion.
func waitUntil(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true after %s", what, limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func dialDirect(t *testing.T, f *Fleet, name string) modules.Conn {
	t.Helper()
	c, err := f.Dialer().Dial(context.Background(), f.Target(name))
	if err != nil {
		t.Fatalf("Dial %s: %v", name, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func run(t *testing.T, c modules.Conn, cmd string) *modules.ExecResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := c.Run(ctx, cmd, nil)
	if err != nil {
		t.Fatalf("Run(%q): %v", cmd, err)
	}
	return res
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func trim(b []byte) string { return strings.TrimSpace(string(b)) }
