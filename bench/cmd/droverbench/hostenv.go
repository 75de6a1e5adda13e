package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// check runs `drover check` on the playbook with the inventory, so that a
// playbook drover would reject (or an undefined variable, which could make
// a path relative) is caught before any host is touched.
func (b *bench) check(ctx context.Context, playbook, inv string) error {
	out, err := exec.CommandContext(ctx, b.drover, "check", playbook, "-i", inv).CombinedOutput()
	if err != nil {
		return fmt.Errorf("drover check %s -i %s: %w\n%s", playbook, inv, err, out)
	}
	return nil
}

// clearStaleLocks removes a stale pyenv rehash lock. On machines where
// root's ~/.bashrc runs `pyenv init` (this benchmark VM), every SSH session
// on a test host runs it too (the hosts share the real /root); a rehash
// killed mid-way (a simulated reboot, a killed fleet) leaves
// ~/.pyenv/shims/.pyenv-shim behind, and every later session then waits
// 60 s for it. pyenv itself creates and removes this file; one older than
// a minute is stale.
func clearStaleLocks(logf func(string, ...any)) {
	home, err := os.UserHomeDir()
	if err != nil {
		return
	}
	lock := filepath.Join(home, ".pyenv", "shims", ".pyenv-shim")
	if st, err := os.Stat(lock); err == nil && time.Since(st.ModTime()) > time.Minute {
		if os.Remove(lock) == nil {
			logf("removed a stale pyenv rehash lock %s (from %s)", lock, st.ModTime().Format(time.TimeOnly))
		}
	}
}
