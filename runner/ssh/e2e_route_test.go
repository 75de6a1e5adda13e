package ssh

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/drover-sh/drover/internal/sshdtest"
	"github.com/drover-sh/drover/modules"
)

// TestE2EOpenSSHRouting reaches real OpenSSH sshd hosts through a
// ProxyJump bastion (another test host) and through ssh_config Host
// aliases.
func TestE2EOpenSSHRouting(t *testing.T) {
	fleet := sshdtest.StartT(t, 3)
	isolate(t)
	port := strconv.Itoa(fleet.Port())

	// clientsAre asserts where host name's open SSH connections come from,
	// as the machine's TCP table and the hosts' processes show it.
	clientsAre := func(t *testing.T, name string, want ...string) {
		t.Helper()
		got, err := fleet.ClientHosts(name)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s's SSH clients %q, want %q (\"\" = the test process)", name, got, want)
		}
	}

	t.Run("ProxyJumpFromInventory", func(t *testing.T) {
		d, err := New(Config{
			KnownHostsFiles: []string{fleet.KnownHostsPath()},
			SSHConfigFiles:  []string{},
			IdentityFiles:   []string{fleet.KeyPath()},
			Warn:            func(m string) { t.Log(m) },
		})
		if err != nil {
			t.Fatal(err)
		}
		before := map[string]int{}
		for _, h := range fleet.Names() {
			before[h] = fleet.Connections(h)
		}
		vars := map[string]any{
			"ansible_ssh_common_args": "-o ProxyJump=root@" + fleet.Addr("h01") + ":" + port,
		}
		var conns []*Conn
		for _, h := range []string{"h02", "h03"} {
			c, err := d.Connect(t.Context(), modules.Target{Name: h, Addr: fleet.Addr(h), Port: fleet.Port(), User: "root", Vars: vars})
			if err != nil {
				t.Fatalf("%s through h01: %v", h, err)
			}
			conns = append(conns, c)
			assertOnHost(t, fleet, c, h)
		}
		// While both are open: each target's only connection is one that
		// h01's sshd forwards, and h01 has one connection, from here.
		clientsAre(t, "h02", "h01")
		clientsAre(t, "h03", "h01")
		clientsAre(t, "h01", "")
		for _, h := range fleet.Names() {
			waitFor(t, func() bool { return fleet.Connections(h) > before[h] })
			if n := fleet.Connections(h) - before[h]; n != 1 {
				t.Errorf("%s accepted %d logins, want 1 (one bastion connection shared by two targets)", h, n)
			}
		}
		// Several commands on each target: still one login everywhere.
		for range 5 {
			for i, c := range conns {
				assertOnHost(t, fleet, c, []string{"h02", "h03"}[i])
			}
		}
		for _, h := range fleet.Names() {
			if n := fleet.Connections(h) - before[h]; n != 1 {
				t.Errorf("after more commands %s accepted %d logins, want 1", h, n)
			}
		}
		for _, c := range conns {
			c.Close()
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, func() bool { got, _ := fleet.ClientHosts("h01"); return len(got) == 0 })
	})

	t.Run("SSHConfigHostAlias", func(t *testing.T) {
		// The aliases carry everything: address, port, user, key, known
		// hosts; web2 is behind web1.
		cfgFile := filepath.Join(t.TempDir(), "ssh_config")
		writeFile(t, cfgFile, fmt.Sprintf(`Host web1
  HostName %s
  Port %s
  User root
  IdentityFile %s
  UserKnownHostsFile %s

Host web2
  HostName %s
  Port %s
  User root
  IdentityFile %s
  UserKnownHostsFile %s
  ProxyJump web1
`, fleet.Addr("h01"), port, fleet.KeyPath(), fleet.KnownHostsPath(),
			fleet.Addr("h02"), port, fleet.KeyPath(), fleet.KnownHostsPath()))
		c := Config{
			KnownHostsFiles: []string{},
			SSHConfigFiles:  []string{cfgFile},
			IdentityFiles:   []string{},
			User:            "nobody-by-default",
			Warn:            func(m string) { t.Log(m) },
		}
		web1, err := e2eDial(t, c, modules.Target{Name: "web1"})
		if err != nil {
			t.Fatalf("web1: %v", err)
		}
		assertOnHost(t, fleet, web1, "h01")
		if u := mustRun(t, web1, "id -un"); u != "root\n" {
			t.Fatalf("web1: logged in as %q, want root", u)
		}
		web2, err := e2eDial(t, c, modules.Target{Name: "web2"})
		if err != nil {
			t.Fatalf("web2 (ProxyJump web1): %v", err)
		}
		assertOnHost(t, fleet, web2, "h02")
		clientsAre(t, "h02", "h01")
	})

	t.Run("ProxyCommandSSHW", func(t *testing.T) {
		// The common bastion form before ProxyJump existed: OpenSSH's own
		// client relays through h01 (ssh -W), drover speaks SSH over it.
		cfgFile := filepath.Join(t.TempDir(), "ssh_config")
		writeFile(t, cfgFile, fmt.Sprintf(`Host web3
  HostName %s
  Port %s
  User root
  IdentityFile %s
  UserKnownHostsFile %s
  ProxyCommand ssh -q -F none -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=%s -i %s -p %s -W %%h:%%p root@%s
`, fleet.Addr("h03"), port, fleet.KeyPath(), fleet.KnownHostsPath(),
			fleet.KnownHostsPath(), fleet.KeyPath(), port, fleet.Addr("h01")))
		c := Config{KnownHostsFiles: []string{}, SSHConfigFiles: []string{cfgFile}, IdentityFiles: []string{}, Warn: func(m string) { t.Log(m) }}
		web3, err := e2eDial(t, c, modules.Target{Name: "web3"})
		if err != nil {
			t.Fatalf("web3 (ProxyCommand ssh -W through h01): %v", err)
		}
		assertOnHost(t, fleet, web3, "h03")
		clientsAre(t, "h03", "h01")
		// Closing the connection ends the relay: h01 has no client left.
		web3.Close()
		waitFor(t, func() bool { got, _ := fleet.ClientHosts("h01"); return len(got) == 0 })
		waitFor(t, func() bool { got, _ := fleet.ClientHosts("h03"); return len(got) == 0 })
	})
}
