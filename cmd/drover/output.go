package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/drover-sh/drover/runner"
)

// textOutput prints plain lines: one per host per task result, one per
// batch boundary, reboots with their downtime, and a heartbeat at most
// every 30 s while a batch waits. No escape codes unless colour is on.
type textOutput struct {
	mu        sync.Mutex
	w, errw   io.Writer
	verbose   int
	color     bool
	secrets   *redactor
	last      time.Time
	inflight  map[string]string // host -> current state
	rebooting map[string]time.Time
	batch     string
	stopHB    chan struct{}
	heartbeat time.Duration
}

func newOutput(o runOptions, stdout, stderr io.Writer, secrets *redactor) *textOutput {
	color := false
	switch o.Color {
	case "always":
		color = true
	case "auto":
		if f, ok := stdout.(*os.File); ok && os.Getenv("NO_COLOR") == "" {
			color = isTerminal(f)
		}
	}
	t := &textOutput{w: stdout, errw: stderr, verbose: o.Verbose, color: color, secrets: secrets,
		inflight: map[string]string{}, rebooting: map[string]time.Time{}, heartbeat: 30 * time.Second}
	return t
}

func (t *textOutput) paint(code, s string) string {
	if !t.color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (t *textOutput) printf(format string, a ...any) {
	fmt.Fprintf(t.w, format, a...)
	t.last = time.Now()
}

// Event prints one event.
func (t *textOutput) Event(e *runner.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch e.Type {
	case runner.EvPlayStarted:
		t.printf("\nPLAY [%s] %d hosts\n", e.Play, len(e.Hosts))
	case runner.EvBatchStarted:
		t.batch = fmt.Sprintf("batch %d/%d", e.Batch, e.Batches)
		t.printf("== %s: %s\n", t.batch, strings.Join(e.Hosts, " "))
		t.startHeartbeat()
	case runner.EvHostStarted:
		t.inflight[e.Host] = "starting"
	case runner.EvTaskResult:
		t.inflight[e.Host] = e.Task
		t.taskLine(e)
	case runner.EvRebootStarted:
		t.rebooting[e.Host] = e.Time
		t.inflight[e.Host] = "rebooting"
		t.printf("%-16s %s  boot id %s\n", e.Host, t.paint("34", "rebooting"), short(e.OldBoot))
	case runner.EvHostBack:
		delete(t.rebooting, e.Host)
		t.inflight[e.Host] = "back"
		t.printf("%-16s %s  down %.1fs, new boot id %s\n", e.Host, t.paint("34", "back"), e.Downtime, short(e.BootID))
	case runner.EvHostDone:
		delete(t.inflight, e.Host)
		delete(t.rebooting, e.Host)
		st := e.Status
		switch st {
		case runner.StatusFailed, runner.StatusUnreachable:
			st = t.paint("31", strings.ToUpper(st))
		case runner.StatusStopped:
			st = t.paint("33", st)
		default:
			st = t.paint("32", st)
		}
		line := fmt.Sprintf("%-16s done: %s in %.1fs", e.Host, st, e.Duration)
		if e.Stats != nil && e.Stats.Rebooted {
			line += fmt.Sprintf(", downtime %.1fs", e.Stats.Downtime)
		}
		if e.Msg != "" && e.Status != runner.StatusOK && e.Status != runner.StatusChanged {
			line += " — " + e.Msg
		}
		t.printf("%s\n", line)
	case runner.EvGateResult:
		if e.Status == runner.StatusOK {
			t.printf("== health gate: passed\n")
		} else {
			t.printf("== health gate: %s — %s\n", t.paint("31", "FAILED"), e.Msg)
		}
	case runner.EvBatchDone:
		t.stopHeartbeat()
		t.printf("== %s done: %s\n", t.batch, e.Msg)
	case runner.EvWarning:
		fmt.Fprintf(t.errw, "WARNING: %s %s\n", e.Host, e.Msg)
	case runner.EvPlayDone:
		t.stopHeartbeat()
		if e.Stopped != "" {
			t.printf("%s %s\n", t.paint("31", "ROLL STOPPED:"), e.Stopped)
		}
	}
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

func (t *textOutput) taskLine(e *runner.Event) {
	status := e.Status
	switch status {
	case runner.StatusFailed, runner.StatusUnreachable:
		status = t.paint("31", strings.ToUpper(status))
	case runner.StatusChanged:
		status = t.paint("33", status)
	case runner.StatusSkipped:
		status = t.paint("36", status)
	default:
		status = t.paint("32", status)
	}
	t.printf("%-16s %-9s %s (%s) %.2fs\n", e.Host, status, e.Task, e.Pos, e.Duration)
	failed := e.Status == runner.StatusFailed || e.Status == runner.StatusUnreachable
	if failed {
		// Failures in full, as they happen.
		if e.RC != nil {
			t.printf("    rc=%d", *e.RC)
		}
		if e.Msg != "" {
			t.printf("    msg: %s", e.Msg)
		}
		t.printf("\n")
		if s, _ := e.Result["stderr"].(string); s != "" {
			t.printf("    stderr: %s\n", tail(s, 10))
		}
		if s, _ := e.Result["stdout"].(string); s != "" && t.verbose == 0 {
			t.printf("    stdout: %s\n", tail(s, 5))
		}
	}
	if t.verbose > 0 && e.Result != nil {
		if s, _ := e.Result["stdout"].(string); s != "" {
			t.printf("    stdout: %s\n", tail(s, 20*t.verbose))
		}
		if s, _ := e.Result["stderr"].(string); s != "" && !failed {
			t.printf("    stderr: %s\n", tail(s, 20*t.verbose))
		}
		if m, ok := e.Result["msg"]; ok && !failed {
			t.printf("    msg: %v\n", m)
		}
	}
}

// tail keeps the last n lines of s, indented.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("... (%d lines)", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n      ")
}

// startHeartbeat prints a line every 30 s of silence while a batch runs,
// so a CI log never looks hung.
func (t *textOutput) startHeartbeat() {
	if t.stopHB != nil {
		return
	}
	stop := make(chan struct{})
	t.stopHB = stop
	go func() {
		tick := time.NewTicker(t.heartbeat / 3)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				t.mu.Lock()
				if time.Since(t.last) >= t.heartbeat {
					names := make([]string, 0, len(t.rebooting))
					for h, since := range t.rebooting {
						names = append(names, fmt.Sprintf("%s (down %ds)", h, int(time.Since(since).Seconds())))
					}
					sort.Strings(names)
					msg := fmt.Sprintf("... %s: waiting on %d hosts", t.batch, len(t.inflight))
					if len(names) > 0 {
						msg += "; rebooting: " + strings.Join(names, ", ")
					}
					t.printf("%s\n", msg)
				}
				t.mu.Unlock()
			}
		}
	}()
}

func (t *textOutput) stopHeartbeat() {
	if t.stopHB != nil {
		close(t.stopHB)
		t.stopHB = nil
	}
}

// recap prints the summary table and Ansible-style totals.
func (t *textOutput) recap(results []*runner.PlayResult) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stopHeartbeat()
	fmt.Fprintf(t.w, "\nRECAP\n%-16s %-11s %4s %7s %6s %7s %11s %8s %9s %9s\n", "HOST", "STATUS", "OK", "CHANGED", "FAILED", "SKIPPED", "UNREACHABLE", "REBOOTED", "DOWNTIME", "DURATION")
	for _, r := range results {
		for _, h := range r.Hosts {
			rb := "no"
			if h.Stats.Rebooted {
				rb = "yes"
			}
			fmt.Fprintf(t.w, "%-16s %-11s %4d %7d %6d %7d %11d %8s %8.1fs %8.1fs\n", h.Name, h.Status, h.Stats.OK, h.Stats.Changed,
				h.Stats.Failed, h.Stats.Skipped, h.Stats.Unreachable, rb, h.Stats.Downtime, h.Stats.Duration)
		}
	}
	for _, r := range results {
		if r.Stopped != "" {
			fmt.Fprintf(t.w, "play %q stopped: %s\n", r.Name, r.Stopped)
		}
		for _, h := range r.Hosts {
			if (h.Status == runner.StatusFailed || h.Status == runner.StatusUnreachable) && h.Msg != "" {
				fmt.Fprintf(t.w, "  %s: %s\n", h.Name, h.Msg)
			}
		}
	}
}
