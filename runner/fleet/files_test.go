package fleet

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"gopkg.in/yaml.v3"
)

func TestFleetFiles(t *testing.T) {
	f := newFleet(t, Options{Hosts: 8, Racks: 2, Groups: []string{"affected"}})
	if got := f.Hosts(); len(got) != 8 || got[0] != "host01" || got[7] != "host08" {
		t.Fatalf("Hosts = %v", got)
	}

	// Client key: OpenSSH format, 0600, parseable.
	st, err := os.Stat(f.KeyPath())
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key mode = %o, want 600", st.Mode().Perm())
	}
	keyText := readFile(t, f.KeyPath())
	if !strings.HasPrefix(keyText, "-----BEGIN OPENSSH PRIVATE KEY-----") {
		t.Errorf("key is not in OpenSSH format: %.40q", keyText)
	}
	if _, err := ssh.ParsePrivateKey([]byte(keyText)); err != nil {
		t.Errorf("key: %v", err)
	}

	// known_hosts: one line per host, [127.0.0.1]:PORT ssh-ed25519.
	kh, err := os.Open(f.KnownHostsPath())
	if err != nil {
		t.Fatal(err)
	}
	defer kh.Close()
	seen := map[string]bool{}
	sc := bufio.NewScanner(kh)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 3 || fields[1] != "ssh-ed25519" {
			t.Errorf("known_hosts line %q", sc.Text())
			continue
		}
		seen[fields[0]] = true
	}
	for _, name := range f.Hosts() {
		h, _ := f.Host(name)
		if want := "[127.0.0.1]:" + strconv.Itoa(h.Port); !seen[want] {
			t.Errorf("known_hosts has no line for %s (%s)", name, want)
		}
		if f.Addr(name) != "127.0.0.1:"+strconv.Itoa(h.Port) {
			t.Errorf("Addr(%s) = %s", name, f.Addr(name))
		}
	}
	if len(seen) != 8 {
		t.Errorf("known_hosts has %d hosts, want 8", len(seen))
	}

	// inventory.yml.
	var inv struct {
		All struct {
			Hosts    map[string]map[string]any
			Children map[string]struct {
				Hosts map[string]any
			}
			Vars map[string]any
		}
	}
	if err := yaml.Unmarshal([]byte(readFile(t, f.InventoryPath())), &inv); err != nil {
		t.Fatalf("inventory: %v", err)
	}
	if len(inv.All.Hosts) != 8 {
		t.Fatalf("inventory has %d hosts", len(inv.All.Hosts))
	}
	for _, name := range f.Hosts() {
		h, _ := f.Host(name)
		v := inv.All.Hosts[name]
		if v["ansible_host"] != "127.0.0.1" || v["ansible_port"] != h.Port || v["ansible_user"] != f.User() ||
			v["ansible_ssh_private_key_file"] != f.KeyPath() || v["rack"] != h.Rack {
			t.Errorf("inventory vars of %s: %v", name, v)
		}
		if _, ok := inv.All.Children["rack_"+h.Rack].Hosts[name]; !ok {
			t.Errorf("%s is not in group rack_%s", name, h.Rack)
		}
		if !filepath.IsAbs(h.Root) || !strings.HasPrefix(h.Root, f.Dir()) {
			t.Errorf("root of %s = %s", name, h.Root)
		}
	}
	if len(inv.All.Children["affected"].Hosts) != 8 {
		t.Errorf("group affected = %+v", inv.All.Children["affected"])
	}
	if len(inv.All.Children) != 3 || len(inv.All.Children["rack_r1"].Hosts) != 4 || len(inv.All.Children["rack_r2"].Hosts) != 4 {
		t.Errorf("rack groups = %+v", inv.All.Children)
	}
	if h, _ := f.Host("host01"); h.Rack != "r1" {
		t.Errorf("host01 rack = %s", h.Rack)
	}
	if h, _ := f.Host("host08"); h.Rack != "r2" {
		t.Errorf("host08 rack = %s", h.Rack)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	for _, o := range []Options{
		{Hosts: 2},
		{Dir: t.TempDir(), Hosts: 0},
		{Dir: t.TempDir(), Hosts: 2, Racks: 3},
		{Dir: t.TempDir(), Hosts: 2, Faults: map[string]Fault{"host09": {Down: true}}},
	} {
		if f, err := New(o); err == nil {
			f.Close()
			t.Errorf("New(%+v): no error", o)
		}
	}
}

func TestConnectionsCount(t *testing.T) {
	f := newFleet(t, Options{Hosts: 2})
	for i := 0; i < 3; i++ {
		c, err := dialTestSSH(f, "host02")
		if err != nil {
			t.Fatal(err)
		}
		run(t, c, "true")
		c.Close()
	}
	if n := f.Connections("host02"); n != 3 {
		t.Errorf("Connections(host02) = %d, want 3", n)
	}
	if n := f.Connections("host01"); n != 0 {
		t.Errorf("Connections(host01) = %d, want 0", n)
	}
}
