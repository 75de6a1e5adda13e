package ssh

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// keyEntry is one identity file, loaded once per Dialer.
type keyEntry struct {
	signer ssh.Signer       // nil when the file is missing or unusable
	cert   *ssh.Certificate // from KEY-cert.pub, nil when none
}

// signers are the entry's signers for one handshake, the certificate's
// first. hold is passed to encrypted keys (see heldSigner).
func (e *keyEntry) signers(hold func() func()) []ssh.Signer {
	if e.signer == nil {
		return nil
	}
	s := e.signer
	if ls, ok := s.(*lazySigner); ok {
		s = &heldSigner{lazySigner: ls, hold: hold}
	}
	if e.cert != nil {
		if cs, err := ssh.NewCertSigner(e.cert, s); err == nil {
			return []ssh.Signer{cs, s}
		}
	}
	return []ssh.Signer{s}
}

// authMethods returns the authentication methods for p: public keys (the
// agent's, then the identity files'), then password and
// keyboard-interactive when a password is configured. hold pauses the
// handshake watchdog while an encrypted key is decrypted (maybe prompting).
// The returned closer releases the agent connection once the handshake is
// over.
func (d *Dialer) authMethods(p *hostParams, hold func() (resume func())) ([]ssh.AuthMethod, io.Closer) {
	var agentSigners []ssh.Signer
	var closer io.Closer = io.NopCloser(nil)
	if sock := os.Getenv("SSH_AUTH_SOCK"); sock != "" {
		if c, err := net.Dial("unix", sock); err != nil {
			d.warnOnce("agent:"+sock, fmt.Sprintf("WARNING: ssh-agent at SSH_AUTH_SOCK unusable: %v", err))
		} else {
			closer = c
			if s, err := agent.NewClient(c).Signers(); err == nil {
				agentSigners = s
			}
		}
	}
	signers := func() ([]ssh.Signer, error) {
		var files []ssh.Signer
		for _, f := range p.identityFiles {
			files = append(files, d.loadKey(f).signers(hold)...)
		}
		if p.identitiesOnly { // only agent keys that match an identity file
			var kept []ssh.Signer
			for _, a := range agentSigners {
				for _, f := range files {
					if sameKey(a.PublicKey(), f.PublicKey()) {
						kept = append(kept, a)
						break
					}
				}
			}
			agentSigners = kept
		}
		var all []ssh.Signer
		seen := map[string]bool{}
		for _, s := range append(agentSigners, files...) {
			k := string(s.PublicKey().Marshal())
			if !seen[k] {
				seen[k] = true
				all = append(all, s)
			}
		}
		return all, nil
	}
	methods := []ssh.AuthMethod{ssh.PublicKeysCallback(signers)}
	if pw := p.password; pw != "" {
		methods = append(methods, ssh.Password(pw),
			ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = pw
				}
				return answers, nil
			}))
	}
	return methods, closer
}

// heldSigner is a lazySigner used by one handshake: signing (which may
// decrypt and prompt) holds the handshake watchdog.
type heldSigner struct {
	*lazySigner
	hold func() func()
}

func (h *heldSigner) Sign(rand io.Reader, data []byte) (*ssh.Signature, error) {
	return h.SignWithAlgorithm(rand, data, "")
}

func (h *heldSigner) SignWithAlgorithm(rand io.Reader, data []byte, algorithm string) (*ssh.Signature, error) {
	defer h.hold()()
	return h.lazySigner.SignWithAlgorithm(rand, data, algorithm)
}

// sameKey compares two public keys, seeing through certificates.
func sameKey(a, b ssh.PublicKey) bool {
	if c, ok := a.(*ssh.Certificate); ok {
		a = c.Key
	}
	if c, ok := b.(*ssh.Certificate); ok {
		b = c.Key
	}
	return bytes.Equal(a.Marshal(), b.Marshal())
}

// loadKey loads (once) the private key at path with its certificate.
// Missing or unusable files give no signers (unusable ones are warned
// about). Encrypted keys whose public key is known decrypt lazily, when the
// server accepts the key, so that the passphrase is only asked when needed.
func (d *Dialer) loadKey(path string) *keyEntry {
	d.keyMu.Lock()
	defer d.keyMu.Unlock()
	if e := d.keyCache[path]; e != nil {
		return e
	}
	e := &keyEntry{}
	d.keyCache[path] = e
	pem, err := os.ReadFile(path)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			d.warnOnce("key:"+path, fmt.Sprintf("WARNING: ssh: cannot read identity %s: %v", path, err))
		}
		return e
	}
	var signer ssh.Signer
	var missing *ssh.PassphraseMissingError
	signer, err = ssh.ParsePrivateKey(pem)
	switch {
	case err == nil:
	case errors.As(err, &missing):
		pub := missing.PublicKey
		if pub == nil {
			pub = readPublicKey(path + ".pub")
		}
		ls := &lazySigner{d: d, path: path, pem: pem, pub: pub}
		if pub == nil { // must decrypt now to know the key
			if err := ls.decrypt(); err != nil {
				d.warnOnce("key:"+path, fmt.Sprintf("WARNING: ssh: skipping identity %s: %v", path, err))
				return e
			}
			ls.pub = ls.real.PublicKey()
		}
		signer = ls
	default:
		d.warnOnce("key:"+path, fmt.Sprintf("WARNING: ssh: skipping identity %s: %v", path, err))
		return e
	}
	if cert, ok := readPublicKey(path + "-cert.pub").(*ssh.Certificate); ok {
		if _, err := ssh.NewCertSigner(cert, signer); err == nil {
			e.cert = cert
		} else {
			d.warnOnce("cert:"+path, fmt.Sprintf("WARNING: ssh: ignoring certificate %s-cert.pub: %v", path, err))
		}
	}
	e.signer = signer
	return e
}

func readPublicKey(path string) ssh.PublicKey {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey(b)
	if err != nil {
		return nil
	}
	return pub
}

// lazySigner is an encrypted private key, decrypted on first use with the
// passphrase from $DROVER_SSH_KEY_PASSPHRASE or Config.Passphrase.
type lazySigner struct {
	d    *Dialer
	path string
	pem  []byte
	pub  ssh.PublicKey

	mu   sync.Mutex
	real ssh.Signer
	err  error
	done bool
}

// decrypt decrypts the key once; later calls return the first outcome.
func (l *lazySigner) decrypt() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return l.err
	}
	l.done = true
	l.err = errors.New("encrypted key and no passphrase (set " + PassphraseEnv + " or use ssh-agent)")
	if pw, ok := os.LookupEnv(PassphraseEnv); ok {
		s, err := ssh.ParsePrivateKeyWithPassphrase(l.pem, []byte(pw))
		if err == nil {
			l.real, l.err = s, nil
			return nil
		}
		l.err = fmt.Errorf("passphrase from %s does not decrypt it", PassphraseEnv)
	}
	if l.d.cfg.Passphrase != nil {
		pw, err := l.d.cfg.Passphrase(l.path)
		if err != nil {
			l.err = fmt.Errorf("passphrase: %w", err)
			return l.err
		}
		s, err := ssh.ParsePrivateKeyWithPassphrase(l.pem, pw)
		clear(pw)
		if err != nil {
			l.err = errors.New("wrong passphrase")
			return l.err
		}
		l.real, l.err = s, nil
	}
	return l.err
}

func (l *lazySigner) PublicKey() ssh.PublicKey { return l.pub }

func (l *lazySigner) Sign(rand io.Reader, data []byte) (*ssh.Signature, error) {
	return l.SignWithAlgorithm(rand, data, "")
}

func (l *lazySigner) SignWithAlgorithm(rand io.Reader, data []byte, algorithm string) (*ssh.Signature, error) {
	if err := l.decrypt(); err != nil {
		l.d.warnOnce("key:"+l.path, fmt.Sprintf("WARNING: ssh: cannot use identity %s: %v", l.path, err))
		return nil, fmt.Errorf("identity %s: %w", l.path, err)
	}
	if as, ok := l.real.(ssh.AlgorithmSigner); ok {
		return as.SignWithAlgorithm(rand, data, algorithm)
	}
	return l.real.Sign(rand, data)
}

func (l *lazySigner) Algorithms() []string {
	if t := l.pub.Type(); t != ssh.KeyAlgoRSA {
		return []string{t}
	}
	return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
}

var _ ssh.MultiAlgorithmSigner = (*lazySigner)(nil)
