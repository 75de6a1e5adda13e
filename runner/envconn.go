package runner

import (
	"context"
	"io"
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
