package runner

import (
	"context"
	"sync"

	"github.com/drover-sh/drover/playbooks"
)

// The hosts of the next batch are connected (and their shells started)
// while the current batch runs, so that the next batch's first task finds
// its connection open. When the play reboots, the dialing waits until
// every host of the current batch has gone down for its reboot (or is
// done): the handshakes then use the CPU the rebooting batch leaves idle
// instead of competing with its pre-reboot tasks and its reboot commands —
// at 25 hosts a batch on two cores, 25 handshakes cost the hosts about a
// second of CPU, and every host of the batch that goes down later comes
// back later.

// connectWhenQuiet calls connect once every one of n hosts has called
// quiet (or at once when n is 0).
type connectWhenQuiet struct {
	mu      sync.Mutex
	left    int
	connect func()
}

func newConnectWhenQuiet(n int, connect func()) *connectWhenQuiet {
	c := &connectWhenQuiet{left: n, connect: connect}
	if n <= 0 {
		c.fire()
	}
	return c
}

// quiet records that one more host no longer needs the CPU.
func (c *connectWhenQuiet) quiet() {
	c.mu.Lock()
	c.left--
	fire := c.left == 0
	c.mu.Unlock()
	if fire {
		c.fire()
	}
}

func (c *connectWhenQuiet) fire() {
	if c.connect != nil {
		c.connect()
	}
}

// hasReboot reports whether the play reboots its hosts.
func hasReboot(prog *playbooks.Program) bool {
	for _, n := range prog.Nodes {
		if n.Task != nil && n.Task.Module == "reboot" {
			return true
		}
	}
	return false
}

// scheduleNextConnect arranges the next batch's connections (see above);
// it runs on the play's goroutine, which alone creates host walk states.
func (pr *playRun) scheduleNextConnect(ctx context.Context, batch, next []*Host, runs map[string]*hostRun) {
	hrs := pr.hostRuns(runs, next)
	n := 0
	if pr.reboots {
		n = len(batch)
	}
	pr.mu.Lock()
	pr.nextConnect = newConnectWhenQuiet(n, func() { pr.preconnect(ctx, hrs) })
	pr.mu.Unlock()
}

// quiet tells the batch's connection trigger that h has gone down for its
// reboot (modules.Env.Down) or is done (once per host: a host is in one batch of a play).
func (h *hostRun) quiet() {
	h.quietOnce.Do(func() {
		h.pr.mu.Lock()
		c := h.pr.nextConnect
		h.pr.mu.Unlock()
		if c != nil {
			c.quiet()
		}
	})
}
