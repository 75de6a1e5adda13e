package ssh

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/drover-sh/drover/modules"
)

// khEntry is a parsed set of known_hosts files and the state of the files
// it was parsed from.
type khEntry struct {
	stamp string
	cb    ssh.HostKeyCallback
}

// knownHostsDB returns the callback for files, re-reading them when they
// changed. Missing files are skipped. The caller holds d.khMu.
func (d *Dialer) knownHostsDB(files []string) (ssh.HostKeyCallback, error) {
	var existing []string
	var stamp strings.Builder
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil || fi.IsDir() {
			continue
		}
		existing = append(existing, f)
		fmt.Fprintf(&stamp, "%s|%d|%d;", f, fi.Size(), fi.ModTime().UnixNano())
	}
	key := strings.Join(files, "\x00")
	if e := d.khCache[key]; e != nil && e.stamp == stamp.String() {
		return e.cb, nil
	}
	cb := ssh.HostKeyCallback(func(string, net.Addr, ssh.PublicKey) error { return &knownhosts.KeyError{} })
	if len(existing) > 0 {
		var err error
		if cb, err = knownhosts.New(existing...); err != nil {
			return nil, fmt.Errorf("known_hosts: %w", err)
		}
	}
	d.khCache[key] = &khEntry{stamp: stamp.String(), cb: cb}
	return cb, nil
}

// hostKeyCallback verifies host keys for p according to its checking mode.
func (d *Dialer) hostKeyCallback(p *hostParams) ssh.HostKeyCallback {
	return func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		if p.hostKeyChecking == HostKeyOff {
			d.warnOnce("hostkey-off", "WARNING: SSH HOST KEY CHECKING IS OFF: any machine can impersonate your hosts (man-in-the-middle). Do not use this outside throw-away test setups.")
			return nil
		}
		d.khMu.Lock()
		defer d.khMu.Unlock()
		err := d.checkKnown(p, hostname, remote, key)
		var hk *modules.HostKeyError
		if p.hostKeyChecking != HostKeyAcceptNew || !errors.As(err, &hk) || hk.Reason != "unknown" {
			return err
		}
		return d.recordKey(p, hostname, key)
	}
}

// checkKnown checks key against p's known_hosts files. The caller holds
// d.khMu.
func (d *Dialer) checkKnown(p *hostParams, hostname string, remote net.Addr, key ssh.PublicKey) error {
	cb, err := d.knownHostsDB(p.knownHosts)
	if err != nil {
		return err
	}
	err = cb(hostname, remote, key)
	if err == nil {
		return nil
	}
	host := knownhosts.Normalize(hostname)
	fp := ssh.FingerprintSHA256(key)
	var re *knownhosts.RevokedError
	var ke *knownhosts.KeyError
	switch {
	case errors.As(err, &re):
		return &modules.HostKeyError{Host: host, Fingerprint: fp, Reason: "revoked",
			Hint: fmt.Sprintf("the key is marked @revoked in %s:%d", re.Revoked.Filename, re.Revoked.Line)}
	case errors.As(err, &ke) && len(ke.Want) == 0:
		h, port, _ := net.SplitHostPort(hostname)
		if h == "" {
			h, port = hostname, "22"
		}
		return &modules.HostKeyError{Host: host, Fingerprint: fp, Reason: "unknown",
			Hint: fmt.Sprintf("host is not in %s; after checking the fingerprint out of band, add it with: ssh-keyscan -p %s %s >> ~/.ssh/known_hosts, or run with --host-key-checking accept-new",
				strings.Join(p.knownHosts, ", "), port, ShellQuote(h))}
	case errors.As(err, &ke):
		var known, where []string
		for _, k := range ke.Want {
			known = append(known, ssh.FingerprintSHA256(k.Key))
			where = append(where, fmt.Sprintf("%s:%d", k.Filename, k.Line))
		}
		return &modules.HostKeyError{Host: host, Fingerprint: fp, Known: strings.Join(known, ", "), Reason: "changed",
			Hint: fmt.Sprintf("THE HOST KEY HAS CHANGED (reinstalled host, or a man-in-the-middle attack); the old key is at %s; if the change is expected remove it with: ssh-keygen -R %s",
				strings.Join(where, ", "), ShellQuote(host))}
	default:
		return err
	}
}

// recordKey appends key for hostname to p's first writable known_hosts
// file (accept-new), creating it with mode 0600. The caller holds d.khMu.
func (d *Dialer) recordKey(p *hostParams, hostname string, key ssh.PublicKey) error {
	file := ""
	for _, f := range p.knownHosts {
		if !strings.HasPrefix(f, "/etc/") {
			file = f
			break
		}
	}
	if file == "" {
		return fmt.Errorf("accept-new: no user known_hosts file to record %s in", hostname)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return fmt.Errorf("accept-new: %w", err)
	}
	f, err := os.OpenFile(file, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("accept-new: %w", err)
	}
	line := knownhosts.Line([]string{knownhosts.Normalize(hostname)}, key) + "\n"
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, fi.Size()-1); err == nil && last[0] != '\n' {
			line = "\n" + line
		}
	}
	_, err = f.WriteString(line)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("accept-new: write %s: %w", file, err)
	}
	d.warnOnce("accept:"+hostname+ssh.FingerprintSHA256(key), fmt.Sprintf("Warning: permanently added %s (%s %s) to %s",
		knownhosts.Normalize(hostname), key.Type(), ssh.FingerprintSHA256(key), file))
	return nil
}

var (
	probeOnce sync.Once
	probeKey  ssh.PublicKey
)

// knownAlgorithms returns the host key algorithms matching the keys on
// record for hostname, so that a server with several host keys presents
// the one we know (as OpenSSH does). Nil means no preference.
func (d *Dialer) knownAlgorithms(p *hostParams, hostname string) []string {
	if p.hostKeyChecking == HostKeyOff {
		return nil
	}
	probeOnce.Do(func() {
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		if err == nil {
			probeKey, _ = ssh.NewPublicKey(pub)
		}
	})
	if probeKey == nil {
		return nil
	}
	d.khMu.Lock()
	cb, err := d.knownHostsDB(p.knownHosts)
	d.khMu.Unlock()
	if err != nil {
		return nil
	}
	var ke *knownhosts.KeyError
	if err := cb(hostname, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 22}, probeKey); !errors.As(err, &ke) {
		return nil
	}
	var algos []string
	for _, k := range ke.Want {
		switch t := k.Key.Type(); t {
		case ssh.KeyAlgoRSA:
			algos = appendUnique(algos, ssh.KeyAlgoRSASHA512)
			algos = appendUnique(algos, ssh.KeyAlgoRSASHA256)
			algos = appendUnique(algos, ssh.KeyAlgoRSA)
		default:
			algos = appendUnique(algos, t)
		}
	}
	return algos
}
