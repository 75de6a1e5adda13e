package sshdtest

import (
	"fmt"
	"net/netip"
	"time"
)

// Defaults of Options.
const (
	DefaultFirstAddr = "127.0.0.2"
	DefaultPort      = 2222
	// MaxAutoHosts is the most hosts a fleet may have when FirstAddr is not
	// set (one /24 block of loopback addresses per fleet).
	MaxAutoHosts = 250
)

// SudoUser is the name of the user Options.SudoPassword creates in every
// host; its home inside the host is SudoUserHome.
const (
	SudoUser     = "drover"
	SudoUserHome = PrivatePath + "/.users/" + SudoUser
)

// PrivatePath is where each host sees its private directory (HostDir).
const PrivatePath = "/var/lib/drover-host"

// Options configures a fleet.
type Options struct {
	// Dir holds the fleet's files (keys, known_hosts, inventory.yml, one
	// directory per host). "" means a new temporary directory, removed by
	// Close; a given Dir is left in place.
	Dir string
	// Hosts is the number of hosts (at least 1).
	Hosts int
	// Racks spreads the hosts over racks r1..rK in contiguous blocks (0 means
	// 1 rack).
	Racks int
	// RebootDelay is how long a simulated reboot keeps a host down.
	RebootDelay time.Duration
	// FirstAddr is host h01's loopback address; host i gets FirstAddr+i.
	// "" picks a free block automatically: 127.0.0.2 if it is free, else
	// 127.0.1.2, 127.0.2.2, ... (a lock file per block keeps concurrent
	// test processes apart).
	FirstAddr string
	// Port is every host's SSH port (0 means DefaultPort).
	Port int
	// SudoPassword, when set, gives every host a user SudoUser that exists
	// only inside the host (see users.go): login with the fleet's key, this
	// password, and sudo rights that ask for it (SudoUser ALL=(ALL) ALL).
	// Start fails with ErrUnavailable when sudo or a password hasher
	// (openssl, or perl) is missing.
	SudoPassword string
	// PrivatePackages gives every host its own package-manager state (see
	// packages.go): a copy of the real dpkg database, empty apt lists and
	// cache, a private /etc/apt whose sources are empty until
	// Fleet.SetAptSources, a copy of the debconf database and a private
	// /var/log, so that apt-get and dpkg run on a host with the real
	// binaries change only that host. Fleet.DpkgDir shows the database
	// from outside. Start copies /var/lib/dpkg for every host (on Debian
	// 12 about 32 MB in 3,000 files: a fraction of a second, seconds on a
	// slow disk), and fails with ErrUnavailable without dpkg and apt-get.
	PrivatePackages bool
}

// Fault is what a host does wrong, set with Fleet.SetFault. The zero value
// is a healthy host.
type Fault struct {
	// NeverReturn: after going down for a reboot the host stays down (until
	// Fleet.Restart).
	NeverReturn bool
	// SlowReturn, when positive, replaces RebootDelay for this host.
	SlowReturn time.Duration
	// HealthFail makes the `healthcheck` command fail on the host.
	HealthFail bool
	// IgnoreReboot makes reboot/shutdown commands succeed without doing
	// anything (the boot id does not change).
	IgnoreReboot bool
}

// Reboot is one line of a host's reboots.log: a simulated reboot, or a
// Kill followed by a Restart.
type Reboot struct {
	Down, Up  time.Time
	OldBootID string
	NewBootID string
}

// HostInfo describes one host of the fleet.
type HostInfo struct {
	Name string // h01, h02, ...
	Addr string // loopback address, e.g. 127.0.0.2
	Port int
	Rack string // r1, r2, ...
}

func (o Options) withDefaults() (Options, error) {
	if o.Hosts < 1 {
		return o, fmt.Errorf("sshdtest: Hosts must be at least 1, got %d", o.Hosts)
	}
	if o.Racks <= 0 {
		o.Racks = 1
	}
	if o.Racks > o.Hosts {
		return o, fmt.Errorf("sshdtest: %d racks for %d hosts", o.Racks, o.Hosts)
	}
	if o.Port == 0 {
		o.Port = DefaultPort
	}
	if o.Port < 1 || o.Port > 65535 {
		return o, fmt.Errorf("sshdtest: bad port %d", o.Port)
	}
	if o.RebootDelay < 0 {
		return o, fmt.Errorf("sshdtest: negative RebootDelay %v", o.RebootDelay)
	}
	if o.FirstAddr == "" && o.Hosts > MaxAutoHosts {
		return o, fmt.Errorf("sshdtest: %d hosts need an explicit FirstAddr (at most %d otherwise)", o.Hosts, MaxAutoHosts)
	}
	if o.FirstAddr != "" {
		if _, err := hostAddrs(o.FirstAddr, o.Hosts); err != nil {
			return o, err
		}
	}
	return o, nil
}

// hostAddrs returns n consecutive addresses from first, all in 127.0.0.0/8.
func hostAddrs(first string, n int) ([]netip.Addr, error) {
	a, err := netip.ParseAddr(first)
	if err != nil {
		return nil, fmt.Errorf("sshdtest: FirstAddr: %w", err)
	}
	loop := netip.MustParsePrefix("127.0.0.0/8")
	addrs := make([]netip.Addr, 0, n)
	for i := 0; i < n; i++ {
		if !a.Is4() || !loop.Contains(a) || a == netip.MustParseAddr("127.0.0.1") || a == netip.MustParseAddr("127.255.255.255") {
			return nil, fmt.Errorf("sshdtest: address %s for host %d is outside 127.0.0.2-127.255.255.254", a, i+1)
		}
		addrs = append(addrs, a)
		a = a.Next()
	}
	return addrs, nil
}

// hostName is the name of host i (0-based) of n: h01.. (more digits past 99).
func hostName(i, n int) string {
	w := len(fmt.Sprint(n))
	if w < 2 {
		w = 2
	}
	return fmt.Sprintf("h%0*d", w, i+1)
}

// rackOf is the rack (1-based) of host i (0-based) of n in k racks.
func rackOf(i, n, k int) int { return i*k/n + 1 }
