package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// hostLock is a run's claim on its hosts, in the state directory's locks/:
// one file per run (<run id>.json: the holder's pid and its hosts), taken
// under an flock of locks/.mutex so that two runs starting at once cannot
// both pass the check. A run touching any host of a live run is refused;
// a dead holder's claim is dropped.
//
// One file per run, not per host: creating files is the slow part on
// some filesystems (0.8 ms each on the benchmark VM: 8 s of startup at
// 10,000 hosts, before any host is contacted). Per-host lock files of
// earlier versions (<host>.lock) are still honoured.
type hostLock struct {
	file string
}

type lockInfo struct {
	RunID   string    `json:"run_id"`
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
	Hosts   []string  `json:"hosts,omitempty"`
}

// lockHosts claims hosts for run runID, or nothing.
func lockHosts(stateDir, runID string, hosts []string) (*hostLock, error) {
	dir := filepath.Join(stateDir, "locks")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	mu, err := os.OpenFile(filepath.Join(dir, ".mutex"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	defer mu.Close() // releases the flock
	if err := syscall.Flock(int(mu.Fd()), syscall.LOCK_EX); err != nil {
		return nil, fmt.Errorf("locks: %w", err)
	}
	want := make(map[string]bool, len(hosts))
	for _, h := range hosts {
		want[h] = true
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		name := e.Name()
		path := filepath.Join(dir, name)
		var held lockInfo
		var host string
		switch {
		case strings.HasSuffix(name, ".json"):
			b, _ := os.ReadFile(path)
			_ = json.Unmarshal(b, &held)
		case strings.HasSuffix(name, ".lock"): // an earlier version's, one per host
			host = strings.TrimSuffix(name, ".lock")
			if !want[host] {
				continue
			}
			held = readLegacyLock(path)
		default:
			continue
		}
		if held.PID <= 0 || held.PID == os.Getpid() || !alive(held.PID) {
			os.Remove(path) // the holder is dead: its claim goes
			continue
		}
		if host == "" {
			for _, h := range held.Hosts {
				if want[h] {
					host = h
					break
				}
			}
		}
		if host != "" {
			return nil, fmt.Errorf("host %s is being rolled by run %s (pid %d, started %s); wait for it or stop it first",
				host, held.RunID, held.PID, held.Started.Format(time.RFC3339))
		}
	}
	b, _ := json.Marshal(lockInfo{RunID: runID, PID: os.Getpid(), Started: time.Now(), Hosts: hosts})
	f := filepath.Join(dir, strings.ReplaceAll(runID, "/", "_")+".json")
	if err := os.WriteFile(f, b, 0o600); err != nil {
		os.Remove(f)
		return nil, fmt.Errorf("locks: %w", err)
	}
	return &hostLock{file: f}, nil
}

// readLegacyLock reads an earlier version's per-host lock: a file, or a
// symlink whose target is the JSON.
func readLegacyLock(f string) lockInfo {
	var held lockInfo
	b, err := os.ReadFile(f)
	if t, lerr := os.Readlink(f); lerr == nil {
		b, err = []byte(t), nil
	}
	if err == nil {
		_ = json.Unmarshal(b, &held)
	}
	return held
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func (l *hostLock) release() {
	if l.file != "" {
		os.Remove(l.file)
		l.file = ""
	}
}
