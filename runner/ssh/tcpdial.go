package ssh

import (
	"context"
	"net"
	"time"
)

// A host that is rebooting usually drops connection attempts rather than
// refusing them: its network is down, nothing answers the SYN. A single
// connect then waits for the kernel's SYN retransmissions, 1 s, 3 s and 7 s
// after the first: a host back at 1.2 s is noticed at 3 s, and the
// difference is added to its downtime, to the batch and to the roll.
// (Ansible has the same lag; its users see hosts "back" seconds late.)
//
// staggeredDial therefore keeps fresh SYNs going: while nothing has
// connected or failed, it starts another attempt every staggerEvery,
// each extra one living at most staggerLife (at most staggerMax extras at
// once); the first attempt lives until ctx ends, so a link slower than
// staggerLife still connects. The first connection wins and the others
// are cancelled or closed. A refused attempt fails as fast as before: when
// no attempt is left in flight, its error is returned.
const (
	staggerEvery = 250 * time.Millisecond
	staggerLife  = time.Second
	staggerMax   = 4
)

type dialResult struct {
	c       net.Conn
	err     error
	extra   bool // an extra attempt
	expired bool // an extra attempt that reached its lifetime
}

// staggeredDial connects with dial (see above). The returned error is the
// first attempt's, or ctx's when it ended first.
func staggeredDial(ctx context.Context, dial func(context.Context) (net.Conn, error)) (net.Conn, error) {
	return staggeredDialEvery(ctx, dial, staggerEvery, staggerLife, staggerMax)
}

func staggeredDialEvery(ctx context.Context, dial func(context.Context) (net.Conn, error), every, life time.Duration, maxExtra int) (net.Conn, error) {
	actx, cancelAll := context.WithCancel(ctx)
	defer cancelAll()
	results := make(chan dialResult)
	inFlight, extras := 0, 0
	start := func(extra bool) {
		inFlight++
		if extra {
			extras++
		}
		go func() {
			c, cancel := actx, context.CancelFunc(func() {})
			if extra {
				c, cancel = context.WithTimeout(actx, life)
			}
			nc, err := dial(c)
			r := dialResult{c: nc, err: err, extra: extra, expired: err != nil && c.Err() != nil && actx.Err() == nil}
			cancel()
			select {
			case results <- r:
			case <-actx.Done():
				// Lost the race or given up: nobody reads this one.
				if nc != nil {
					nc.Close()
				}
			}
		}()
	}
	start(false)
	tick := time.NewTicker(every)
	defer tick.Stop()
	var firstErr error
	for {
		select {
		case r := <-results:
			inFlight--
			if r.extra {
				extras--
			}
			if r.err == nil {
				return r.c, nil // the deferred cancelAll stops the others
			}
			if firstErr == nil && !r.expired {
				firstErr = r.err
			}
			if inFlight == 0 {
				if firstErr == nil {
					firstErr = r.err
				}
				return nil, firstErr
			}
		case <-tick.C:
			if extras < maxExtra {
				start(true)
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
