package fleet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
)

// killCommand is the name the call handler gives the kill builtin (which
// interp does not implement) so that it reaches the exec handlers.
const killCommand = "drover-fleet-kill"

// shellCommands is the first exec middleware of an interpreter with fake
// pid pid: kill, always handled here (a fake pid must never reach the
// kernel), and `sh -c CMD`, interpreted in process too.
func (h *host) shellCommands(pid int) func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
	return func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
		return func(ctx context.Context, args []string) error {
			switch {
			case args[0] == killCommand:
				return h.kill(ctx, args[1:], next)
			case isShellC(args):
				return h.shellC(ctx, pid, args)
			}
			return next(ctx, args)
		}
	}
}

// isShellC reports whether args is `sh -c CMD [NAME [ARG...]]`.
func isShellC(args []string) bool {
	switch args[0] {
	case "sh", "/bin/sh", "/usr/bin/sh", "dash", "/bin/dash", "/usr/bin/dash":
		return len(args) >= 3 && args[1] == "-c"
	}
	return false
}

// shellC runs `sh -c CMD [NAME [ARG...]]` in a nested interpreter with a
// fake pid of its own, as a forked shell would get a pid of its own.
func (h *host) shellC(ctx context.Context, ppid int, args []string) error {
	hc := interp.HandlerCtx(ctx)
	ictx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	proc := h.newFakePid(cancel)
	defer h.dropFakePid(proc)
	script := args[2]
	if len(args) > 3 {
		// $0 and the positional parameters, through a function call.
		var sb strings.Builder
		sb.WriteString("__drover_fleet_sh_c() {\n" + script + "\n}\n__drover_fleet_sh_c")
		for _, a := range args[4:] {
			sb.WriteString(" " + shellQuote(a))
		}
		script = sb.String()
	}
	st, err := h.interpret(ictx, script, proc.pid, ppid, stdinOf(hc), hc.Stdout, hc.Stderr)
	var k killedBy
	if cause := context.Cause(ictx); errors.As(cause, &k) {
		return interp.ExitStatus(uint8(128 + int(k.sig)))
	}
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return exitErr(st.shellCode())
}

// forkExec is the last exec middleware: the real program, found in the
// host's PATH (its stand-ins first), forked in a process group of the
// host, killed with the interpreter.
func (h *host) forkExec(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
	return func(ctx context.Context, args []string) error {
		hc := interp.HandlerCtx(ctx)
		path, err := interp.LookPathDir(hc.Dir, hc.Env, args[0])
		if err != nil {
			fmt.Fprintf(hc.Stderr, "sh: 1: %s: not found\n", args[0])
			return interp.ExitStatus(127)
		}
		cmd := exec.Command(path)
		cmd.Args = args
		if um := shellUmask(hc.Env); um != procUmask() {
			// The shell's own umask, which the fleet process cannot give.
			cmd = exec.Command("/bin/sh", append([]string{"-c", fmt.Sprintf("umask %04o && exec \"$0\" \"$@\"", um), path}, args[1:]...)...)
		}
		cmd.Env = execEnv(hc.Env)
		cmd.Dir = hc.Dir
		if in := stdinOf(hc); in != nil {
			cmd.Stdin = in
		}
		cmd.Stdout = hc.Stdout
		cmd.Stderr = hc.Stderr
		cmd.WaitDelay = waitDelay
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}

		h.mu.Lock()
		if ctx.Err() != nil {
			h.mu.Unlock()
			return ctx.Err()
		}
		err = cmd.Start()
		if err != nil {
			h.mu.Unlock()
			if errors.Is(err, syscall.ENOEXEC) {
				// A script without #!: run by sh, as a shell would.
				return h.forkExec(next)(ctx, append([]string{"/bin/sh", path}, args[1:]...))
			}
			fmt.Fprintf(hc.Stderr, "sh: 1: %s: %v\n", args[0], err)
			return interp.ExitStatus(126)
		}
		pgid := cmd.Process.Pid
		h.pgids[pgid] = struct{}{}
		h.mu.Unlock()

		stop := context.AfterFunc(ctx, func() { _ = syscall.Kill(-pgid, syscall.SIGKILL) })
		err = cmd.Wait()
		stop()
		h.mu.Lock()
		delete(h.pgids, pgid)
		h.mu.Unlock()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return interp.ExitStatus(uint8(128 + int(ws.Signal())))
		}
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) && !errors.Is(err, exec.ErrWaitDelay) {
			return fmt.Errorf("host %s: %s: %w", h.name, args[0], err)
		}
		return exitErr(cmd.ProcessState.ExitCode())
	}
}

// stdinOf is the handler's stdin, nil when it has none.
func stdinOf(hc interp.HandlerContext) *os.File {
	f, _ := hc.Stdin.(*os.File)
	return f
}

// exitErr is the exec handler result for exit code code.
func exitErr(code int) error {
	if code == 0 {
		return nil
	}
	return interp.ExitStatus(uint8(code))
}

// execEnv is the environment of a forked program: the exported variables.
func execEnv(env expand.Environ) []string {
	var list []string
	env.Each(func(name string, vr expand.Variable) bool {
		if vr.Exported && vr.Kind == expand.String {
			list = append(list, name+"="+vr.Str)
		}
		return true
	})
	return list
}

// kill is the kill builtin: `kill [-SIG | -s SIG | -n N] [--] PID...`.
// Fake pids (and their negation, the "process group") signal the host's
// interpreters. Real pids are signalled only when they cannot be the
// fleet itself, its parent, its process group, init, or "every process";
// a negative real pid must be a process group the host started. Other
// forms (-l) are the real kill program's.
func (h *host) kill(ctx context.Context, args []string, next interp.ExecHandlerFunc) error {
	hc := interp.HandlerCtx(ctx)
	sig := syscall.SIGTERM
	i := 0
	bad := func(msg string) error {
		fmt.Fprintf(hc.Stderr, "sh: 1: kill: %s\n", msg)
		return interp.ExitStatus(2)
	}
	if i < len(args) && (args[i] == "-s" || args[i] == "-n") {
		if i+1 >= len(args) {
			return bad("usage: kill [-s sigspec | -signum | -sigspec] [pid | job]... or kill -l [exitstatus]")
		}
		s, ok := parseSignal(args[i+1])
		if !ok {
			return bad("invalid signal number or name: " + args[i+1])
		}
		sig, i = s, i+2
	} else if i < len(args) && len(args[i]) > 1 && args[i][0] == '-' && args[i] != "--" {
		if args[i] == "-l" || args[i] == "-L" {
			return next(ctx, append([]string{"kill"}, args...))
		}
		s, ok := parseSignal(args[i][1:])
		if !ok {
			return bad("invalid signal number or name: " + args[i][1:])
		}
		sig, i = s, i+1
	}
	if i < len(args) && args[i] == "--" {
		i++
	}
	if i >= len(args) {
		return bad("usage: kill [-s sigspec | -signum | -sigspec] [pid | job]... or kill -l [exitstatus]")
	}
	rc := 0
	for _, a := range args[i:] {
		n, err := strconv.Atoi(a)
		if err != nil {
			fmt.Fprintf(hc.Stderr, "sh: 1: kill: Illegal number: %s\n", a)
			return interp.ExitStatus(2)
		}
		if err := h.signalPid(n, sig); err != nil {
			fmt.Fprintf(hc.Stderr, "sh: 1: kill: %s\n", err)
			rc = 1
		}
	}
	return exitErr(rc)
}

// signalPid sends sig to pid (negative: a process group) for kill.
func (h *host) signalPid(n int, sig syscall.Signal) error {
	abs := n
	if abs < 0 {
		abs = -abs
	}
	if isFakePid(abs) {
		if !h.signalFake(abs, sig) {
			return errors.New("No such process")
		}
		return nil
	}
	if abs <= 1 || abs == os.Getpid() || abs == os.Getppid() || abs == syscall.Getpgrp() {
		return errors.New("Operation not permitted")
	}
	if n < 0 {
		h.mu.Lock()
		_, ours := h.pgids[abs]
		h.mu.Unlock()
		if !ours {
			return errors.New("No such process")
		}
	}
	if err := syscall.Kill(n, sig); err != nil {
		if errors.Is(err, syscall.ESRCH) {
			return errors.New("No such process")
		}
		return errors.New("Operation not permitted")
	}
	return nil
}

// signalGroup signals what an SSH "signal" request names: the process
// group pg, or the interpreter with fake pid pg.
func (h *host) signalGroup(pg int, sig syscall.Signal) {
	if isFakePid(pg) {
		h.signalFake(pg, sig)
		return
	}
	_ = syscall.Kill(-pg, sig)
}

// parseSignal parses a signal number or name (KILL, SIGKILL, kill).
func parseSignal(s string) (syscall.Signal, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 0 || n > 64 {
			return 0, false
		}
		return syscall.Signal(n), true
	}
	name := strings.TrimPrefix(strings.ToUpper(s), "SIG")
	sig, ok := signals[name]
	return sig, ok
}
