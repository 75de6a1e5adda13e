package sshdtest_test

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/drover-sh/drover/internal/sshdtest"
)

func TestHostsAreSeparateMachines(t *testing.T) {
	t.Parallel()
	realBoot := realBootID(t)
	realHost, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	f := sshdtest.StartT(t, 3)

	bootIDs := map[string]string{}
	for _, h := range f.Names() {
		out := mustSSH(t, f, h, "hostname; cat /proc/sys/kernel/random/boot_id; echo "+h+" > /var/lib/drover-host/marker")
		lines := strings.Split(out, "\n")
		if len(lines) != 2 {
			t.Fatalf("%s: unexpected output %q", h, out)
		}
		if lines[0] != h {
			t.Errorf("%s: hostname %q", h, lines[0])
		}
		if lines[1] != f.BootID(h) {
			t.Errorf("%s: boot id %q, harness says %q", h, lines[1], f.BootID(h))
		}
		if lines[1] == realBoot {
			t.Errorf("%s: sees the real machine's boot id", h)
		}
		for other, id := range bootIDs {
			if id == lines[1] {
				t.Errorf("%s and %s share boot id %s", h, other, id)
			}
		}
		bootIDs[h] = lines[1]
	}
	// Each host sees only its own marker, and the harness sees it in HostDir.
	for _, h := range f.Names() {
		if got := mustSSH(t, f, h, "cat /var/lib/drover-host/marker"); got != h {
			t.Errorf("%s: /var/lib/drover-host/marker = %q", h, got)
		}
		b, err := os.ReadFile(filepath.Join(f.HostDir(h), "marker"))
		if err != nil || strings.TrimSpace(string(b)) != h {
			t.Errorf("%s: HostDir marker = %q, %v", h, b, err)
		}
	}
	if _, err := os.Stat(filepath.Join(sshdtest.PrivatePath, "marker")); err == nil {
		t.Errorf("marker leaked to the real %s", sshdtest.PrivatePath)
	}
	if got := realBootID(t); got != realBoot {
		t.Errorf("real boot id changed: %s -> %s", realBoot, got)
	}
	if got, _ := os.Hostname(); got != realHost {
		t.Errorf("real hostname changed: %s -> %s", realHost, got)
	}
}

func TestAddressesPortsAndConnections(t *testing.T) {
	t.Parallel()
	f := sshdtest.StartT(t, 2)
	g := sshdtest.StartT(t, 1) // a second fleet in the same process
	seen := map[string]bool{}
	for _, fl := range []*sshdtest.Fleet{f, g} {
		for _, h := range fl.Hosts() {
			if !strings.HasPrefix(h.Addr, "127.") || h.Addr == "127.0.0.1" {
				t.Errorf("%s: address %s", h.Name, h.Addr)
			}
			if seen[h.Addr] {
				t.Errorf("address %s used twice", h.Addr)
			}
			seen[h.Addr] = true
			if h.Port != sshdtest.DefaultPort {
				t.Errorf("%s: port %d", h.Name, h.Port)
			}
		}
	}
	before := f.Connections("h01")
	for i := 0; i < 3; i++ {
		mustSSH(t, f, "h01", "true")
	}
	if got := f.Connections("h01"); got != before+3 {
		t.Errorf("h01: %d connections after 3 logins, had %d", got, before)
	}
	if got := f.Connections("h02"); got != 0 {
		t.Errorf("h02: %d connections, want 0", got)
	}
	mustSSH(t, f, "h02", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done")
	cpu, err := f.CPUSeconds("h02")
	if err != nil {
		t.Fatal(err)
	}
	if cpu <= 0 {
		t.Errorf("h02: CPU %v s after a busy loop", cpu)
	}
	if err := f.Reboot("h02"); err != nil {
		t.Fatal(err)
	}
	after, err := f.CPUSeconds("h02")
	if err != nil {
		t.Fatal(err)
	}
	if after < cpu {
		t.Errorf("h02: CPU went from %v to %v across a reboot", cpu, after)
	}
	total, err := f.TotalCPUSeconds()
	if err != nil || total < after {
		t.Errorf("total CPU %v (%v) < h02's %v", total, err, after)
	}
}

func TestKnownHostsAndInventory(t *testing.T) {
	t.Parallel()
	f := sshdtest.StartT(t, 3, sshdtest.Options{Racks: 2})
	kh, err := os.ReadFile(f.KnownHostsPath())
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(kh)), "\n")
	if len(lines) != 3 {
		t.Fatalf("known_hosts has %d lines", len(lines))
	}
	for i, h := range f.Hosts() {
		want := "[" + h.Addr + "]:2222 ssh-ed25519 "
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("known_hosts line %d = %q, want prefix %q", i, lines[i], want)
		}
	}

	var inv struct {
		All struct {
			Hosts map[string]struct {
				AnsibleHost string `yaml:"ansible_host"`
				AnsiblePort int    `yaml:"ansible_port"`
				AnsibleUser string `yaml:"ansible_user"`
				Key         string `yaml:"ansible_ssh_private_key_file"`
				Rack        string `yaml:"rack"`
			} `yaml:"hosts"`
			Children map[string]struct {
				Hosts map[string]any `yaml:"hosts"`
			} `yaml:"children"`
		} `yaml:"all"`
	}
	data, err := os.ReadFile(f.InventoryPath())
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &inv); err != nil {
		t.Fatal(err)
	}
	wantRack := map[string]string{"h01": "r1", "h02": "r1", "h03": "r2"}
	for _, h := range f.Hosts() {
		ih, ok := inv.All.Hosts[h.Name]
		if !ok {
			t.Fatalf("inventory lacks %s:\n%s", h.Name, data)
		}
		if ih.AnsibleHost != h.Addr || ih.AnsiblePort != h.Port || ih.AnsibleUser != "root" || ih.Key != f.KeyPath() {
			t.Errorf("%s: inventory %+v", h.Name, ih)
		}
		if ih.Rack != wantRack[h.Name] || h.Rack != wantRack[h.Name] {
			t.Errorf("%s: rack %q / %q, want %q", h.Name, ih.Rack, h.Rack, wantRack[h.Name])
		}
		if _, ok := inv.All.Children["rack_"+ih.Rack].Hosts[h.Name]; !ok {
			t.Errorf("%s not in group rack_%s", h.Name, ih.Rack)
		}
	}
	if len(inv.All.Children) != 2 {
		t.Errorf("groups %v, want rack_r1 and rack_r2", inv.All.Children)
	}
}

func TestCloseKillsEverything(t *testing.T) {
	t.Parallel()
	f := sshdtest.StartT(t, 1)
	addr := net.JoinHostPort(f.Addr("h01"), "2222")
	// A session left running must die with Close.
	pid := mustSSH(t, f, "h01", "nohup sleep 300 >/dev/null 2>&1 & echo $!")
	if _, err := os.Stat("/proc/" + pid); err != nil {
		t.Fatalf("background session process %q: %v", pid, err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections after Close", addr)
	}
	if alive(pid) {
		t.Errorf("session process %s survived Close", pid)
	}
	for pid, cmdline := range fleetProcs(t, f) {
		t.Errorf("process %s still running after Close: %q", pid, cmdline)
	}
	if f.Close() != nil {
		t.Error("second Close failed")
	}
}

// fleetProcs returns the live processes whose command line names a file
// of the fleet's directory (pid to command line, NULs as spaces).
func fleetProcs(t *testing.T, f *sshdtest.Fleet) map[string]string {
	t.Helper()
	procs, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range procs {
		b, _ := os.ReadFile(p)
		pid := filepath.Base(filepath.Dir(p))
		if strings.Contains(string(b), f.Dir()) && alive(pid) {
			out[pid] = strings.ReplaceAll(string(b), "\x00", " ")
		}
	}
	return out
}

// alive reports whether the process exists and is not a zombie (a killed
// process stays a zombie until init reaps it).
func alive(pid string) bool {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return false
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return !strings.HasPrefix(rest, "Z") && !strings.HasPrefix(rest, "X")
}

func TestReusedDirStartsAfresh(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for round := 0; round < 2; round++ {
		f, err := sshdtest.Start(sshdtest.Options{Dir: dir, Hosts: 1})
		if errors.Is(err, sshdtest.ErrUnavailable) {
			sshdtest.StartT(t, 1) // skips or fails, with the reason
		}
		if err != nil {
			t.Fatal(err)
		}
		rs, err := f.Reboots("h01")
		if err == nil && len(rs) != 0 {
			err = fmt.Errorf("round %d starts with reboots %+v", round, rs)
		}
		if err == nil {
			err = f.Reboot("h01")
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "inventory.yml")); err != nil {
		t.Errorf("Close removed a given Dir: %v", err)
	}
}
