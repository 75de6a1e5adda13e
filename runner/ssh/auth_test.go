package ssh

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/drover-sh/drover/modules"
)

// startAgent serves an in-process keyring on a unix socket and points
// SSH_AUTH_SOCK at it.
func startAgent(t *testing.T, keys ...ed25519.PrivateKey) {
	t.Helper()
	dir, err := os.MkdirTemp("", "agent")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "s")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ring := agent.NewKeyring()
	for _, k := range keys {
		if err := ring.Add(agent.AddedKey{PrivateKey: k}); err != nil {
			t.Fatal(err)
		}
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { agent.ServeAgent(ring, c); c.Close() }()
		}
	}()
	t.Setenv("SSH_AUTH_SOCK", sock)
}

func TestAgentAuth(t *testing.T) {
	f := newFixture(t)
	agentKey := newTestKey(t, t.TempDir(), "agentkey", "")
	os.Remove(agentKey.path) // only the agent has it
	f.srv.mu.Lock()
	f.srv.authorized = []ssh.PublicKey{agentKey.signer.PublicKey()}
	f.srv.mu.Unlock()
	cfg := f.config()
	cfg.IdentityFiles = nil
	// Without the agent: refused, as unreachable.
	_, err := f.dialer(t, cfg).Connect(t.Context(), f.target())
	if !errors.Is(err, modules.ErrUnreachable) {
		t.Fatalf("want unreachable without agent, got %v", err)
	}
	startAgent(t, agentKey.priv)
	c, err := f.dialer(t, cfg).Connect(t.Context(), f.target())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	mustRun(t, c, "true")
}

func TestIdentitiesOnlyFiltersAgentKeys(t *testing.T) {
	f := newFixture(t)
	agentKey := newTestKey(t, t.TempDir(), "agentkey", "")
	f.srv.mu.Lock()
	f.srv.authorized = []ssh.PublicKey{agentKey.signer.PublicKey()}
	f.srv.mu.Unlock()
	startAgent(t, agentKey.priv)
	sshcfg := filepath.Join(t.TempDir(), "config")
	writeFile(t, sshcfg, "Host *\n  IdentitiesOnly yes\n")
	cfg := f.config() // identity file is f.key, which the server refuses
	cfg.SSHConfigFiles = []string{sshcfg}
	if _, err := f.dialer(t, cfg).Connect(t.Context(), f.target()); !errors.Is(err, modules.ErrUnreachable) {
		t.Fatalf("IdentitiesOnly: agent key must not be offered, got %v", err)
	}
	cfg.SSHConfigFiles = []string{}
	c, err := f.dialer(t, cfg).Connect(t.Context(), f.target())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

// encPassphrase decrypts testdata/id_enc, an ed25519 key made with
// `ssh-keygen -t ed25519 -a 1 -N drover-test-passphrase` (one KDF round, so
// that decrypting is fast under the race detector).
const encPassphrase = "drover-test-passphrase"

// encryptedKey copies testdata/id_enc (without its .pub: the OpenSSH format
// carries the public key) into a temp dir and authorizes it on srv.
func encryptedKey(t *testing.T, srv *testServer) string {
	t.Helper()
	b, err := os.ReadFile("testdata/id_enc")
	if err != nil {
		t.Fatal(err)
	}
	var missing *ssh.PassphraseMissingError
	if _, err := ssh.ParsePrivateKey(b); !errors.As(err, &missing) {
		t.Fatalf("testdata/id_enc is not encrypted: %v", err)
	}
	path := filepath.Join(t.TempDir(), "id_enc")
	writeFile(t, path, string(b))
	pub := readPublicKey("testdata/id_enc.pub")
	if pub == nil {
		t.Fatal("testdata/id_enc.pub unreadable")
	}
	srv.authorize(pub)
	return path
}

func TestEncryptedKeyPassphraseFromEnv(t *testing.T) {
	f := newFixture(t)
	enc := encryptedKey(t, f.srv)
	cfg := f.config()
	cfg.IdentityFiles = nil
	var asked atomic.Int32
	cfg.Passphrase = func(string) ([]byte, error) { asked.Add(1); return nil, errors.New("no tty") }
	tgt := f.target()
	tgt.Vars = map[string]any{"ansible_ssh_private_key_file": enc}
	// Without the passphrase the key cannot be used.
	if _, err := f.dialer(t, cfg).Connect(t.Context(), tgt); !errors.Is(err, modules.ErrUnreachable) {
		t.Fatalf("want unreachable without passphrase, got %v", err)
	}
	asked.Store(0)
	t.Setenv(PassphraseEnv, encPassphrase)
	d := f.dialer(t, cfg)
	for range 2 {
		c, err := d.Connect(t.Context(), tgt)
		if err != nil {
			t.Fatal(err)
		}
		mustRun(t, c, "true")
		c.Close()
	}
	if asked.Load() != 0 {
		t.Fatalf("prompted %d times although the environment had the passphrase", asked.Load())
	}
}

func TestEncryptedKeyPromptOnce(t *testing.T) {
	f := newFixture(t)
	enc := encryptedKey(t, f.srv)
	cfg := f.config()
	cfg.IdentityFiles = []string{f.key.path, enc} // f.key is tried first, and refused
	f.srv.mu.Lock()
	f.srv.authorized = f.srv.authorized[1:]
	f.srv.mu.Unlock()
	var asked atomic.Int32
	cfg.Passphrase = func(file string) ([]byte, error) {
		asked.Add(1)
		if file != enc {
			t.Errorf("asked for %s", file)
		}
		return []byte(encPassphrase), nil
	}
	d := f.dialer(t, cfg)
	for range 3 {
		c, err := d.Connect(t.Context(), f.target())
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	if asked.Load() != 1 {
		t.Fatalf("asked %d times, want 1", asked.Load())
	}
}

func TestEncryptedKeyNotAskedWhenAgentWorks(t *testing.T) {
	f := newFixture(t)
	enc := encryptedKey(t, f.srv)
	startAgent(t, f.key.priv) // f.key is authorized and offered first
	cfg := f.config()
	cfg.IdentityFiles = []string{enc}
	cfg.Passphrase = func(string) ([]byte, error) {
		t.Error("passphrase asked although the agent key was accepted")
		return nil, errors.New("no")
	}
	c, err := f.dialer(t, cfg).Connect(t.Context(), f.target())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

func TestCertificateAuth(t *testing.T) {
	f := newFixture(t)
	_, caPriv, _ := ed25519.GenerateKey(rand.Reader)
	ca, _ := ssh.NewSignerFromKey(caPriv)
	user := newTestKey(t, t.TempDir(), "id_user", "")
	cert := &ssh.Certificate{
		Key: user.signer.PublicKey(), CertType: ssh.UserCert, KeyId: "test",
		ValidPrincipals: []string{"tester"},
		ValidBefore:     uint64(time.Now().Add(time.Hour).Unix()),
	}
	if err := cert.SignCert(rand.Reader, ca); err != nil {
		t.Fatal(err)
	}
	f.srv.mu.Lock()
	f.srv.authorized = nil // only the CA is trusted
	f.srv.userCA = ca.PublicKey()
	f.srv.mu.Unlock()
	cfg := f.config()
	cfg.IdentityFiles = []string{user.path}
	if _, err := f.dialer(t, cfg).Connect(t.Context(), f.target()); !errors.Is(err, modules.ErrUnreachable) {
		t.Fatalf("without certificate: want unreachable, got %v", err)
	}
	writeFile(t, user.path+"-cert.pub", string(ssh.MarshalAuthorizedKey(cert)))
	c, err := f.dialer(t, cfg).Connect(t.Context(), f.target())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

func TestPasswordOnlyWhenAsked(t *testing.T) {
	f := newFixture(t)
	f.srv.mu.Lock()
	f.srv.authorized = nil
	f.srv.password = "pw-123"
	f.srv.mu.Unlock()
	cfg := f.config()
	if _, err := f.dialer(t, cfg).Connect(t.Context(), f.target()); !errors.Is(err, modules.ErrUnreachable) {
		t.Fatalf("want unreachable without password, got %v", err)
	}
	tgt := f.target()
	tgt.Vars = map[string]any{"ansible_password": "pw-123"}
	c, err := f.dialer(t, cfg).Connect(t.Context(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

func TestDefaultIdentityFiles(t *testing.T) {
	f := newFixture(t)
	sshDir := filepath.Join(f.home, ".ssh")
	os.MkdirAll(sshDir, 0o700)
	def := newTestKey(t, sshDir, "id_ecdsa", "") // an ed25519 key under a default name
	f.srv.authorize(def.signer.PublicKey())
	f.srv.mu.Lock()
	f.srv.authorized = f.srv.authorized[1:]
	f.srv.mu.Unlock()
	cfg := f.config()
	cfg.IdentityFiles = nil
	c, err := f.dialer(t, cfg).Connect(t.Context(), f.target())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

func TestPassphrasePromptDoesNotTimeOutTheHandshake(t *testing.T) {
	f := newFixture(t)
	enc := encryptedKey(t, f.srv)
	cfg := f.config()
	cfg.IdentityFiles = []string{enc}
	cfg.ConnectTimeout = time.Second
	cfg.Passphrase = func(string) ([]byte, error) {
		time.Sleep(2500 * time.Millisecond) // a user typing slowly
		return []byte(encPassphrase), nil
	}
	c, err := f.dialer(t, cfg).Connect(t.Context(), f.target())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}
