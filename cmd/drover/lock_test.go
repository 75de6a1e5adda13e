package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A second roll touching a host held by a live run is refused with the
// holder's run id and pid; a dead holder's lock is taken over.
func TestHostLocks(t *testing.T) {
	state := t.TempDir()
	holder := exec.Command("sleep", "30")
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer holder.Process.Kill()
	if err := os.MkdirAll(filepath.Join(state, "locks"), 0o700); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(lockInfo{RunID: "other-run", PID: holder.Process.Pid, Started: time.Now()})
	if err := os.WriteFile(filepath.Join(state, "locks", "h2.lock"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := lockHosts(state, "mine", []string{"h1", "h2"})
	if err == nil || !strings.Contains(err.Error(), "other-run") || !strings.Contains(err.Error(), "pid") {
		t.Fatalf("lock over a live holder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(state, "locks", "h1.lock")); err == nil {
		t.Error("a refused run left its other locks behind")
	}
	holder.Process.Kill()
	holder.Wait()
	l, err := lockHosts(state, "mine", []string{"h1", "h2"})
	if err != nil {
		t.Fatalf("lock after the holder died: %v", err)
	}
	l.release()
	if ents, _ := os.ReadDir(filepath.Join(state, "locks")); len(ents) != 0 {
		t.Errorf("locks left after release: %d", len(ents))
	}
}
