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

// hostLock is a run's claim on its hosts: one file per host in the state
// directory, created exclusively. A second run touching any of the same
// hosts is refused while the holder's process is alive; a dead holder's
// locks are taken over.
type hostLock struct {
	files []string
}

type lockInfo struct {
	RunID   string    `json:"run_id"`
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
}

func lockHosts(stateDir, runID string, hosts []string) (*hostLock, error) {
	dir := filepath.Join(stateDir, "locks")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	info, _ := json.Marshal(lockInfo{RunID: runID, PID: os.Getpid(), Started: time.Now()})
	l := &hostLock{}
	for _, h := range hosts {
		f := filepath.Join(dir, strings.ReplaceAll(h, "/", "_")+".lock")
		for attempt := 0; ; attempt++ {
			err := os.WriteFile(f+".tmp."+fmt.Sprint(os.Getpid()), info, 0o600)
			if err == nil {
				err = os.Link(f+".tmp."+fmt.Sprint(os.Getpid()), f)
				os.Remove(f + ".tmp." + fmt.Sprint(os.Getpid()))
			}
			if err == nil {
				l.files = append(l.files, f)
				break
			}
			if !errors.Is(err, os.ErrExist) || attempt > 0 {
				l.release()
				return nil, fmt.Errorf("lock %s: %w", h, err)
			}
			var held lockInfo
			b, _ := os.ReadFile(f)
			_ = json.Unmarshal(b, &held)
			if held.PID > 0 && held.PID != os.Getpid() && alive(held.PID) {
				l.release()
				return nil, fmt.Errorf("host %s is being rolled by run %s (pid %d, started %s); wait for it or stop it first",
					h, held.RunID, held.PID, held.Started.Format(time.RFC3339))
			}
			os.Remove(f) // the holder is dead: take over
		}
	}
	return l, nil
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func (l *hostLock) release() {
	for _, f := range l.files {
		os.Remove(f)
	}
	l.files = nil
}
