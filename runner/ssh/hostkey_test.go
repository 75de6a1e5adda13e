package ssh

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/drover-sh/drover/modules"
)

func TestKnownHostsHit(t *testing.T) {
	f := newFixture(t)
	c, err := f.dialer(t, f.config()).Connect(t.Context(), f.target())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := mustRun(t, c, "echo hello"); got != "hello\n" {
		t.Fatalf("stdout %q", got)
	}
}

func hostKeyErr(t *testing.T, err error, reason string) *modules.HostKeyError {
	t.Helper()
	var hk *modules.HostKeyError
	if !errors.As(err, &hk) {
		t.Fatalf("want *modules.HostKeyError, got %v", err)
	}
	if !errors.Is(err, modules.ErrUnreachable) {
		t.Fatalf("host key error does not wrap ErrUnreachable: %v", err)
	}
	if hk.Reason != reason {
		t.Fatalf("reason %q, want %q: %v", hk.Reason, reason, err)
	}
	return hk
}

func TestUnknownHostRefusedWithHint(t *testing.T) {
	f := newFixture(t)
	writeFile(t, f.knownHosts, "")
	_, err := f.dialer(t, f.config()).Connect(t.Context(), f.target())
	hk := hostKeyErr(t, err, "unknown")
	if hk.Fingerprint != ssh.FingerprintSHA256(f.srv.hostPub()) {
		t.Fatalf("fingerprint %q", hk.Fingerprint)
	}
	want := "ssh-keyscan -p " + strconv.Itoa(f.srv.port) + " 127.0.0.1 >> ~/.ssh/known_hosts"
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "accept-new") {
		t.Fatalf("hint missing %q: %v", want, err)
	}
	if f.srv.accepts.Load() != 1 {
		t.Fatalf("accepts %d", f.srv.accepts.Load())
	}
}

func TestUnknownHostWhenNoKnownHostsFile(t *testing.T) {
	f := newFixture(t)
	cfg := f.config()
	cfg.KnownHostsFiles = []string{filepath.Join(t.TempDir(), "missing")}
	_, err := f.dialer(t, cfg).Connect(t.Context(), f.target())
	hostKeyErr(t, err, "unknown")
}

func TestChangedKeyRefusedWithBothFingerprints(t *testing.T) {
	f := newFixture(t)
	old := ssh.FingerprintSHA256(f.srv.hostPub())
	newKey := ssh.FingerprintSHA256(f.srv.rotateHostKey().PublicKey())
	_, err := f.dialer(t, f.config()).Connect(t.Context(), f.target())
	hk := hostKeyErr(t, err, "changed")
	if hk.Known != old || hk.Fingerprint != newKey {
		t.Fatalf("known %q presented %q, want %q %q", hk.Known, hk.Fingerprint, old, newKey)
	}
	for _, fp := range []string{old, newKey} {
		if !strings.Contains(err.Error(), fp) {
			t.Fatalf("message lacks %s: %v", fp, err)
		}
	}
}

func TestRevokedKeyRefused(t *testing.T) {
	f := newFixture(t)
	line := "@revoked * " + string(ssh.MarshalAuthorizedKey(f.srv.hostPub()))
	writeFile(t, f.knownHosts, f.srv.knownHostsLine()+line)
	_, err := f.dialer(t, f.config()).Connect(t.Context(), f.target())
	hostKeyErr(t, err, "revoked")
}

func TestHashedEntry(t *testing.T) {
	f := newFixture(t)
	hashed := knownhosts.HashHostname(knownhosts.Normalize(f.srv.addr()))
	writeFile(t, f.knownHosts, knownhosts.Line([]string{hashed}, f.srv.hostPub())+"\n")
	c, err := f.dialer(t, f.config()).Connect(t.Context(), f.target())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	// The same hashed file refuses another key.
	f.srv.rotateHostKey()
	_, err = f.dialer(t, f.config()).Connect(t.Context(), f.target())
	hostKeyErr(t, err, "changed")
}

func TestAcceptNewRecordsThenRefusesChange(t *testing.T) {
	f := newFixture(t)
	file := filepath.Join(t.TempDir(), "sub", "known_hosts") // does not exist yet
	cfg := f.config()
	cfg.KnownHostsFiles = []string{file, "/etc/ssh/ssh_known_hosts"}
	cfg.HostKeyChecking = HostKeyAcceptNew
	d := f.dialer(t, cfg)
	// Concurrent first dials record the key once.
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			c, err := d.Connect(t.Context(), f.target())
			if err == nil {
				c.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != f.srv.knownHostsLine() {
		t.Fatalf("known_hosts content %q, want %q", b, f.srv.knownHostsLine())
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
	// A fresh dialer (a later run) trusts the recorded key in strict mode.
	strict := cfg
	strict.HostKeyChecking = HostKeyStrict
	c, err := f.dialer(t, strict).Connect(t.Context(), f.target())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	// A changed key is still refused with accept-new.
	f.srv.rotateHostKey()
	_, err = d.Connect(t.Context(), f.target())
	hostKeyErr(t, err, "changed")
}

func TestHostKeyCheckingOffWarnsOnce(t *testing.T) {
	f := newFixture(t)
	f.srv.rotateHostKey()
	cfg := f.config()
	cfg.HostKeyChecking = HostKeyOff
	d := f.dialer(t, cfg)
	for range 2 {
		c, err := d.Connect(t.Context(), f.target())
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	n := 0
	for _, w := range f.warnings.list() {
		if strings.Contains(w, "HOST KEY CHECKING IS OFF") {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d warnings: %q", n, f.warnings.list())
	}
}

func TestStrictHostKeyCheckingFromSSHConfig(t *testing.T) {
	f := newFixture(t)
	file := filepath.Join(t.TempDir(), "kh")
	sshcfg := filepath.Join(t.TempDir(), "config")
	writeFile(t, sshcfg, "Host 127.0.0.1\n  StrictHostKeyChecking accept-new\n  UserKnownHostsFile "+file+"\n")
	cfg := f.config()
	cfg.KnownHostsFiles = []string{}
	cfg.SSHConfigFiles = []string{sshcfg}
	c, err := f.dialer(t, cfg).Connect(t.Context(), f.target())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if b, _ := os.ReadFile(file); string(b) != f.srv.knownHostsLine() {
		t.Fatalf("UserKnownHostsFile content %q", b)
	}
}

func TestKeyTypeChangeReportedAsChanged(t *testing.T) {
	f := newFixture(t)
	old := ssh.FingerprintSHA256(f.srv.hostPub())
	_, priv, _ := ecdsaKey(t)
	f.srv.mu.Lock()
	f.srv.hostKey = priv
	f.srv.mu.Unlock()
	_, err := f.dialer(t, f.config()).Connect(t.Context(), f.target())
	hk := hostKeyErr(t, err, "changed")
	if hk.Known != old || hk.Fingerprint != ssh.FingerprintSHA256(priv.PublicKey()) {
		t.Fatalf("fingerprints %+v", hk)
	}
}

func ecdsaKey(t *testing.T) (ssh.PublicKey, ssh.Signer, error) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return s.PublicKey(), s, nil
}

func TestConfigStringHidesPassword(t *testing.T) {
	c := Config{Password: "hunter2-secret"}
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%v", &c)} {
		if strings.Contains(s, "hunter2") {
			t.Fatalf("password shown: %s", s)
		}
	}
}
