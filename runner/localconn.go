package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/drover-sh/drover/modules"
)

// LocalConn runs commands on the controller itself, for tasks delegated to
// localhost. It satisfies modules.Conn.
type LocalConn struct {
	mu     sync.Mutex
	closed bool
}

// Run runs cmd with /bin/sh -c on the controller.
func (c *LocalConn) Run(ctx context.Context, cmd string, stdin io.Reader) (*modules.ExecResult, error) {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return nil, fmt.Errorf("local: %w", modules.ErrConnectionLost)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := exec.Command("/bin/sh", "-c", cmd)
	p.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out, errb bytes.Buffer
	p.Stdout, p.Stderr = &out, &errb
	if stdin != nil {
		p.Stdin = stdin
	}
	if err := p.Start(); err != nil {
		return nil, fmt.Errorf("local: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- p.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			return nil, fmt.Errorf("local: %w", err)
		}
		return &modules.ExecResult{Stdout: out.Bytes(), Stderr: errb.Bytes(), ExitCode: p.ProcessState.ExitCode()}, nil
	case <-ctx.Done():
		_ = syscall.Kill(-p.Process.Pid, syscall.SIGKILL)
		<-done
		return nil, fmt.Errorf("local: %w", ctx.Err())
	}
}

// Upload writes content to path atomically.
func (c *LocalConn) Upload(ctx context.Context, path string, content io.Reader, mode fs.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".drover-upload-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := io.Copy(f, content); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// Close marks the connection closed.
func (c *LocalConn) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	return nil
}
