package sshdtest

import (
	"fmt"
	"os"
	"strings"
)

// bind is one bind mount the wrapper makes in a host's mount namespace:
// src (a harness-side file or directory) over dst (the path inside the
// host, which must exist on the real machine).
type bind struct{ src, dst string }

// writeBinds writes host h's bind list, the "binds" file of its state
// directory that wrapper.sh reads: one "source<TAB>target" line per bind,
// mounted in order. Every feature that gives the host private copies of
// system files (SudoPassword, PrivatePackages) contributes its binds; no
// binds, no file.
func writeBinds(h *host, binds []bind) error {
	p := h.path("binds")
	if len(binds) == 0 {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
		return nil
	}
	var b strings.Builder
	for _, bd := range binds {
		if bd.src == "" || bd.dst == "" || strings.ContainsAny(bd.src+bd.dst, "\t\n") {
			return fmt.Errorf("sshdtest: host %s: bad bind %q over %q", h.name, bd.src, bd.dst)
		}
		fmt.Fprintf(&b, "%s\t%s\n", bd.src, bd.dst)
	}
	return os.WriteFile(p, []byte(b.String()), 0o644)
}
