package sshdtest

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

var (
	//go:embed scripts/wrapper.sh
	wrapperScript []byte
	//go:embed scripts/fake.sh
	fakeScript []byte
)

// fakeNames are the commands the fake script answers to, linked from the
// fakebin directory (mounted over /usr/local/sbin inside each host).
var fakeNames = []string{"healthcheck", "reboot", "shutdown", "poweroff", "halt", "telinit", "systemctl"}

// fakeCandidates are the real binaries the fake script is bind-mounted over
// inside each host (after resolving symlinks).
var fakeCandidates = []string{
	"/usr/bin/systemctl", "/bin/systemctl",
	"/usr/sbin/reboot", "/sbin/reboot",
	"/usr/sbin/shutdown", "/sbin/shutdown",
	"/usr/sbin/poweroff", "/sbin/poweroff",
	"/usr/sbin/halt", "/sbin/halt",
	"/usr/sbin/telinit", "/sbin/telinit",
}

var fleetSeq atomic.Int64

// Fleet is a set of running test hosts. Its methods are safe for concurrent
// use. Methods taking a host name return an error (or a zero value) for a
// name that is not in the fleet.
type Fleet struct {
	opts    Options
	dir     string
	ownDir  bool
	cg      string // the fleet's cgroup; hosts' cgroups are below it
	release func()

	wrapper     string
	fake        string
	fakebin     string
	fakeTargets []string

	hosts  []*host
	byName map[string]*host

	users  *userSetup // the sudo user, nil without Options.SudoPassword
	authMu sync.Mutex // serialises Authorize

	ctx       context.Context
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// Start starts opts.Hosts hosts and returns once every one accepts TCP
// connections. The error wraps ErrUnavailable when this machine cannot run
// test hosts (not root, no sshd, no unshare, no cgroup v2).
func Start(opts Options) (*Fleet, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	cgMount, err := checkDeps()
	if err != nil {
		return nil, err
	}
	reapStale(cgMount)

	ctx, cancel := context.WithCancel(context.Background())
	f := &Fleet{opts: opts, byName: map[string]*host{}, ctx: ctx, cancel: cancel, release: func() {}}
	if err := f.setup(cgMount); err != nil {
		return nil, errors.Join(err, f.Close())
	}
	f.wg.Add(1)
	go f.watch()
	return f, nil
}

func (f *Fleet) setup(cgMount string) error {
	opts := f.opts
	if opts.Dir == "" {
		d, err := os.MkdirTemp("", "drover-sshdtest-")
		if err != nil {
			return fmt.Errorf("sshdtest: %w", err)
		}
		f.dir, f.ownDir = d, true
	} else {
		d, err := filepath.Abs(opts.Dir)
		if err != nil {
			return fmt.Errorf("sshdtest: %w", err)
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("sshdtest: %w", err)
		}
		f.dir = d
	}
	addrs, release, err := allocateAddrs(opts)
	if err != nil {
		return err
	}
	f.release = release

	f.cg = filepath.Join(cgMount, fmt.Sprintf("%s%d-%d", cgroupPrefix, os.Getpid(), fleetSeq.Add(1)))
	if err := os.Mkdir(f.cg, 0o755); err != nil {
		f.cg = ""
		return fmt.Errorf("sshdtest: create cgroup: %w", err)
	}
	// sshd's privilege separation directory, and the mount point of every
	// host's private directory: the only changes to the real file system
	// outside Dir (both empty directories).
	for _, d := range []string{"/run/sshd", PrivatePath} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("sshdtest: %w", err)
		}
	}
	if err := f.writeScripts(); err != nil {
		return err
	}
	if err := f.setupUsers(); err != nil {
		return err
	}
	if err := f.setupPackages(); err != nil {
		return err
	}
	clientKey, err := writeKeyPair(f.KeyPath(), "drover-sshdtest-client")
	if err != nil {
		return fmt.Errorf("sshdtest: client key: %w", err)
	}
	authKeys := filepath.Join(f.dir, "authorized_keys")
	if err := os.WriteFile(authKeys, []byte(marshalKey(clientKey)), 0o644); err != nil {
		return fmt.Errorf("sshdtest: %w", err)
	}

	var knownHosts []byte
	for i, a := range addrs {
		h, err := f.newHost(i, a, authKeys)
		if err != nil {
			return err
		}
		hostKey, err := readPublicKey(h.hostKey + ".pub")
		if err != nil {
			return err
		}
		knownHosts = append(knownHosts, knownHostsLine(a.String(), opts.Port, hostKey)...)
	}
	if err := os.WriteFile(f.KnownHostsPath(), knownHosts, 0o644); err != nil {
		return fmt.Errorf("sshdtest: %w", err)
	}
	inv, err := inventoryYAML(f)
	if err != nil {
		return fmt.Errorf("sshdtest: inventory: %w", err)
	}
	if err := os.WriteFile(f.InventoryPath(), inv, 0o644); err != nil {
		return fmt.Errorf("sshdtest: %w", err)
	}

	errs := make([]error, len(f.hosts))
	var wg sync.WaitGroup
	for i, h := range f.hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.op.Lock()
			defer h.op.Unlock()
			errs[i] = h.boot(f.ctx)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (f *Fleet) newHost(i int, a netip.Addr, authKeys string) (*host, error) {
	name := hostName(i, f.opts.Hosts)
	h := &host{
		f:     f,
		name:  name,
		rack:  "r" + strconv.Itoa(rackOf(i, f.opts.Hosts, f.opts.Racks)),
		addr:  a,
		port:  f.opts.Port,
		state: filepath.Join(f.dir, name),
		cg:    filepath.Join(f.cg, name),
	}
	h.priv = filepath.Join(h.state, "private")
	h.hostKey = h.path("ssh_host_ed25519_key")
	// A reused Dir starts afresh (no reboots.log of a previous fleet).
	if err := os.RemoveAll(h.state); err != nil {
		return nil, fmt.Errorf("sshdtest: host %s: %w", name, err)
	}
	if err := os.MkdirAll(h.controlPath(""), 0o755); err != nil {
		return nil, fmt.Errorf("sshdtest: host %s: %w", name, err)
	}
	if _, err := writeKeyPair(h.hostKey, "root@"+name); err != nil {
		return nil, fmt.Errorf("sshdtest: host %s: host key: %w", name, err)
	}
	if err := os.WriteFile(h.path("sshd_config"), []byte(sshdConfig(h, authKeys)), 0o644); err != nil {
		return nil, fmt.Errorf("sshdtest: host %s: %w", name, err)
	}
	userBinds, err := f.writeUserFiles(h)
	if err != nil {
		return nil, fmt.Errorf("sshdtest: host %s: sudo user: %w", name, err)
	}
	pkgBinds, err := f.writePackageFiles(h)
	if err != nil {
		return nil, fmt.Errorf("sshdtest: host %s: private packages: %w", name, err)
	}
	if err := writeBinds(h, append(userBinds, pkgBinds...)); err != nil {
		return nil, fmt.Errorf("sshdtest: host %s: %w", name, err)
	}
	if err := os.Mkdir(h.cg, 0o755); err != nil {
		return nil, fmt.Errorf("sshdtest: host %s: create cgroup: %w", name, err)
	}
	f.hosts = append(f.hosts, h)
	f.byName[name] = h
	return h, nil
}

// writeScripts writes the namespace wrapper and the fakes into Dir, and
// finds the real binaries the fakes will hide.
func (f *Fleet) writeScripts() error {
	f.wrapper = filepath.Join(f.dir, "wrapper.sh")
	f.fakebin = filepath.Join(f.dir, "fakebin")
	f.fake = filepath.Join(f.fakebin, "drover-fake")
	if err := os.RemoveAll(f.fakebin); err != nil {
		return fmt.Errorf("sshdtest: %w", err)
	}
	if err := os.MkdirAll(f.fakebin, 0o755); err != nil {
		return fmt.Errorf("sshdtest: %w", err)
	}
	if err := os.WriteFile(f.wrapper, wrapperScript, 0o755); err != nil {
		return fmt.Errorf("sshdtest: %w", err)
	}
	if err := os.WriteFile(f.fake, fakeScript, 0o755); err != nil {
		return fmt.Errorf("sshdtest: %w", err)
	}
	for _, n := range fakeNames {
		if err := os.Symlink("drover-fake", filepath.Join(f.fakebin, n)); err != nil {
			return fmt.Errorf("sshdtest: %w", err)
		}
	}
	seen := map[string]bool{}
	for _, c := range fakeCandidates {
		real, err := filepath.EvalSymlinks(c)
		if err != nil || seen[real] {
			continue
		}
		st, err := os.Stat(real)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		// Only hide binaries that are what they claim: never a multicall
		// binary such as busybox, which the host's shell may be.
		switch filepath.Base(real) {
		case "systemctl", "reboot", "shutdown", "poweroff", "halt", "telinit":
		default:
			continue
		}
		seen[real] = true
		f.fakeTargets = append(f.fakeTargets, real)
	}
	return nil
}

// watch polls the hosts' reboot requests until Close.
func (f *Fleet) watch() {
	defer f.wg.Done()
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-f.ctx.Done():
			return
		case <-t.C:
		}
		for _, h := range f.hosts {
			h.checkRequest()
		}
	}
}

// Close kills every host (sshd and all its sessions), removes the cgroups
// and, when Start created it, Dir. It is safe to call more than once. Its
// error includes failures of reboots that the hosts asked for.
func (f *Fleet) Close() error {
	f.closeOnce.Do(func() {
		f.cancel()
		f.wg.Wait()
		var errs []error
		for _, h := range f.hosts {
			h.op.Lock()
			if err := h.stop(); err != nil {
				errs = append(errs, err)
			}
			h.mu.Lock()
			errs = append(errs, h.lastErr)
			h.mu.Unlock()
			h.op.Unlock()
		}
		if f.cg != "" {
			if err := removeCgroup(f.cg); err != nil {
				errs = append(errs, err)
			}
		}
		f.release()
		if f.ownDir {
			if err := os.RemoveAll(f.dir); err != nil {
				errs = append(errs, err)
			}
		}
		f.closeErr = errors.Join(errs...)
	})
	return f.closeErr
}
