// Package ssh is drover's SSH transport, built on golang.org/x/crypto/ssh
// (the ssh binary never connects to a host: it only runs as a ProxyCommand
// or to evaluate ssh_config files, see below). A Dialer (New) implements
// modules.Dialer; the *Conn it returns implements modules.Conn.
//
// # Connections
//
// A Conn owns one TCP connection and one SSH handshake for its lifetime;
// every Run and Upload is a new session on it. Sessions run concurrently,
// bounded per connection by Config.MaxSessions (default 10, OpenSSH's
// MaxSessions); when the server refuses a session the bound is lowered and
// the call waits for a running session to end. keepalive@openssh.com
// requests every KeepaliveInterval detect a dead peer: after KeepaliveMax
// unanswered requests the connection is closed and running commands return
// an error wrapping modules.ErrConnectionLost. Dial errors (TCP, handshake,
// authentication, host key) wrap modules.ErrUnreachable.
//
// Run sends the command line as an SSH "exec" request, so the remote
// user's login shell runs it (what OpenSSH does): /bin/sh -c semantics for
// POSIX login shells. Any exit status is a result, not an error. When ctx
// ends, the remote command is sent SIGKILL and the session closed. Upload
// streams the content through `cat` into a temporary file next to the
// destination, sets the mode and renames it into place (atomic). No
// secrets are put on command lines or in errors.
//
// # Host keys
//
// Keys are checked with golang.org/x/crypto/ssh/knownhosts against the
// host's UserKnownHostsFile (ssh_config) and Config.KnownHostsFiles
// (default ~/.ssh/known_hosts, /etc/ssh/ssh_known_hosts): hashed entries,
// [host]:port entries, @cert-authority and @revoked are understood. The
// client asks for the host key algorithms of the keys on record, so a
// server with several host keys shows the known one. Modes (Config, else
// ssh_config StrictHostKeyChecking, else strict):
//
//   - strict: unknown keys are refused (*modules.HostKeyError, Reason
//     "unknown", with an ssh-keyscan hint); changed keys are refused
//     (Reason "changed", both SHA256 fingerprints); revoked keys are
//     refused (Reason "revoked").
//   - accept-new: unknown keys are appended to the first known_hosts file
//     not under /etc (created 0600), changed keys are still refused.
//   - off: everything is accepted, with one loud warning through
//     Config.Warn.
//
// # Authentication
//
// Public keys are offered in this order: ssh-agent keys (SSH_AUTH_SOCK),
// then the identity files: ansible_ssh_private_key_file (or
// ansible_private_key_file), IdentityFile from ssh_config or -i in
// ansible_ssh_common_args, Config.IdentityFiles, and only when none of
// these is set the defaults ~/.ssh/id_ed25519, id_ecdsa, id_rsa (missing
// files are skipped). IdentitiesOnly restricts agent keys to those of the
// identity files. A certificate KEY-cert.pub next to a key is offered
// before the plain key. Encrypted keys are decrypted only when the server
// accepts the key, with $DROVER_SSH_KEY_PASSPHRASE first, then
// Config.Passphrase (asked once per file per Dialer). Password and
// keyboard-interactive authentication are only used when Config.Password
// or ansible_password / ansible_ssh_pass is set.
//
// # ssh_config and inventory variables
//
// ~/.ssh/config and /etc/ssh/ssh_config (Config.SSHConfigFiles) are read
// with github.com/kevinburke/ssh_config; Host patterns match ansible_host
// (or the inventory name), as with Ansible. Honoured: HostName, User, Port,
// IdentityFile, IdentitiesOnly, ProxyJump, ProxyCommand, UserKnownHostsFile,
// StrictHostKeyChecking, ConnectTimeout, ServerAliveInterval,
// ServerAliveCountMax (a ServerAliveInterval of 0 keeps drover's default).
// Options in ansible_ssh_common_args / ansible_ssh_extra_args (-o
// Key=Value, -J, -p, -l, -i) win over the files; inventory variables
// (ansible_port, ansible_user) win over both; the files win over Config
// (User, IdentityFiles, KeepaliveInterval, ...). resolve.go reads the
// files through one interface (sshConfigSource, sshconfig.go).
//
// That parser supports Match Host and Match all only. When a file uses
// anything else (Match exec, user, originalhost, localuser, canonical,
// final, ...) and an OpenSSH client is available (Config.SSHClient, else
// ssh on PATH, checked once by New), all the files are evaluated by
// OpenSSH instead (sshg.go): `ssh -G -F <private config> [-p port]
// [-l user] -- alias` prints the configuration ssh would use, after Match
// exec commands, Include and tokens. The private config (a temporary file
// removed by Dialer.Close) Includes the files in their order, so that a
// block of one file never extends into the next; -p and -l carry what the
// inventory or the ssh arguments fixed, so that Match user, %p and %r see
// it. ssh -G prints defaults too: a "Host *" block after the Includes
// gives marker values to IdentityFile, UserKnownHostsFile,
// ServerAliveInterval and ServerAliveCountMax (and Config.User as the
// last-resort User), so that what the files set, even to OpenSSH's
// default, is told from what they leave unset; the other keywords mean
// the same to drover whether set to OpenSSH's default or unset. An
// evaluation runs when a host (or ProxyJump hop) is first resolved, is
// cached per (alias, port, user) for the Dialer's life, runs at most 8 ssh
// processes at once and is killed (with its Match exec commands) after
// 30 s. A failure fails that host only, with ssh's message, and is not
// cached. Without an OpenSSH client such a file is ignored with a warning
// saying that installing one lets drover evaluate it. When every file
// parses, ssh is never run.
//
// # Bastions
//
// ProxyJump chains ("a,b,c", each hop "[user@]host[:port]" resolved
// through ssh_config) are dialed hop by hop with direct-tcpip channels. The
// Dialer keeps one connection per hop (keyed by the chain up to that hop),
// shared by every host behind it and redialed when it dies; Dialer.Close
// closes them.
//
// A ProxyCommand (proxycmd.go) runs locally under /bin/sh -c in a process
// group of its own; SSH is spoken over its stdin and stdout, and closing
// the connection ends it. ProxyJump wins when a host has both.
//
// TCP connects (tcpdial.go) start a fresh attempt every 250 ms while none
// is answered, so that a host whose network comes back is seen within a
// fraction of a second rather than at the kernel's next SYN retransmission.
//
// ShellQuote (quote.go) quotes a word for a POSIX shell.
package ssh
