package modules

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
)

// Conn is one host's connection, as the modules need it. The SSH transport
// (runner/ssh) and the in-process fleet (runner/fleet) both implement it and
// pass the same conformance suite (modules/conntest).
//
// Contract:
//   - Run runs cmd as `/bin/sh -c cmd` on the host (a POSIX shell command
//     line), feeding stdin (nil means empty stdin) and capturing stdout and
//     stderr. A command that ran returns a result and a nil error, whatever its
//     exit code: a non-zero exit is not an error of Run.
//   - Run returns an error when the command's outcome is unknown: the
//     connection could not be used or was lost (the error wraps
//     ErrConnectionLost or ErrUnreachable), or ctx ended (the error wraps
//     ctx.Err(); the remote command is signalled where the transport can).
//   - Upload writes the content to path atomically (a temporary file in the
//     same directory, then rename) with the given permission bits.
//   - Close releases the connection; it is safe to call more than once.
//   - A Conn is safe for concurrent use by several goroutines.
type Conn interface {
	Run(ctx context.Context, cmd string, stdin io.Reader) (*ExecResult, error)
	Upload(ctx context.Context, path string, content io.Reader, mode fs.FileMode) error
	Close() error
}

// ExecResult is what a command that ran produced.
type ExecResult struct {
	Stdout   []byte
	Stderr   []byte
	ExitCode int
}

// Dialer opens connections to hosts. The runner is given one by cmd/drover
// (the SSH transport) or by tests (the in-process fleet).
//
// Dial returns an error wrapping ErrUnreachable when the host cannot be
// reached, authenticated or verified (a *HostKeyError for key problems).
type Dialer interface {
	Dial(ctx context.Context, t Target) (Conn, error)
}

// Target is what a dialer needs to know about a host: its inventory name,
// where to reach it, and its variables (ansible_user,
// ansible_ssh_private_key_file, ansible_become_password, ...).
type Target struct {
	Name string         // inventory_hostname
	Addr string         // ansible_host, or Name
	Port int            // ansible_port, 0 means the transport's default
	User string         // ansible_user, "" means the transport's default
	Vars map[string]any // the host's merged variables
}

// ErrUnreachable marks errors of connecting: dial, handshake, authentication,
// host key. Ansible reports these hosts as UNREACHABLE, not FAILED.
var ErrUnreachable = errors.New("host unreachable")

// ErrConnectionLost marks an established connection that dropped (for
// example because the host rebooted).
var ErrConnectionLost = errors.New("connection lost")

// HostKeyError is a host key that could not be verified. It wraps
// ErrUnreachable.
type HostKeyError struct {
	Host        string
	Fingerprint string // SHA256:... of the key the host presented
	Known       string // fingerprint on record, "" when the host is unknown
	Reason      string // "unknown", "changed", "revoked"
	Hint        string // how to fix it
}

func (e *HostKeyError) Error() string {
	msg := fmt.Sprintf("host key verification failed for %s: %s key %s", e.Host, e.Reason, e.Fingerprint)
	if e.Known != "" {
		msg += fmt.Sprintf(" (known: %s)", e.Known)
	}
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

func (e *HostKeyError) Unwrap() error { return ErrUnreachable }

// IsUnreachable reports whether err is a connection-level failure (either
// the host could not be reached or an open connection was lost).
func IsUnreachable(err error) bool {
	return errors.Is(err, ErrUnreachable) || errors.Is(err, ErrConnectionLost)
}
