package ssh

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proxyConn is the connection to a host through its ssh_config
// ProxyCommand (`ssh -W %h:%p bastion`, `aws ssm start-session ...`,
// `nc -X 5 -x proxy %h %p`): the command runs locally under /bin/sh -c,
// in a process group of its own, and SSH is spoken over its stdin and
// stdout, as OpenSSH does. Closing the connection ends the command.
type proxyConn struct {
	cmd    *exec.Cmd
	r      io.ReadCloser
	w      io.WriteCloser
	addr   proxyAddr
	stderr *tailWriter

	closeOnce sync.Once
	exited    chan struct{}
}

// proxyInterval is the least time between two ProxyCommand starts for
// one host. A ProxyCommand is often a login somewhere (ssh -W to a
// bastion, an SSM session): the reconnect loop of a rebooting host, which
// retries every 25 ms, must not become dozens of bastion logins a second.
const proxyInterval = time.Second

// proxyTurn waits until host may start its ProxyCommand again, or ctx
// ends.
func (d *Dialer) proxyTurn(ctx context.Context, host string) error {
	for {
		d.proxyMu.Lock()
		if d.proxyLast == nil {
			d.proxyLast = map[string]time.Time{}
		}
		now := time.Now()
		next := d.proxyLast[host].Add(proxyInterval)
		if !now.Before(next) {
			d.proxyLast[host] = now // an abandoned wait reserves nothing
			d.proxyMu.Unlock()
			return nil
		}
		d.proxyMu.Unlock()
		t := time.NewTimer(next.Sub(now))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}

// dialProxyCommand starts command (already %-expanded) for the host at
// addr (host:port, used in messages and host key checks).
func dialProxyCommand(command, addr string) (*proxyConn, error) {
	cmd := exec.Command("/bin/sh", "-c", command)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Env = os.Environ()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	tw := &tailWriter{max: 2048}
	cmd.Stderr = tw
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("ProxyCommand %q: %w", command, err)
	}
	c := &proxyConn{cmd: cmd, r: stdout, w: stdin, addr: proxyAddr(addr), stderr: tw, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(c.exited)
	}()
	return c, nil
}

func (c *proxyConn) Read(b []byte) (int, error)  { return c.r.Read(b) }
func (c *proxyConn) Write(b []byte) (int, error) { return c.w.Write(b) }

// Close ends the command: its stdin closes (a well-behaved proxy exits),
// then, after a short grace, its process group is killed.
func (c *proxyConn) Close() error {
	c.closeOnce.Do(func() {
		_ = c.w.Close()
		select {
		case <-c.exited:
		case <-time.After(200 * time.Millisecond):
			_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
			<-c.exited
		}
	})
	return nil
}

// Stderr is the end of what the command wrote to its stderr, for error
// messages ("" when it wrote nothing).
func (c *proxyConn) Stderr() string { return strings.TrimSpace(c.stderr.String()) }

func (c *proxyConn) LocalAddr() net.Addr  { return proxyAddr("proxycommand:0") }
func (c *proxyConn) RemoteAddr() net.Addr { return c.addr }

// Deadlines are not supported on pipes to a process; the SSH layer does
// not use them (timeouts close the connection instead).
func (c *proxyConn) SetDeadline(time.Time) error      { return nil }
func (c *proxyConn) SetReadDeadline(time.Time) error  { return nil }
func (c *proxyConn) SetWriteDeadline(time.Time) error { return nil }

// proxyAddr is the host:port a ProxyCommand reaches.
type proxyAddr string

func (a proxyAddr) Network() string { return "proxycommand" }
func (a proxyAddr) String() string  { return string(a) }

// tailWriter keeps the last max bytes written to it.
type tailWriter struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b = append(w.b, p...)
	if len(w.b) > w.max {
		w.b = append([]byte(nil), w.b[len(w.b)-w.max:]...)
	}
	return len(p), nil
}

func (w *tailWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.b)
}
