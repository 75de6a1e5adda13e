package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/drover-sh/drover/internal/sshdtest"
)

// abRun is one run of one executor on the sshd fleet.
type abRun struct {
	Workload   string  `json:"workload"`
	Hosts      int     `json:"hosts"`
	Executor   string  `json:"executor"` // ansible or drover
	Run        int     `json:"run"`
	Wall       float64 `json:"wall_s"`
	CPU        float64 `json:"cpu_s"`
	User       float64 `json:"user_s"`
	Sys        float64 `json:"sys_s"`
	PeakMB     float64 `json:"peak_mb"`
	PeakSource string  `json:"peak_source"`
	MaxRSSMB   float64 `json:"max_process_rss_mb"`
	HostCPU    float64 `json:"hosts_cpu_s"`
	ConnsHost  float64 `json:"connections_per_host"`
	// Rolling reboot: the batches read back from the hosts' reboots.log and
	// the sum over batches of the batch's longest down-to-up window.
	Batches int     `json:"reboot_batches,omitempty"`
	Windows float64 `json:"reboot_windows_s,omitempty"`
	// ConnCPU is the host CPU of one bare SSH session on this run's fleet
	// (sessionBaseline), 0 when it could not be measured.
	ConnCPU  float64 `json:"connection_host_cpu_s,omitempty"`
	ExitCode int     `json:"exit_code"`
}

// abConfig is one A/B workload at one size.
type abConfig struct {
	Workload    string // throughput or rolling-reboot
	Playbook    string // absolute path
	Hosts       int
	Runs        int
	RebootDelay time.Duration
}

// runAB starts a fresh sshd fleet, then alternates ansible-playbook and
// drover cfg.Runs times each.
func (b *bench) runAB(ctx context.Context, cfg abConfig) ([]abRun, error) {
	dir := filepath.Join(b.work, fmt.Sprintf("%s-%d", cfg.Workload, cfg.Hosts))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	b.logf("%s at %d hosts: starting %d sshd hosts", cfg.Workload, cfg.Hosts, cfg.Hosts)
	fl, err := sshdtest.Start(sshdtest.Options{Dir: filepath.Join(dir, "fleet"), Hosts: cfg.Hosts, RebootDelay: cfg.RebootDelay})
	if err != nil {
		return nil, err
	}
	defer fl.Close()
	inv := filepath.Join(dir, "inventory.yml")
	if err := writeSSHDInventory(fl.InventoryPath(), inv); err != nil {
		return nil, err
	}
	t := target{Inventory: inv, KnownHosts: fl.KnownHostsPath(), Key: fl.KeyPath(), Hosts: cfg.Hosts}
	if err := b.check(ctx, cfg.Playbook, inv); err != nil {
		return nil, err
	}
	cfgPath, err := ansibleConfig(filepath.Join(dir, "ansible"), t)
	if err != nil {
		return nil, err
	}
	var connCPU float64
	if bs, err := sessionBaseline(ctx, fl, 5); err == nil {
		connCPU = bs.HostCPU
		b.logf("  one bare SSH session (ssh host true): %.3fs wall, %.3fs of host CPU", bs.Wall, bs.HostCPU)
		b.baselines = append(b.baselines, bs)
	} else {
		b.logf("  session baseline: %v", err)
	}
	var out []abRun
	for i := 0; i < cfg.Runs; i++ {
		for _, ex := range b.executors {
			r, err := b.abOnce(ctx, fl, cfg, t, dir, cfgPath, ex, i+1)
			if err != nil {
				return out, err
			}
			r.ConnCPU = connCPU
			b.logf("  %-7s run %d: wall %.2fs, controller CPU %.2fs, peak %.0f MB, hosts' sshd CPU %.2fs, %.1f connections/host",
				ex, i+1, r.Wall, r.CPU, r.PeakMB, r.HostCPU, r.ConnsHost)
			out = append(out, r)
		}
	}
	return out, nil
}

// abOnce resets the hosts' benchmark state and runs one executor once.
func (b *bench) abOnce(ctx context.Context, fl *sshdtest.Fleet, cfg abConfig, t target, dir, cfgPath, ex string, run int) (abRun, error) {
	r := abRun{Workload: cfg.Workload, Hosts: cfg.Hosts, Executor: ex, Run: run}
	names := fl.Names()
	clearStaleLocks(b.logf)
	for _, n := range names {
		if err := os.RemoveAll(filepath.Join(fl.HostDir(n), "bench")); err != nil {
			return r, fmt.Errorf("reset %s: %w", n, err)
		}
		if !fl.Up(n) {
			if err := fl.WaitUp(n, time.Minute); err != nil {
				return r, fmt.Errorf("host %s is down before the run: %w", n, err)
			}
		}
	}
	conns0 := 0
	for _, n := range names {
		conns0 += fl.Connections(n)
	}
	host0, err := fl.TotalCPUSeconds()
	if err != nil {
		return r, err
	}
	log := filepath.Join(dir, fmt.Sprintf("%s-%d.log", ex, run))
	var c command
	switch ex {
	case "ansible":
		c = ansibleCommand(b.ansible, cfgPath, cfg.Playbook, t, dir, log)
	default:
		state := filepath.Join(dir, fmt.Sprintf("state-%d", run))
		_ = os.RemoveAll(state)
		c = droverCommand(b.drover, cfg.Playbook, t, state, dir, log, cfg.Hosts)
	}
	started := time.Now()
	m, err := b.cg.run(ctx, fmt.Sprintf("%s-%d-%s-%d", cfg.Workload, cfg.Hosts, ex, run), c)
	if err != nil {
		return r, err
	}
	// Let the hosts' sessions notice the controller is gone before their
	// CPU is read.
	time.Sleep(300 * time.Millisecond)
	host1, err := fl.TotalCPUSeconds()
	if err != nil {
		return r, err
	}
	conns1 := 0
	for _, n := range names {
		conns1 += fl.Connections(n)
	}
	peak, src := m.peak()
	r.Wall, r.CPU, r.User, r.Sys = m.Wall.Seconds(), m.Usage.CPU, m.Usage.User, m.Usage.Sys
	r.PeakMB, r.PeakSource = float64(peak)/(1<<20), src
	r.MaxRSSMB = float64(m.MaxRSS) / (1 << 20)
	r.HostCPU = host1 - host0
	r.ConnsHost = float64(conns1-conns0) / float64(len(names))
	r.ExitCode = m.ExitCode
	if m.ExitCode != 0 {
		return r, fmt.Errorf("%s run %d of %s at %d hosts exited %d; last lines of %s:\n%s",
			ex, run, cfg.Workload, cfg.Hosts, m.ExitCode, log, tail(log, 15))
	}
	if err := verifyHosts(fl, cfg.Workload); err != nil {
		return r, fmt.Errorf("%s run %d of %s: %w", ex, run, cfg.Workload, err)
	}
	if cfg.Workload == "rolling-reboot" {
		if r.Batches, r.Windows, err = rebootWindows(fl, started); err != nil {
			return r, fmt.Errorf("%s run %d of %s: %w", ex, run, cfg.Workload, err)
		}
	}
	return r, nil
}

// verifyHosts checks on each host's disk that the playbook did its work.
func verifyHosts(fl *sshdtest.Fleet, workload string) error {
	want := "app.conf"
	if workload == "rolling-reboot" {
		want = "boot_before"
	}
	for _, n := range fl.Names() {
		if _, err := os.Stat(filepath.Join(fl.HostDir(n), "bench", want)); err != nil {
			return fmt.Errorf("host %s: %w", n, err)
		}
	}
	return nil
}

// rollingFloor is the physical floor of the rolling-reboot workload:
// batches × (reboot delay + 0.2 s), with Ansible's serial: 25% batches.
func rollingFloor(hosts int, delay time.Duration) (batches int, floor float64) {
	size := batchSize(hosts)
	batches = (hosts + size - 1) / size
	return batches, float64(batches) * (delay.Seconds() + 0.2)
}

// batchSize is the rolling-reboot workload's batch: serial: 25%, rounded
// down, at least 1.
func batchSize(hosts int) int {
	return max(int(math.Floor(float64(hosts)*0.25)), 1)
}

// connectionFloor is a floor that counts the one handshake every host
// needs after its reboot: when the hosts share this machine's cores, a
// batch cannot all be back before delay + size × connCPU / cores. A batch
// is counted as delay + the larger of that and the nominal 0.2 s lag.
// Zero when connCPU is unknown.
func connectionFloor(hosts int, delay time.Duration, connCPU float64, cores int) float64 {
	if connCPU <= 0 || cores <= 0 {
		return 0
	}
	var sum float64
	for left := hosts; left > 0; left -= batchSize(hosts) {
		n := min(left, batchSize(hosts))
		sum += delay.Seconds() + max(0.2, float64(n)*connCPU/float64(cores))
	}
	return sum
}

// benchDir is where the playbooks write on an sshd host: under its private
// directory.
const benchDir = sshdtest.PrivatePath + "/bench"

// writeSSHDInventory copies the fleet's inventory, adding bench_dir for
// every host.
func writeSSHDInventory(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	var inv map[string]any
	if err := yaml.Unmarshal(data, &inv); err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	all, ok := inv["all"].(map[string]any)
	if !ok {
		return fmt.Errorf("%s: no all group", src)
	}
	vars, _ := all["vars"].(map[string]any)
	if vars == nil {
		vars = map[string]any{}
	}
	vars["bench_dir"] = benchDir
	all["vars"] = vars
	out, err := yaml.Marshal(inv)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, out, 0o644)
}

// baseline is what one bare SSH session costs on this machine.
type baseline struct {
	Wall    float64 `json:"wall_s"`
	HostCPU float64 `json:"host_cpu_s"`
}

// sessionBaseline runs n sequential `ssh host true` (no multiplexing) to
// the first host and returns the mean wall time and host CPU of one.
func sessionBaseline(ctx context.Context, fl *sshdtest.Fleet, n int) (baseline, error) {
	var bs baseline
	h := fl.Names()[0]
	cpu0, err := fl.CPUSeconds(h)
	if err != nil {
		return bs, err
	}
	start := time.Now()
	for i := 0; i < n; i++ {
		args := append([]string{"-o", "ControlMaster=no", "-o", "ControlPath=none"}, fl.SSHArgs(h)...)
		if out, err := exec.CommandContext(ctx, "ssh", append(args, "true")...).CombinedOutput(); err != nil {
			return bs, fmt.Errorf("ssh %s true: %w: %s", h, err, out)
		}
	}
	bs.Wall = time.Since(start).Seconds() / float64(n)
	time.Sleep(200 * time.Millisecond)
	cpu1, err := fl.CPUSeconds(h)
	if err != nil {
		return bs, err
	}
	bs.HostCPU = (cpu1 - cpu0) / float64(n)
	return bs, nil
}
