package ssh

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/drover-sh/drover/internal/sshdtest"
	"github.com/drover-sh/drover/modules"
)

// e2eTool returns the path of an OpenSSH client tool, skipping the test
// when it is missing (failing it when CI=true).
func e2eTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %s is missing: %v", name, err)
		}
		t.Skipf("skipping: %s is missing (scripts/test-deps.sh installs openssh-client)", name)
	}
	return p
}

// e2eDial connects to the fleet host name with c.
func e2eDial(t *testing.T, c Config, tg modules.Target) (*Conn, error) {
	t.Helper()
	d, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	conn, err := d.Connect(t.Context(), tg)
	if err == nil {
		t.Cleanup(func() { conn.Close() })
	}
	return conn, err
}

// assertOnHost checks that conn reached the fleet host name: the boot id
// the host shows is the one the harness gave it.
func assertOnHost(t *testing.T, f *sshdtest.Fleet, conn *Conn, name string) {
	t.Helper()
	if got := strings.TrimSpace(mustRun(t, conn, "cat /proc/sys/kernel/random/boot_id")); got != f.BootID(name) {
		t.Fatalf("boot id %q, want %s's %q", got, name, f.BootID(name))
	}
}

// startOpenSSHAgent runs a real ssh-agent holding key and returns its socket.
func startOpenSSHAgent(t *testing.T, key string) string {
	t.Helper()
	agentBin, addBin := e2eTool(t, "ssh-agent"), e2eTool(t, "ssh-add")
	// A short path: unix socket paths are limited to 108 bytes.
	dir, err := os.MkdirTemp("", "agent")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "s")
	cmd := exec.Command(agentBin, "-D", "-a", sock)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ssh-agent never created %s: %s", sock, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	add := exec.Command(addBin, key)
	add.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
	if b, err := add.CombinedOutput(); err != nil {
		t.Fatalf("ssh-add: %v: %s", err, b)
	}
	return sock
}

// TestE2EOpenSSHAuth authenticates to real OpenSSH sshd hosts with an
// ssh-agent and with an encrypted key whose passphrase comes from the
// environment.
func TestE2EOpenSSHAuth(t *testing.T) {
	fleet := sshdtest.StartT(t, 1)
	isolate(t)
	target := modules.Target{Name: "h01", Addr: fleet.Addr("h01"), Port: fleet.Port(), User: "root"}
	noKeys := func() Config {
		return Config{
			KnownHostsFiles: []string{fleet.KnownHostsPath()},
			SSHConfigFiles:  []string{},
			IdentityFiles:   []string{},
			Warn:            func(m string) { t.Log(m) },
		}
	}

	t.Run("Agent", func(t *testing.T) {
		// Without the agent no key is available: the login is refused.
		if _, err := e2eDial(t, noKeys(), target); !errors.Is(err, modules.ErrUnreachable) {
			t.Fatalf("without an agent: want ErrUnreachable, got %v", err)
		}
		sock := startOpenSSHAgent(t, fleet.KeyPath())
		t.Setenv("SSH_AUTH_SOCK", sock)
		before := fleet.Connections("h01")
		conn, err := e2eDial(t, noKeys(), target)
		if err != nil {
			t.Fatalf("with the agent: %v", err)
		}
		assertOnHost(t, fleet, conn, "h01")
		waitFor(t, func() bool { return fleet.Connections("h01") > before })
	})

	t.Run("EncryptedKeyPassphraseFromEnv", func(t *testing.T) {
		const pass = "e2e-passphrase-Qx7"
		key := filepath.Join(t.TempDir(), "id_enc")
		out, err := exec.Command(e2eTool(t, "ssh-keygen"), "-q", "-t", "ed25519", "-a", "1", "-N", pass,
			"-C", "drover-e2e-encrypted", "-f", key).CombinedOutput()
		if err != nil {
			t.Fatalf("ssh-keygen: %v: %s", err, out)
		}
		pem, err := os.ReadFile(key)
		if err != nil {
			t.Fatal(err)
		}
		var missing *ssh.PassphraseMissingError
		if _, err := ssh.ParsePrivateKey(pem); !errors.As(err, &missing) {
			t.Fatalf("the key is not encrypted: %v", err)
		}
		pub, err := os.ReadFile(key + ".pub")
		if err != nil {
			t.Fatal(err)
		}
		if err := fleet.Authorize(string(pub)); err != nil {
			t.Fatal(err)
		}
		c := noKeys()
		c.IdentityFiles = []string{key}

		t.Setenv(PassphraseEnv, "not-the-passphrase")
		_, err = e2eDial(t, c, target)
		if !errors.Is(err, modules.ErrUnreachable) {
			t.Fatalf("wrong passphrase: want ErrUnreachable, got %v", err)
		}
		if strings.Contains(err.Error(), "not-the-passphrase") {
			t.Fatalf("the error shows the passphrase: %v", err)
		}

		t.Setenv(PassphraseEnv, pass)
		warns := &warnings{}
		c.Warn = warns.add
		conn, err := e2eDial(t, c, target)
		if err != nil {
			t.Fatalf("passphrase from %s: %v", PassphraseEnv, err)
		}
		assertOnHost(t, fleet, conn, "h01")
		warns.mu.Lock()
		defer warns.mu.Unlock()
		for _, w := range warns.msgs {
			if strings.Contains(w, pass) {
				t.Fatalf("a warning shows the passphrase: %s", w)
			}
		}
	})
}
