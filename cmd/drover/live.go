package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-runewidth"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/drover-sh/drover/runner"
)

// liveOutput is the terminal view: a live area at the bottom of the
// screen (drawn by mpb) with the play, the batch, progress bars of hosts
// done/failed/remaining for the play and for the batch, an ETA from the
// batches done so far, and the hosts in flight with their current task
// and elapsed time. Everything worth keeping (batch boundaries, host
// outcomes, failures in full, task output with -v) is printed above the
// live area as it happens, through the plain-text formatter.
type liveOutput struct {
	out  *os.File
	errw io.Writer
	text *textOutput // formats the lines printed above the live area

	mu        sync.Mutex
	p         *mpb.Progress
	bars      []*mpb.Bar
	slots     int // host lines in the live area
	play      string
	batch     int
	batches   int
	playHosts int
	done      map[string]bool // hosts of the play finished, by name
	failed    map[string]bool
	batchSize int
	batchDone int
	batchFail int
	batchT0   time.Time
	batchDur  []time.Duration
	flights   map[string]*flight
}

// flight is a host in flight.
type flight struct {
	since    time.Time // host start
	task     string    // last task seen
	taskT0   time.Time
	reboot   time.Time // when it went down; zero when up
	rebooted bool
	running  bool // task is in progress (task_started seen)
}

func newLiveOutput(out *os.File, stderr io.Writer, verbose int, color bool, secrets *redactor) *liveOutput {
	l := &liveOutput{out: out, errw: stderr, done: map[string]bool{}, failed: map[string]bool{}, flights: map[string]*flight{}}
	l.text = newTextOutput(io.Discard, stderr, verbose, color, secrets, 0)
	return l
}

// termSize is the terminal's size, 80x24 when unknown.
func (l *liveOutput) termSize() (int, int) {
	w, h, err := term.GetSize(int(l.out.Fd()))
	if err != nil || w <= 0 || h <= 0 {
		return 80, 24
	}
	return w, h
}

// start creates the live area on the first event that needs it.
func (l *liveOutput) start() {
	if l.p != nil {
		return
	}
	_, h := l.termSize()
	// header, play bar, batch bar, the hosts, one line for "+N more";
	// at most half the screen so that printed lines stay visible.
	l.slots = max(2, min(12, h/2-4))
	l.p = mpb.New(mpb.WithOutput(l.out), mpb.WithRefreshRate(200*time.Millisecond), mpb.WithAutoRefresh())
	// Lines printed above the live area go through mpb.
	l.text.w = l.p
	l.text.errw = l.p
	line := func(f func(width int) string) *mpb.Bar {
		b := l.p.New(0, mpb.NopStyle(), mpb.PrependDecorators(decor.Any(func(s decor.Statistics) string {
			l.mu.Lock()
			defer l.mu.Unlock()
			w := s.AvailableWidth - 1
			return runewidth.FillRight(runewidth.Truncate(f(w), w, "…"), w)
		})))
		l.bars = append(l.bars, b)
		return b
	}
	line(l.header)
	for _, batch := range []bool{false, true} {
		label := "play  "
		if batch {
			label = "batch "
		}
		b, err := l.p.Add(0, l.progressFiller(batch),
			mpb.PrependDecorators(decor.Any(func(decor.Statistics) string { return label })),
			mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return l.counts(batch) })))
		if err == nil {
			l.bars = append(l.bars, b)
		}
	}
	for i := 0; i <= l.slots; i++ {
		line(func(w int) string { return l.slotLine(i) })
	}
}

// header is the first line: play, batch x/y, elapsed, ETA.
func (l *liveOutput) header(width int) string {
	s := fmt.Sprintf("PLAY [%s]", l.play)
	if l.batches > 0 {
		s += fmt.Sprintf("  batch %d/%d", l.batch, l.batches)
	}
	if eta, ok := l.eta(); ok {
		s += "  ETA " + fmtDur(eta)
	} else if l.batches > 0 {
		s += "  ETA --"
	}
	return s
}

// eta is the time left: the mean duration of the batches done so far
// times the batches left (the current one counted from its start).
func (l *liveOutput) eta() (time.Duration, bool) {
	if len(l.batchDur) == 0 || l.batches == 0 {
		return 0, false
	}
	var sum time.Duration
	for _, d := range l.batchDur {
		sum += d
	}
	mean := sum / time.Duration(len(l.batchDur))
	left := time.Duration(l.batches-len(l.batchDur)) * mean
	if l.batch > len(l.batchDur) {
		left -= min(time.Since(l.batchT0), mean)
	}
	return max(left, 0), true
}

func fmtDur(d time.Duration) string {
	d = d.Round(time.Second)
	if d >= time.Hour {
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	if d >= time.Minute {
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%ds", int(d.Seconds()))
}

// progressFiller draws done (█), failed (X) and remaining (░) hosts.
func (l *liveOutput) progressFiller(batch bool) mpb.BarFiller {
	return mpb.BarFillerFunc(func(w io.Writer, s decor.Statistics) error {
		l.mu.Lock()
		total, ok, bad := l.playHosts, len(l.done)-len(l.failed), len(l.failed)
		if batch {
			total, ok, bad = l.batchSize, l.batchDone-l.batchFail, l.batchFail
		}
		color := l.text.color
		l.mu.Unlock()
		width := min(s.AvailableWidth, 40)
		if width <= 2 {
			return nil
		}
		inner := width - 2
		nOK, nBad := 0, 0
		if total > 0 {
			nOK = ok * inner / total
			nBad = (ok + bad) * inner / total
			nBad -= nOK
			if bad > 0 && nBad == 0 {
				nBad = 1
				if nOK > 0 && nOK+nBad > inner {
					nOK--
				}
			}
		}
		rest := max(inner-nOK-nBad, 0)
		_, err := io.WriteString(w, "["+paint(color, green, strings.Repeat("█", nOK))+paint(color, red, strings.Repeat("X", nBad))+strings.Repeat("░", rest)+"]")
		return err
	})
}

// counts is the text after a bar: done, failed, left.
func (l *liveOutput) counts(batch bool) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if batch {
		return fmt.Sprintf(" %d/%d done, %d failed", l.batchDone, l.batchSize, l.batchFail)
	}
	return fmt.Sprintf(" %d/%d done, %d failed, %d left", len(l.done), l.playHosts, len(l.failed), l.playHosts-len(l.done))
}

// slotLine is the i-th host in flight (by name), "+N more" in the last
// slot when they do not fit.
func (l *liveOutput) slotLine(i int) string {
	names := make([]string, 0, len(l.flights))
	for n := range l.flights {
		names = append(names, n)
	}
	sort.Strings(names)
	if i == l.slots {
		if len(names) > l.slots {
			return fmt.Sprintf("  … and %d more hosts in flight", len(names)-l.slots)
		}
		return ""
	}
	if i >= len(names) {
		return ""
	}
	f := l.flights[names[i]]
	now := time.Now()
	state := ""
	switch {
	case !f.reboot.IsZero():
		state = fmt.Sprintf("rebooting, down %s", fmtDur(now.Sub(f.reboot)))
	case f.task == "":
		state = "started"
	case f.running:
		state = fmt.Sprintf("%s, %s", f.task, fmtDur(now.Sub(f.taskT0)))
	default:
		state = fmt.Sprintf("after %s, %s ago", f.task, fmtDur(now.Sub(f.taskT0)))
	}
	return fmt.Sprintf("  %-12s %s  (%s)", names[i], state, fmtDur(now.Sub(f.since)))
}

// Event updates the live area and prints the lines worth keeping above it.
func (l *liveOutput) Event(e *runner.Event) {
	l.mu.Lock()
	l.update(e)
	l.mu.Unlock()
	switch e.Type {
	case runner.EvTaskResult:
		if e.Status == runner.StatusFailed || e.Status == runner.StatusUnreachable || l.text.verbose > 0 {
			l.text.Event(e)
		}
	case runner.EvHostStarted, runner.EvRebootStarted, runner.EvTaskStarted:
		// shown in the live area only
	default:
		l.text.Event(e)
	}
}

// update applies e to the live state; l.mu is held.
func (l *liveOutput) update(e *runner.Event) {
	switch e.Type {
	case runner.EvPlayStarted:
		l.start()
		l.play, l.playHosts, l.batch, l.batches = e.Play, len(e.Hosts), 0, 0
		l.done, l.failed, l.batchDur = map[string]bool{}, map[string]bool{}, nil
	case runner.EvBatchStarted:
		l.start() // again, after a suspend
		l.batch, l.batches = e.Batch, e.Batches
		l.batchSize, l.batchDone, l.batchFail, l.batchT0 = len(e.Hosts), 0, 0, e.Time
	case runner.EvHostStarted:
		l.flights[e.Host] = &flight{since: e.Time}
	case runner.EvTaskStarted:
		if f := l.flights[e.Host]; f != nil {
			f.task, f.taskT0, f.running = e.Task, e.Time, true
		}
	case runner.EvTaskResult:
		if f := l.flights[e.Host]; f != nil {
			f.task, f.taskT0, f.running = e.Task, e.Time, false
		}
	case runner.EvRebootStarted:
		if f := l.flights[e.Host]; f != nil {
			f.reboot = e.Time
			f.task, f.taskT0 = e.Task, e.Time
		}
	case runner.EvHostBack:
		if f := l.flights[e.Host]; f != nil {
			f.reboot, f.rebooted = time.Time{}, true
			f.task, f.taskT0 = "reboot (down "+fmtDur(time.Duration(e.Downtime*float64(time.Second)))+")", e.Time
		}
	case runner.EvHostDone:
		delete(l.flights, e.Host)
		l.done[e.Host] = true
		l.batchDone++
		if e.Status == runner.StatusFailed || e.Status == runner.StatusUnreachable || e.Status == runner.StatusStopped {
			l.failed[e.Host] = true
			l.batchFail++
		}
	case runner.EvBatchDone:
		l.batchDur = append(l.batchDur, e.Time.Sub(l.batchT0))
	}
}

// recap removes the live area and prints the summary table.
func (l *liveOutput) recap(results []*runner.PlayResult) {
	l.suspend()
	writeRecap(l.out, results, l.text.secrets)
}

// suspend removes the live area, keeping its state, so that the terminal
// is the user's (a confirmation prompt between batches): nothing redraws
// over the question or the answer being typed. The next batch or play
// brings the area back.
func (l *liveOutput) suspend() {
	l.mu.Lock()
	p, bars := l.p, l.bars
	l.p, l.bars = nil, nil
	l.text.w, l.text.errw = l.out, l.errw
	l.mu.Unlock()
	if p != nil {
		for _, b := range bars {
			b.Abort(true)
		}
		p.Wait()
	}
}
