package fleet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"sync"

	"github.com/drover-sh/drover/modules"
)

// Dialer returns a modules.Dialer that reaches the fleet's hosts in
// process, without SSH. Its Conns run commands through the same code path
// as the SSH servers (same confinement, same reboot semantics). Hosts are
// found by Target.Name, or else by Target.Port (the host's SSH port).
func (f *Fleet) Dialer() modules.Dialer { return directDialer{f} }

type directDialer struct{ f *Fleet }

// Dial opens a connection to the host; the error wraps
// modules.ErrUnreachable when the host is unknown, down or unreachable.
func (d directDialer) Dial(ctx context.Context, t modules.Target) (modules.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("dial %s: %w", t.Name, err)
	}
	h := d.f.byName[t.Name]
	if h == nil && t.Port != 0 && !d.f.opts.NoSSH {
		for _, c := range d.f.hosts {
			if c.port == t.Port {
				h = c
				break
			}
		}
	}
	if h == nil {
		return nil, fmt.Errorf("dial %s: no such fleet host: %w", t.Name, modules.ErrUnreachable)
	}
	l, err := h.reachableLink()
	if err != nil {
		return nil, fmt.Errorf("dial %s: %v: %w", t.Name, err, modules.ErrUnreachable)
	}
	h.connections.Add(1)
	ctx, cancel := context.WithCancel(context.Background())
	return &directConn{h: h, l: l, ctx: ctx, cancel: cancel}, nil
}

// directConn is a modules.Conn to a fleet host, valid during one link: it
// is lost when the host goes down or becomes unreachable.
type directConn struct {
	h      *host
	l      *link
	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	once   sync.Once
}

var errClosed = errors.New("connection closed")

// Run runs cmd on the host (see modules.Conn). A command killed by signal
// N reports exit code 128+N, as a shell would.
func (c *directConn) Run(ctx context.Context, cmd string, stdin io.Reader) (*modules.ExecResult, error) {
	if c.ctx.Err() != nil {
		return nil, fmt.Errorf("host %s: %w", c.h.name, errClosed)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(c.ctx, cancel)
	defer stop()
	var stdout, stderr bytes.Buffer
	st, err := c.h.run(runCtx, c.l, cmd, stdin, &stdout, &stderr, nil)
	if err != nil {
		if errors.Is(err, context.Canceled) && ctx.Err() == nil && c.ctx.Err() != nil {
			return nil, fmt.Errorf("host %s: %w", c.h.name, errClosed)
		}
		return nil, err
	}
	return &modules.ExecResult{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), ExitCode: st.shellCode()}, nil
}

// Upload writes content to path atomically with mode, through Run.
func (c *directConn) Upload(ctx context.Context, path string, content io.Reader, mode fs.FileMode) error {
	if content == nil {
		content = bytes.NewReader(nil)
	}
	res, err := c.Run(ctx, UploadCommand(path, mode), content)
	if err != nil {
		return fmt.Errorf("upload %s: %w", path, err)
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("host %s: upload %s: exit %d: %s", c.h.name, path, res.ExitCode, bytes.TrimSpace(res.Stderr))
	}
	return nil
}

// Close ends the connection and kills the commands still running on it.
func (c *directConn) Close() error {
	c.once.Do(c.cancel)
	return nil
}

// UploadCommand is a POSIX sh command line that writes its stdin to path
// atomically (a temporary file in the same directory, then rename) with
// the permission bits of mode. Transports without a file transfer
// protocol can use it.
func UploadCommand(path string, mode fs.FileMode) string {
	bits := modules.ModeBits(mode)
	p := shellQuote(path)
	return "set -e; p=" + p + "; d=$(dirname -- \"$p\"); " +
		"t=$(mktemp \"$d/.drover-upload.XXXXXX\"); trap 'rm -f \"$t\"' EXIT; " +
		"cat > \"$t\"; chmod " + strconv.FormatUint(uint64(bits), 8) + " \"$t\"; mv -f \"$t\" \"$p\"; trap - EXIT"
}
