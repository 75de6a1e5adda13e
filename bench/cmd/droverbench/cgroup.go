package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// mounts are where the cgroup hierarchies the benchmark uses are mounted.
type mounts struct {
	v2    string // cgroup v2 (required)
	v1mem string // cgroup v1 memory controller, on hybrid systems ("" if none)
}

// findMounts reads /proc/self/mountinfo.
func findMounts() (mounts, error) {
	var m mounts
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return m, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// 41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
		left, right, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		l, r := strings.Fields(left), strings.Fields(right)
		if len(l) < 5 || len(r) < 3 || l[3] != "/" {
			continue
		}
		switch {
		case r[0] == "cgroup2" && m.v2 == "":
			m.v2 = l[4]
		case r[0] == "cgroup" && hasOpt(r[2], "memory") && m.v1mem == "":
			m.v1mem = l[4]
		}
	}
	if m.v2 == "" {
		return m, errors.New("no cgroup v2 hierarchy mounted (see /proc/self/mountinfo)")
	}
	return m, sc.Err()
}

func hasOpt(opts, want string) bool {
	for _, o := range strings.Split(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}

// group is one measured run's cgroup (a v2 group, plus a v1 memory group
// on hybrid systems without the v2 memory controller).
type group struct {
	v2, v1mem string
}

// newGroup creates <mount>/drover-bench-<pid>/<name> in each hierarchy.
func (m mounts) newGroup(name string) (*group, error) {
	base := fmt.Sprintf("drover-bench-%d", os.Getpid())
	g := &group{v2: filepath.Join(m.v2, base, name)}
	if err := os.MkdirAll(g.v2, 0o755); err != nil {
		return nil, fmt.Errorf("cgroup %s: %w", g.v2, err)
	}
	if _, err := os.Stat(filepath.Join(g.v2, "memory.peak")); err != nil && m.v1mem != "" {
		g.v1mem = filepath.Join(m.v1mem, base, name)
		if err := os.MkdirAll(g.v1mem, 0o755); err != nil {
			g.v1mem = "" // no memory figure from cgroups; getrusage instead
		}
	}
	return g, nil
}

// wrap returns argv that moves itself into the group, then execs argv.
func (g *group) wrap(argv []string) []string {
	script := `echo 0 > "$1" || exit 125; if [ -n "$2" ]; then echo 0 > "$2" || exit 125; fi; shift 2; exec "$@"`
	v1 := ""
	if g.v1mem != "" {
		v1 = filepath.Join(g.v1mem, "cgroup.procs")
	}
	return append([]string{"/bin/sh", "-c", script, "sh", filepath.Join(g.v2, "cgroup.procs"), v1}, argv...)
}

// usage is what a group used.
type usage struct {
	CPU, User, Sys float64 // seconds
	PeakBytes      int64   // 0 when unknown
	PeakSource     string
}

// finish kills everything left in the group (ControlPersist masters),
// reads its usage and removes it.
func (g *group) finish() (usage, error) {
	var u usage
	if err := killGroup(g.v2, 10*time.Second); err != nil {
		return u, err
	}
	stat, err := os.ReadFile(filepath.Join(g.v2, "cpu.stat"))
	if err != nil {
		return u, err
	}
	for _, line := range strings.Split(string(stat), "\n") {
		k, v, _ := strings.Cut(line, " ")
		n, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
		switch k {
		case "usage_usec":
			u.CPU = n / 1e6
		case "user_usec":
			u.User = n / 1e6
		case "system_usec":
			u.Sys = n / 1e6
		}
	}
	if b, err := os.ReadFile(filepath.Join(g.v2, "memory.peak")); err == nil {
		u.PeakBytes, _ = strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		u.PeakSource = "cgroup v2 memory.peak"
	} else if g.v1mem != "" {
		if b, err := os.ReadFile(filepath.Join(g.v1mem, "memory.max_usage_in_bytes")); err == nil {
			u.PeakBytes, _ = strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
			u.PeakSource = "cgroup v1 memory.max_usage_in_bytes"
		}
	}
	rmdir(g.v2)
	if g.v1mem != "" {
		rmdir(g.v1mem)
	}
	return u, nil
}

// killGroup kills every process of the v2 cgroup dir and waits until it is
// empty.
func killGroup(dir string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		data, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
		if err != nil {
			return err
		}
		pids := strings.Fields(string(data))
		if len(pids) == 0 {
			return nil
		}
		if err := os.WriteFile(filepath.Join(dir, "cgroup.kill"), []byte("1"), 0); err != nil {
			for _, p := range pids {
				if pid, err := strconv.Atoi(p); err == nil {
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("cgroup %s: %d processes still alive after %v", dir, len(pids), timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// rmdir removes an emptied cgroup (it may be busy for a moment while
// killed processes are reaped).
func rmdir(dir string) {
	for i := 0; i < 200; i++ {
		if err := syscall.Rmdir(dir); err == nil || errors.Is(err, syscall.ENOENT) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// removeBase removes this process's parent groups (at exit).
func (m mounts) removeBase() {
	base := fmt.Sprintf("drover-bench-%d", os.Getpid())
	for _, root := range []string{m.v2, m.v1mem} {
		if root == "" {
			continue
		}
		dir := filepath.Join(root, base)
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.IsDir() {
				if root == m.v2 {
					_ = killGroup(filepath.Join(dir, e.Name()), 5*time.Second)
				}
				rmdir(filepath.Join(dir, e.Name()))
			}
		}
		rmdir(dir)
	}
}
