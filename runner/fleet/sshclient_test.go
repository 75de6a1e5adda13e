package fleet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/drover-sh/drover/modules"
)

// testSSHConn is a minimal SSH modules.Conn for testing the fleet's SSH
// servers (the real client is runner/ssh). It verifies host keys against
// the fleet's known_hosts and authenticates with the fleet's key file.
type testSSHConn struct {
	client *ssh.Client
	mu     sync.Mutex
	closed bool
}

func dialTestSSH(f *Fleet, name string) (*testSSHConn, error) {
	keyPEM, err := os.ReadFile(f.KeyPath())
	if err != nil {
		return nil, err
	}
	signer, err := ssh.ParsePrivateKey(keyPEM)
	if err != nil {
		return nil, err
	}
	hostKeys, err := knownhosts.New(f.KnownHostsPath())
	if err != nil {
		return nil, err
	}
	cfg := &ssh.ClientConfig{
		User:            f.User(),
		Auth:            []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: hostKeys,
		Timeout:         10 * time.Second,
	}
	client, err := ssh.Dial("tcp", f.Addr(name), cfg)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %v: %w", name, err, modules.ErrUnreachable)
	}
	return &testSSHConn{client: client}, nil
}

func (c *testSSHConn) Run(ctx context.Context, cmd string, stdin io.Reader) (*modules.ExecResult, error) {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return nil, errors.New("connection closed")
	}
	sess, err := c.client.NewSession()
	if err != nil {
		return nil, fmt.Errorf("new session: %v: %w", err, modules.ErrConnectionLost)
	}
	defer sess.Close()
	var stdout, stderr bytes.Buffer
	sess.Stdout = &stdout
	sess.Stderr = &stderr
	in, err := sess.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := sess.Start(cmd); err != nil {
		return nil, fmt.Errorf("start: %v: %w", err, modules.ErrConnectionLost)
	}
	// A command may exit without reading all its stdin: errors writing it
	// are not the command's outcome.
	go func() {
		if stdin != nil {
			_, _ = io.Copy(in, stdin)
		}
		in.Close()
	}()
	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	select {
	case <-ctx.Done():
		_ = sess.Signal(ssh.SIGKILL)
		sess.Close()
		return nil, ctx.Err()
	case err = <-done:
	}
	res := &modules.ExecResult{Stdout: stdout.Bytes(), Stderr: stderr.Bytes()}
	var exitErr *ssh.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		res.ExitCode = exitErr.ExitStatus()
	default:
		return nil, fmt.Errorf("%v: %w", err, modules.ErrConnectionLost)
	}
	return res, nil
}

func (c *testSSHConn) Upload(ctx context.Context, path string, content io.Reader, mode fs.FileMode) error {
	res, err := c.Run(ctx, UploadCommand(path, mode), content)
	if err != nil {
		return err
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("upload %s: exit %d: %s", path, res.ExitCode, res.Stderr)
	}
	return nil
}

func (c *testSSHConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	err := c.client.Close()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}
