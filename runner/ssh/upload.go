package ssh

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/drover-sh/drover/modules"
)

// Upload streams content to path over one session running
// `cat > TMP && chmod MODE TMP && mv -f TMP PATH`, TMP being a hidden file
// in the same directory, so the file appears atomically with its mode.
// (A shell session rather than SFTP: it needs no sftp-server subsystem on
// the host and costs one session like any command.) See modules.Conn.
func (c *Conn) Upload(ctx context.Context, dest string, content io.Reader, mode fs.FileMode) error {
	if dest == "" || strings.HasSuffix(dest, "/") {
		return fmt.Errorf("ssh %s: upload %q: not a file path", c.name, dest)
	}
	var suffix [6]byte
	rand.Read(suffix[:]) //nolint:errcheck // never fails
	tmp := path.Join(path.Dir(dest), "."+path.Base(dest)+".drover-"+hex.EncodeToString(suffix[:]))
	q, qd := ShellQuote(tmp), ShellQuote(dest)
	if content == nil {
		content = strings.NewReader("")
	}
	// Small content goes inline through the persistent shell (printf is a
	// shell builtin: no session, no cat); larger content streams through a
	// session of its own.
	head, err := io.ReadAll(io.LimitReader(content, inlineUpload+1))
	if err != nil {
		return fmt.Errorf("ssh %s: upload %s: reading content: %w", c.name, dest, err)
	}
	finish := fmt.Sprintf(" && chmod %04o %s && mv -f %s %s || { rc=$?; rm -f %s; exit $rc; }", modules.ModeBits(mode), q, q, qd, q)
	var res *modules.ExecResult
	if len(head) <= inlineUpload {
		res, err = c.Run(ctx, "umask 077 && printf '%b' "+printfEscape(head)+" > "+q+finish, nil)
	} else {
		res, err = c.Run(ctx, "umask 077 && cat > "+q+finish, io.MultiReader(bytes.NewReader(head), content))
	}
	if err != nil {
		return fmt.Errorf("upload %s: %w", dest, err)
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("ssh %s: upload %s: exit status %d: %s", c.name, dest, res.ExitCode, strings.TrimSpace(string(res.Stderr)))
	}
	return nil
}

// inlineUpload is the largest content sent inline through the shell.
const inlineUpload = 32 << 10

// printfEscape is modules.PrintfEscape.
func printfEscape(b []byte) string { return modules.PrintfEscape(b) }
