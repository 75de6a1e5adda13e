package ssh

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover-sh/drover/modules"
)

func TestSSHConfigHostAlias(t *testing.T) {
	f := newFixture(t)
	aliasKey := newTestKey(t, t.TempDir(), "alias_key", "")
	f.srv.mu.Lock()
	f.srv.authorized = nil
	f.srv.mu.Unlock()
	f.srv.authorize(aliasKey.signer.PublicKey())
	sshcfg := filepath.Join(t.TempDir(), "config")
	writeFile(t, sshcfg, fmt.Sprintf("Host web1 web2\n  HostName %s\n  Port %d\n  User alice\n  IdentityFile %s\n\nHost *\n  User nobody\n",
		f.srv.host, f.srv.port, aliasKey.path))
	cfg := f.config()
	cfg.IdentityFiles = nil
	cfg.SSHConfigFiles = []string{sshcfg}
	d := f.dialer(t, cfg)
	c, err := d.Connect(t.Context(), modules.Target{Name: "web1", Addr: "web1"})
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, c, "true")
	c.Close()
	// Inventory variables win over ssh_config.
	c, err = d.Connect(t.Context(), modules.Target{Name: "web2", Addr: "web2", User: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	// The server records a login after its side of the handshake, which
	// may finish after the client's.
	for i := 0; i < 200 && len(f.srv.seenUsers()) < 2; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if got := f.srv.seenUsers(); !reflect.DeepEqual(got, []string{"alice", "bob"}) {
		t.Fatalf("users %v", got)
	}
}

func TestProxyJumpSharesBastion(t *testing.T) {
	f := newFixture(t)
	bastion := newTestServer(t)
	bastion.authorize(f.key.signer.PublicKey())
	other := newTestServer(t)
	other.authorize(f.key.signer.PublicKey())
	writeFile(t, f.knownHosts, f.srv.knownHostsLine()+bastion.knownHostsLine()+other.knownHostsLine())
	d := f.dialer(t, f.config())
	jump := "-o ProxyJump=jumper@" + bastion.addr()
	targets := []modules.Target{targetFor(f.srv), targetFor(other), targetFor(f.srv)}
	var wg sync.WaitGroup
	conns := make([]*Conn, len(targets))
	errs := make([]error, len(targets))
	for i, tg := range targets {
		tg.Vars = map[string]any{"ansible_ssh_common_args": jump}
		wg.Add(1)
		go func() {
			defer wg.Done()
			conns[i], errs[i] = d.Connect(t.Context(), tg)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
		mustRun(t, conns[i], "true")
		defer conns[i].Close()
	}
	if n := bastion.accepts.Load(); n != 1 {
		t.Fatalf("bastion accepted %d connections, want 1 shared", n)
	}
	if n := bastion.directTCPIP.Load(); n != 3 {
		t.Fatalf("bastion forwarded %d connections, want 3", n)
	}
	if got := bastion.seenUsers(); !reflect.DeepEqual(got, []string{"jumper"}) {
		t.Fatalf("bastion users %v", got)
	}
	if f.srv.accepts.Load() != 2 || other.accepts.Load() != 1 {
		t.Fatalf("target accepts %d %d", f.srv.accepts.Load(), other.accepts.Load())
	}
	// Dialer.Close drops the bastion; established connections through it
	// go with it.
	d.Close()
	if _, err := conns[0].Run(t.Context(), "true", nil); !modules.IsUnreachable(err) {
		t.Fatalf("run after bastion closed: %v", err)
	}
}

func TestProxyJumpChainFromSSHConfig(t *testing.T) {
	f := newFixture(t)
	b1, b2 := newTestServer(t), newTestServer(t)
	for _, b := range []*testServer{b1, b2} {
		b.authorize(f.key.signer.PublicKey())
	}
	writeFile(t, f.knownHosts, f.srv.knownHostsLine()+b1.knownHostsLine()+b2.knownHostsLine())
	sshcfg := filepath.Join(t.TempDir(), "config")
	writeFile(t, sshcfg, fmt.Sprintf(`Host target
  HostName %s
  Port %d
  ProxyJump hop1,%s
Host hop1
  HostName %s
  Port %d
`, f.srv.host, f.srv.port, b2.addr(), b1.host, b1.port))
	cfg := f.config()
	cfg.SSHConfigFiles = []string{sshcfg}
	c, err := f.dialer(t, cfg).Connect(t.Context(), modules.Target{Name: "target", Addr: "target"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	mustRun(t, c, "true")
	if b1.directTCPIP.Load() != 1 || b2.directTCPIP.Load() != 1 || f.srv.accepts.Load() != 1 {
		t.Fatalf("forwards b1=%d b2=%d target accepts=%d", b1.directTCPIP.Load(), b2.directTCPIP.Load(), f.srv.accepts.Load())
	}
}

func TestParseSSHArgs(t *testing.T) {
	opts, err := parseSSHArgs(`-o ProxyJump=bastion@10.0.0.1:2222 -o "StrictHostKeyChecking no" -oUser=x -J j2 -p 2200 -i '/k ey' -v -C`)
	if err != nil {
		t.Fatal(err)
	}
	want := sshOpts{
		"proxyjump":             {"bastion@10.0.0.1:2222", "j2"},
		"stricthostkeychecking": {"no"},
		"user":                  {"x"},
		"port":                  {"2200"},
		"identityfile":          {"/k ey"},
	}
	if !reflect.DeepEqual(opts, want) {
		t.Fatalf("got %v", opts)
	}
	if _, err := parseSSHArgs(`-o 'unterminated`); err == nil {
		t.Fatal("unterminated quote accepted")
	}
}

func TestShellQuoteRoundTrip(t *testing.T) {
	for _, s := range []string{"", "plain", "a b", "it's", `"$HOME" $(id) ` + "`x`", "a\nb", "-n", "'", "''\\"} {
		out, err := exec.Command("/bin/sh", "-c", "printf %s "+ShellQuote(s)).Output()
		if err != nil || string(out) != s {
			t.Fatalf("ShellQuote(%q) = %s: got %q %v", s, ShellQuote(s), out, err)
		}
	}
}

func TestResolvePrecedence(t *testing.T) {
	isolate(t)
	sshcfg := filepath.Join(t.TempDir(), "config")
	writeFile(t, sshcfg, "Host h\n  HostName real.example\n  Port 2022\n  User cfguser\n  ConnectTimeout 3\n  ServerAliveInterval 7\n")
	d, err := New(Config{SSHConfigFiles: []string{sshcfg}, KnownHostsFiles: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := d.resolve(t.Context(), modules.Target{Name: "h", Addr: "h"})
	if err != nil {
		t.Fatal(err)
	}
	if p.host != "real.example" || p.port != 2022 || p.user != "cfguser" || p.connectTimeout.Seconds() != 3 || p.keepaliveInterval.Seconds() != 7 {
		t.Fatalf("from ssh_config: %+v", p)
	}
	p, err = d.resolve(t.Context(), modules.Target{Name: "h", Addr: "h", Port: 22, Vars: map[string]any{
		"ansible_user": "inv", "ansible_ssh_common_args": "-o Port=1 -o HostName=cli.example"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.host != "cli.example" || p.port != 22 || p.user != "inv" {
		t.Fatalf("inventory and args must win: %+v", p)
	}
	if got := p.addr(); got != "cli.example:"+strconv.Itoa(22) {
		t.Fatalf("addr %s", got)
	}
}

// An SSH password still encrypted (no vault password given) is a clear
// error before any connection, not a failed login with the ciphertext.
func TestResolveRefusesVaultedPassword(t *testing.T) {
	isolate(t)
	d, err := New(Config{SSHConfigFiles: []string{}, KnownHostsFiles: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.resolve(t.Context(), modules.Target{Name: "h", Addr: "h", Vars: map[string]any{
		"ansible_password": "$ANSIBLE_VAULT;1.1;AES256\n6162"}})
	if err == nil || !strings.Contains(err.Error(), "encrypted with ansible-vault (!vault): give --vault-password-file") {
		t.Fatalf("err = %v", err)
	}
}
