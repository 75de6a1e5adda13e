package ssh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/drover-sh/drover/modules"
)

// Conn is one SSH connection to a host: one TCP connection and one
// handshake, each Run and Upload a new session on it. It implements
// modules.Conn and is safe for concurrent use; concurrent sessions are
// bounded by the server's MaxSessions (learnt from refusals).
type Conn struct {
	name   string
	client *ssh.Client
	lim    *limiter

	closed    chan struct{} // closed by Close
	closeOnce sync.Once
	dead      chan struct{} // closed when the SSH connection ended
	lostMu    sync.Mutex
	lost      error // why the connection ended, when it was not Close
	cmdTO     time.Duration

	debug   func(string) // Config.Debug, or nil
	shellMu sync.Mutex
	sh      *shell // the persistent shell, see shell.go
	noShell bool   // the persistent shell is off or failed to start
}

var _ modules.Conn = (*Conn)(nil)

func newConn(d *Dialer, p *hostParams, client *ssh.Client) *Conn {
	c := &Conn{
		name:    p.name,
		client:  client,
		lim:     newLimiter(d.cfg.MaxSessions),
		closed:  make(chan struct{}),
		dead:    make(chan struct{}),
		cmdTO:   d.cfg.CommandTimeout,
		noShell: d.cfg.NoPersistentShell,
		debug:   d.cfg.Debug,
	}
	go func() {
		err := client.Wait()
		c.setLost(err)
		close(c.dead)
	}()
	go keepalive(client, p.keepaliveInterval, p.keepaliveMax, c.dead, func(err error) {
		c.setLost(err)
		client.Close()
	})
	return c
}

// setLost records the first reason the connection ended.
func (c *Conn) setLost(err error) {
	c.lostMu.Lock()
	defer c.lostMu.Unlock()
	if c.lost == nil {
		if err == nil {
			err = errors.New("closed by the remote host")
		}
		c.lost = err
	}
}

// lostErr explains a failure of the connection, wrapping
// modules.ErrConnectionLost.
func (c *Conn) lostErr(what string, err error) error {
	select {
	case <-c.closed:
		return fmt.Errorf("ssh %s: %s: %w: connection closed by drover", c.name, what, modules.ErrConnectionLost)
	default:
	}
	c.lostMu.Lock()
	reason := c.lost
	c.lostMu.Unlock()
	if reason != nil && !errors.Is(reason, net.ErrClosed) {
		err = reason
	}
	return fmt.Errorf("ssh %s: %s: %w: %v", c.name, what, modules.ErrConnectionLost, err)
}

// RemoteAddr is the address of the host (as seen through bastions).
func (c *Conn) RemoteAddr() net.Addr { return c.client.RemoteAddr() }

// Close closes the connection, ending its sessions. It is idempotent.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		close(c.closed)
		c.shellMu.Lock()
		if c.sh != nil && c.sh.mu.TryLock() {
			c.sh.close(c)
			c.sh.mu.Unlock()
		}
		c.shellMu.Unlock()
		c.client.Close()
	})
	return nil
}

// Run runs cmd through the remote user's login shell (as OpenSSH does),
// which is /bin/sh -c semantics for POSIX shells. See modules.Conn.
//
// stdin is copied in the background and closed (EOF) when exhausted; Run
// returns when the command ends, even if it did not read all of stdin (a
// stdin that blocks forever leaves that copy goroutine behind).
func (c *Conn) Run(ctx context.Context, cmd string, stdin io.Reader) (*modules.ExecResult, error) {
	if c.cmdTO > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cmdTO)
		defer cancel()
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("ssh %s: %w", c.name, err)
	}
	if stdin == nil {
		if res, err, ok := c.tryShell(ctx, cmd); ok {
			return res, err
		}
	}
	sess, err := c.newSession(ctx)
	if err != nil {
		return nil, err
	}
	defer c.lim.closed()
	defer sess.Close()

	var stdout, stderr bytes.Buffer
	sess.Stdout, sess.Stderr = &stdout, &stderr
	in, err := sess.StdinPipe()
	if err != nil {
		return nil, c.lostErr("stdin", err)
	}
	if err := sess.Start(cmd); err != nil {
		return nil, c.lostErr("start command", err)
	}
	// Stdin is fed on the side: the command may exit without reading it.
	go func() {
		if stdin != nil {
			io.Copy(in, stdin) //nolint:errcheck // the command may not read it
		}
		in.Close()
	}()
	waitc := make(chan error, 1)
	go func() { waitc <- sess.Wait() }()
	select {
	case err = <-waitc:
	case <-ctx.Done():
		sess.Signal(ssh.SIGKILL) //nolint:errcheck // best effort
		sess.Close()
		return nil, fmt.Errorf("ssh %s: command interrupted (remote process killed): %w", c.name, ctx.Err())
	}
	res := &modules.ExecResult{}
	var exit *ssh.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		res.ExitCode = exit.ExitStatus()
	default: // *ssh.ExitMissingError, io.EOF, closed connection
		return nil, c.lostErr("command outcome unknown", err)
	}
	res.Stdout, res.Stderr = stdout.Bytes(), stderr.Bytes()
	return res, nil
}

// newSession opens a session within the session bound. A server refusing
// the session (MaxSessions reached) lowers the bound; the call then waits
// for a running session to end and tries again.
func (c *Conn) newSession(ctx context.Context) (*ssh.Session, error) {
	retries := 0
	for {
		if err := c.lim.acquire(ctx, c.dead); err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("ssh %s: waiting for a session: %w", c.name, err)
			}
			return nil, c.lostErr("open session", err)
		}
		s, err := c.client.NewSession()
		if err == nil {
			c.lim.opened()
			return s, nil
		}
		var oce *ssh.OpenChannelError
		if !errors.As(err, &oce) || (oce.Reason != ssh.Prohibited && oce.Reason != ssh.ResourceShortage) {
			c.lim.release()
			return nil, c.lostErr("open session", err)
		}
		switch r, changed := c.lim.refused(); r {
		case refusedFull:
			continue // acquire waits for a running session to end
		case refusedPending:
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("ssh %s: waiting for a session: %w", c.name, ctx.Err())
			case <-c.dead:
			case <-changed:
			}
			continue
		}
		// The server may not have finished closing sessions that ended
		// here. Back off a little.
		retries++
		if retries > 10 {
			return nil, c.lostErr("open session", err)
		}
		t := time.NewTimer(time.Duration(retries) * 25 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("ssh %s: waiting for a session: %w", c.name, ctx.Err())
		case <-t.C:
		}
	}
}

func (c *Conn) debugf(format string, args ...any) {
	if c.debug != nil {
		c.debug(c.name + ": " + fmt.Sprintf(format, args...))
	}
}
