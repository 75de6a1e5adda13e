// Package conntest is the conformance suite every modules.Conn
// implementation must pass (the SSH transport in runner/ssh, the in-process
// fleet in runner/fleet).
//
// Call Run from a test with a function that dials a fresh connection to a
// host. The suite only uses POSIX sh commands (plus `stat -c %a`) and only
// writes under a directory it creates with `mktemp -d` on the host and
// removes afterwards, so it also runs against a real sshd host.
package conntest
