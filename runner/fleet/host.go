package fleet

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/crypto/ssh"
)

type hostState int

const (
	stateUp        hostState = iota // booted
	stateRebooting                  // down, coming back (unless NeverReturn)
	stateOff                        // powered off (halt/poweroff), until PowerOn
)

// link is one period during which a host is reachable. It ends (its ctx is
// cancelled) when the host goes down or becomes unreachable: every
// connection opened during it is then lost.
type link struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// host is one simulated host.
type host struct {
	f     *Fleet
	index int
	name  string
	rack  string

	dir            string // <Dir>/hosts/<name>
	root           string // <dir>/root: cwd and HOME of commands
	binDir         string // <dir>/bin: the stand-ins
	bootIDPath     string // <dir>/boot_id
	controlPath    string // <dir>/control: link to the fleet's FIFO the stand-ins write to
	healthFailPath string // <dir>/faults/healthfail
	rebootLogPath  string // <root>/reboots.log

	hostKey   ssh.Signer
	sshConfig *ssh.ServerConfig

	connections atomic.Int64
	goHandled   atomic.Int64 // InterpShell: commands run by a Go command

	mu        sync.Mutex
	closed    bool
	state     hostState
	bootID    string
	fault     Fault
	port      int          // kept across reboots once listened on
	link      *link        // nil while unreachable
	ln        net.Listener // nil while unreachable or with NoSSH
	conns     map[net.Conn]struct{}
	pgids     map[int]struct{}
	interps   map[int]*interpProc // InterpShell: running interpreters by fake pid
	timer     *time.Timer         // pending comeUp
	downAt    time.Time
	oldBootID string
}

// reachableLink returns the current link, or an error when the host cannot
// be reached now.
func (h *host) reachableLink() (*link, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.closed:
		return nil, fmt.Errorf("host %s: fleet closed", h.name)
	case h.state == stateRebooting:
		return nil, fmt.Errorf("host %s: rebooting", h.name)
	case h.state == stateOff:
		return nil, fmt.Errorf("host %s: powered off", h.name)
	case h.link == nil:
		return nil, fmt.Errorf("host %s: down (fault)", h.name)
	}
	return h.link, nil
}

// startLinkLocked makes the host reachable: a new link and, unless NoSSH,
// a listener on the host's port.
func (h *host) startLinkLocked() error {
	if h.link != nil {
		return nil
	}
	var ln net.Listener
	if !h.f.opts.NoSSH {
		var err error
		ln, err = listenPort(h.port)
		if err != nil {
			return fmt.Errorf("host %s: listen: %w", h.name, err)
		}
		h.port = ln.Addr().(*net.TCPAddr).Port
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &link{ctx: ctx, cancel: cancel}
	h.link = l
	h.ln = ln
	if ln != nil {
		h.f.wg.Add(1)
		go func() {
			defer h.f.wg.Done()
			h.acceptLoop(ln, l)
		}()
	}
	return nil
}

// listenPort listens on 127.0.0.1:port (0: an ephemeral port), retrying
// briefly when the kept port is not free yet.
func listenPort(port int) (net.Listener, error) {
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	var err error
	for i := 0; i < 50; i++ {
		var ln net.Listener
		ln, err = net.Listen("tcp", addr)
		if err == nil || port == 0 {
			return ln, err
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil, err
}

// dropLinkLocked makes the host unreachable: the link ends (commands on it
// are killed), the listener and every connection are closed.
func (h *host) dropLinkLocked() {
	if h.link != nil {
		h.link.cancel()
		h.link = nil
	}
	if h.ln != nil {
		h.ln.Close()
		h.ln = nil
	}
	for c := range h.conns {
		c.Close()
	}
	clear(h.conns)
}

// killGroupsLocked kills every process group the host started that is
// still registered, and stops its interpreters (InterpShell).
func (h *host) killGroupsLocked() {
	for pg := range h.pgids {
		_ = syscall.Kill(-pg, syscall.SIGKILL)
	}
	h.cancelInterpsLocked()
}

// goDown takes the host down for a reboot (halt=false) or a power-off.
func (h *host) goDown(halt bool) {
	h.mu.Lock()
	if h.closed || h.state != stateUp {
		h.mu.Unlock()
		return
	}
	h.state = stateRebooting
	if halt {
		h.state = stateOff
	}
	h.downAt = time.Now()
	h.oldBootID = h.bootID
	h.dropLinkLocked()
	h.killGroupsLocked()
	h.mu.Unlock()

	// Processes that left the process group (setsid, daemons) carry the
	// host's marker in their environment.
	h.f.reap(h.f.marker(h.name))

	h.mu.Lock()
	defer h.mu.Unlock()
	if h.state == stateRebooting && !h.closed {
		h.scheduleComeUpLocked(h.f.opts.RebootDelay + h.fault.SlowReturn)
	}
}

// scheduleComeUpLocked brings the host back after d, unless it never
// returns.
func (h *host) scheduleComeUpLocked(d time.Duration) {
	if h.fault.NeverReturn || h.timer != nil {
		return
	}
	h.timer = time.AfterFunc(d, h.comeUp)
}

// comeUp boots the host: a new boot id, a reboots.log line, reachable again
// unless the Down fault is set.
func (h *host) comeUp() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.timer = nil
	if h.closed || h.state == stateUp {
		return
	}
	if h.state == stateRebooting && h.fault.NeverReturn {
		return
	}
	newID := newUUID()
	if err := writeFileAtomic(h.bootIDPath, []byte(newID+"\n"), 0o644); err != nil {
		h.f.logf("fleet: host %s: boot: %v", h.name, err)
	}
	h.bootID = newID
	if err := h.bootUnits(); err != nil {
		h.f.logf("fleet: host %s: boot units: %v", h.name, err)
	}
	h.state = stateUp
	if err := appendReboot(h.rebootLogPath, Reboot{Down: h.downAt, Up: time.Now(), OldBootID: h.oldBootID, NewBootID: newID}); err != nil {
		h.f.logf("fleet: host %s: %v", h.name, err)
	}
	if !h.fault.Down {
		if err := h.startLinkLocked(); err != nil {
			h.f.logf("fleet: %v", err)
		}
	}
}

// setFault changes the host's faults, taking effect at once.
func (h *host) setFault(ft Fault) error {
	if err := setMarker(h.healthFailPath, ft.HealthFail); err != nil {
		return fmt.Errorf("host %s: %w", h.name, err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	old := h.fault
	h.fault = ft
	if h.closed {
		return nil
	}
	switch h.state {
	case stateUp:
		if ft.Down {
			h.dropLinkLocked()
		} else if h.link == nil {
			if err := h.startLinkLocked(); err != nil {
				return err
			}
		}
	case stateRebooting:
		if ft.NeverReturn && h.timer != nil {
			h.timer.Stop()
			h.timer = nil
		}
		if old.NeverReturn && !ft.NeverReturn {
			h.scheduleComeUpLocked(0)
		}
	}
	return nil
}

// powerOn boots a powered-off (or never-returning) host now.
func (h *host) powerOn() {
	h.mu.Lock()
	if h.state == stateRebooting && h.fault.NeverReturn {
		h.fault.NeverReturn = false
	}
	h.mu.Unlock()
	h.comeUp()
}

// close stops the host for good.
func (h *host) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	if h.timer != nil {
		h.timer.Stop()
		h.timer = nil
	}
	h.dropLinkLocked()
	h.killGroupsLocked()
}

// setMarker creates (on) or removes (off) an empty marker file.
func setMarker(path string, on bool) error {
	if !on {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return err
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, nil, 0o644)
}

// writeFileAtomic writes a temporary file next to path and renames it.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
