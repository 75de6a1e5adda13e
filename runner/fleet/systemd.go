package fleet

import (
	"os"
	"path/filepath"
	"strings"
)

// bootUnits applies a boot to the systemctl stand-in's unit state in
// <root>/.systemd/: units that are enabled start (or fail when marked
// .broken), the others are stopped, as on a real host after a reboot.
func (h *host) bootUnits() error {
	dir := filepath.Join(h.root, ".systemd")
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	has := map[string]bool{}
	for _, e := range entries {
		has[e.Name()] = true
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasSuffix(name, ".active") || strings.HasSuffix(name, ".failed"):
			unit := strings.TrimSuffix(strings.TrimSuffix(name, ".active"), ".failed")
			if !has[unit+".enabled"] {
				if err := os.Remove(filepath.Join(dir, name)); err != nil {
					return err
				}
			}
		case strings.HasSuffix(name, ".enabled"):
			unit := strings.TrimSuffix(name, ".enabled")
			state, stale := ".active", ".failed"
			if has[unit+".broken"] {
				state, stale = ".failed", ".active"
			}
			_ = os.Remove(filepath.Join(dir, unit+stale))
			if err := os.WriteFile(filepath.Join(dir, unit+state), nil, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}
