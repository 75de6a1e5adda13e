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
	if claims := lockClaims(t, state); len(claims) != 0 {
		t.Errorf("claims left after release: %q", claims)
	}
}

// lockClaims lists the run and host claims in the state directory.
func lockClaims(t *testing.T, state string) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(state, "locks"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if n := e.Name(); strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ".lock") {
			out = append(out, n)
		}
	}
	return out
}

// A live run's claim (another process) refuses overlapping runs and lets
// disjoint ones through; it names the run's hosts in one file.
func TestRunClaims(t *testing.T) {
	state := t.TempDir()
	holder := exec.Command("sleep", "30")
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { holder.Process.Kill(); holder.Wait() }()
	l, err := lockHosts(state, "first-run", []string{"h1", "h2"})
	if err != nil {
		t.Fatal(err)
	}
	// Make the claim another live process's, as a concurrent drover's is.
	b, err := os.ReadFile(filepath.Join(state, "locks", "first-run.json"))
	if err != nil {
		t.Fatalf("no claim file: %v", err)
	}
	var info lockInfo
	if err := json.Unmarshal(b, &info); err != nil || info.RunID != "first-run" || strings.Join(info.Hosts, ",") != "h1,h2" {
		t.Fatalf("claim %s: %v", b, err)
	}
	info.PID = holder.Process.Pid
	b, _ = json.Marshal(info)
	if err := os.WriteFile(filepath.Join(state, "locks", "first-run.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := lockHosts(state, "second-run", []string{"h3", "h2"}); err == nil || !strings.Contains(err.Error(), "host h2 is being rolled by run first-run") {
		t.Fatalf("overlapping run: %v", err)
	}
	other, err := lockHosts(state, "third-run", []string{"h3", "h4"})
	if err != nil {
		t.Fatalf("disjoint run refused: %v", err)
	}
	other.release()
	if got := strings.Join(lockClaims(t, state), ","); got != "first-run.json" {
		t.Errorf("claims %q, want first-run.json only", got)
	}
	// The holder dies: its claim is dropped by the next run.
	holder.Process.Kill()
	holder.Wait()
	l2, err := lockHosts(state, "second-run", []string{"h3", "h2"})
	if err != nil {
		t.Fatalf("after the holder died: %v", err)
	}
	l2.release()
	l.release()
	if claims := lockClaims(t, state); len(claims) != 0 {
		t.Errorf("claims left: %q", claims)
	}
}
