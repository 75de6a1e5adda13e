package sshdtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestReapStale: a fleet cgroup whose owner process is gone is emptied and
// removed by the next Start; a live owner's is left alone.
func TestReapStale(t *testing.T) {
	mount, err := checkDeps()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(mount, fmt.Sprintf("%s%d-1", cgroupPrefix, gone.Process.Pid))
	live := filepath.Join(mount, fmt.Sprintf("%s%d-1", cgroupPrefix, os.Getppid()))
	for _, d := range []string{stale, live} {
		if err := os.MkdirAll(filepath.Join(d, "h01"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		_ = removeCgroup(stale)
		_ = removeCgroup(live)
	})
	// A leftover process in the stale cgroup.
	leftover := exec.Command("/bin/sh", "-c", "echo $$ > "+filepath.Join(stale, "h01", "cgroup.procs")+"; exec sleep 300")
	if err := leftover.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- leftover.Wait() }()
	for {
		pids, err := cgroupProcs(filepath.Join(stale, "h01"))
		if err != nil {
			t.Fatal(err)
		}
		if len(pids) == 1 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}

	reapStale(mount)

	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("leftover process not killed")
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale cgroup %s still there: %v", stale, err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("live owner's cgroup removed: %v", err)
	}
}
