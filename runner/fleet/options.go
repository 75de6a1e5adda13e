package fleet

import (
	"fmt"
	"strings"
	"time"
)

// Options configure a fleet.
type Options struct {
	// Dir holds the fleet's files: id_ed25519, known_hosts, inventory.yml
	// and hosts/<name>/. Required. hosts/ is recreated by New.
	Dir string
	// Hosts is the number of hosts (at least 1).
	Hosts int
	// Racks is the number of racks (default 1, at most Hosts).
	Racks int
	// RebootDelay is how long a rebooting host stays down (default 1s).
	RebootDelay time.Duration
	// Faults are the faults hosts start with, by host name.
	Faults map[string]Fault
	// NoSSH opens no listener: hosts are reachable through Dialer only.
	NoSSH bool
	// NoMountNS keeps commands out of private mount namespaces even where
	// the fleet could use them (see the package doc).
	NoMountNS bool
	// InterpShell: hosts interpret their commands in process with
	// mvdan.cc/sh/v3/interp instead of forking /bin/sh, and run the
	// common coreutils in Go (see interp.go); implies no mount namespace.
	// A host then costs the machine goroutines instead of processes.
	InterpShell bool
	// Groups are extra inventory groups that hold every host (for example
	// "affected", the group a playbook targets).
	Groups []string
	// User is the ansible_user written to the inventory (default: the
	// current user's name).
	User string
}

// Fault is what can go wrong with a host. The zero Fault is a healthy host.
type Fault struct {
	// NeverReturn: after its next reboot the host stays down (until the
	// fault is cleared with SetFault).
	NeverReturn bool
	// SlowReturn is extra downtime added to every reboot.
	SlowReturn time.Duration
	// Down: the host is unreachable now: listener closed, connections
	// dropped (the commands running on them are killed), dials refused.
	Down bool
	// HealthFail: the host's `healthcheck` command fails.
	HealthFail bool
}

// String describes the fault in the NAME=KIND[:DURATION] flag syntax's
// KIND part, comma separated ("none" for the zero Fault).
func (f Fault) String() string {
	var parts []string
	if f.NeverReturn {
		parts = append(parts, "never")
	}
	if f.SlowReturn > 0 {
		parts = append(parts, "slow:"+f.SlowReturn.String())
	}
	if f.Down {
		parts = append(parts, "down")
	}
	if f.HealthFail {
		parts = append(parts, "healthfail")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ",")
}

// ParseFault parses NAME=KIND[:DURATION], KIND one of never, slow (needs a
// duration), down, healthfail. It returns the host name and the fault.
func ParseFault(spec string) (string, Fault, error) {
	name, kind, ok := strings.Cut(spec, "=")
	if !ok || name == "" || kind == "" {
		return "", Fault{}, fmt.Errorf("fault %q: want NAME=KIND[:DURATION]", spec)
	}
	kind, durText, hasDur := strings.Cut(kind, ":")
	var f Fault
	switch kind {
	case "never", "neverreturn", "never-return":
		f.NeverReturn = true
	case "slow", "slowreturn", "slow-return":
		if !hasDur {
			return "", Fault{}, fmt.Errorf("fault %q: slow needs a duration (slow:30s)", spec)
		}
		d, err := time.ParseDuration(durText)
		if err != nil || d <= 0 {
			return "", Fault{}, fmt.Errorf("fault %q: bad duration %q", spec, durText)
		}
		f.SlowReturn = d
		return name, f, nil
	case "down":
		f.Down = true
	case "healthfail", "health-fail", "unhealthy":
		f.HealthFail = true
	default:
		return "", Fault{}, fmt.Errorf("fault %q: unknown kind %q (want never, slow:DURATION, down, healthfail)", spec, kind)
	}
	if hasDur {
		return "", Fault{}, fmt.Errorf("fault %q: %s takes no duration", spec, kind)
	}
	return name, f, nil
}

// Merge returns f with the fields set in g added (used to combine several
// --fault flags for one host).
func (f Fault) Merge(g Fault) Fault {
	f.NeverReturn = f.NeverReturn || g.NeverReturn
	f.Down = f.Down || g.Down
	f.HealthFail = f.HealthFail || g.HealthFail
	if g.SlowReturn > 0 {
		f.SlowReturn = g.SlowReturn
	}
	return f
}
