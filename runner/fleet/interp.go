package fleet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// Options.InterpShell: a host interprets its commands in process with
// mvdan.cc/sh/v3/interp, the maintained POSIX shell interpreter written in
// Go, instead of forking /bin/sh. The external commands that drover's
// modules run most (stat, cat, chmod, mv, ...) are implemented in Go for
// the argument forms they fully understand (interp_coreutils.go); anything
// else is the real program, forked in a process group of the host
// (interp_exec.go). A simulated host then costs the machine a few
// goroutines per command instead of a dozen processes.
//
// Each interpreter has a fake pid ($$), registered with its host: `kill`
// of a fake pid (from any session of the host) cancels that interpreter
// and its running command, as killing a forked shell's process group
// would. Fake pids are above the kernel's largest pid_max, so they can
// never name a real process.

// fakePidBase is above the largest possible pid_max (2^22): a fake pid
// never names a real process.
const fakePidBase = 1<<22 + 1000

// pidVar and ppidVar are the shell variables $$ and $PPID are rewritten to
// (the interpreter's own $$ is the fleet process's pid).
const (
	pidVar  = "DROVER_FLEET_SHELL_PID"
	ppidVar = "DROVER_FLEET_SHELL_PPID"
)

// interpProc is one running interpreter of a host, known by its fake pid.
type interpProc struct {
	pid    int
	cancel context.CancelCauseFunc
}

// killedBy is the cancel cause of an interpreter killed by a signal.
type killedBy struct{ sig syscall.Signal }

func (k killedBy) Error() string { return "killed by signal " + strconv.Itoa(int(k.sig)) }

// sessionShell matches the command lines that start a shell reading its
// commands from stdin (drover's persistent shell: `exec /bin/sh`).
var sessionShell = regexp.MustCompile(`^\s*(?:exec\s+)?(?:/usr)?(?:/bin/)?(?:sh|dash)(?:\s+-s)?\s*$`)

// newFakePid registers an interpreter with the host and returns it.
func (h *host) newFakePid(cancel context.CancelCauseFunc) *interpProc {
	p := &interpProc{pid: fakePidBase + int(h.f.fakePids.Add(1)), cancel: cancel}
	h.mu.Lock()
	h.interps[p.pid] = p
	h.mu.Unlock()
	return p
}

func (h *host) dropFakePid(p *interpProc) {
	h.mu.Lock()
	delete(h.interps, p.pid)
	h.mu.Unlock()
}

// isFakePid reports whether pid is in the fake pid range.
func isFakePid(pid int) bool { return pid >= fakePidBase }

// signalFake delivers sig to the interpreter with fake pid pid. Signal 0
// only checks it exists. It reports whether the interpreter exists.
func (h *host) signalFake(pid int, sig syscall.Signal) bool {
	h.mu.Lock()
	p := h.interps[pid]
	h.mu.Unlock()
	if p == nil {
		return false
	}
	if sig != 0 {
		// Every signal but 0 ends a shell that has no trap for it.
		p.cancel(killedBy{sig})
	}
	return true
}

// cancelInterpsLocked stops every interpreter of the host (the host went
// down). Their commands report a lost connection.
func (h *host) cancelInterpsLocked() {
	for _, p := range h.interps {
		p.cancel(errHostDown)
	}
}

var errHostDown = errors.New("host went down")

// runInterp is host.run for InterpShell hosts: cmdline (rewritten) runs in
// an interpreter; a session shell (`exec /bin/sh`) reads its statements
// from stdin as they arrive.
func (h *host) runInterp(ctx context.Context, l *link, cmdline string, stdin io.Reader, stdout, stderr io.Writer, started func(pgid int)) (exitStatus, error) {
	ictx, cancel := context.WithCancelCause(l.ctx)
	defer cancel(nil)
	stopCtx := context.AfterFunc(ctx, func() { cancel(ctx.Err()) })
	defer stopCtx()

	h.mu.Lock()
	if h.link != l || l.ctx.Err() != nil {
		h.mu.Unlock()
		return exitStatus{}, h.lostErr()
	}
	h.mu.Unlock()
	proc := h.newFakePid(cancel)
	defer h.dropFakePid(proc)
	if started != nil {
		started(proc.pid)
	}

	out, errw := &lockedWriter{w: stdout}, &lockedWriter{w: stderr}
	// Output written after the command ended (background jobs) is dropped,
	// as a closed pipe would.
	defer out.close()
	defer errw.close()

	st, err := h.interpret(ictx, cmdline, proc.pid, 1, stdin, out, errw)

	if l.ctx.Err() != nil {
		return exitStatus{}, h.lostErr()
	}
	var k killedBy
	if cause := context.Cause(ictx); errors.As(cause, &k) {
		return exitStatus{Signal: k.sig}, nil
	}
	if err := ctx.Err(); err != nil {
		return exitStatus{}, fmt.Errorf("host %s: %w", h.name, err)
	}
	return st, err
}

// interpret runs cmdline in a new interpreter whose $$ is pid and $PPID
// ppid, until it ends or ctx is cancelled.
func (h *host) interpret(ctx context.Context, cmdline string, pid, ppid int, stdin io.Reader, stdout, stderr io.Writer) (exitStatus, error) {
	session := sessionShell.MatchString(cmdline)
	var src io.Reader
	var outB, errB *batchWriter
	if session {
		// The statements come from stdin; the commands get an empty stdin.
		src, stdin = stdin, nil
		if src == nil {
			src = strings.NewReader("")
		}
		// Output leaves once a batch of statements has run: one SSH
		// packet for a command's framed result, not one a write.
		outB, errB = &batchWriter{w: stdout}, &batchWriter{w: stderr}
		stdout, stderr = outB, errB
		defer outB.Flush()
		defer errB.Flush()
	}
	// Our own pipe for the command's stdin: closed when the command ends,
	// so that no descriptor outlives it.
	var inR *os.File
	if stdin != nil {
		r, w, err := os.Pipe()
		if err != nil {
			return exitStatus{}, fmt.Errorf("host %s: stdin pipe: %w", h.name, err)
		}
		inR = r
		defer r.Close()
		go func() {
			_, _ = io.Copy(w, stdin)
			w.Close()
		}()
		defer w.Close()
	}
	env := append(h.env(), pidVar+"="+strconv.Itoa(pid), ppidVar+"="+strconv.Itoa(ppid))
	var in io.Reader
	if inR != nil {
		in = inR
	}
	r, err := interp.New(
		interp.Env(expand.ListEnviron(env...)),
		interp.Dir(h.root),
		interp.StdIO(in, stdout, stderr),
		interp.CallHandler(h.callHandler),
		interp.OpenHandler(openHandler),
		interp.ExecHandlers(h.shellCommands(pid), h.goCommands, h.forkExec),
	)
	if err != nil {
		return exitStatus{}, fmt.Errorf("host %s: interpreter: %w", h.name, err)
	}
	if !session {
		file, err := syntax.NewParser().Parse(strings.NewReader(cmdline), "")
		if err != nil {
			fmt.Fprintf(stderr, "sh: %v\n", err)
			return exitStatus{Code: 2}, nil
		}
		rewriteShell(file)
		return runStatus(h, r.Run(ctx, file))
	}
	return h.interpretStream(ctx, r, src, stderr, func() { outB.Flush(); errB.Flush() })
}

// interpretStream runs the statements read from src as they arrive, until
// src ends, the shell exits or ctx is cancelled.
func (h *host) interpretStream(ctx context.Context, r *interp.Runner, src io.Reader, stderr io.Writer, flush func()) (exitStatus, error) {
	// Reads from src must stop when ctx ends: they go through a pipe that
	// is closed then.
	pr, pw := io.Pipe()
	go func() {
		_, err := io.Copy(pw, src)
		pw.CloseWithError(err)
	}()
	stop := context.AfterFunc(ctx, func() { pr.CloseWithError(context.Cause(ctx)) })
	defer stop()
	defer pr.Close()

	p := syntax.NewParser()
	var st exitStatus
	var runErr error
	perr := p.Interactive(pr, func(stmts []*syntax.Stmt) bool {
		if p.Incomplete() {
			return true
		}
		defer flush()
		for _, s := range stmts {
			rewriteShell(s)
			st, runErr = runStatus(h, r.Run(ctx, s))
			if runErr != nil || r.Exited() || ctx.Err() != nil {
				return false
			}
		}
		return true
	})
	if perr != nil && ctx.Err() == nil && runErr == nil {
		fmt.Fprintf(stderr, "sh: %v\n", perr)
		return exitStatus{Code: 2}, nil
	}
	return st, runErr
}

// runStatus turns interp.Runner.Run's error into an exit status.
func runStatus(h *host, err error) (exitStatus, error) {
	if err == nil {
		return exitStatus{}, nil
	}
	if code, ok := interp.IsExitStatus(err); ok {
		return exitStatus{Code: int(code)}, nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return exitStatus{Signal: syscall.SIGKILL}, nil
	}
	return exitStatus{Code: 2}, fmt.Errorf("host %s: interpreter: %w", h.name, err)
}

// rewriteShell adapts parsed code to the interpreter of a host: $$ and
// $PPID (rewritePids), umask (rewriteUmask).
func rewriteShell(n syntax.Node) {
	rewritePids(n)
	rewriteUmask(n)
}

// rewritePids points $$ and $PPID at the fake pids (the interpreter's own
// are the fleet process's: a kill of those must never happen).
func rewritePids(n syntax.Node) {
	syntax.Walk(n, func(n syntax.Node) bool {
		if pe, ok := n.(*syntax.ParamExp); ok && pe.Param != nil {
			switch pe.Param.Value {
			case "$":
				pe.Param = &syntax.Lit{ValuePos: pe.Param.ValuePos, ValueEnd: pe.Param.ValueEnd, Value: pidVar}
			case "PPID":
				pe.Param = &syntax.Lit{ValuePos: pe.Param.ValuePos, ValueEnd: pe.Param.ValueEnd, Value: ppidVar}
			}
		}
		return true
	})
}

// callHandler sees every simple command before it runs: eval's code gets
// the rewrites of rewriteShell, umask's output is the shell's, and kill (an unimplemented builtin of interp) goes to
// the exec handlers.
func (h *host) callHandler(ctx context.Context, args []string) ([]string, error) {
	switch args[0] {
	case "eval":
		src := strings.Join(args[1:], " ")
		if !strings.Contains(src, "$$") && !strings.Contains(src, "${$") && !strings.Contains(src, "PPID") && !strings.Contains(src, "umask") {
			return args, nil
		}
		file, err := syntax.NewParser().Parse(strings.NewReader(src), "")
		if err != nil {
			return args, nil // eval reports it
		}
		rewriteShell(file)
		var sb strings.Builder
		if err := syntax.NewPrinter().Print(&sb, file); err != nil {
			return args, nil
		}
		return []string{"eval", sb.String()}, nil
	case "umask":
		return umaskCall(interp.HandlerCtx(ctx), args), nil
	case "kill":
		return append([]string{killCommand}, args[1:]...), nil
	}
	return args, nil
}

// batchWriter holds writes until Flush (or until it holds 64 KiB).
type batchWriter struct {
	mu  sync.Mutex
	buf []byte
	w   io.Writer
}

func (b *batchWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) >= 64<<10 {
		return len(p), b.flushLocked()
	}
	return len(p), nil
}

// Flush writes what is held.
func (b *batchWriter) Flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	_ = b.flushLocked()
}

func (b *batchWriter) flushLocked() error {
	if len(b.buf) == 0 {
		return nil
	}
	_, err := b.w.Write(b.buf)
	b.buf = b.buf[:0]
	return err
}

// lockedWriter serializes writes (background jobs write concurrently) and
// drops those after close.
type lockedWriter struct {
	mu     sync.Mutex
	w      io.Writer
	closed bool
}

func (lw *lockedWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if lw.closed || lw.w == nil {
		if lw.closed {
			return 0, syscall.EPIPE
		}
		return len(p), nil
	}
	return lw.w.Write(p)
}

func (lw *lockedWriter) close() {
	lw.mu.Lock()
	lw.closed = true
	lw.mu.Unlock()
}
