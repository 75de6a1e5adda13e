package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/drover-sh/drover/runner"
)

// humanOutput is the output meant for people: a sink of run events plus
// the final recap. newOutput picks the live terminal view when stdout is a
// terminal and plain lines otherwise.
type humanOutput interface {
	runner.Sink
	// recap ends the live view (if any) and prints the summary table.
	recap(results []*runner.PlayResult)
}

// defaultHeartbeat is the longest silence of the plain output while a
// batch runs.
const defaultHeartbeat = 30 * time.Second

// newOutput returns the human output for `drover run`: the live view when
// stdout is a terminal, plain lines otherwise. Every string it prints has
// been through secrets.
func newOutput(o runOptions, stdout, stderr io.Writer, secrets *redactor) humanOutput {
	color := colorEnabled(o.Color, stdout)
	if f, ok := stdout.(*os.File); ok && isTerminal(f) {
		return newLiveOutput(f, stderr, o.Verbose, color, secrets)
	}
	return newTextOutput(stdout, stderr, o.Verbose, color, secrets, defaultHeartbeat)
}

// colorEnabled applies --color and NO_COLOR (https://no-color.org): auto
// colours a terminal unless NO_COLOR is set to anything non-empty.
func colorEnabled(mode string, stdout io.Writer) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := stdout.(*os.File)
	return ok && isTerminal(f)
}

// textOutput prints plain lines: one per host per task result, one per
// batch boundary, reboots with their downtime, and a heartbeat line after
// heartbeat of silence while a batch runs. No escape codes unless colour
// is on. Each event's lines are written with one Write call.
type textOutput struct {
	mu        sync.Mutex
	w, errw   io.Writer
	verbose   int
	color     bool
	secrets   *redactor
	buf       bytes.Buffer
	last      time.Time
	inflight  map[string]string // host -> current state
	rebooting map[string]time.Time
	batch     string
	stopHB    chan struct{}
	heartbeat time.Duration // 0: no heartbeat
}

func newTextOutput(w, errw io.Writer, verbose int, color bool, secrets *redactor, heartbeat time.Duration) *textOutput {
	return &textOutput{w: w, errw: errw, verbose: verbose, color: color, secrets: secrets,
		inflight: map[string]string{}, rebooting: map[string]time.Time{}, heartbeat: heartbeat}
}

// SGR colour codes used by paint.
const (
	red    = "31"
	green  = "32"
	yellow = "33"
	blue   = "34"
	cyan   = "36"
)

func paint(color bool, code, s string) string {
	if !color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (t *textOutput) paint(code, s string) string { return paint(t.color, code, s) }

// printf buffers a line; flush writes the buffer at the end of the event.
func (t *textOutput) printf(format string, a ...any) {
	fmt.Fprintf(&t.buf, format, a...)
}

func (t *textOutput) flush() {
	if t.buf.Len() == 0 {
		return
	}
	s := relPaths(t.buf.String())
	if t.secrets != nil {
		s = t.secrets.str(s)
	}
	io.WriteString(t.w, s)
	t.buf.Reset()
	t.last = time.Now()
}

// Event prints one event.
func (t *textOutput) Event(e *runner.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	defer t.flush()
	switch e.Type {
	case runner.EvPlayStarted:
		t.printf("\nPLAY [%s] %d hosts\n", e.Play, len(e.Hosts))
	case runner.EvBatchStarted:
		t.batch = fmt.Sprintf("batch %d/%d", e.Batch, e.Batches)
		group := ""
		if e.Group != "" {
			group = " (" + e.Group + ")"
		}
		t.printf("== %s%s: %s\n", t.batch, group, strings.Join(e.Hosts, " "))
		if e.Msg != "" {
			t.printf("   %s\n", e.Msg)
		}
		t.startHeartbeat()
	case runner.EvHostStarted:
		t.inflight[e.Host] = "starting"
	case runner.EvTaskResult:
		t.inflight[e.Host] = e.Task
		t.taskLine(e)
	case runner.EvRebootStarted:
		t.rebooting[e.Host] = e.Time
		t.inflight[e.Host] = "rebooting"
		t.printf("%-16s %s  boot id %s\n", e.Host, t.paint(blue, "rebooting"), short(e.OldBoot))
	case runner.EvHostBack:
		delete(t.rebooting, e.Host)
		t.inflight[e.Host] = "back"
		t.printf("%-16s %s  down %.1fs, new boot id %s\n", e.Host, t.paint(blue, "back"), e.Downtime, short(e.BootID))
	case runner.EvHostDone:
		delete(t.inflight, e.Host)
		delete(t.rebooting, e.Host)
		t.hostDone(e)
	case runner.EvGateResult:
		if e.Status == runner.StatusOK {
			t.printf("== health gate: passed\n")
		} else {
			t.printf("== health gate: %s — %s\n", t.paint(red, "FAILED"), e.Msg)
		}
	case runner.EvBatchDone:
		t.stopHeartbeat()
		t.printf("== %s done: %s\n", t.batch, e.Msg)
	case runner.EvWarning:
		msg := fmt.Sprintf("WARNING: %s %s\n", e.Host, e.Msg)
		if t.secrets != nil {
			msg = t.secrets.str(msg)
		}
		io.WriteString(t.errw, msg)
	case runner.EvPlayDone:
		t.stopHeartbeat()
		if e.Stopped != "" {
			t.printf("%s %s\n", t.paint(red, "ROLL STOPPED:"), e.Stopped)
		}
	}
}

func (t *textOutput) hostDone(e *runner.Event) {
	line := fmt.Sprintf("%-16s done: %s in %.1fs", e.Host, t.statusWord(e.Status, true), e.Duration)
	if e.Stats != nil && e.Stats.Rebooted {
		line += fmt.Sprintf(", downtime %.1fs", e.Stats.Downtime)
	}
	if e.Msg != "" && e.Status != runner.StatusOK && e.Status != runner.StatusChanged {
		line += " — " + e.Msg
	}
	t.printf("%s\n", line)
}

// statusWord colours a status; failures are upper case.
func (t *textOutput) statusWord(st string, host bool) string {
	switch st {
	case runner.StatusFailed, runner.StatusUnreachable:
		return t.paint(red, strings.ToUpper(st))
	case runner.StatusChanged:
		if host {
			return t.paint(green, st)
		}
		return t.paint(yellow, st)
	case runner.StatusSkipped:
		return t.paint(cyan, st)
	case runner.StatusStopped:
		return t.paint(yellow, st)
	}
	return t.paint(green, st)
}

// relPos shortens a file:line:col position to a path relative to the
// working directory when that is shorter.
func relPos(pos string) string {
	if !filepath.IsAbs(pos) {
		return pos
	}
	wd, err := os.Getwd()
	if err != nil {
		return pos
	}
	if rel, err := filepath.Rel(wd, pos); err == nil && len(rel) < len(pos) && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return pos
}

// relPaths drops the working directory from the paths in s (positions in
// runner messages are absolute).
func relPaths(s string) string {
	if wd, err := os.Getwd(); err == nil && wd != "/" {
		return strings.ReplaceAll(s, wd+string(filepath.Separator), "")
	}
	return s
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// taskLine prints a task result; a failure comes in full (rc, message,
// stderr tail); -v and -vv add each task's stdout and stderr.
func (t *textOutput) taskLine(e *runner.Event) {
	host := e.Host
	if e.Delegate != "" {
		host += " -> " + e.Delegate // as Ansible prints [web1 -> lb01]
	}
	t.printf("%-16s %-9s %s (%s) %.2fs\n", host, t.statusWord(e.Status, false), e.Task, relPos(e.Pos), e.Duration)
	failed := e.Status == runner.StatusFailed || e.Status == runner.StatusUnreachable
	if failed {
		var parts []string
		if e.RC != nil {
			parts = append(parts, fmt.Sprintf("rc=%d", *e.RC))
		}
		if e.Msg != "" {
			parts = append(parts, "msg: "+e.Msg)
		}
		if len(parts) > 0 {
			t.printf("    %s\n", strings.Join(parts, "  "))
		}
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

// startHeartbeat prints a line after every heartbeat of silence while a
// batch runs, so a CI log never looks hung.
func (t *textOutput) startHeartbeat() {
	if t.stopHB != nil || t.heartbeat <= 0 {
		return
	}
	stop := make(chan struct{})
	t.stopHB = stop
	t.last = time.Now()
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
					t.printf("%s\n", t.heartbeatLine())
					t.flush()
				}
				t.mu.Unlock()
			}
		}
	}()
}

func (t *textOutput) heartbeatLine() string {
	names := make([]string, 0, len(t.rebooting))
	for h, since := range t.rebooting {
		names = append(names, fmt.Sprintf("%s (down %ds)", h, int(time.Since(since).Seconds())))
	}
	sort.Strings(names)
	msg := fmt.Sprintf("... %s: waiting on %d hosts", t.batch, len(t.inflight))
	if len(names) > 0 {
		msg += "; rebooting: " + strings.Join(names, ", ")
	}
	return msg
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
	writeRecap(t.w, results, t.secrets)
}

// writeRecap prints the per-host table (status, task counts, reboot,
// downtime, duration) in at most 80 columns for short host names, the
// totals as Ansible's recap does, why plays stopped, and failure messages.
func writeRecap(w io.Writer, results []*runner.PlayResult, secrets *redactor) {
	var b strings.Builder
	hw := 12
	for _, r := range results {
		for _, h := range r.Hosts {
			hw = max(hw, len(h.Name))
		}
	}
	row := "%-*s %-11s %4s %4s %4s %4s %5s %6s %8s %8s\n"
	fmt.Fprintf(&b, "\nRECAP\n"+row, hw, "HOST", "STATUS", "OK", "CHG", "FAIL", "SKIP", "UNRCH", "REBOOT", "DOWNTIME", "DURATION")
	var tot runner.Stats
	hosts, rebooted := 0, 0
	for _, r := range results {
		for _, h := range r.Hosts {
			rb := "no"
			if h.Stats.Rebooted {
				rb = "yes"
				rebooted++
			}
			hosts++
			s := h.Stats
			tot.OK += s.OK
			tot.Changed += s.Changed
			tot.Failed += s.Failed
			tot.Skipped += s.Skipped
			tot.Unreachable += s.Unreachable
			tot.Rescued += s.Rescued
			tot.Ignored += s.Ignored
			tot.Downtime += s.Downtime
			fmt.Fprintf(&b, row, hw, h.Name, h.Status, fmt.Sprint(s.OK), fmt.Sprint(s.Changed), fmt.Sprint(s.Failed),
				fmt.Sprint(s.Skipped), fmt.Sprint(s.Unreachable), rb, fmt.Sprintf("%.1fs", s.Downtime), fmt.Sprintf("%.1fs", s.Duration))
		}
	}
	fmt.Fprintf(&b, "TOTAL %d hosts: ok=%d changed=%d unreachable=%d failed=%d skipped=%d\n      rescued=%d ignored=%d rebooted=%d downtime=%.1fs\n",
		hosts, tot.OK, tot.Changed, tot.Unreachable, tot.Failed, tot.Skipped, tot.Rescued, tot.Ignored, rebooted, tot.Downtime)
	for _, r := range results {
		if r.Stopped != "" {
			fmt.Fprintf(&b, "play %q stopped: %s\n", r.Name, r.Stopped)
		}
		for _, h := range r.Hosts {
			if (h.Status == runner.StatusFailed || h.Status == runner.StatusUnreachable) && h.Msg != "" {
				fmt.Fprintf(&b, "  %s: %s\n", h.Name, h.Msg)
			}
		}
	}
	s := relPaths(b.String())
	if secrets != nil {
		s = secrets.str(s)
	}
	io.WriteString(w, s)
}
