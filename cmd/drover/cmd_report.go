package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/spf13/pflag"

	"github.com/drover-sh/drover/runner"
)

// reportOptions are `drover report`'s flags.
type reportOptions struct {
	StateDir string
	Format   string
}

func (o *reportOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.StateDir, "state-dir", ".drover", "where journals live")
	fs.StringVar(&o.Format, "format", "text", "text, json or markdown")
}

// hostReport is one host's line in a report, rebuilt from the journal.
type hostReport struct {
	Play     string  `json:"play"`
	Host     string  `json:"host"`
	Status   string  `json:"status"`
	OK       int     `json:"ok"`
	Changed  int     `json:"changed"`
	Failed   int     `json:"failed"`
	Skipped  int     `json:"skipped"`
	Rebooted bool    `json:"rebooted"`
	Downtime float64 `json:"downtime"`
	Duration float64 `json:"duration"`
	Msg      string  `json:"msg,omitempty"`
}

// runReport prints a run's report again from its journal.
func runReport(ctx context.Context, o reportOptions, args []string, stdout io.Writer) error {
	if o.Format != "text" && o.Format != "json" && o.Format != "markdown" {
		return usagef("--format %q: want text, json or markdown", o.Format)
	}
	var id string
	switch len(args) {
	case 0:
		var err error
		if id, err = latestRun(o.StateDir); err != nil {
			return usagef("drover report: %v", err)
		}
	case 1:
		id = args[0]
	default:
		return usagef("drover report: at most one RUN_ID")
	}
	evs, err := runner.ReadJournal(runner.JournalPath(o.StateDir, id))
	if err != nil {
		return usagef("drover report %s: %v", id, err)
	}
	rows := map[string]*hostReport{}
	var order []string
	stopped := ""
	status := "incomplete"
	for _, e := range evs {
		switch e.Type {
		case runner.EvHostDone:
			k := fmt.Sprintf("%d/%s", e.PlayIdx, e.Host)
			r := rows[k]
			if r == nil {
				r = &hostReport{Play: e.Play, Host: e.Host}
				rows[k] = r
				order = append(order, k)
			}
			r.Status, r.Msg = e.Status, e.Msg
			if e.Stats != nil {
				r.OK, r.Changed, r.Failed, r.Skipped = e.Stats.OK, e.Stats.Changed, e.Stats.Failed, e.Stats.Skipped
				r.Rebooted, r.Downtime, r.Duration = e.Stats.Rebooted, e.Stats.Downtime, e.Stats.Duration
			}
		case runner.EvPlayDone:
			if e.Stopped != "" {
				stopped = e.Stopped
			}
		case runner.EvRunDone:
			status = e.Status
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i] < order[j] })
	list := make([]*hostReport, len(order))
	for i, k := range order {
		list[i] = rows[k]
	}
	switch o.Format {
	case "json":
		b, _ := json.MarshalIndent(map[string]any{"run_id": id, "status": status, "stopped": stopped, "hosts": list}, "", "  ")
		fmt.Fprintln(stdout, string(b))
	case "markdown":
		fmt.Fprintf(stdout, "# drover run %s: %s\n\n", id, status)
		if stopped != "" {
			fmt.Fprintf(stdout, "Roll stopped: %s\n\n", stopped)
		}
		fmt.Fprintln(stdout, "| host | status | ok | changed | failed | rebooted | downtime | duration |")
		fmt.Fprintln(stdout, "|---|---|---|---|---|---|---|---|")
		for _, r := range list {
			fmt.Fprintf(stdout, "| %s | %s | %d | %d | %d | %v | %.1fs | %.1fs |\n", r.Host, r.Status, r.OK, r.Changed, r.Failed, r.Rebooted, r.Downtime, r.Duration)
		}
	default:
		fmt.Fprintf(stdout, "run %s: %s\n", id, status)
		if stopped != "" {
			fmt.Fprintf(stdout, "roll stopped: %s\n", stopped)
		}
		fmt.Fprintf(stdout, "%-16s %-11s %4s %7s %6s %8s %9s %9s\n", "HOST", "STATUS", "OK", "CHANGED", "FAILED", "REBOOTED", "DOWNTIME", "DURATION")
		for _, r := range list {
			fmt.Fprintf(stdout, "%-16s %-11s %4d %7d %6d %8v %8.1fs %8.1fs\n", r.Host, r.Status, r.OK, r.Changed, r.Failed, r.Rebooted, r.Downtime, r.Duration)
		}
	}
	return nil
}
