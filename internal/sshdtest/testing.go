package sshdtest

import (
	"errors"
	"os"
	"testing"
)

// StartT starts a fleet of n hosts for a test (opts, if given, supplies the
// other options; Dir defaults to a t.TempDir()) and closes it in t.Cleanup.
// When this machine cannot run test hosts the test is skipped, or fails
// when the environment variable CI is "true".
func StartT(t testing.TB, n int, opts ...Options) *Fleet {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	o.Hosts = n
	if o.Dir == "" {
		o.Dir = t.TempDir() // registered before Close: removed after it
	}
	f, err := Start(o)
	if errors.Is(err, ErrUnavailable) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	if err != nil {
		t.Fatalf("sshdtest: start %d hosts: %v", n, err)
	}
	t.Cleanup(func() {
		if err := f.Close(); err != nil {
			t.Errorf("sshdtest: close: %v", err)
		}
	})
	return f
}
