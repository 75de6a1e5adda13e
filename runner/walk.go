package runner

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/drover-sh/drover/modules"
	"github.com/drover-sh/drover/playbooks"
)

// outcome of one task on one host.
type outcome int

const (
	outOK outcome = iota
	outFailed
	outUnreachable
	outEndHost // meta: end_host
	outEndPlay // meta: end_play
	outStopped // the roll stopped (any_errors_fatal, interrupt)
)

// hostRun is one host's walk through a play's Program.
type hostRun struct {
	pr   *playRun
	host *Host

	groupsMu    sync.Mutex
	extraGroups []string // joined with group_by during the play

	connMu sync.Mutex
	conn   modules.Conn

	notified map[string]bool
	blocks   map[int]bool // blocks that failed and are not rescued

	stats     Stats
	status    string
	msg       string // why it failed
	start     time.Time
	lastNode  int  // last node whose result is journaled
	rebooted  bool // a reboot completed in this run
	rebooting bool // between reboot_started and host_back (for the live view)
	bootID    string
	// resumeBoot is the boot id recorded when a reboot was begun by an
	// earlier attempt of this run; the reboot task checks it first.
	resumeBoot string
	warnedDown bool      // the probe already warned that the host is down
	quietOnce  sync.Once // quiet() counts once
	targetOnce sync.Once // computes tgt
	tgt        modules.Target
	loops      []*loopFrame // the include_tasks loops the walk is in
	// lockCtx is what encloses the walk's position under the linear
	// strategy (see lockstep.go): a looped include's Seq and pass, a
	// handler flush's Seq and handler index.
	lockCtx []int
	// unlocked: the host's walk no longer keeps step with the batch (its
	// force_handlers flush after it failed).
	unlocked bool
}

func newHostRun(pr *playRun, h *Host) *hostRun {
	return &hostRun{pr: pr, host: h, notified: map[string]bool{}, blocks: map[int]bool{}, lastNode: -1}
}

// connect returns the host's connection, dialing it when there is none.
func (h *hostRun) connect(ctx context.Context) (modules.Conn, error) {
	h.connMu.Lock()
	defer h.connMu.Unlock()
	if h.conn != nil {
		return h.conn, nil
	}
	switch c := h.connection(); c {
	case "local":
		h.conn = &LocalConn{}
		return h.conn, nil
	case "", "ssh", "smart", "paramiko":
	default:
		return nil, fmt.Errorf("%s: ansible_connection '%s' is not supported: drover connects over SSH, or runs on the controller with ansible_connection: local", h.host.Name, c)
	}
	dctx, cancel := context.WithTimeout(ctx, h.pr.opts.connectTimeout())
	defer cancel()
	c, err := h.pr.opts.Dialer.Dial(dctx, h.target())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", h.host.Name, err)
	}
	h.conn = c
	return c, nil
}

// redial drops the current connection and opens a new one (reboot).
func (h *hostRun) redial(ctx context.Context) (modules.Conn, error) {
	h.connMu.Lock()
	if h.conn != nil {
		_ = h.conn.Close()
		h.conn = nil
	}
	h.connMu.Unlock()
	return h.connect(ctx)
}

func (h *hostRun) close() {
	h.connMu.Lock()
	if h.conn != nil {
		_ = h.conn.Close()
		h.conn = nil
	}
	h.connMu.Unlock()
}

// walk runs the host from node pc until the walk ends. It returns the
// terminal outcome: outOK (reached End), outFailed, outUnreachable,
// outEndPlay or outStopped.
func (h *hostRun) walk(ctx context.Context, pc int) outcome {
	nodes := h.pr.prog.Nodes
	for pc >= 0 {
		if h.pr.halted() || ctx.Err() != nil {
			return outStopped
		}
		if h.pr.endedBatch() { // meta: end_batch on a host of the batch
			return outOK
		}
		n := nodes[pc]
		switch n.Kind {
		case playbooks.KindTask:
			if !h.step(ctx, n) {
				return outStopped
			}
			if h.pr.endedBatch() { // while waiting for the batch
				return outOK
			}
			out := h.runTask(ctx, n)
			if out == outOK && n.Task.Module == "meta" && n.Task.Args["_raw_params"] == "flush_handlers" {
				out = h.flushHandlers(ctx, n.Seq)
			}
			switch out {
			case outOK:
				pc = n.Next
			case outFailed:
				pc = n.OnFail
			case outUnreachable:
				if n.Scope.IgnoreUnreachable { // the task's or a block's
					pc = n.Next
					continue
				}
				return outUnreachable
			case outEndHost:
				return outOK
			case outEndPlay, outStopped:
				return out
			}
		case playbooks.KindBlockFailed:
			h.blocks[n.Block] = true
			pc = n.Next
		case playbooks.KindRescued:
			delete(h.blocks, n.Block)
			h.stats.Rescued++
			pc = n.Next
		case playbooks.KindBlockEnd:
			if h.blocks[n.Block] {
				delete(h.blocks, n.Block)
				pc = n.OnFail
			} else {
				pc = n.Next
			}
		case playbooks.KindIncludeGuard:
			pc = h.includeGuard(n)
		case playbooks.KindLoopStart:
			pc = h.loopStart(n)
		case playbooks.KindLoopNext:
			pc = h.loopNext(ctx, n)
		case playbooks.KindLoopAbort:
			h.popLoop(n.Loop)
			pc = n.Next
		case playbooks.KindFlushHandlers:
			if out := h.flushHandlers(ctx, n.Seq); out != outOK {
				if out == outFailed {
					pc = n.OnFail
					continue
				}
				return out
			}
			pc = n.Next
		}
	}
	if pc == playbooks.Fail {
		return outFailed
	}
	return outOK
}

// flushHandlers runs the notified handlers in the order they are defined;
// at is the flush's Seq (see lockstep.go).
func (h *hostRun) flushHandlers(ctx context.Context, at int) outcome {
	base := len(h.lockCtx)
	// Handlers do not see the loop items of a looped include that
	// flushes them (as in Ansible): their walk starts outside any region.
	loops := h.loops
	h.loops = nil
	defer func() { h.lockCtx, h.loops = h.lockCtx[:base], loops }()
	for i, hd := range h.pr.prog.Handlers {
		if !h.isNotified(hd.Task) {
			continue
		}
		h.clearNotified(hd.Task)
		h.lockCtx = append(h.lockCtx[:base], at, i)
		if out := h.walk(ctx, hd.Entry); out != outOK {
			return out
		}
	}
	return outOK
}

func (h *hostRun) isNotified(t *playbooks.Task) bool {
	if h.notified[t.Name] || t.Role != "" && h.notified[t.Role+" : "+t.Name] {
		return true
	}
	for _, l := range t.Listen {
		if h.notified[l] {
			return true
		}
	}
	return false
}

func (h *hostRun) clearNotified(t *playbooks.Task) {
	delete(h.notified, t.Name)
	if t.Role != "" {
		delete(h.notified, t.Role+" : "+t.Name)
	}
	for _, l := range t.Listen {
		delete(h.notified, l)
	}
}

func (h *hostRun) setFact(k string, v any) {
	h.pr.facts.set(h.host.Name, k, v)
}
