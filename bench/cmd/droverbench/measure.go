package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// measured is one executor run's controller-side figures.
type measured struct {
	Wall     time.Duration
	Usage    usage
	MaxRSS   int64 // bytes: largest RSS among the processes the child waited for
	ExitCode int
}

// peak is the run's peak memory: the cgroup's figure when there is one,
// else getrusage's.
func (m measured) peak() (int64, string) {
	if m.Usage.PeakBytes > 0 {
		return m.Usage.PeakBytes, m.Usage.PeakSource
	}
	return m.MaxRSS, "getrusage children maxrss"
}

// command is a process to measure.
type command struct {
	Argv []string
	Env  []string // added to the environment
	Dir  string
	Log  string // stdout and stderr go here
}

// run starts c inside a fresh cgroup named name, waits for it, kills what
// it left behind and returns the measurements. A non-zero exit is not an
// error (see ExitCode); failing to run or measure is.
func (m mounts) run(ctx context.Context, name string, c command) (measured, error) {
	var out measured
	g, err := m.newGroup(name)
	if err != nil {
		return out, err
	}
	logf, err := os.Create(c.Log)
	if err != nil {
		return out, err
	}
	defer logf.Close()
	argv := g.wrap(c.Argv)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), c.Env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	err = cmd.Run()
	out.Wall = time.Since(start)
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		out.ExitCode = ee.ExitCode()
	default:
		_, _ = g.finish()
		return out, fmt.Errorf("%s: %w", name, err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		out.MaxRSS = ru.Maxrss * 1024
	}
	out.Usage, err = g.finish()
	if err != nil {
		return out, fmt.Errorf("%s: %w", name, err)
	}
	if out.ExitCode == 125 {
		return out, fmt.Errorf("%s: could not join the cgroup (see %s)", name, c.Log)
	}
	return out, nil
}
