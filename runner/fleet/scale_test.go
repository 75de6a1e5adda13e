package fleet

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestThousandHosts runs a command on every host of a 1,000-host NoSSH
// fleet at once, and checks on each host's disk that it ran there.
func TestThousandHosts(t *testing.T) {
	const n = 1000
	f := newFleet(t, Options{Hosts: n, Racks: 10, NoSSH: true})
	names := f.Hosts()
	if len(names) != n || names[0] != "host0001" || names[n-1] != "host1000" {
		t.Fatalf("host names: %s .. %s (%d)", names[0], names[len(names)-1], len(names))
	}
	d := f.Dialer()
	errs := make([]error, n)
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func(i int, name string) {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			c, err := d.Dial(ctx, f.Target(name))
			if err != nil {
				errs[i] = err
				return
			}
			defer c.Close()
			res, err := c.Run(ctx, `true && printf %s "$DROVER_FLEET_HOST" > ran`, nil)
			if err != nil {
				errs[i] = err
				return
			}
			codes[i] = res.ExitCode
		}(i, name)
	}
	wg.Wait()
	failed := 0
	for i, name := range names {
		if errs[i] != nil || codes[i] != 0 {
			failed++
			if failed <= 5 {
				t.Errorf("%s: exit %d, err %v", name, codes[i], errs[i])
			}
			continue
		}
		h, _ := f.Host(name)
		b, err := os.ReadFile(filepath.Join(h.Root, "ran"))
		if err != nil || string(b) != name {
			t.Errorf("%s: marker file %q, %v", name, b, err)
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d hosts failed", failed, n)
	}
}
