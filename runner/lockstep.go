package runner

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/drover-sh/drover/modules"
	"github.com/drover-sh/drover/playbooks"
)

// The linear strategy (Ansible's default): a batch's hosts go through the
// play in lockstep. No host starts a task before every host of the batch
// still walking is done with the tasks before it, so a task sees what the
// one before it registered on every host. forks then caps how many hosts
// run a task at once (a slot is held for the task's module work only,
// never while waiting for the others). An uncaught failure counts against
// max_fail_percentage at once: when the batch's failures exceed it, the
// roll stops before the other hosts' next task, as Ansible breaks the play
// after the failing task.
//
// Order is a host's position: its task's Seq (the source order), after
// what encloses it in its walk — for each looped include it is in, the
// region's Seq and the pass; for a handler flush, the flush's Seq and the
// handler's index. Positions compare element by element (a prefix comes
// first), and a host's position only grows along its walk.

// lockstep is one batch's barrier.
type lockstep struct {
	mu   sync.Mutex
	cond *sync.Cond
	pos  map[*hostRun][]int // the hosts still walking, at their current task (nil: not at one yet)
	// failures counts the hosts of the batch that failed; size is the
	// batch, prior the play's failed hosts before it (for
	// continue_on_batch_failure's threshold over the play).
	failures    map[*hostRun]bool
	size, prior int
}

func newLockstep(hrs []*hostRun, prior int) *lockstep {
	l := &lockstep{pos: make(map[*hostRun][]int, len(hrs)), failures: map[*hostRun]bool{}, size: len(hrs), prior: prior}
	l.cond = sync.NewCond(&l.mu)
	for _, h := range hrs {
		l.pos[h] = nil
	}
	return l
}

// arrive records that h is about to run a task at pos and waits until no
// other host still walking is before pos. A host that is not one of the
// batch's walks (a health gate walk) does not wait. It returns false when
// ctx ends first.
func (l *lockstep) arrive(ctx context.Context, h *hostRun, pos []int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.pos[h]; !ok {
		return true
	}
	l.pos[h] = pos
	l.cond.Broadcast()
	if !l.behind(h, pos) {
		return ctx.Err() == nil
	}
	// Waiting: an interrupt must wake the wait.
	stop := context.AfterFunc(ctx, func() {
		l.mu.Lock()
		l.cond.Broadcast()
		l.mu.Unlock()
	})
	defer stop()
	for ctx.Err() == nil && l.behind(h, pos) {
		l.cond.Wait()
	}
	return ctx.Err() == nil
}

// behind reports whether another host still walking is before pos.
func (l *lockstep) behind(h *hostRun, pos []int) bool {
	for o, p := range l.pos {
		if o != h && slices.Compare(p, pos) < 0 {
			return true
		}
	}
	return false
}

// forEach runs f for every host on a goroutine of its own, all at once
// (forks is applied per task: withSlot); a host leaves the barrier when
// f returns. wg counts the goroutines.
func (l *lockstep) forEach(hrs []*hostRun, wg *sync.WaitGroup, f func(hr *hostRun)) {
	for _, hr := range hrs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer l.leave(hr)
			f(hr)
		}()
	}
}

// leave removes a host whose walk ended.
func (l *lockstep) leave(h *hostRun) {
	l.mu.Lock()
	delete(l.pos, h)
	l.cond.Broadcast()
	l.mu.Unlock()
}

// fail counts h as failed (once) and returns the batch's failed hosts.
func (l *lockstep) fail(h *hostRun) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures[h] = true
	return len(l.failures)
}

// linear reports whether the play runs its batches in lockstep: its
// strategy, or the run's default (--strategy) when it names none.
func (pr *playRun) linear() bool {
	if s := pr.play.Strategy; s != "" {
		return s == "linear"
	}
	return pr.opts.Strategy == "linear"
}

// step waits, under the linear strategy, until every host of the batch
// is done with the tasks before n. It returns false when the host must
// not run n: the roll stopped or a host ended the batch meanwhile.
func (h *hostRun) step(ctx context.Context, n *playbooks.Node) bool {
	l := h.pr.lock
	if l == nil || h.unlocked {
		return true
	}
	pos := make([]int, 0, len(h.lockCtx)+1)
	pos = append(append(pos, h.lockCtx...), n.Seq)
	return l.arrive(ctx, h, pos) && !h.pr.halted()
}

// failedHost counts an uncaught failure of h under the linear strategy and
// stops the roll when the batch's failures exceed max_fail_percentage.
func (h *hostRun) failedHost() {
	l, maxFail := h.pr.lock, h.pr.maxFail
	if l == nil || maxFail == nil {
		return
	}
	n := l.fail(h)
	if h.pr.play.ContinueOnBatchFailure {
		if float64(l.prior+n)*100/float64(h.pr.total) > *maxFail {
			h.pr.halt(fmt.Sprintf("max_fail_percentage %g%% exceeded over the play: %d of %d hosts failed", *maxFail, l.prior+n, h.pr.total))
		}
		return
	}
	if float64(n)*100/float64(l.size) > *maxFail {
		h.pr.halt(fmt.Sprintf("max_fail_percentage %g%% exceeded: %d of %d hosts of the batch failed", *maxFail, n, l.size))
	}
}

// withSlot runs f holding one of the batch's forks under the linear
// strategy (every host of the batch walks at once there; forks caps the
// hosts running a task).
func (pr *playRun) withSlot(ctx context.Context, f func() modules.Result) modules.Result {
	if pr.slots == nil {
		return f()
	}
	select {
	case pr.slots <- struct{}{}:
	case <-ctx.Done():
		return modules.Fail("interrupted")
	}
	defer func() { <-pr.slots }()
	return f()
}
