package sshdtest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// host is one simulated machine: an sshd in its own namespaces and cgroup.
type host struct {
	f       *Fleet
	name    string
	rack    string
	addr    netip.Addr
	port    int
	state   string // harness-side files: config, keys, logs, boot id
	priv    string // private dir, mounted at PrivatePath inside the host
	hostKey string
	cg      string // the host's cgroup (kept across reboots)

	op sync.Mutex // serialises boot, halt, reboot

	mu     sync.Mutex // guards the fields below
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has exited
	// powerSwitch is the write end of a staged wrapper's fd 3 (nil when
	// none is staged): closing it lets the wrapper exec sshd.
	powerSwitch *os.File
	stagedID    string // the boot id a staged wrapper's host boots with
	up          bool
	bootID      string
	downAt      time.Time
	fault       Fault
	lastErr     error
}

func (h *host) path(name string) string { return filepath.Join(h.state, name) }

func (h *host) controlPath(name string) string { return filepath.Join(h.priv, ".sshdtest", name) }

func (h *host) info() HostInfo {
	return HostInfo{Name: h.name, Addr: h.addr.String(), Port: h.port, Rack: h.rack}
}

func (h *host) isUp() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.up
}

// boot starts the host's sshd and returns once it accepts TCP connections.
// The caller holds h.op and the host is down.
func (h *host) boot(ctx context.Context) error {
	if err := h.stage(); err != nil {
		return err
	}
	return h.release(ctx)
}

// stage does a boot's work up to sshd: it writes a new boot id and starts
// the wrapper, which builds the host's namespace (cgroup, mounts, fakes) and
// then waits on fd 3 for release. A reboot stages the host while it is
// down, so that sshd listens RebootDelay after the host went down, as
// configured, rather than RebootDelay plus the wrapper's few dozen
// processes, which on a small machine rebooting many hosts at once add up
// to most of a second. The caller holds h.op and the host is down.
func (h *host) stage() error {
	id, err := newUUID()
	if err != nil {
		return err
	}
	if err := os.WriteFile(h.path("boot_id"), []byte(id+"\n"), 0o644); err != nil {
		return fmt.Errorf("host %s: %w", h.name, err)
	}
	// sshd writes it once listening (see waitListening); a killed sshd
	// leaves the previous boot's.
	if err := os.Remove(h.path("sshd.pid")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("host %s: %w", h.name, err)
	}
	logf, err := os.OpenFile(h.path("wrapper.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("host %s: %w", h.name, err)
	}
	defer logf.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("host %s: %w", h.name, err)
	}
	f := h.f
	args := []string{"-m", "-u", "/bin/sh", f.wrapper,
		h.cg, h.name, h.path("boot_id"), h.priv, f.fake, f.fakebin,
		h.path("sshd_config"), h.path("sshd.log")}
	args = append(args, f.fakeTargets...)
	cmd := exec.Command(unsharePath, args...)
	cmd.Dir = "/"
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.ExtraFiles = []*os.File{pr} // fd 3: the power-on signal
	err = cmd.Start()
	pr.Close()
	if err != nil {
		pw.Close()
		return fmt.Errorf("host %s: start sshd: %w", h.name, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	h.mu.Lock()
	h.cmd, h.exited, h.stagedID, h.powerSwitch = cmd, exited, id, pw
	h.mu.Unlock()
	return nil
}

// release lets the staged wrapper exec sshd and waits until it accepts TCP
// connections. The caller holds h.op.
func (h *host) release(ctx context.Context) error {
	h.mu.Lock()
	pw, exited, id := h.powerSwitch, h.exited, h.stagedID
	h.powerSwitch = nil
	h.mu.Unlock()
	if pw == nil {
		return fmt.Errorf("host %s: power on: not staged", h.name)
	}
	// Closing the pipe ends the wrapper's read on fd 3.
	if err := pw.Close(); err != nil {
		return fmt.Errorf("host %s: power on: %w", h.name, err)
	}
	if err := waitListening(ctx, h.path("sshd.pid"), exited, 20*time.Second); err != nil {
		_ = h.stop()
		return fmt.Errorf("host %s: sshd on %s:%d: %w\nwrapper.log: %s\nsshd.log: %s",
			h.name, h.addr, h.port, err, tail(h.path("wrapper.log")), tail(h.path("sshd.log")))
	}
	h.mu.Lock()
	h.up, h.bootID = true, id
	h.mu.Unlock()
	return nil
}

// stop kills every process of the host (sshd, sessions, commands) and waits
// for them. The caller holds h.op.
func (h *host) stop() error {
	err := killCgroup(h.cg, 10*time.Second)
	h.mu.Lock()
	cmd, exited, pw := h.cmd, h.exited, h.powerSwitch
	h.cmd, h.exited, h.powerSwitch = nil, nil, nil
	h.mu.Unlock()
	if pw != nil {
		pw.Close()
	}
	if cmd != nil {
		// The wrapper may not have joined the cgroup yet.
		_ = cmd.Process.Kill()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			err = errors.Join(err, fmt.Errorf("host %s: sshd (pid %d) did not exit", h.name, cmd.Process.Pid))
		}
	}
	h.mu.Lock()
	if h.up {
		h.downAt = time.Now()
	}
	h.up = false
	h.mu.Unlock()
	return err
}

// reboot simulates a reboot: down, RebootDelay (or the fault's), up with a
// new boot id, and a line in reboots.log.
func (h *host) reboot(ctx context.Context) error {
	h.op.Lock()
	defer h.op.Unlock()
	if !h.isUp() {
		return fmt.Errorf("host %s: reboot: host is down", h.name)
	}
	if err := h.stop(); err != nil {
		return fmt.Errorf("host %s: reboot: %w", h.name, err)
	}
	h.mu.Lock()
	fault := h.fault
	h.mu.Unlock()
	if fault.NeverReturn {
		return nil
	}
	delay := h.f.opts.RebootDelay
	if fault.SlowReturn > 0 {
		delay = fault.SlowReturn
	}
	timer := time.NewTimer(delay)
	defer timer.Stop()
	if err := h.stage(); err != nil {
		return fmt.Errorf("host %s: reboot: %w", h.name, err)
	}
	select {
	case <-timer.C:
	case <-ctx.Done():
		_ = h.stop()
		return ctx.Err()
	}
	return h.powerOn(ctx)
}

// restart boots the host (killing it first if it is up).
func (h *host) restart(ctx context.Context) error {
	h.op.Lock()
	defer h.op.Unlock()
	if err := h.stop(); err != nil {
		return fmt.Errorf("host %s: restart: %w", h.name, err)
	}
	return h.powerOn(ctx)
}

// kill takes the host down for good (until restart).
func (h *host) kill() error {
	h.op.Lock()
	defer h.op.Unlock()
	if err := h.stop(); err != nil {
		return fmt.Errorf("host %s: kill: %w", h.name, err)
	}
	return nil
}

// powerOn boots a down host and records the reboot. The caller holds h.op.
func (h *host) powerOn(ctx context.Context) error {
	h.mu.Lock()
	old, down := h.bootID, h.downAt
	h.mu.Unlock()
	if err := h.resetUnits(); err != nil {
		return err
	}
	h.mu.Lock()
	staged := h.powerSwitch != nil
	h.mu.Unlock()
	if !staged {
		if err := h.stage(); err != nil {
			return err
		}
	}
	if err := h.release(ctx); err != nil {
		return err
	}
	h.mu.Lock()
	id := h.bootID
	h.mu.Unlock()
	line := fmt.Sprintf("%d %d %s %s\n", down.UnixNano(), time.Now().UnixNano(), old, id)
	lf, err := os.OpenFile(filepath.Join(h.priv, "reboots.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("host %s: %w", h.name, err)
	}
	_, err = lf.WriteString(line)
	return errors.Join(err, lf.Close())
}

// resetUnits does what a boot does to the fake systemctl's units: the
// active ones are those enabled and not masked.
func (h *host) resetUnits() error {
	dir := filepath.Join(h.priv, ".systemd")
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("host %s: %w", h.name, err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".active") {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("host %s: %w", h.name, err)
			}
		}
	}
	for _, e := range entries {
		unit, ok := strings.CutSuffix(e.Name(), ".enabled")
		if !ok {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, unit+".masked")); err == nil {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, unit+".active"), nil, 0o644); err != nil {
			return fmt.Errorf("host %s: %w", h.name, err)
		}
	}
	return nil
}

// checkRequest handles a reboot/poweroff asked for by the host's fake
// commands (the file .sshdtest/request: "<action> <not-before-unix>").
func (h *host) checkRequest() {
	p := h.controlPath("request")
	data, err := os.ReadFile(p)
	if err != nil {
		return
	}
	var action string
	var notBefore int64
	if _, err := fmt.Sscan(string(data), &action, &notBefore); err != nil {
		_ = os.Remove(p)
		h.setErr(fmt.Errorf("host %s: bad request %q: %w", h.name, data, err))
		return
	}
	if time.Now().Unix() < notBefore {
		return
	}
	if err := os.Remove(p); err != nil {
		return
	}
	f := h.f
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		var err error
		if action == "reboot" {
			err = h.reboot(f.ctx)
		} else {
			err = h.kill()
		}
		if err != nil && f.ctx.Err() == nil {
			h.setErr(err)
		}
	}()
}

func (h *host) setErr(err error) {
	h.mu.Lock()
	h.lastErr = errors.Join(h.lastErr, err)
	h.mu.Unlock()
}

// writeFault publishes the parts of a fault that the host's fake commands
// read.
func (h *host) writeFault(fl Fault) error {
	if err := os.MkdirAll(h.controlPath(""), 0o755); err != nil {
		return err
	}
	for name, on := range map[string]bool{"fault-health": fl.HealthFail, "fault-ignore-reboot": fl.IgnoreReboot} {
		p := h.controlPath(name)
		var err error
		if on {
			err = os.WriteFile(p, nil, 0o644)
		} else if err = os.Remove(p); errors.Is(err, os.ErrNotExist) {
			err = nil
		}
		if err != nil {
			return fmt.Errorf("host %s: fault: %w", h.name, err)
		}
	}
	h.mu.Lock()
	h.fault = fl
	h.mu.Unlock()
	return nil
}

// waitListening waits until sshd has written its pid file, which OpenSSH
// does right after binding and listening on its sockets, or until the
// process exits, ctx ends or timeout passes. Polling a file rather than
// dialing the port spares the host a connection: sshd forks and re-executes
// itself for every one, and at 25 hosts booting at once on 2 cores those
// probes cost the hosts a noticeable share of their CPU right when the
// client reconnects.
func waitListening(ctx context.Context, pidFile string, exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		select {
		case <-exited:
			return errors.New("exited before listening")
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		_, err := os.Stat(pidFile)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not listening after %v: %w", timeout, err)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func newUUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

// tail returns the end of a log file, for error messages.
func tail(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	s := strings.TrimSpace(string(data))
	if len(s) > 1500 {
		s = "..." + s[len(s)-1500:]
	}
	if s == "" {
		return "(empty)"
	}
	return s
}
