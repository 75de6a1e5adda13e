package ssh

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
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
	script := fmt.Sprintf("umask 077 && cat > %s && chmod %04o %s && mv -f %s %s || { rc=$?; rm -f %s; exit $rc; }",
		q, modeBits(mode), q, q, qd, q)
	if content == nil {
		content = strings.NewReader("")
	}
	res, err := c.Run(ctx, script, content)
	if err != nil {
		return fmt.Errorf("upload %s: %w", dest, err)
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("ssh %s: upload %s: exit status %d: %s", c.name, dest, res.ExitCode, strings.TrimSpace(string(res.Stderr)))
	}
	return nil
}

// modeBits converts a fs.FileMode to chmod's octal bits.
func modeBits(m fs.FileMode) uint32 {
	b := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		b |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		b |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		b |= 0o1000
	}
	return b
}
