package sshdtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
)

const (
	sshdPath    = "/usr/sbin/sshd"
	unsharePath = "/usr/bin/unshare"
)

// ErrUnavailable is wrapped by Start's error when this machine cannot run
// test hosts.
var ErrUnavailable = errors.New("sshdtest: test hosts unavailable")

// UnavailableError lists what this machine lacks to run test hosts.
type UnavailableError struct {
	Missing []string
}

func (e *UnavailableError) Error() string {
	return "sshdtest: cannot run test sshd hosts: missing " + strings.Join(e.Missing, "; ") +
		" (scripts/test-deps.sh installs the packages; the tests need root)"
}

func (e *UnavailableError) Unwrap() error { return ErrUnavailable }

var (
	depsOnce  sync.Once
	depsMount string
	depsErr   error
)

// checkDeps checks (once per process) that hosts can run here and returns
// the cgroup v2 mount point.
func checkDeps() (string, error) {
	depsOnce.Do(func() {
		var missing []string
		if os.Geteuid() != 0 {
			missing = append(missing, "root privileges")
		}
		for _, p := range []string{sshdPath, unsharePath} {
			if _, err := os.Stat(p); err != nil {
				missing = append(missing, p)
			}
		}
		for _, c := range []string{"mount"} {
			if _, err := exec.LookPath(c); err != nil {
				missing = append(missing, c)
			}
		}
		mount, err := cgroup2Mount()
		if err != nil {
			missing = append(missing, "cgroup v2 ("+err.Error()+")")
		} else if _, err := os.Stat(mount + "/cgroup.procs"); err != nil {
			missing = append(missing, "cgroup v2 ("+err.Error()+")")
		}
		if len(missing) == 0 {
			out, err := exec.Command(unsharePath, "-m", "-u", "/bin/sh", "-c", "mount --make-rprivate /").CombinedOutput()
			if err != nil {
				missing = append(missing, fmt.Sprintf("mount/UTS namespaces (unshare: %v: %s)", err, strings.TrimSpace(string(out))))
			}
		}
		if len(missing) == 0 {
			probe := fmt.Sprintf("%s/%sprobe-%d", mount, cgroupPrefix, os.Getpid())
			if err := os.Mkdir(probe, 0o755); err != nil {
				missing = append(missing, "a writable cgroup v2 hierarchy ("+err.Error()+")")
			} else {
				_ = os.Remove(probe)
			}
		}
		if len(missing) > 0 {
			depsErr = &UnavailableError{Missing: missing}
			return
		}
		depsMount = mount
	})
	return depsMount, depsErr
}
