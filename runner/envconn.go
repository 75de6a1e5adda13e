package runner

import (
	"context"
	"io"
	"io/fs"
	"strings"

	"github.com/drover-sh/drover/modules"
)

// envConn is a Conn decorator that exports a task's `environment` before
// every command.
type envConn struct {
	modules.Conn
	prefix string
}

func wrapEnv(c modules.Conn, env map[string]string) modules.Conn {
	if len(env) == 0 {
		return c
	}
	var b strings.Builder
	for _, k := range sortedKeys(env) {
		b.WriteString("export " + k + "=" + modules.ShellQuote(env[k]) + "; ")
	}
	return &envConn{Conn: c, prefix: b.String()}
}

func (c *envConn) Run(ctx context.Context, cmd string, stdin io.Reader) (*modules.ExecResult, error) {
	return c.Conn.Run(ctx, c.prefix+cmd, stdin)
}

// deadConn is a connection that could not be made; every call fails with
// its error (wrapping modules.ErrUnreachable).
type deadConn struct{ err error }

func (d deadConn) Run(context.Context, string, io.Reader) (*modules.ExecResult, error) {
	return nil, d.err
}

func (d deadConn) Upload(context.Context, string, io.Reader, fs.FileMode) error { return d.err }

func (d deadConn) Close() error { return nil }
