package main

import (
	"fmt"
	"io"
	"runtime"
	"sort"
	"time"
)

// median of xs (0 for none).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// pick returns metric f of the runs of executor ex.
func pick(runs []abRun, ex string, f func(abRun) float64) []float64 {
	var out []float64
	for _, r := range runs {
		if r.Executor == ex {
			out = append(out, f(r))
		}
	}
	return out
}

// perFloor formats wall/floor ("-" without a floor).
func perFloor(wall, floor float64) string {
	if floor == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", wall/floor)
}

// ratio formats a/b as "0.012" (or "-" when b is 0).
func ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	r := a / b
	if r < 0.1 {
		return fmt.Sprintf("%.4f (1/%.0f)", r, 1/r)
	}
	return fmt.Sprintf("%.3f", r)
}

var metrics = []struct {
	name string
	f    func(abRun) float64
	fmt  string
}{
	{"wall s", func(r abRun) float64 { return r.Wall }, "%.2f"},
	{"controller CPU s", func(r abRun) float64 { return r.CPU }, "%.2f"},
	{"controller peak MB", func(r abRun) float64 { return r.PeakMB }, "%.1f"},
	{"hosts' sshd CPU s", func(r abRun) float64 { return r.HostCPU }, "%.2f"},
	{"SSH connections / host", func(r abRun) float64 { return r.ConnsHost }, "%.1f"},
}

// writeAB writes one workload size's table: medians of each executor and
// the drover/ansible ratio, plus the runs themselves.
func writeAB(w io.Writer, cfg abConfig, runs []abRun) {
	fmt.Fprintf(w, "\n### %s, %d hosts (medians of %d runs each, A B A B)\n\n", cfg.Workload, cfg.Hosts, len(pick(runs, "drover", func(abRun) float64 { return 0 })))
	fmt.Fprintln(w, "| metric | ansible-playbook (tuned) | drover | drover / ansible |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, m := range metrics {
		a, d := median(pick(runs, "ansible", m.f)), median(pick(runs, "drover", m.f))
		fmt.Fprintf(w, "| %s | "+m.fmt+" | "+m.fmt+" | %s |\n", m.name, a, d, ratio(d, a))
	}
	if cfg.Workload == "rolling-reboot" {
		batches, floor := rollingFloor(cfg.Hosts, cfg.RebootDelay)
		a, d := median(pick(runs, "ansible", metrics[0].f)), median(pick(runs, "drover", metrics[0].f))
		fmt.Fprintf(w, "| physical floor: %d batches × (%.1f s + 0.2 s) | %.2f | %.2f | |\n", batches, cfg.RebootDelay.Seconds(), floor, floor)
		fmt.Fprintf(w, "| wall / floor | %.2f | %.2f | |\n", a/floor, d/floor)
		// The floor as the hosts measured it: each batch's longest
		// down-to-up window (the delay plus the host's own return on this
		// machine) plus the same 0.2 s a batch.
		measured := func(ex string) float64 {
			return median(pick(runs, ex, func(r abRun) float64 { return r.Windows + 0.2*float64(r.Batches) }))
		}
		ma, md := measured("ansible"), measured("drover")
		fmt.Fprintf(w, "| hosts' own floor: Σ batches' longest down→up window + 0.2 s a batch | %.2f | %.2f | |\n", ma, md)
		fmt.Fprintf(w, "| wall / hosts' own floor | %s | %s | |\n", perFloor(a, ma), perFloor(d, md))
		conn := median(pick(runs, "drover", func(r abRun) float64 { return r.ConnCPU }))
		if cf := connectionFloor(cfg.Hosts, cfg.RebootDelay, conn, runtime.NumCPU()); cf > 0 {
			fmt.Fprintf(w, "| connection floor: Σ batches (%.1f s + max(0.2 s, batch hosts × %.3f s of host CPU a handshake ÷ %d cores)) | %.2f | %.2f | |\n",
				cfg.RebootDelay.Seconds(), conn, runtime.NumCPU(), cf, cf)
			fmt.Fprintf(w, "| wall / connection floor | %s | %s | |\n", perFloor(a, cf), perFloor(d, cf))
		}
	}
	if len(runs) > 0 {
		fmt.Fprintf(w, "\nPeak memory source: %s.\n", runs[0].PeakSource)
	}
	fmt.Fprint(w, "\n<details><summary>every run</summary>\n\n")
	fmt.Fprintln(w, "| executor | run | wall s | CPU s (user+sys) | peak MB | largest process RSS MB | hosts' CPU s | conns/host | batches, Σ longest windows s |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
	for _, r := range runs {
		win := "-"
		if r.Batches > 0 {
			win = fmt.Sprintf("%d, %.2f", r.Batches, r.Windows)
		}
		fmt.Fprintf(w, "| %s | %d | %.2f | %.2f (%.2f+%.2f) | %.1f | %.1f | %.2f | %.1f | %s |\n",
			r.Executor, r.Run, r.Wall, r.CPU, r.User, r.Sys, r.PeakMB, r.MaxRSSMB, r.HostCPU, r.ConnsHost, win)
	}
	fmt.Fprintln(w, "\n</details>")
}

// writeScale writes the scale table with growth between consecutive sizes
// of the same mode.
func writeScale(w io.Writer, runs []scaleRun) {
	if len(runs) == 0 {
		return
	}
	fmt.Fprintln(w, "\n### scale: drover only, the throughput playbook (medians)")
	fmt.Fprintln(w, "\n`ssh`: the drover binary over the in-process fleet's SSH servers (one port a host on 127.0.0.1; the fleet runs in the benchmark process, its CPU is the fleet column). `inproc`: runner.RunPlay with the fleet's in-process Dialer, in a process of its own (its CPU and memory include the in-process fleet; the fleet column is the hosts' forked commands). Hosts' shell `interp`: each host interprets its commands in process (mvdan.cc/sh, common coreutils in Go; fleet.Options.InterpShell); `fork`: /bin/sh and the real programs, forked for every command.")
	fmt.Fprintln(w, "\n| mode | hosts' shell | hosts | runs | wall s | drover CPU s | fleet CPU s | peak MB | wall growth | peak growth | hosts ok |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|")
	type key struct {
		mode  string
		shell string
		hosts int
	}
	var keys []key
	group := map[key][]scaleRun{}
	for _, r := range runs {
		k := key{r.Mode, r.Shell, r.Hosts}
		if _, ok := group[k]; !ok {
			keys = append(keys, k)
		}
		group[k] = append(group[k], r)
	}
	prev := map[string]struct {
		hosts      int
		wall, peak float64
	}{}
	for _, k := range keys {
		rs := group[k]
		med := func(f func(scaleRun) float64) float64 {
			var xs []float64
			for _, r := range rs {
				xs = append(xs, f(r))
			}
			return median(xs)
		}
		wall, peak := med(func(r scaleRun) float64 { return r.Wall }), med(func(r scaleRun) float64 { return r.PeakMB })
		growW, growP := "", ""
		if p, ok := prev[k.mode+"/"+k.shell]; ok && p.wall > 0 && p.peak > 0 {
			hostsX := float64(k.hosts) / float64(p.hosts)
			growW = fmt.Sprintf("×%.2f for ×%.0f hosts", wall/p.wall, hostsX)
			growP = fmt.Sprintf("×%.2f", peak/p.peak)
		}
		prev[k.mode+"/"+k.shell] = struct {
			hosts      int
			wall, peak float64
		}{k.hosts, wall, peak}
		fmt.Fprintf(w, "| %s | %s | %d | %d | %.2f | %.2f | %.2f | %.1f | %s | %s | %d |\n", k.mode, k.shell, k.hosts, len(rs), wall,
			med(func(r scaleRun) float64 { return r.CPU }), med(func(r scaleRun) float64 { return r.FleetCPU }),
			peak, growW, growP, int(med(func(r scaleRun) float64 { return float64(r.OK) })))
	}
	fmt.Fprintf(w, "\nPeak memory source: %s.\n", runs[0].Source)
}

// seconds formats a duration flag for the report.
func seconds(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }
