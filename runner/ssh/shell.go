package ssh

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"

	"golang.org/x/crypto/ssh"

	"github.com/drover-sh/drover/modules"
)

// shell is one long-lived POSIX sh per connection, fed commands over a
// single session (as mitogen does for Python): a task then costs the host
// one fork of a subshell, instead of an SSH session (sshd's fork, session
// setup, login shell). Each command runs as `( eval 'CMD' ) </dev/null` so
// that its exit, cd and variables stay its own; its stdout and stderr are
// framed by a random token with its exit status.
//
// One command at a time: a Run that finds the shell busy, or that has
// stdin to feed, uses a session of its own. When a command's context ends,
// the shell's whole process group (the shell and the command) is killed
// from a separate session, and the next Run starts a new shell.
type shell struct {
	mu     sync.Mutex // held for the duration of a command
	sess   *ssh.Session
	in     io.WriteCloser
	out    *bufio.Reader
	errr   *bufio.Reader
	pid    int
	broken bool
}

// startShell opens the session and learns the shell's pid (its process
// group: sshd makes the session's process a session leader).
func (c *Conn) startShell(ctx context.Context) (*shell, error) {
	sess, err := c.newSession(ctx)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*shell, error) {
		sess.Close()
		c.lim.closed()
		return nil, err
	}
	in, err := sess.StdinPipe()
	if err != nil {
		return fail(err)
	}
	so, err := sess.StdoutPipe()
	if err != nil {
		return fail(err)
	}
	se, err := sess.StderrPipe()
	if err != nil {
		return fail(err)
	}
	if err := sess.Start("exec /bin/sh"); err != nil {
		return fail(err)
	}
	sh := &shell{sess: sess, in: in, out: bufio.NewReaderSize(so, 8<<10), errr: bufio.NewReaderSize(se, 2<<10)}
	if _, err := io.WriteString(in, "echo $$\n"); err != nil {
		return fail(err)
	}
	line, err := sh.out.ReadString('\n')
	if err != nil {
		return fail(err)
	}
	if sh.pid, err = strconv.Atoi(string(bytes.TrimSpace([]byte(line)))); err != nil || sh.pid <= 1 {
		return fail(fmt.Errorf("persistent shell: unexpected pid %q", line))
	}
	return sh, nil
}

func (sh *shell) close(c *Conn) {
	if sh.sess != nil {
		sh.in.Close()
		sh.sess.Close()
		sh.sess = nil
		c.lim.closed()
	}
}

// tryShell runs cmd on the connection's shell. ok is false when the shell
// is busy or unusable: the caller then uses a session of its own.
func (c *Conn) tryShell(ctx context.Context, cmd string) (res *modules.ExecResult, err error, ok bool) {
	sh := c.theShell()
	if sh == nil {
		return nil, nil, false
	}
	if !sh.mu.TryLock() {
		c.debugf("persistent shell busy: this command gets a session of its own")
		return nil, nil, false
	}
	defer sh.mu.Unlock()
	if err, ok := c.ensureShell(ctx, sh); err != nil || !ok {
		return nil, err, ok
	}
	res, err = c.shellRun(ctx, sh, cmd)
	return res, err, true
}

// theShell is the connection's shell (created, not started, on first
// use), or nil when the connection runs a session per command.
func (c *Conn) theShell() *shell {
	c.shellMu.Lock()
	defer c.shellMu.Unlock()
	if c.noShell {
		return nil
	}
	if c.sh == nil {
		c.sh = &shell{}
	}
	return c.sh
}

// ensureShell starts sh unless it is running; sh.mu is held. ok is false
// when the server cannot run a persistent shell (from now on, a session
// per command); err is set when the connection or ctx failed.
func (c *Conn) ensureShell(ctx context.Context, sh *shell) (err error, ok bool) {
	if sh.sess != nil && !sh.broken {
		return nil, true
	}
	sh.close(c)
	nsh, err := c.startShell(ctx)
	if err != nil {
		if errors.Is(err, modules.ErrConnectionLost) || ctx.Err() != nil {
			return err, true
		}
		// The server cannot run a shell this way: never try again.
		c.debugf("no persistent shell (%v): a session per command from now on", err)
		c.shellMu.Lock()
		c.noShell = true
		c.shellMu.Unlock()
		return nil, false
	}
	sh.sess, sh.in, sh.out, sh.errr, sh.pid, sh.broken = nsh.sess, nsh.in, nsh.out, nsh.errr, nsh.pid, false
	c.debugf("persistent shell started (pid %d)", sh.pid)
	return nil, true
}

// Warm starts the persistent shell ahead of the first command (the runner
// calls it on the hosts of the next batch while the current one reboots,
// so that the batch's first task does not wait for it). It does nothing
// when the shell runs, is busy or is not used.
func (c *Conn) Warm(ctx context.Context) error {
	sh := c.theShell()
	if sh == nil || !sh.mu.TryLock() {
		return nil
	}
	defer sh.mu.Unlock()
	err, _ := c.ensureShell(ctx, sh)
	return err
}

func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "DROVER-" + hex.EncodeToString(b[:])
}

// shellRun sends one framed command and reads its result.
func (c *Conn) shellRun(ctx context.Context, sh *shell, cmd string) (*modules.ExecResult, error) {
	tok := newToken()
	script := "( eval " + ShellQuote(cmd) + "\n) </dev/null; printf '\\n%s %s\\n' " + tok + " $?; printf '\\n%s\\n' " + tok + " >&2\n"
	if _, err := io.WriteString(sh.in, script); err != nil {
		sh.broken = true
		return nil, c.lostErr("send command", err)
	}
	type frame struct {
		data []byte
		rest string
		err  error
	}
	outc, errc := make(chan frame, 1), make(chan frame, 1)
	go func() { d, r, err := readFrame(sh.out, tok); outc <- frame{d, r, err} }()
	go func() { d, r, err := readFrame(sh.errr, tok); errc <- frame{d, r, err} }()
	var out, errf frame
	got := 0
	for got < 2 {
		select {
		case out = <-outc:
			got++
		case errf = <-errc:
			got++
		case <-ctx.Done():
			sh.broken = true
			c.killShell(sh)
			return nil, fmt.Errorf("ssh %s: command interrupted (remote process killed): %w", c.name, ctx.Err())
		}
		if (out.err != nil || errf.err != nil) && got < 2 {
			// The stream ended: the connection is gone or the shell died.
			sh.broken = true
			sh.close(c)
			<-map[bool]chan frame{true: errc, false: outc}[out.err != nil]
			got = 2
		}
	}
	if out.err != nil || errf.err != nil {
		sh.broken = true
		e := out.err
		if e == nil {
			e = errf.err
		}
		return nil, c.lostErr("command outcome unknown", e)
	}
	rc, err := strconv.Atoi(out.rest)
	if err != nil {
		sh.broken = true
		return nil, c.lostErr("command outcome unknown", fmt.Errorf("bad status %q", out.rest))
	}
	return &modules.ExecResult{Stdout: out.data, Stderr: errf.data, ExitCode: rc}, nil
}

// readFrame reads a stream up to "\n" TOKEN, returning what came before
// and the rest of the marker's line.
func readFrame(r *bufio.Reader, tok string) ([]byte, string, error) {
	marker := []byte("\n" + tok)
	var buf bytes.Buffer
	for {
		chunk, err := r.ReadSlice('\n')
		buf.Write(chunk)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		b := buf.Bytes()
		// The marker line is the last line read: "\nTOKEN[ rest]\n".
		if i := bytes.LastIndex(b, marker); i >= 0 {
			after := b[i+len(marker):]
			if j := bytes.IndexByte(after, '\n'); j == len(after)-1 {
				rest := string(bytes.TrimSpace(after[:j]))
				return append([]byte(nil), b[:i]...), rest, nil
			}
		}
	}
}

// killShell kills the shell's process group (the shell and the command it
// runs) from a separate session, and drops the shell.
func (c *Conn) killShell(sh *shell) {
	pid := sh.pid
	c.debugf("killing the persistent shell's process group %d (command interrupted)", pid)
	sh.close(c)
	if pid <= 1 {
		return
	}
	s, err := c.client.NewSession()
	if err != nil {
		return
	}
	defer s.Close()
	_ = s.Run(fmt.Sprintf("kill -KILL -- -%d 2>/dev/null; kill -KILL %d 2>/dev/null; true", pid, pid))
}
