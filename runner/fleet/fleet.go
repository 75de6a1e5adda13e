package fleet

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/drover-sh/drover/modules"
)

// Fleet is a running simulated fleet. Its methods are safe for concurrent
// use. Methods taking a host name panic on an unknown name only where
// documented; the others return a zero value or an error.
type Fleet struct {
	opts      Options
	dir       string
	user      string
	token     string
	clientKey ssh.Signer
	mountNS   bool         // commands run in their own mount namespace
	fakePids  atomic.Int64 // InterpShell: fake pids handed out
	hosts     []*host
	ctl       *os.File // the control FIFO, read by readControl
	byName    map[string]*host

	wg        sync.WaitGroup
	reapMu    sync.Mutex
	closeOnce sync.Once
}

// Host describes one host of the fleet.
type Host struct {
	Name string
	Rack string // r1..rK
	Dir  string // <Dir>/hosts/<name>
	Root string // the host's filesystem: cwd and HOME of its commands
	Port int    // SSH port on 127.0.0.1 (0 with NoSSH)
}

// New creates the fleet's files under opts.Dir and starts its hosts.
func New(opts Options) (*Fleet, error) {
	if opts.Dir == "" {
		return nil, errors.New("fleet: Options.Dir is required")
	}
	if opts.Hosts < 1 {
		return nil, fmt.Errorf("fleet: Options.Hosts must be at least 1, not %d", opts.Hosts)
	}
	if opts.Racks < 1 {
		opts.Racks = 1
	}
	if opts.Racks > opts.Hosts {
		return nil, fmt.Errorf("fleet: %d racks for %d hosts", opts.Racks, opts.Hosts)
	}
	if opts.RebootDelay <= 0 {
		opts.RebootDelay = time.Second
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("fleet: %w", err)
	}
	f := &Fleet{opts: opts, dir: dir, byName: map[string]*host{}}
	f.user = opts.User
	if f.user == "" {
		f.user = currentUser()
	}
	tok := make([]byte, 8)
	if _, err := rand.Read(tok); err != nil {
		return nil, fmt.Errorf("fleet: %w", err)
	}
	f.token = hex.EncodeToString(tok)

	for _, g := range opts.Groups {
		if g == "" || g == "all" || g == "ungrouped" || strings.HasPrefix(g, "rack_") {
			return nil, fmt.Errorf("fleet: bad extra group name %q", g)
		}
	}
	for name := range opts.Faults {
		if _, ok := hostIndex(name, opts.Hosts); !ok {
			return nil, fmt.Errorf("fleet: fault for unknown host %q", name)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("fleet: %w", err)
	}
	if err := os.RemoveAll(filepath.Join(dir, "hosts")); err != nil {
		return nil, fmt.Errorf("fleet: reset hosts: %w", err)
	}
	if err := f.writeClientKey(); err != nil {
		return nil, err
	}
	if err := writeStandIns(f.standInDir()); err != nil {
		return nil, err
	}
	if err := f.openControl(); err != nil {
		return nil, err
	}
	for i := 0; i < opts.Hosts; i++ {
		h, err := f.newHost(i)
		if err != nil {
			f.Close()
			return nil, err
		}
		f.hosts = append(f.hosts, h)
		f.byName[h.name] = h
		if i == 0 && !opts.NoMountNS && !opts.InterpShell {
			f.mountNS = f.probeMountNS(h)
		}
	}
	// The hosts are all known: the stand-ins' requests can be served.
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		f.readControl()
	}()
	if err := f.writeKnownHosts(); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.writeInventory(); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// hostName is the name of the i-th host (0-based) of an n-host fleet.
func hostName(i, n int) string {
	width := len(strconv.Itoa(n))
	if width < 2 {
		width = 2
	}
	return fmt.Sprintf("host%0*d", width, i+1)
}

// HostNames are the host names of an n-host fleet, in order.
func HostNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = hostName(i, n)
	}
	return out
}

// hostIndex is the inverse of hostName.
func hostIndex(name string, n int) (int, bool) {
	for i := 0; i < n; i++ {
		if hostName(i, n) == name {
			return i, true
		}
	}
	return 0, false
}

// rackOf is the rack of the i-th host: contiguous blocks over K racks.
func rackOf(i, n, k int) string {
	return "r" + strconv.Itoa(i*k/n+1)
}

func (f *Fleet) newHost(i int) (*host, error) {
	name := hostName(i, f.opts.Hosts)
	dir := filepath.Join(f.dir, "hosts", name)
	h := &host{
		f:              f,
		index:          i,
		name:           name,
		rack:           rackOf(i, f.opts.Hosts, f.opts.Racks),
		dir:            dir,
		root:           filepath.Join(dir, "root"),
		binDir:         filepath.Join(dir, "bin"),
		bootIDPath:     filepath.Join(dir, "boot_id"),
		controlPath:    filepath.Join(dir, "control"),
		healthFailPath: filepath.Join(dir, "faults", "healthfail"),
		conns:          map[net.Conn]struct{}{},
		pgids:          map[int]struct{}{},
		interps:        map[int]*interpProc{},
		fault:          f.opts.Faults[name],
	}
	h.rebootLogPath = filepath.Join(h.root, "reboots.log")
	if err := os.MkdirAll(h.root, 0o755); err != nil {
		return nil, fmt.Errorf("fleet: host %s: %w", name, err)
	}
	if err := os.Symlink(f.standInDir(), h.binDir); err != nil {
		return nil, fmt.Errorf("fleet: host %s: %w", name, err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("fleet: host %s: host key: %w", name, err)
	}
	if h.hostKey, err = ssh.NewSignerFromKey(priv); err != nil {
		return nil, fmt.Errorf("fleet: host %s: host key: %w", name, err)
	}
	h.sshConfig = f.serverConfig(h)
	h.bootID = newUUID()
	if err := os.WriteFile(h.bootIDPath, []byte(h.bootID+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("fleet: host %s: %w", name, err)
	}
	if h.fault.HealthFail {
		if err := setMarker(h.healthFailPath, true); err != nil {
			return nil, fmt.Errorf("fleet: host %s: %w", name, err)
		}
	}
	// The fleet's control FIFO, under the host's name: one descriptor for
	// the whole fleet, not one a host.
	if err := os.Symlink(f.controlPath(), h.controlPath); err != nil {
		return nil, fmt.Errorf("fleet: host %s: control fifo: %w", name, err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.state = stateUp
	if !h.fault.Down {
		if err := h.startLinkLocked(); err != nil {
			return nil, fmt.Errorf("fleet: %w", err)
		}
	} else if !f.opts.NoSSH {
		// Reserve a port for the host, so that the inventory is stable.
		ln, err := listenPort(0)
		if err != nil {
			return nil, fmt.Errorf("fleet: host %s: listen: %w", name, err)
		}
		h.port = ln.Addr().(*net.TCPAddr).Port
		ln.Close()
	}
	return h, nil
}

// Close stops every host and kills every process the fleet started. It is
// safe to call more than once.
func (f *Fleet) Close() error {
	f.closeOnce.Do(func() {
		for _, h := range f.hosts {
			h.close()
		}
		f.reap("DROVER_FLEET_ID=" + f.token + "/")
		if f.ctl != nil {
			f.ctl.Close()
		}
		f.wg.Wait()
	})
	return nil
}

func (f *Fleet) logf(format string, args ...any) {
	log.Printf(format, args...)
}

func (f *Fleet) host(name string) (*host, error) {
	h, ok := f.byName[name]
	if !ok {
		return nil, fmt.Errorf("fleet: no host %q", name)
	}
	return h, nil
}

// MountNS reports whether commands run in their own mount namespace, where
// /proc/sys/kernel/random/boot_id is the host's boot id for every program.
func (f *Fleet) MountNS() bool { return f.mountNS }

// controlPath is the FIFO the stand-ins write their requests to (each
// host's <dir>/control links to it).
func (f *Fleet) controlPath() string { return filepath.Join(f.dir, "control") }

// openControl creates and opens the control FIFO.
func (f *Fleet) openControl() error {
	p := f.controlPath()
	if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("fleet: control fifo: %w", err)
	}
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		return fmt.Errorf("fleet: control fifo: %w", err)
	}
	// O_RDWR: the open does not wait for a writer, and the FIFO never
	// reports end of file while we hold it.
	ctl, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("fleet: control fifo: %w", err)
	}
	f.ctl = ctl
	return nil
}

// readControl serves the control FIFO: lines "reboot PID HOST" and
// "halt PID HOST" written by the stand-ins (each at most PIPE_BUF bytes,
// so never interleaved).
func (f *Fleet) readControl() {
	sc := bufio.NewScanner(f.ctl)
	for sc.Scan() {
		var what, name string
		var pid int
		fmt.Sscan(sc.Text(), &what, &pid, &name)
		h := f.byName[name]
		if h == nil {
			continue
		}
		switch what {
		case "reboot":
			h.goDown(false)
		case "halt":
			h.goDown(true)
		}
	}
}

// standInDir holds the stand-in scripts every host's bin links to.
func (f *Fleet) standInDir() string { return filepath.Join(f.dir, "stand-ins") }

// Dir is the fleet's directory (absolute).
func (f *Fleet) Dir() string { return f.dir }

// InventoryPath is <Dir>/inventory.yml.
func (f *Fleet) InventoryPath() string { return filepath.Join(f.dir, "inventory.yml") }

// KnownHostsPath is <Dir>/known_hosts.
func (f *Fleet) KnownHostsPath() string { return filepath.Join(f.dir, "known_hosts") }

// KeyPath is <Dir>/id_ed25519, the client key every host accepts.
func (f *Fleet) KeyPath() string { return filepath.Join(f.dir, "id_ed25519") }

// User is the user name written to the inventory.
func (f *Fleet) User() string { return f.user }

// Hosts lists the host names in order.
func (f *Fleet) Hosts() []string {
	out := make([]string, len(f.hosts))
	for i, h := range f.hosts {
		out[i] = h.name
	}
	return out
}

// Host describes a host.
func (f *Fleet) Host(name string) (Host, bool) {
	h, ok := f.byName[name]
	if !ok {
		return Host{}, false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return Host{Name: h.name, Rack: h.rack, Dir: h.dir, Root: h.root, Port: h.port}, true
}

// Addr is the host's SSH address, 127.0.0.1:PORT ("" for an unknown host
// or with NoSSH).
func (f *Fleet) Addr(name string) string {
	h, ok := f.byName[name]
	if !ok || f.opts.NoSSH {
		return ""
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return fmt.Sprintf("127.0.0.1:%d", h.port)
}

// Target is what a modules.Dialer needs to reach the host.
func (f *Fleet) Target(name string) modules.Target {
	t := modules.Target{Name: name, Addr: "127.0.0.1", User: f.user, Vars: map[string]any{
		"ansible_host":                 "127.0.0.1",
		"ansible_user":                 f.user,
		"ansible_ssh_private_key_file": f.KeyPath(),
	}}
	if h, ok := f.Host(name); ok {
		t.Vars["rack"] = h.Rack
		if h.Port != 0 {
			t.Port = h.Port
			t.Vars["ansible_port"] = h.Port
		}
	}
	return t
}

// Targets are the targets of every host, in order.
func (f *Fleet) Targets() []modules.Target {
	out := make([]modules.Target, len(f.hosts))
	for i, h := range f.hosts {
		out[i] = f.Target(h.name)
	}
	return out
}

// BootID is the host's current boot id ("" for an unknown host).
func (f *Fleet) BootID(name string) string {
	h, ok := f.byName[name]
	if !ok {
		return ""
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.bootID
}

// Up reports whether the host is booted and reachable.
func (f *Fleet) Up(name string) bool {
	h, ok := f.byName[name]
	if !ok {
		return false
	}
	_, err := h.reachableLink()
	return err == nil
}

// Connections counts the connections the host ever accepted: SSH
// connections that completed their handshake, plus successful Dials of the
// direct dialer.
func (f *Fleet) Connections(name string) int {
	h, ok := f.byName[name]
	if !ok {
		return 0
	}
	return int(h.connections.Load())
}

// Fault is the host's current fault.
func (f *Fleet) Fault(name string) Fault {
	h, ok := f.byName[name]
	if !ok {
		return Fault{}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.fault
}

// SetFault replaces the host's faults; they take effect at once (Down
// drops the host's connections now; clearing NeverReturn brings a host
// stuck in a reboot back at once).
func (f *Fleet) SetFault(name string, ft Fault) error {
	h, err := f.host(name)
	if err != nil {
		return err
	}
	return h.setFault(ft)
}

// Reboot reboots the host as its reboot command would. It returns once
// the host is down (it comes back after RebootDelay).
func (f *Fleet) Reboot(name string) error {
	h, err := f.host(name)
	if err != nil {
		return err
	}
	h.goDown(false)
	return nil
}

// PowerOn boots a host that was powered off (poweroff, halt, shutdown -h)
// or that is stuck in a reboot by NeverReturn (the fault is cleared).
func (f *Fleet) PowerOn(name string) error {
	h, err := f.host(name)
	if err != nil {
		return err
	}
	h.powerOn()
	return nil
}

// currentUser is the name of the user running the fleet.
func currentUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "root"
}

// newUUID is a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
