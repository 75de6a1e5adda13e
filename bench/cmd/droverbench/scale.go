package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/drover-sh/drover/runner/fleet"
)

// scaleRun is one drover-only run at fleet scale.
type scaleRun struct {
	Mode     string  `json:"mode"`        // "ssh" (drover binary, fleet SSH servers) or "inproc" (runner.RunPlay, fleet Dialer)
	Shell    string  `json:"hosts_shell"` // "interp" (fleet.Options.InterpShell) or "fork" (/bin/sh a command)
	Hosts    int     `json:"hosts"`
	Run      int     `json:"run"`
	Wall     float64 `json:"wall_s"`
	CPU      float64 `json:"cpu_s"`       // drover's CPU (ssh: its cgroup; inproc: the process, fleet included)
	FleetCPU float64 `json:"fleet_cpu_s"` // the hosts' work (commands the fleet ran, SSH servers)
	PeakMB   float64 `json:"peak_mb"`
	Source   string  `json:"peak_source"`
	OK       int     `json:"hosts_ok"`
}

// runScaleSSH runs the drover binary against an in-process fleet's SSH
// servers (one port a host on 127.0.0.1), hosted by this process.
func (b *bench) runScaleSSH(ctx context.Context, n, run int, playbook string) (scaleRun, error) {
	r := scaleRun{Mode: "ssh", Hosts: n, Run: run, Shell: b.scaleShell}
	dir := filepath.Join(b.work, fmt.Sprintf("scale-ssh-%d-%d", n, run))
	b.logf("scale over SSH at %d hosts (run %d): starting the in-process fleet", n, run)
	fl, err := fleet.New(fleet.Options{Dir: dir, Hosts: n, Racks: racks(n), NoMountNS: true, User: "root", InterpShell: b.scaleShell == "interp"})
	if err != nil {
		return r, err
	}
	defer fl.Close()
	inv := filepath.Join(dir, "bench-inventory.yml")
	if err := writeScaleInventory(fl, inv, true); err != nil {
		return r, err
	}
	t := target{Inventory: inv, KnownHosts: fl.KnownHostsPath(), Key: fl.KeyPath(), Hosts: n}
	if err := b.check(ctx, playbook, inv); err != nil {
		return r, err
	}
	log := filepath.Join(dir, "drover.log")
	c := droverCommand(b.drover, playbook, t, filepath.Join(dir, "state"), dir, log, 0) // forks: drover's default
	self0, kids0 := rusage(syscall.RUSAGE_SELF), rusage(syscall.RUSAGE_CHILDREN)
	m, err := b.cg.run(ctx, fmt.Sprintf("scale-ssh-%d-%d", n, run), c)
	if err != nil {
		return r, err
	}
	self1, kids1 := rusage(syscall.RUSAGE_SELF), rusage(syscall.RUSAGE_CHILDREN)
	peak, src := m.peak()
	r.Wall, r.CPU, r.PeakMB, r.Source = m.Wall.Seconds(), m.Usage.CPU, float64(peak)/(1<<20), src
	// The fleet lives in this process: its CPU (SSH servers, and the
	// commands it ran, which are this process's children) is the hosts'.
	r.FleetCPU = (self1 - self0) + (kids1 - kids0) - m.Usage.CPU
	if m.ExitCode != 0 {
		return r, fmt.Errorf("drover at %d hosts over SSH exited %d; last lines of %s:\n%s", n, m.ExitCode, log, tail(log, 15))
	}
	r.OK, err = countDone(fl)
	if err == nil && r.OK != n {
		err = fmt.Errorf("scale over SSH at %d hosts: only %d hosts have the playbook's files", n, r.OK)
	}
	return r, err
}

// runScaleInproc re-executes this program in a cgroup of its own to run the
// playbook through runner.RunPlay on an n-host NoSSH fleet.
func (b *bench) runScaleInproc(ctx context.Context, n, run int, playbook string) (scaleRun, error) {
	r := scaleRun{Mode: "inproc", Hosts: n, Run: run, Shell: b.scaleShell}
	dir := filepath.Join(b.work, fmt.Sprintf("scale-inproc-%d-%d", n, run))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return r, err
	}
	b.logf("scale in process at %d hosts (run %d)", n, run)
	self, err := os.Executable()
	if err != nil {
		return r, err
	}
	resFile := filepath.Join(dir, "result.json")
	log := filepath.Join(dir, "child.log")
	c := command{Argv: []string{self, "--inproc-child", fmt.Sprint(n), "--inproc-dir", filepath.Join(dir, "fleet"),
		"--inproc-result", resFile, "--inproc-playbook", playbook, "--scale-shell", b.scaleShell}, Dir: dir, Log: log}
	if b.cpuProfile != "" {
		c.Argv = append(c.Argv, "--cpuprofile", b.cpuProfile)
	}
	m, err := b.cg.run(ctx, fmt.Sprintf("scale-inproc-%d-%d", n, run), c)
	if err != nil {
		return r, err
	}
	if m.ExitCode != 0 {
		return r, fmt.Errorf("in-process scale at %d hosts exited %d; last lines of %s:\n%s", n, m.ExitCode, log, tail(log, 15))
	}
	var cr childResult
	data, err := os.ReadFile(resFile)
	if err == nil {
		err = json.Unmarshal(data, &cr)
	}
	if err != nil {
		return r, fmt.Errorf("in-process scale at %d hosts: %w", n, err)
	}
	peak, src := m.peak()
	r.Wall, r.CPU, r.FleetCPU, r.OK = cr.Wall, cr.SelfCPU, cr.ChildCPU, cr.OK
	r.PeakMB, r.Source = float64(peak)/(1<<20), src
	if r.OK != n {
		return r, fmt.Errorf("in-process scale at %d hosts: only %d hosts ok (%s)", n, r.OK, cr.Err)
	}
	return r, nil
}

// writeScaleInventory writes an Ansible YAML inventory of the fleet in
// which every host has bench_dir under its own root (the in-process fleet's
// commands run on this machine, so absolute paths are per host).
func writeScaleInventory(fl *fleet.Fleet, path string, ssh bool) error {
	hosts := map[string]any{}
	for _, name := range fl.Hosts() {
		h, _ := fl.Host(name)
		v := map[string]any{
			"ansible_host": "127.0.0.1", "ansible_user": fl.User(),
			"ansible_ssh_private_key_file": fl.KeyPath(), "rack": h.Rack, "bench_dir": filepath.Join(h.Root, "bench"),
		}
		if ssh {
			v["ansible_port"] = h.Port
		}
		hosts[name] = v
	}
	data, err := yaml.Marshal(map[string]any{"all": map[string]any{"hosts": hosts}})
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// countDone counts the hosts whose disk holds the playbook's last file.
func countDone(fl *fleet.Fleet) (int, error) {
	ok := 0
	var missing []string
	for _, name := range fl.Hosts() {
		h, _ := fl.Host(name)
		if b, err := os.ReadFile(filepath.Join(h.Root, "bench", "app.conf")); err == nil && strings.Contains(string(b), "max_conns=100") {
			ok++
		} else if len(missing) < 3 {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		return ok, fmt.Errorf("hosts without the playbook's files, e.g. %s", strings.Join(missing, ", "))
	}
	return ok, nil
}

// rusage is the CPU seconds (user+sys) of who.
func rusage(who int) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

// since is seconds since t.
func since(t time.Time) float64 { return time.Since(t).Seconds() }

// raiseNoFile raises this process's open file limit (soft and hard) as
// far as the kernel allows: a scale fleet over SSH holds a listener and a
// connection a host (10,000 hosts: over 20,000 descriptors), and the
// drover child, a Go program, raises its soft limit to the hard limit it
// inherits. Failure (not root) leaves the limits as they are.
func raiseNoFile() {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return
	}
	max := lim.Max
	if b, err := os.ReadFile("/proc/sys/fs/nr_open"); err == nil {
		if n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil && n > max {
			max = n
		}
	}
	want := syscall.Rlimit{Cur: max, Max: max}
	if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want) != nil {
		lim.Cur = lim.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
}

// startCPUProfile writes a CPU profile of this process to path until the
// returned function is called.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// racks spreads a scale fleet over 10 racks (fewer for tiny test fleets).
func racks(n int) int { return min(10, n) }
