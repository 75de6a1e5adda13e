package ssh

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/drover-sh/drover/internal/sshdtest"
	"github.com/drover-sh/drover/modules"
)

// TestE2EOpenSSH runs the transport against real OpenSSH sshd hosts
// (skipped where they cannot run, failed when CI=true).
func TestE2EOpenSSH(t *testing.T) {
	fleet := sshdtest.StartT(t, 2)
	isolate(t)
	cfg := func(knownHosts string) Config {
		return Config{
			KnownHostsFiles: []string{knownHosts},
			SSHConfigFiles:  []string{},
			IdentityFiles:   []string{fleet.KeyPath()},
			Warn:            func(m string) { t.Log(m) },
		}
	}
	target := func(name string) modules.Target {
		return modules.Target{Name: name, Addr: fleet.Addr(name), Port: fleet.Port(), User: "root"}
	}
	dial := func(t *testing.T, c Config, name string) (*Conn, error) {
		d, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		conn, err := d.Connect(t.Context(), target(name))
		if err == nil {
			t.Cleanup(func() { conn.Close() })
		}
		return conn, err
	}

	t.Run("KnownHostsHit", func(t *testing.T) {
		before := fleet.Connections("h01")
		c, err := dial(t, cfg(fleet.KnownHostsPath()), "h01")
		if err != nil {
			t.Fatal(err)
		}
		for range 10 {
			if got := strings.TrimSpace(mustRun(t, c, "cat /proc/sys/kernel/random/boot_id")); got != fleet.BootID("h01") {
				t.Fatalf("boot id %q, want %q", got, fleet.BootID("h01"))
			}
		}
		// Hosts share the machine's file system outside their private dirs.
		up := filepath.Join(t.TempDir(), "upload")
		if err := c.Upload(t.Context(), up, strings.NewReader("hi"), 0o600); err != nil {
			t.Fatal(err)
		}
		if got := mustRun(t, c, "cat "+ShellQuote(up)); got != "hi" {
			t.Fatalf("uploaded %q", got)
		}
		if n := fleet.Connections("h01") - before; n != 1 {
			t.Fatalf("%d logins for 12 sessions, want 1", n)
		}
	})

	// KexAlgorithms, Ciphers, MACs and HostKeyAlgorithms (here from
	// ansible_ssh_common_args) decide what drover offers: a list the real
	// sshd has nothing in common with fails the handshake, "+" adds to the
	// defaults, and what the handshake agreed on is what was asked for.
	t.Run("AlgorithmOptions", func(t *testing.T) {
		d, err := New(cfg(fleet.KnownHostsPath()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		connect := func(args string) (*Conn, error) {
			tg := target("h02")
			tg.Vars = map[string]any{"ansible_ssh_common_args": args}
			c, err := d.Connect(t.Context(), tg)
			if err == nil {
				t.Cleanup(func() { c.Close() })
			}
			return c, err
		}
		for args, want := range map[string]string{
			"-o KexAlgorithms=diffie-hellman-group1-sha1": "no common algorithm for key exchange",
			"-o HostKeyAlgorithms=ecdsa-sha2-nistp256":    "no common algorithm for host key",
			"-o Ciphers=aes128-cbc":                       "no common algorithm for client to server cipher",
			"-o Ciphers=aes128-ctr -o MACs=hmac-sha1-96":  "no common algorithm for client to server MAC",
			"-o KexAlgorithms=bogus-kex":                  "KexAlgorithms bogus-kex leaves no algorithm drover supports",
			"-o 'KexAlgorithms -*'":                       "leaves no algorithm",
		} {
			if _, err := connect(args); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %v, want %q", args, err, want)
			}
		}
		for args, want := range map[string]ssh.NegotiatedAlgorithms{
			"-o KexAlgorithms=+diffie-hellman-group1-sha1": {},
			"-o KexAlgorithms=sntrup761x25519-sha512@openssh.com,ecdh-sha2-nistp384 -o Ciphers=aes256-ctr -o MACs=hmac-sha2-512": {
				KeyExchange: "ecdh-sha2-nistp384",
				Read:        ssh.DirectionAlgorithms{Cipher: "aes256-ctr", MAC: "hmac-sha2-512"},
				Write:       ssh.DirectionAlgorithms{Cipher: "aes256-ctr", MAC: "hmac-sha2-512"}},
			"-o KexAlgorithms=^ecdh-sha2-nistp521 -o Ciphers=-aes128-gcm@openssh.com": {
				KeyExchange: "ecdh-sha2-nistp521",
				Read:        ssh.DirectionAlgorithms{Cipher: "aes256-gcm@openssh.com"},
				Write:       ssh.DirectionAlgorithms{Cipher: "aes256-gcm@openssh.com"}},
		} {
			c, err := connect(args)
			if err != nil {
				t.Errorf("%s: %v", args, err)
				continue
			}
			got := c.client.Conn.(ssh.AlgorithmsConnMetadata).Algorithms()
			if want.KeyExchange != "" && (got.KeyExchange != want.KeyExchange || got.Read.Cipher != want.Read.Cipher ||
				got.Write.Cipher != want.Write.Cipher || got.Read.MAC != want.Read.MAC || got.Write.MAC != want.Write.MAC) {
				t.Errorf("%s: negotiated %+v, want %+v", args, got, want)
			}
			if out := mustRun(t, c, "echo ok"); strings.TrimSpace(out) != "ok" {
				t.Errorf("%s: ran %q", args, out)
			}
		}
	})

	t.Run("UnknownRefused", func(t *testing.T) {
		empty := filepath.Join(t.TempDir(), "known_hosts")
		writeFile(t, empty, "")
		_, err := dial(t, cfg(empty), "h01")
		hostKeyErr(t, err, "unknown")
	})

	t.Run("ChangedRefused", func(t *testing.T) {
		pub, _, _ := ed25519.GenerateKey(rand.Reader)
		key, _ := ssh.NewPublicKey(pub)
		file := filepath.Join(t.TempDir(), "known_hosts")
		host := knownhosts.Normalize(fleet.Addr("h01") + ":" + strconv.Itoa(fleet.Port()))
		writeFile(t, file, knownhosts.Line([]string{host}, key)+"\n")
		_, err := dial(t, cfg(file), "h01")
		hk := hostKeyErr(t, err, "changed")
		if hk.Known != ssh.FingerprintSHA256(key) {
			t.Fatalf("known %q", hk.Known)
		}
	})

	t.Run("AcceptNew", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "known_hosts")
		c := cfg(file)
		c.HostKeyChecking = HostKeyAcceptNew
		conn, err := dial(t, c, "h02")
		if err != nil {
			t.Fatal(err)
		}
		mustRun(t, conn, "true")
		c.HostKeyChecking = HostKeyStrict
		if _, err := dial(t, c, "h02"); err != nil {
			t.Fatalf("recorded key not trusted: %v", err)
		}
	})

	t.Run("SSHDKilledMidCommand", func(t *testing.T) {
		c := cfg(fleet.KnownHostsPath())
		c.KeepaliveInterval = 200 * time.Millisecond
		conn, err := dial(t, c, "h01")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		marker := ShellQuote(filepath.Join(t.TempDir(), "started"))
		done := make(chan error, 1)
		go func() {
			_, err := conn.Run(ctx, "touch "+marker+"; exec sleep 60", nil)
			done <- err
		}()
		waitFor(t, func() bool {
			res, err := conn.Run(t.Context(), "test -e "+marker, nil)
			return err == nil && res.ExitCode == 0
		})
		if err := fleet.Kill("h01"); err != nil {
			t.Fatal(err)
		}
		if err := <-done; !errors.Is(err, modules.ErrConnectionLost) {
			t.Fatalf("want ErrConnectionLost, got %v", err)
		}
		// The other host is unaffected.
		other, err := dial(t, cfg(fleet.KnownHostsPath()), "h02")
		if err != nil {
			t.Fatal(err)
		}
		mustRun(t, other, "true")
	})

}
