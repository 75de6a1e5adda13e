package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"
)

// bench holds one benchmark invocation's settings.
type bench struct {
	drover, ansible string
	work            string
	cg              mounts
	log             io.Writer
	baselines       []baseline
	scaleShell      string   // "interp" or "fork": how the scale fleets' hosts run commands
	executors       []string // of the A/B workloads, in run order: "ansible", "drover"
	cpuProfile      string   // --cpuprofile prefix, "" for none
}

func (b *bench) logf(format string, a ...any) {
	fmt.Fprintf(b.log, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, a...)...)
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "droverbench:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := pflag.NewFlagSet("droverbench", pflag.ContinueOnError)
	workloads := fs.String("workloads", "throughput,rolling-reboot,scale", "comma-separated: throughput, rolling-reboot, scale")
	tpHosts := fs.String("throughput-hosts", "10,50,100", "host counts of the throughput workload")
	rrHosts := fs.String("reboot-hosts", "20,100", "host counts of the rolling-reboot workload")
	scaleSSH := fs.String("scale-ssh-hosts", "1000", "host counts of the scale workload over the fleet's SSH servers (drover binary)")
	scaleIn := fs.String("scale-hosts", "1000,10000", "host counts of the scale workload in process (runner.RunPlay)")
	executors := fs.String("executors", "ansible,drover", "executors of the throughput and rolling-reboot workloads, alternated in this order (drover alone: --executors drover)")
	runs := fs.Int("runs", 3, "runs of each executor (A B A B ...)")
	scaleRuns := fs.Int("scale-runs", 1, "runs of each scale size")
	scaleShell := fs.String("scale-shell", "interp", "how the scale fleets' hosts run commands: interp (in-process shell interpreter, Go coreutils) or fork (/bin/sh and real programs a command)")
	delay := fs.Duration("reboot-delay", 2*time.Second, "simulated reboot delay of the rolling-reboot workload")
	drover := fs.String("drover", "bin/drover", "drover binary")
	ansible := fs.String("ansible", "ansible-playbook", "ansible-playbook binary")
	workloadDir := fs.String("workload-dir", "bench/workloads", "directory of the playbooks")
	work := fs.String("work", "", "working directory (default: a new temporary directory, removed at the end)")
	keep := fs.Bool("keep", false, "keep the working directory (logs, fleets)")
	jsonOut := fs.String("json", "", "also write every measurement as JSON to this file")
	child := fs.Int("inproc-child", 0, "internal: run the in-process scale child with this many hosts")
	childDir := fs.String("inproc-dir", "", "internal")
	childRes := fs.String("inproc-result", "", "internal")
	childPB := fs.String("inproc-playbook", "", "internal")
	cpuProfile := fs.String("cpuprofile", "", "write CPU profiles PREFIX.bench.pprof (this process: the SSH scale fleet) and PREFIX.inproc-N.pprof (the in-process scale children)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *scaleShell != "interp" && *scaleShell != "fork" {
		return fmt.Errorf("--scale-shell %q: want interp or fork", *scaleShell)
	}
	raiseNoFile()
	if *cpuProfile != "" {
		name := *cpuProfile + ".bench.pprof"
		if *child > 0 {
			name = fmt.Sprintf("%s.inproc-%d.pprof", *cpuProfile, *child)
		}
		stopProfile, err := startCPUProfile(name)
		if err != nil {
			return err
		}
		defer stopProfile()
	}
	if *child > 0 {
		return inprocChild(*child, *childDir, *childPB, *childRes, *scaleShell)
	}
	cg, err := findMounts()
	if err != nil {
		return err
	}
	b := &bench{cg: cg, log: os.Stderr, scaleShell: *scaleShell, cpuProfile: *cpuProfile}
	for _, ex := range strings.Split(*executors, ",") {
		if ex = strings.TrimSpace(ex); ex != "ansible" && ex != "drover" {
			return fmt.Errorf("--executors: unknown executor %q (want ansible, drover)", ex)
		}
		b.executors = append(b.executors, ex)
	}
	defer cg.removeBase()
	if b.drover, err = filepath.Abs(*drover); err != nil {
		return err
	}
	if _, err := os.Stat(b.drover); err != nil {
		return fmt.Errorf("drover binary: %w (build it with go build -o bin/drover ./cmd/drover)", err)
	}
	b.ansible = *ansible
	wd, err := filepath.Abs(*workloadDir)
	if err != nil {
		return err
	}
	if *work == "" {
		if *work, err = os.MkdirTemp("", "droverbench-"); err != nil {
			return err
		}
		if !*keep {
			defer os.RemoveAll(*work)
		}
	}
	b.work = *work
	if err := os.MkdirAll(b.work, 0o755); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	want := map[string]bool{}
	for _, w := range strings.Split(*workloads, ",") {
		want[strings.TrimSpace(w)] = true
	}
	var report bytes.Buffer
	all := struct {
		AB    []abRun    `json:"ab"`
		Scale []scaleRun `json:"scale"`
	}{}
	fmt.Fprintf(&report, "Settings: %d runs of each executor, alternating; rolling-reboot simulated reboot %s; ansible-playbook %s.\n",
		*runs, seconds(*delay), b.ansible)
	var errs []error
	for _, wl := range []struct {
		name, sizes string
	}{{"throughput", *tpHosts}, {"rolling-reboot", *rrHosts}} {
		if !want[wl.name] {
			continue
		}
		sizes, err := parseSizes(wl.sizes)
		if err != nil {
			return err
		}
		for _, n := range sizes {
			cfg := abConfig{Workload: wl.name, Playbook: filepath.Join(wd, wl.name+".yml"), Hosts: n, Runs: *runs, RebootDelay: *delay}
			rs, err := b.runAB(ctx, cfg)
			all.AB = append(all.AB, rs...)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s at %d hosts: %w", wl.name, n, err))
				fmt.Fprintf(&report, "\n### %s, %d hosts\n\nFAILED: %v\n", wl.name, n, err)
				b.logf("FAILED: %v", err)
				if ctx.Err() != nil {
					break
				}
				continue
			}
			writeAB(&report, cfg, rs)
		}
	}
	if len(b.baselines) > 0 {
		var w, c []float64
		for _, bs := range b.baselines {
			w, c = append(w, bs.Wall), append(c, bs.HostCPU)
		}
		fmt.Fprintf(&report, "\nBaseline on this machine: one bare SSH session (`ssh host true`, no multiplexing) takes %.3f s wall and %.3f s of the host's CPU (median over the fleets above). With 10 tasks a host, a session per task costs the hosts at least 10 × that.\n",
			median(w), median(c))
	}
	if want["scale"] && ctx.Err() == nil {
		pb := filepath.Join(wd, "throughput.yml")
		for _, mode := range []struct {
			name, sizes string
			f           func(context.Context, int, int, string) (scaleRun, error)
		}{{"ssh", *scaleSSH, b.runScaleSSH}, {"inproc", *scaleIn, b.runScaleInproc}} {
			sizes, err := parseSizes(mode.sizes)
			if err != nil {
				return err
			}
			for _, n := range sizes {
				for i := 1; i <= *scaleRuns && ctx.Err() == nil; i++ {
					r, err := mode.f(ctx, n, i, pb)
					if err != nil {
						errs = append(errs, fmt.Errorf("scale %s at %d hosts: %w", mode.name, n, err))
						fmt.Fprintf(&report, "\nscale %s at %d hosts FAILED: %v\n", mode.name, n, err)
						b.logf("FAILED: %v", err)
						continue
					}
					b.logf("  scale %s %d hosts: wall %.2fs, drover CPU %.2fs, fleet CPU %.2fs, peak %.0f MB",
						mode.name, n, r.Wall, r.CPU, r.FleetCPU, r.PeakMB)
					all.Scale = append(all.Scale, r)
				}
			}
		}
		writeScale(&report, all.Scale)
	}
	if _, err := os.Stdout.Write(report.Bytes()); err != nil {
		return err
	}
	if *jsonOut != "" {
		data, err := json.MarshalIndent(all, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*jsonOut, data, 0o644); err != nil {
			return err
		}
	}
	return errors.Join(errs...)
}

// parseSizes parses "10,50,100" ("" or "0" for none).
func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" || f == "0" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad host count %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}
