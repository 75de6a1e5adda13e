package ssh

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drover-sh/drover/modules"
)

// relayScript is a ProxyCommand that relays stdin/stdout to %h:%p with
// bash's /dev/tcp, and records its pid in pidFile.
func relayScript(pidFile string) string {
	return `bash -c 'echo $$ > ` + pidFile + `; exec 3<>/dev/tcp/%h/%p; cat <&3 & exec cat >&3'`
}

func TestProxyCommandFromInventoryArgs(t *testing.T) {
	f := newFixture(t)
	pidFile := filepath.Join(t.TempDir(), "proxy.pid")
	tgt := f.target()
	// As an Ansible inventory writes it: the option quoted inside
	// ansible_ssh_common_args.
	tgt.Vars = map[string]any{"ansible_ssh_common_args": `-o ProxyCommand="` + relayScript(pidFile) + `"`}
	c, err := f.dialer(t, f.config()).Connect(t.Context(), tgt)
	if err != nil {
		t.Fatalf("connect through the ProxyCommand: %v", err)
	}
	res, err := c.Run(t.Context(), "echo through the proxy", nil)
	if err != nil || string(res.Stdout) != "through the proxy\n" {
		t.Fatalf("run: %v %+v", err, res)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the ProxyCommand did not run: %v", err)
	}
	var pid int
	if _, err := fmt.Sscan(strings.TrimSpace(string(b)), &pid); err != nil || pid <= 1 {
		t.Fatalf("proxy pid %q", b)
	}
	if n := f.srv.accepts.Load(); n != 1 {
		t.Fatalf("server accepted %d connections, want 1 (the relay's)", n)
	}
	// Closing the connection ends the command: no relay left behind.
	c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("the ProxyCommand (pid %d) still runs after Close", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestProxyCommandFailureIsUnreachableWithItsMessage(t *testing.T) {
	f := newFixture(t)
	cfgFile := filepath.Join(t.TempDir(), "ssh_config")
	writeFile(t, cfgFile, "Host behind-proxy\n  ProxyCommand sh -c 'echo \"bastion.example: connection refused\" >&2; exit 1'\n")
	cfg := f.config()
	cfg.SSHConfigFiles = []string{cfgFile}
	_, err := f.dialer(t, cfg).Connect(t.Context(), modules.Target{Name: "behind-proxy", Port: f.srv.port})
	if err == nil {
		t.Fatal("connected through a failing ProxyCommand")
	}
	if !errors.Is(err, modules.ErrUnreachable) {
		t.Errorf("error %v does not wrap ErrUnreachable", err)
	}
	if !strings.Contains(err.Error(), "bastion.example: connection refused") {
		t.Errorf("error %q does not carry the ProxyCommand's message", err)
	}
	if n := f.srv.accepts.Load(); n != 0 {
		t.Errorf("server accepted %d connections, want 0", n)
	}
}

func TestProxyJumpWinsOverProxyCommand(t *testing.T) {
	f := newFixture(t)
	p, err := f.dialer(t, f.config()).resolve(t.Context(), modules.Target{Name: "x", Addr: "10.0.0.9", Vars: map[string]any{
		"ansible_ssh_common_args": `-o ProxyJump=bastion -o ProxyCommand="nc %h %p"`,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if p.proxyCommand != "" || len(p.proxyJump) != 1 {
		t.Fatalf("proxyCommand %q, proxyJump %q: want the jump only", p.proxyCommand, p.proxyJump)
	}
	if !strings.Contains(strings.Join(f.warnings.list(), "\n"), "both ProxyJump and ProxyCommand") {
		t.Errorf("no warning about both: %q", f.warnings.list())
	}
	p, err = f.dialer(t, f.config()).resolve(t.Context(), modules.Target{Name: "y", Addr: "10.0.0.9", Port: 2222, User: "ops", Vars: map[string]any{
		"ansible_ssh_common_args": `-o ProxyCommand="ssh -W %h:%p -l %r gw %%"`,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "ssh -W 10.0.0.9:2222 -l ops gw %"; p.proxyCommand != want {
		t.Fatalf("expanded ProxyCommand %q, want %q", p.proxyCommand, want)
	}
}

// A rebooting host's reconnect loop retries every 25 ms; its ProxyCommand
// (often a bastion login) starts at most once a second. A slow machine
// can only start fewer.
func TestProxyCommandStartsAtMostOncePerInterval(t *testing.T) {
	f := newFixture(t)
	log := filepath.Join(t.TempDir(), "starts")
	cfgFile := filepath.Join(t.TempDir(), "ssh_config")
	writeFile(t, cfgFile, "Host down-host\n  ProxyCommand sh -c 'echo start >> "+log+"; exit 1'\n")
	cfg := f.config()
	cfg.SSHConfigFiles = []string{cfgFile}
	d := f.dialer(t, cfg)
	t0 := time.Now()
	attempts := 0
	for time.Since(t0) < 1500*time.Millisecond {
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		_, err := d.Connect(ctx, modules.Target{Name: "down-host", Port: f.srv.port})
		cancel()
		if err == nil {
			t.Fatal("connected through a failing ProxyCommand")
		}
		attempts++
		time.Sleep(25 * time.Millisecond)
	}
	b, _ := os.ReadFile(log)
	starts := strings.Count(string(b), "start")
	if starts > 2 {
		t.Fatalf("%d ProxyCommand starts for %d attempts in 1.5 s, want at most 2 (one a second)", starts, attempts)
	}
	// Waits that gave up reserved nothing: once the interval has passed,
	// the next attempt starts the command at once.
	time.Sleep(1100 * time.Millisecond)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	before := starts
	if _, err := d.Connect(ctx, modules.Target{Name: "down-host", Port: f.srv.port}); err == nil {
		t.Fatal("connected through a failing ProxyCommand")
	}
	b, _ = os.ReadFile(log)
	if starts = strings.Count(string(b), "start"); starts != before+1 {
		t.Fatalf("after the interval: %d starts, want %d", starts, before+1)
	}
	if attempts < 5 {
		t.Fatalf("only %d attempts: the limiter must fail waiting attempts at their deadline, not block", attempts)
	}
}
