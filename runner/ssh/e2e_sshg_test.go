package ssh

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/drover-sh/drover/internal/sshdtest"
	"github.com/drover-sh/drover/modules"
)

// TestE2ESSHConfigMatchExec reaches real OpenSSH sshd hosts whose address,
// port, login and bastion only a `Match exec` block of the ssh_config
// gives (drover's own parser rejects the file): drover gets there only
// when ssh -G evaluated the Match, and goes to the fallback address, and
// fails, when the Match does not apply.
func TestE2ESSHConfigMatchExec(t *testing.T) {
	fleet := sshdtest.StartT(t, 2)
	isolate(t)
	onVPN := filepath.Join(t.TempDir(), "on-vpn")
	cfgFile := filepath.Join(t.TempDir(), "ssh_config")
	writeFile(t, cfgFile, fmt.Sprintf(`Match originalhost web1,web2 exec "test -e %[1]s"
  User root
  IdentityFile %[2]s
  UserKnownHostsFile %[3]s
Match originalhost web1 exec "test -e %[1]s"
  HostName %[4]s
  Port %[6]d
Match originalhost web2 exec "test -e %[1]s"
  HostName %[5]s
  Port %[6]d
  ProxyJump web1
Host web1 web2
  HostName 127.0.0.1
  Port 1
`, onVPN, fleet.KeyPath(), fleet.KnownHostsPath(), fleet.Addr("h01"), fleet.Addr("h02"), fleet.Port()))
	cfg := Config{
		KnownHostsFiles: []string{},
		SSHConfigFiles:  []string{cfgFile},
		IdentityFiles:   []string{},
		User:            "nobody-by-default",
		Warn:            func(m string) { t.Errorf("unexpected warning: %s", m) },
	}
	// writeMark leaves a file in the host's private directory, checked
	// from outside: the command ran on that host.
	writeMark := func(t *testing.T, c *Conn, host, mark string) {
		t.Helper()
		mustRun(t, c, "echo "+mark+" > "+sshdtest.PrivatePath+"/"+mark)
		b, err := os.ReadFile(filepath.Join(fleet.HostDir(host), mark))
		if err != nil || strings.TrimSpace(string(b)) != mark {
			t.Fatalf("%s: mark %s: %q %v", host, mark, b, err)
		}
		for _, other := range fleet.Names() {
			if _, err := os.Stat(filepath.Join(fleet.HostDir(other), mark)); other != host && err == nil {
				t.Fatalf("mark %s found on %s too", mark, other)
			}
		}
	}

	t.Run("MatchApplies", func(t *testing.T) {
		writeFile(t, onVPN, "")
		t.Cleanup(func() { os.Remove(onVPN) })
		web1, err := e2eDial(t, cfg, modules.Target{Name: "web1"})
		if err != nil {
			t.Fatalf("web1: %v", err)
		}
		if u := mustRun(t, web1, "id -un"); u != "root\n" {
			t.Fatalf("web1: logged in as %q, want root", u)
		}
		writeMark(t, web1, "h01", "web1-was-here")
		web2, err := e2eDial(t, cfg, modules.Target{Name: "web2"})
		if err != nil {
			t.Fatalf("web2 (ProxyJump web1): %v", err)
		}
		writeMark(t, web2, "h02", "web2-was-here")
		if got, err := fleet.ClientHosts("h02"); err != nil || !slices.Equal(got, []string{"h01"}) {
			t.Fatalf("h02's SSH clients %q (%v), want [h01]: the ProxyJump was not used", got, err)
		}
	})

	t.Run("MatchDoesNotApply", func(t *testing.T) {
		for _, name := range []string{"web1", "web2"} {
			_, err := e2eDial(t, cfg, modules.Target{Name: name})
			if !modules.IsUnreachable(err) || !strings.Contains(err.Error(), "nobody-by-default@127.0.0.1:1") {
				t.Fatalf("%s without the Match: want unreachable at the fallback nobody-by-default@127.0.0.1:1, got %v", name, err)
			}
		}
	})
}
