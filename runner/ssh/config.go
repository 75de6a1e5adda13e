package ssh

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Host key checking modes (Config.HostKeyChecking).
const (
	HostKeyStrict    = "strict"     // refuse unknown and changed keys
	HostKeyAcceptNew = "accept-new" // record unknown keys, refuse changed keys
	HostKeyOff       = "off"        // accept anything (insecure, loudly warned)
)

// PassphraseEnv is the environment variable read for the passphrase of an
// encrypted private key before Config.Passphrase is asked.
const PassphraseEnv = "DROVER_SSH_KEY_PASSPHRASE"

// Config configures a Dialer. The zero value is usable: every field has a
// default. A nil slice means "the default files"; an empty non-nil slice
// means "none".
type Config struct {
	// KnownHostsFiles are the known_hosts files trusted for every host.
	// Default: ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts. A host's
	// UserKnownHostsFile from ssh_config is consulted first. With
	// accept-new, new keys are appended to the first file of the host's
	// list that is not under /etc.
	KnownHostsFiles []string
	// HostKeyChecking is "strict", "accept-new" or "off". "" means the
	// host's StrictHostKeyChecking from ssh_config, else "strict".
	HostKeyChecking string
	// IdentityFiles are private keys tried for every host (after the
	// host's ansible_ssh_private_key_file and before the defaults).
	IdentityFiles []string
	// User is the login user when neither the inventory nor ssh_config
	// gives one. Default: the current user.
	User string
	// ConnectTimeout bounds TCP connect plus handshake (per hop).
	// Default 10s; ssh_config ConnectTimeout wins when set.
	ConnectTimeout time.Duration
	// CommandTimeout bounds every Run and Upload; 0 means no bound.
	CommandTimeout time.Duration
	// KeepaliveInterval is the period of keepalive@openssh.com requests
	// (default 5s; ssh_config ServerAliveInterval wins when set and > 0).
	// KeepaliveMax unanswered requests (default 3; ServerAliveCountMax)
	// close the connection: a dead peer is detected within about
	// (KeepaliveMax+1)*KeepaliveInterval.
	KeepaliveInterval time.Duration
	KeepaliveMax      int
	// MaxSessions bounds concurrent sessions per connection (default 10,
	// OpenSSH's MaxSessions). It is lowered automatically when the server
	// refuses sessions.
	MaxSessions int
	// SSHConfigFiles are ssh_config files. Default: ~/.ssh/config and
	// /etc/ssh/ssh_config. When one of them uses what drover's parser
	// does not understand (Match exec, Match user, ...), all of them are
	// evaluated by the OpenSSH client instead (`ssh -G`, see SSHClient);
	// without one, such a file is reported through Warn and ignored.
	SSHConfigFiles []string
	// SSHClient is the OpenSSH client that evaluates SSHConfigFiles when
	// drover's parser cannot: "" means "ssh" from PATH, "none" turns the
	// evaluation off. It is never used to connect.
	SSHClient string
	// Passphrase returns the passphrase of an encrypted private key. It is
	// asked at most once per file, after $DROVER_SSH_KEY_PASSPHRASE. Nil
	// means encrypted keys are only usable through the environment or the
	// agent.
	Passphrase func(file string) ([]byte, error)
	// Warn receives loud warnings (host key checking off, unusable keys,
	// unparsable ssh_config). Nil means os.Stderr. Never given secrets.
	Warn func(msg string)
	// Debug, when set, receives SSH-level detail (drover run -vvv): where
	// each host is dialed, through which bastions, the host key verified,
	// the login, the persistent shell, session fallbacks. Never secrets.
	Debug func(msg string)
	// Password enables password (and keyboard-interactive) authentication
	// for every host. Hosts with ansible_password / ansible_ssh_pass use
	// theirs. Never logged.
	Password string
	// NoPersistentShell turns off the long-lived shell per connection
	// (shell.go): every command then gets a session of its own.
	NoPersistentShell bool
}

// Dialer opens SSH connections. It implements modules.Dialer. It caches
// decrypted keys, bastion (ProxyJump) connections and ssh_config
// evaluations; Close releases the bastions and the evaluation's temporary
// file. A Dialer is safe for concurrent use.
type Dialer struct {
	cfg    Config
	sshcfg sshConfigSource // parsed files, or ssh -G (sshconfig.go)
	home   string

	warnMu   sync.Mutex
	warned   map[string]bool
	khMu     sync.Mutex // guards known_hosts reads/writes and khCache
	khCache  map[string]*khEntry
	keyMu    sync.Mutex
	keyCache map[string]*keyEntry

	bastionMu sync.Mutex
	bastions  map[string]*bastion

	proxyMu   sync.Mutex
	proxyLast map[string]time.Time // last ProxyCommand start, by host
}

// New validates cfg, applies defaults and reads the ssh_config files.
func New(cfg Config) (*Dialer, error) {
	home, _ := os.UserHomeDir()
	switch cfg.HostKeyChecking {
	case "", HostKeyStrict, HostKeyAcceptNew, HostKeyOff:
	default:
		return nil, fmt.Errorf("ssh: host key checking %q: want strict, accept-new or off", cfg.HostKeyChecking)
	}
	if cfg.KnownHostsFiles == nil {
		cfg.KnownHostsFiles = []string{filepath.Join(home, ".ssh", "known_hosts"), "/etc/ssh/ssh_known_hosts"}
	}
	if cfg.SSHConfigFiles == nil {
		cfg.SSHConfigFiles = []string{filepath.Join(home, ".ssh", "config"), "/etc/ssh/ssh_config"}
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	if cfg.KeepaliveInterval <= 0 {
		cfg.KeepaliveInterval = 5 * time.Second
	}
	if cfg.KeepaliveMax <= 0 {
		cfg.KeepaliveMax = 3
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = 10
	}
	d := &Dialer{
		cfg:      cfg,
		home:     home,
		warned:   map[string]bool{},
		khCache:  map[string]*khEntry{},
		keyCache: map[string]*keyEntry{},
		bastions: map[string]*bastion{},
	}
	src, err := d.loadSSHConfig()
	if err != nil {
		return nil, err
	}
	d.sshcfg = src
	return d, nil
}

// warnOnce reports msg through Config.Warn the first time key is seen.
func (d *Dialer) warnOnce(key, msg string) {
	d.warnMu.Lock()
	seen := d.warned[key]
	d.warned[key] = true
	d.warnMu.Unlock()
	if seen {
		return
	}
	if d.cfg.Warn != nil {
		d.cfg.Warn(msg)
		return
	}
	fmt.Fprintln(os.Stderr, msg)
}

// Close closes the cached bastion connections and removes the temporary
// files of the ssh_config evaluation. Connections returned by Dial stay
// open until their own Close. Close is idempotent.
func (d *Dialer) Close() error {
	d.bastionMu.Lock()
	bs := d.bastions
	d.bastions = map[string]*bastion{}
	d.bastionMu.Unlock()
	var errs []error
	if err := d.sshcfg.close(); err != nil {
		errs = append(errs, err)
	}
	for _, b := range bs {
		if err := b.client.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// String describes c without secrets (Password is never shown).
func (c Config) String() string {
	pw := ""
	if c.Password != "" {
		pw = "********"
	}
	return fmt.Sprintf("ssh.Config{KnownHostsFiles:%q HostKeyChecking:%q IdentityFiles:%q User:%q ConnectTimeout:%v CommandTimeout:%v KeepaliveInterval:%v KeepaliveMax:%d MaxSessions:%d SSHConfigFiles:%q SSHClient:%q Password:%q}",
		c.KnownHostsFiles, c.HostKeyChecking, c.IdentityFiles, c.User, c.ConnectTimeout, c.CommandTimeout,
		c.KeepaliveInterval, c.KeepaliveMax, c.MaxSessions, c.SSHConfigFiles, c.SSHClient, pw)
}

// GoString is String, for %#v.
func (c Config) GoString() string { return c.String() }
