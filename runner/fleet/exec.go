package fleet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/drover-sh/drover/modules"
)

// exitStatus is how a command ended: an exit code, or a signal.
type exitStatus struct {
	Code   int
	Signal syscall.Signal // 0 unless killed by a signal
}

// shellCode is the status as a shell reports it ($?): 128+N for signal N.
func (s exitStatus) shellCode() int {
	if s.Signal != 0 {
		return 128 + int(s.Signal)
	}
	return s.Code
}

// waitDelay bounds how long a finished command's output pipes are kept
// open by processes it left in the background. It must be long: under load
// (hundreds of hosts on two cores) the copying of a command's output can lag
// its exit by more than a second, and a short delay cut that output off —
// a stat that lost its last lines read as "directory does not exist".
const waitDelay = 30 * time.Second

// run is the one code path for commands on a host, used by the SSH
// server's exec requests and by the direct dialer's Conn.Run.
//
// It runs cmdline (rewritten, see rewrite) as `/bin/sh -c` in its own
// process group, with the host root as cwd and HOME. The process group is
// killed when ctx ends (the error wraps ctx.Err()) or when the link ends
// (the host went down or became unreachable: the error wraps
// modules.ErrConnectionLost). started, when not nil, receives the process
// group id (with InterpShell: the interpreter's fake pid, see
// interp.go).
func (h *host) run(ctx context.Context, l *link, cmdline string, stdin io.Reader, stdout, stderr io.Writer, started func(pgid int)) (exitStatus, error) {
	if l.ctx.Err() != nil {
		return exitStatus{}, h.lostErr()
	}
	if err := ctx.Err(); err != nil {
		return exitStatus{}, fmt.Errorf("host %s: %w", h.name, err)
	}
	if h.f.opts.InterpShell {
		return h.runInterp(ctx, l, rewrite(h, cmdline), stdin, stdout, stderr, started)
	}
	cmd := h.f.command(h, rewrite(h, cmdline))
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	cmd.WaitDelay = waitDelay

	// Stdin goes through our own pipe: Wait then never waits for a reader
	// (an SSH channel) that the command did not drain.
	var stdinW *os.File
	if stdin != nil {
		r, w, err := os.Pipe()
		if err != nil {
			return exitStatus{}, fmt.Errorf("host %s: stdin pipe: %w", h.name, err)
		}
		cmd.Stdin = r
		stdinW = w
	}
	closeStdin := func() {
		if stdinW != nil {
			cmd.Stdin.(*os.File).Close()
			stdinW.Close()
		}
	}

	h.mu.Lock()
	if h.link != l || l.ctx.Err() != nil {
		h.mu.Unlock()
		closeStdin()
		return exitStatus{}, h.lostErr()
	}
	if err := cmd.Start(); err != nil {
		h.mu.Unlock()
		closeStdin()
		return exitStatus{}, fmt.Errorf("host %s: start: %w", h.name, err)
	}
	pgid := cmd.Process.Pid
	h.pgids[pgid] = struct{}{}
	h.mu.Unlock()

	if stdinW != nil {
		cmd.Stdin.(*os.File).Close()
		go func() {
			_, _ = io.Copy(stdinW, stdin)
			stdinW.Close()
		}()
	}
	if started != nil {
		started(pgid)
	}
	kill := func() { _ = syscall.Kill(-pgid, syscall.SIGKILL) }
	stopCtx := context.AfterFunc(ctx, kill)
	stopLink := context.AfterFunc(l.ctx, kill)

	waitErr := cmd.Wait()
	stopCtx()
	stopLink()
	h.mu.Lock()
	delete(h.pgids, pgid)
	h.mu.Unlock()

	if l.ctx.Err() != nil {
		return exitStatus{}, h.lostErr()
	}
	if err := ctx.Err(); err != nil {
		return exitStatus{}, fmt.Errorf("host %s: %w", h.name, err)
	}
	var st exitStatus
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		st.Signal = ws.Signal()
	} else {
		st.Code = cmd.ProcessState.ExitCode()
	}
	var exitErr *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &exitErr) && !errors.Is(waitErr, exec.ErrWaitDelay) {
		return st, fmt.Errorf("host %s: %w", h.name, waitErr)
	}
	return st, nil
}

// nsWrapper runs "$1" with the host's boot id file bind-mounted over the
// machine's ("$0"), inside the command's own mount namespace.
const nsWrapper = `mount --bind "$0" ` + bootIDPath + ` 2>/dev/null; exec /bin/sh -c "$1"`

// command builds the process for a (rewritten) command line of host h: in
// its own process group, with the host root as cwd and HOME and, when the
// fleet can, in its own mount namespace where bootIDPath shows the host's
// boot id even to programs that do not go through the shell (Ansible's
// Python modules, for example).
func (f *Fleet) command(h *host, cmdline string) *exec.Cmd {
	var cmd *exec.Cmd
	attr := &syscall.SysProcAttr{Setpgid: true}
	if f.mountNS {
		cmd = exec.Command("/bin/sh", "-c", nsWrapper, h.bootIDPath, cmdline)
		// Go makes the new namespace's mounts private: nothing leaks out.
		attr.Unshareflags = syscall.CLONE_NEWNS
	} else {
		cmd = exec.Command("/bin/sh", "-c", cmdline)
	}
	cmd.SysProcAttr = attr
	cmd.Dir = h.root
	cmd.Env = h.env()
	return cmd
}

// probeMountNS reports whether commands can get their own mount namespace
// with the boot id bind-mounted (root with CAP_SYS_ADMIN, mount present).
func (f *Fleet) probeMountNS(h *host) bool {
	cmd := exec.Command("/bin/sh", "-c", nsWrapper, h.bootIDPath, `test "$(cat `+bootIDPath+`)" = `+shellQuote(h.bootID))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Unshareflags: syscall.CLONE_NEWNS}
	cmd.Dir = h.root
	cmd.Env = h.env()
	return cmd.Run() == nil
}

func (h *host) lostErr() error {
	return fmt.Errorf("host %s: %w", h.name, modules.ErrConnectionLost)
}

// env is the environment of the host's commands.
func (h *host) env() []string {
	return []string{
		"PATH=" + h.binDir + ":/usr/local/bin:/usr/bin:/bin",
		"HOME=" + h.root,
		"USER=" + h.f.user,
		"LOGNAME=" + h.f.user,
		"SHELL=/bin/sh",
		"LANG=C.UTF-8",
		"DROVER_FLEET_HOST=" + h.name,
		h.f.marker(h.name),
	}
}
