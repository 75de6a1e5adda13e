package modules

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// ShellQuote quotes s for POSIX sh as one word.
func ShellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_./=:,+@%", c)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}

// Exec runs cmd on the host through env (applying become when set) and
// returns the result, or, when the transport failed, an unreachable result
// (or a failed one when ctx ended). Exactly one of the two is non-nil.
func Exec(ctx context.Context, env *Env, cmd string, stdin []byte) (*ExecResult, Result) {
	if env.Become != nil {
		var prefix []byte
		cmd, prefix = env.Become(cmd)
		if len(prefix) > 0 {
			stdin = append(append([]byte{}, prefix...), stdin...)
		}
	}
	var in io.Reader
	if stdin != nil {
		in = bytes.NewReader(stdin)
	}
	res, err := env.Conn.Run(ctx, cmd, in)
	if err != nil {
		if ctx.Err() != nil && !IsUnreachable(err) {
			return nil, Fail("command interrupted: " + err.Error())
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, Fail("timed out: " + err.Error())
		}
		return nil, UnreachableResult(err)
	}
	return res, nil
}

// Lines splits command output into lines as Ansible's stdout_lines does.
func Lines(b []byte) []string {
	s := strings.TrimRight(string(b), "\n")
	if s == "" {
		return []string{}
	}
	return strings.Split(s, "\n")
}

// CommandResult turns a command's output into Ansible's command result.
func CommandResult(cmd any, r *ExecResult) Result {
	out := strings.TrimRight(string(r.Stdout), "\n")
	errs := strings.TrimRight(string(r.Stderr), "\n")
	res := Result{
		"changed":      true,
		"cmd":          cmd,
		"rc":           r.ExitCode,
		"stdout":       out,
		"stderr":       errs,
		"stdout_lines": Lines(r.Stdout),
		"stderr_lines": Lines(r.Stderr),
		"failed":       r.ExitCode != 0,
	}
	if r.ExitCode != 0 {
		res["msg"] = "non-zero return code"
	}
	return res
}

// PrintfEscape quotes b as one single-quoted word for printf '%b': bytes
// other than printable ASCII and newline, and the quote and backslash, as
// \0NNN octal escapes (POSIX printf %b, a builtin of dash and bash).
func PrintfEscape(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) + 2)
	sb.WriteByte('\'')
	for _, c := range b {
		if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') || c == '\n' {
			sb.WriteByte(c)
			continue
		}
		fmt.Fprintf(&sb, "\\0%03o", c)
	}
	sb.WriteByte('\'')
	return sb.String()
}

// ModeBits converts a fs.FileMode to chmod's octal bits (permissions and
// setuid, setgid, sticky), for upload commands.
func ModeBits(m fs.FileMode) uint32 {
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
