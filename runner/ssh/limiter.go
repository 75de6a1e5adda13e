package ssh

import (
	"context"
	"errors"
	"sync"
)

// limiter bounds the concurrent sessions of one connection. Its bound
// starts at the configured MaxSessions and goes down when the server
// refuses sessions.
type limiter struct {
	mu     sync.Mutex
	limit  int
	active int           // slots taken (sessions open or being opened)
	open   int           // sessions the server accepted, not yet ended
	okHigh int           // most sessions the server accepted at once
	free   chan struct{} // closed (and replaced) whenever a slot frees
}

func newLimiter(n int) *limiter { return &limiter{limit: n, free: make(chan struct{})} }

var errConnDone = errors.New("connection ended")

// acquire takes a slot, waiting until one is free, ctx ends or done closes.
func (l *limiter) acquire(ctx context.Context, done <-chan struct{}) error {
	for {
		l.mu.Lock()
		if l.active < l.limit {
			l.active++
			l.mu.Unlock()
			return nil
		}
		free := l.free
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-done:
			return errConnDone
		case <-free:
		}
	}
}

// notify wakes the waiters. The caller holds l.mu.
func (l *limiter) notify() {
	close(l.free)
	l.free = make(chan struct{})
}

// opened records that the server accepted the caller's session.
func (l *limiter) opened() {
	l.mu.Lock()
	l.open++
	l.okHigh = max(l.okHigh, l.open)
	l.mu.Unlock()
}

// closed gives back the slot of a session that was opened.
func (l *limiter) closed() {
	l.mu.Lock()
	l.open--
	l.active--
	l.notify()
	l.mu.Unlock()
}

// release gives back a slot whose session was never opened.
func (l *limiter) release() {
	l.mu.Lock()
	l.active--
	l.notify()
	l.mu.Unlock()
}

// refusal is what to do after the server refused a session.
type refusal int

const (
	refusedFull      refusal = iota // bound lowered: wait for a free slot
	refusedPending                  // other opens in flight: wait for a change
	refusedTransient                // back off, then try again
)

// refused gives back the caller's slot after the server refused a session.
// While other opens are in flight nothing is concluded (refusedPending:
// wait on the returned channel, which is closed at the next change). If at
// least as many sessions as ever accepted are open, the server is full: the
// bound becomes their number (refusedFull). Otherwise the refusal is taken
// as transient: the server has not yet freed sessions that ended here.
func (l *limiter) refused() (refusal, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.active--
	l.notify()
	switch {
	case l.active > l.open:
		return refusedPending, l.free
	case l.open > 0 && l.open >= l.okHigh:
		l.limit = min(l.limit, l.open)
		return refusedFull, nil
	default:
		return refusedTransient, nil
	}
}
