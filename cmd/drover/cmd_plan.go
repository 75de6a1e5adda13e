package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/drover-sh/drover/playbooks"
	"github.com/drover-sh/drover/runner"
)

// planOptions are `drover plan`'s flags.
type planOptions struct {
	commonOptions
	Serial         string
	RebootEstimate time.Duration
	Deadline       string
	Graph          bool
	StateDir       string
}

func (o *planOptions) AddFlags(fs *pflag.FlagSet) {
	o.commonOptions.AddFlags(fs)
	fs.StringVar(&o.Serial, "serial", "", "override every play's serial")
	fs.DurationVar(&o.RebootEstimate, "reboot-estimate", 0, "how long one host's pass takes, for the ETA (default: the median of past runs in --state-dir, else 2m)")
	fs.StringVar(&o.StateDir, "state-dir", ".drover", "where past runs' journals are (for the default --reboot-estimate)")
	fs.StringVar(&o.Deadline, "deadline", "", "the maintenance deadline (RFC 3339, 15:04, or events: the hosts' earliest scheduled event): say whether the roll fits")
	fs.BoolVar(&o.Graph, "graph", true, "also print the task graph each host walks")
}

// runPlan prints each play's batches in order with their hosts, and the
// graph, without contacting any host.
func runPlan(ctx context.Context, o planOptions, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return usagef("drover plan: give one PLAYBOOK")
	}
	path, _ := filepath.Abs(args[0])
	in, err := loadInputs(o.commonOptions, path, true, stdout)
	if err != nil {
		return printInvalid(err, stdout)
	}
	serial, err := parseSerialFlag(o.Serial)
	if err != nil {
		return err
	}
	if o.RebootEstimate == 0 {
		o.RebootEstimate = 2 * time.Minute
		if m, n := pastHostMedian(o.StateDir); n > 0 {
			o.RebootEstimate = m
			fmt.Fprintf(stdout, "reboot estimate: %s, the median of %d hosts' passes in past runs\n", m.Round(time.Second), n)
		}
	}
	var total time.Duration
	for i, prog := range in.programs {
		p := prog.Play
		s, adaptive := p.Serial, p.AdaptiveSerial
		if p.SerialExpr != "" && len(serial) == 0 {
			rendered, err := runner.RenderSerial(p, newTemplater(), nil, in.extra)
			if err != nil {
				fmt.Fprintf(stdout, "PLAY [%s] (%s): serial %s is decided when the play starts (%v)\n\n", p.Name, p.Pos, p.SerialExpr, err)
				continue
			}
			s = rendered
		}
		if len(serial) > 0 {
			s, adaptive = serial, nil
		}
		hosts := runner.OrderHosts(in.hosts[i], p.Order, 0)
		plan, err := runner.PlanBatches(hosts, s, adaptive, p.BatchGroups, p.DisruptionBudget, nil)
		fmt.Fprintf(stdout, "PLAY [%s] (%s) %d hosts\n", p.Name, p.Pos, len(hosts))
		if in.groupByFrom >= 0 && i > in.groupByFrom {
			fmt.Fprintf(stdout, "hosts: selected again when the play starts, with the groups group_by (play %d) creates\n", in.groupByFrom+1)
			if len(in.deferred[i]) > 0 {
				fmt.Fprintf(stdout, "batches: decided then (%s not created yet)\n\n", strings.Join(in.deferred[i], ", "))
				continue
			}
		}
		if a := adaptive; a != nil {
			fmt.Fprintf(stdout, "adaptive serial: first batch %s, then ×%g after a batch without failures, up to %s; half after a batch with failures. The batches below assume every batch succeeds.\n",
				serialText(a.Start), a.Grow, serialText(a.Max))
		}
		if p.DisruptionBudget != nil {
			b := p.DisruptionBudget
			lim := serialText(playbooks.Serial{Count: b.MaxUnavailable, Percent: b.Percent})
			fmt.Fprintf(stdout, "disruption budget: at most %s unavailable per %s\n", lim, b.Per)
		}
		fmt.Fprint(stdout, plan.String())
		if err != nil {
			return &exitError{exitInvalid, err}
		}
		d := time.Duration(len(plan.Batches))*o.RebootEstimate + time.Duration(max(len(plan.Batches)-1, 0))*p.PauseBetweenBatches
		total += d
		fmt.Fprintf(stdout, "estimate: %d batches × %s = %s\n", len(plan.Batches), o.RebootEstimate.Round(100*time.Millisecond), d.Round(time.Second))
		if o.Graph {
			fmt.Fprintf(stdout, "graph:\n%s", indent(prog.String()))
		}
		fmt.Fprintln(stdout)
	}
	if o.Deadline != "" {
		dl, why, err := resolveDeadline(o.Deadline, time.Now(), in.hosts)
		if err != nil {
			return usagef("--deadline: %v", err)
		}
		if why != "" {
			fmt.Fprintf(stdout, "deadline: %s, %s\n", dl.Format(time.RFC3339), why)
		}
		eta := time.Now().Add(total)
		if eta.After(dl) {
			fmt.Fprintf(stdout, "DOES NOT FIT: the roll needs about %s and would end at %s, after the deadline %s\n", total.Round(time.Second), eta.Format(time.RFC3339), dl.Format(time.RFC3339))
			return &exitError{code: exitStopped}
		}
		fmt.Fprintf(stdout, "fits: about %s, ends around %s, deadline %s\n", total.Round(time.Second), eta.Format(time.RFC3339), dl.Format(time.RFC3339))
	}
	return nil
}

// serialText prints a serial entry as written: 5 or 25%.
func serialText(s playbooks.Serial) string {
	if s.Percent > 0 {
		return fmt.Sprintf("%g%%", s.Percent)
	}
	return fmt.Sprint(s.Count)
}

// parseDeadline reads RFC 3339, or a clock time today (tomorrow when past).
func parseDeadline(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.ParseInLocation("15:04", s, now.Location())
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: want RFC 3339 or HH:MM", s)
	}
	d := time.Date(now.Year(), now.Month(), now.Day(), t.Hour(), t.Minute(), 0, 0, now.Location())
	if d.Before(now) {
		d = d.Add(24 * time.Hour)
	}
	return d, nil
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ") + "\n"
}

// graphOptions are `drover graph`'s flags.
type graphOptions struct {
	commonOptions
	Format string
}

func (o *graphOptions) AddFlags(fs *pflag.FlagSet) {
	o.commonOptions.AddFlags(fs)
	fs.StringVar(&o.Format, "format", "text", "text or dot (Graphviz)")
}

func runGraph(ctx context.Context, o graphOptions, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return usagef("drover graph: give one PLAYBOOK")
	}
	if o.Format != "text" && o.Format != "dot" {
		return usagef("--format %q: want text or dot", o.Format)
	}
	path, _ := filepath.Abs(args[0])
	in, err := loadInputs(o.commonOptions, path, false, stdout)
	if err != nil {
		return printInvalid(err, stdout)
	}
	for _, prog := range in.programs {
		if o.Format == "dot" {
			fmt.Fprint(stdout, prog.Dot())
			continue
		}
		fmt.Fprintf(stdout, "PLAY [%s] (%s)\n%s", prog.Play.Name, prog.Play.Pos, prog.String())
	}
	return nil
}

// listPlays prints --list-hosts / --list-tasks as ansible-playbook does.
func listPlays(in *inputs, hosts, tasks bool, w io.Writer) {
	for i, prog := range in.programs {
		p := prog.Play
		fmt.Fprintf(w, "\n  play #%d (%s): %s\n", i+1, p.Hosts, p.Name)
		if hosts {
			fmt.Fprintf(w, "    pattern: ['%s']\n    hosts (%d):\n", p.Hosts, len(in.hosts[i]))
			if in.groupByFrom >= 0 && i > in.groupByFrom {
				fmt.Fprintf(w, "      (and the hosts group_by in play %d puts in its groups, when the run gets there)\n", in.groupByFrom+1)
			}
			for _, h := range in.hosts[i] {
				fmt.Fprintf(w, "      %s\n", h.Name)
			}
		}
		if tasks {
			fmt.Fprintf(w, "    tasks:\n")
			for _, n := range prog.Nodes {
				if n.Kind == playbooks.KindTask {
					tags := ""
					if len(n.Scope.Tags) > 0 {
						tags = "\tTAGS: [" + strings.Join(n.Scope.Tags, ", ") + "]"
					}
					fmt.Fprintf(w, "      %s\t%s%s\n", n.Task.DisplayName(), n.Phase, tags)
				}
			}
		}
	}
}

// pastHostMedian is the median duration of rebooted hosts' passes in the
// journals under stateDir, and how many there were.
func pastHostMedian(stateDir string) (time.Duration, int) {
	runs, _ := os.ReadDir(filepath.Join(stateDir, "runs"))
	var ds []float64
	for _, r := range runs {
		evs, err := runner.ReadJournal(runner.JournalPath(stateDir, r.Name()))
		if err != nil {
			continue
		}
		for _, e := range evs {
			if e.Type == runner.EvHostDone && e.Stats != nil && e.Stats.Rebooted && (e.Status == runner.StatusOK || e.Status == runner.StatusChanged) {
				ds = append(ds, e.Stats.Duration)
			}
		}
	}
	if len(ds) == 0 {
		return 0, 0
	}
	sort.Float64s(ds)
	return time.Duration(ds[len(ds)/2] * float64(time.Second)), len(ds)
}
