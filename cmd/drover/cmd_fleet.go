package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/drover-sh/drover/runner/fleet"
)

// fleetOptions are `drover fleet`'s flags.
type fleetOptions struct {
	Dir         string
	Hosts       int
	Racks       int
	RebootDelay time.Duration
	Faults      []string // NAME=KIND[:DURATION]
	Groups      []string
}

func (o *fleetOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Dir, "dir", ".drover/fleet", "directory of the fleet's inventory, keys and host state")
	fs.IntVar(&o.Hosts, "hosts", 8, "number of hosts (host01..hostNN)")
	fs.IntVar(&o.Racks, "racks", 2, "number of racks (inventory var rack, groups rack_r1..)")
	fs.DurationVar(&o.RebootDelay, "reboot-delay", time.Second, "how long a rebooting host stays down")
	fs.StringArrayVar(&o.Faults, "fault", nil, "inject a fault: NAME=never|slow:DURATION|down|healthfail (repeatable)")
	fs.StringArrayVar(&o.Groups, "group", nil, "extra inventory group holding every host (repeatable)")
}

// fleetPIDFile is the name of the pid file in the fleet directory.
const fleetPIDFile = "fleet.pid"

// runFleet starts a local fleet of SSH hosts on 127.0.0.1, prints how to
// use it, and runs until ctx is cancelled (SIGINT/SIGTERM).
func runFleet(ctx context.Context, o fleetOptions, stdout io.Writer) error {
	if o.Hosts < 1 {
		return usagef("drover fleet: --hosts must be at least 1")
	}
	if o.Racks < 1 || o.Racks > o.Hosts {
		return usagef("drover fleet: --racks must be between 1 and --hosts (%d)", o.Hosts)
	}
	if o.RebootDelay <= 0 {
		return usagef("drover fleet: --reboot-delay must be positive")
	}
	names := fleet.HostNames(o.Hosts)
	known := map[string]bool{}
	for _, n := range names {
		known[n] = true
	}
	faults := map[string]fleet.Fault{}
	for _, spec := range o.Faults {
		name, ft, err := fleet.ParseFault(spec)
		if err != nil {
			return usagef("drover fleet: --fault: %v", err)
		}
		if !known[name] {
			return usagef("drover fleet: --fault %s: no host %q (hosts are %s..%s)", spec, name, names[0], names[len(names)-1])
		}
		faults[name] = faults[name].Merge(ft)
	}
	f, err := fleet.New(fleet.Options{
		Dir:         o.Dir,
		Hosts:       o.Hosts,
		Racks:       o.Racks,
		RebootDelay: o.RebootDelay,
		Faults:      faults,
		Groups:      o.Groups,
	})
	if err != nil {
		return fmt.Errorf("drover fleet: %w", err)
	}
	defer f.Close()

	pidPath := filepath.Join(f.Dir(), fleetPIDFile)
	pid := strconv.Itoa(os.Getpid())
	if err := os.WriteFile(pidPath, []byte(pid+"\n"), 0o644); err != nil {
		return fmt.Errorf("drover fleet: pid file: %w", err)
	}
	defer func() {
		// Only our own pid file: another fleet may have taken the directory.
		if b, err := os.ReadFile(pidPath); err == nil && strings.TrimSpace(string(b)) == pid {
			_ = os.Remove(pidPath)
		}
	}()

	printFleet(stdout, f, o, faults, pidPath)

	<-ctx.Done()
	fmt.Fprintln(stdout, "drover fleet: stopping")
	// An interrupt is how a fleet ends: not an error.
	if err := f.Close(); err != nil {
		return fmt.Errorf("drover fleet: %w", err)
	}
	return nil
}

// printFleet tells where the fleet's files are and how to use them.
func printFleet(w io.Writer, f *fleet.Fleet, o fleetOptions, faults map[string]fleet.Fault, pidPath string) {
	rel := func(p string) string {
		if wd, err := os.Getwd(); err == nil {
			if r, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(r, "..") {
				return r
			}
		}
		return p
	}
	fmt.Fprintf(w, "drover fleet: %d SSH hosts on 127.0.0.1 in %d racks, reboot delay %s\n", o.Hosts, o.Racks, o.RebootDelay)
	fmt.Fprintf(w, "  inventory:   %s\n", rel(f.InventoryPath()))
	fmt.Fprintf(w, "  known_hosts: %s\n", rel(f.KnownHostsPath()))
	fmt.Fprintf(w, "  key:         %s (user %s)\n", rel(f.KeyPath()), f.User())
	fmt.Fprintf(w, "  host state:  %s\n", rel(filepath.Join(f.Dir(), "hosts")))
	for _, name := range f.Hosts() {
		h, _ := f.Host(name)
		line := fmt.Sprintf("    %s  %s  rack %s", name, f.Addr(name), h.Rack)
		if ft, ok := faults[name]; ok {
			line += "  fault " + ft.String()
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w, "try:")
	fmt.Fprintf(w, "  drover run examples/xen-reboot/playbook.yml -i %s --known-hosts %s -e app_dir=.\n",
		rel(f.InventoryPath()), rel(f.KnownHostsPath()))
	fmt.Fprintf(w, "  ssh -i %s -o UserKnownHostsFile=%s -p %d %s@127.0.0.1 cat /proc/sys/kernel/random/boot_id\n",
		rel(f.KeyPath()), rel(f.KnownHostsPath()), portOf(f.Addr(f.Hosts()[0])), f.User())
	fmt.Fprintf(w, "running (pid %d, %s); stop with Ctrl-C or kill %d\n", os.Getpid(), rel(pidPath), os.Getpid())
}

func portOf(addr string) int {
	i := strings.LastIndexByte(addr, ':')
	p, _ := strconv.Atoi(addr[i+1:])
	return p
}
