package runner

import (
	"context"
	"fmt"
	"github.com/drover-sh/drover/playbooks"
	"sync"
	"time"
)

// forks is the number of hosts walked at once.
func (pr *playRun) forks(batch int) int {
	f := pr.opts.Forks
	if f <= 0 {
		f = min(batch, 256)
	}
	return max(f, 1)
}

// runBatch walks every host of the batch, at most forks at once, and
// returns how many failed (failed, unreachable or stopped mid-walk);
// prior is how many of the play's hosts failed before the batch.
func (pr *playRun) runBatch(ctx context.Context, batch []*Host, runs map[string]*hostRun, sum map[string]*HostSummary, prior int) int {
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	hrs := pr.hostRuns(runs, batch)
	each := pr.forEachHost
	if pr.linear() {
		// Every host walks at once, in step; forks caps the hosts
		// running a task (withSlot).
		pr.lock, pr.slots = newLockstep(hrs, prior), make(chan struct{}, pr.forks(len(hrs)))
		defer func() { pr.lock, pr.slots = nil, nil }()
		each = pr.lock.forEach
	}
	each(hrs, &wg, func(hr *hostRun) {
		status, msg := pr.runHost(ctx, hr)
		hr.quiet()
		if pr.prog.HealthGate == playbooks.End {
			// Done with this host for the play: its connection is
			// not kept open while thousands of others run.
			hr.close()
		}
		s := sum[hr.host.Name]
		mu.Lock()
		s.Status, s.Msg, s.Stats = status, msg, hr.stats
		if status == StatusFailed || status == StatusUnreachable || status == StatusStopped {
			failed++
		}
		mu.Unlock()
	})
	wg.Wait()
	return failed
}

// forEachHost runs f for every walk state in hrs on goroutines of its
// own, at most forks at once; wg counts them (the caller waits on it, or
// not).
func (pr *playRun) forEachHost(hrs []*hostRun, wg *sync.WaitGroup, f func(hr *hostRun)) {
	sem := make(chan struct{}, pr.forks(len(hrs)))
	for _, hr := range hrs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			f(hr)
		}()
	}
}

// runHost walks one host through the play and emits host_started and
// host_done.
func (pr *playRun) runHost(ctx context.Context, hr *hostRun) (string, string) {
	hr.start = time.Now()
	entry := pr.entry
	if pr.opts.Resume != nil {
		entry = pr.opts.Resume.restore(pr.idx, hr)
	}
	pr.emit(&Event{Type: EvHostStarted, Host: hr.host.Name, Node: entry})
	out := outOK
	if pr.play.GatherFacts && (pr.opts.Resume == nil || entry == pr.prog.Entry || !pr.facts.has(hr.host.Name, "ansible_facts")) {
		out = hr.gatherFacts(ctx)
		if out == outFailed || out == outUnreachable {
			hr.failedHost()
		}
	}
	if out == outOK {
		out = hr.walk(ctx, entry)
	}
	if out == outFailed && (pr.play.ForceHandlers || pr.opts.ForceHandlers) {
		// force_handlers: what the host changed before failing still gets
		// its handlers (a failing handler is reported as its task), out
		// of step with the batch.
		hr.unlocked = true
		hr.flushHandlers(ctx, 0)
	}
	hr.stats.Duration = time.Since(hr.start).Seconds()
	status := StatusOK
	switch out {
	case outFailed:
		status = StatusFailed
	case outUnreachable:
		status = StatusUnreachable
	case outStopped:
		status = StatusStopped
		hr.msg = "stopped in flight: " + pr.stopReason(ctx)
	case outEndPlay:
		pr.halt("meta: end_play")
	}
	if status == StatusOK && hr.stats.Changed > 0 {
		status = StatusChanged
	}
	st := hr.stats
	ev := &Event{Type: EvHostDone, Host: hr.host.Name, Status: status, Msg: hr.msg, Stats: &st, Duration: st.Duration, Downtime: st.Downtime}
	if status == StatusStopped {
		// not final: --resume continues this host
		ev.Type = EvHostDone
		ev.Status = StatusStopped
	}
	pr.emit(ev)
	return status, hr.msg
}

func (pr *playRun) stopReason(ctx context.Context) string {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.stopped != "" {
		return pr.stopped
	}
	if ctx.Err() != nil {
		return "interrupted"
	}
	return "stopped"
}

// thresholds applies max_fail_percentage and Ansible's rule that a batch
// whose every host failed ends the play (unless
// continue_on_batch_failure, which is still bounded by max_fail_percentage
// over the whole play).
func (pr *playRun) thresholds(failed, batch, totalFailed, total int, maxFail *float64) string {
	if failed == 0 {
		return ""
	}
	if maxFail != nil {
		if pr.play.ContinueOnBatchFailure {
			if float64(totalFailed)*100/float64(total) > *maxFail {
				return fmt.Sprintf("max_fail_percentage %g%% exceeded over the play: %d of %d hosts failed", *maxFail, totalFailed, total)
			}
		} else if float64(failed)*100/float64(batch) > *maxFail {
			return fmt.Sprintf("max_fail_percentage %g%% exceeded: %d of %d hosts of the batch failed", *maxFail, failed, batch)
		}
	}
	if failed == batch && !pr.play.ContinueOnBatchFailure {
		return fmt.Sprintf("every host of the batch failed (%d of %d)", failed, batch)
	}
	return ""
}

// probe connects to the hosts not yet walked (keeping the connections)
// and marks the unreachable ones down.
func (pr *playRun) probe(ctx context.Context, hosts []*Host, runs map[string]*hostRun, down map[string]bool) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	pr.forEachHost(pr.hostRuns(runs, hosts), &wg, func(hr *hostRun) {
		_, err := hr.connect(ctx)
		mu.Lock()
		down[hr.host.Name] = err != nil
		mu.Unlock()
		if err != nil && !hr.warnedDown {
			hr.warnedDown = true
			pr.emit(&Event{Type: EvWarning, Host: hr.host.Name, Msg: "unreachable before its batch; counts against its disruption budget: " + err.Error()})
		}
	})
	wg.Wait()
}

// healthGate runs the play's health_gate tasks on the batch's hosts that
// succeeded; any failure stops the roll.
func (pr *playRun) healthGate(ctx context.Context, batch []*Host, runs map[string]*hostRun, sum map[string]*HostSummary) string {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var reason string
	for _, h := range batch {
		if s := sum[h.Name].Status; s != StatusOK && s != StatusChanged {
			continue
		}
		hr := runs[h.Name]
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := hr.walk(ctx, pr.prog.HealthGate)
			if out != outOK {
				mu.Lock()
				if reason == "" {
					reason = fmt.Sprintf("health gate failed on %s: %s", h.Name, hr.msg)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	status := StatusOK
	if reason != "" {
		status = StatusFailed
	}
	pr.emit(&Event{Type: EvGateResult, Hosts: names(batch), Status: status, Msg: reason})
	return reason
}

// preconnect dials hosts in the background, at most forks at once, and
// warms their connections; the connections are kept for their walk.
// Errors are left for the walk to report.
func (pr *playRun) preconnect(ctx context.Context, hrs []*hostRun) {
	pr.forEachHost(hrs, &pr.bg, func(hr *hostRun) {
		if c, err := hr.connect(ctx); err == nil {
			if w, ok := c.(warmer); ok {
				_ = w.Warm(ctx)
			}
		}
	})
}

// warmer is a connection that can get ready for its first command ahead
// of time (runner/ssh starts its persistent shell). Warm must be safe to
// call while commands run, do nothing when already warm, and leave errors
// to the next command.
type warmer interface {
	Warm(ctx context.Context) error
}

// hostRuns returns the walk states of hosts (see hostRun).
func (pr *playRun) hostRuns(runs map[string]*hostRun, hosts []*Host) []*hostRun {
	hrs := make([]*hostRun, len(hosts))
	for i, h := range hosts {
		hrs[i] = pr.hostRun(runs, h)
	}
	return hrs
}

// hostRun returns the host's walk state, creating it on first use (the
// probe, a preconnect or its batch); only the play's goroutine calls it.
func (pr *playRun) hostRun(runs map[string]*hostRun, h *Host) *hostRun {
	hr := runs[h.Name]
	if hr == nil {
		hr = newHostRun(pr, h)
		runs[h.Name] = hr
	}
	return hr
}
