package ssh

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// fakeDials hands out scripted connection attempts: attempt i calls
// script[i] (the last one for any later attempt) and records its context.
type fakeDials struct {
	mu     sync.Mutex
	ctxs   []context.Context
	script []func(ctx context.Context) (net.Conn, error)
	closed atomic.Int32
}

func (f *fakeDials) dial(ctx context.Context) (net.Conn, error) {
	f.mu.Lock()
	i := len(f.ctxs)
	f.ctxs = append(f.ctxs, ctx)
	fn := f.script[min(i, len(f.script)-1)]
	f.mu.Unlock()
	return fn(ctx)
}

func (f *fakeDials) attempts() []context.Context {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]context.Context(nil), f.ctxs...)
}

// trackedConn records its Close.
type trackedConn struct {
	net.Conn
	f *fakeDials
}

func (c trackedConn) Close() error { c.f.closed.Add(1); return c.Conn.Close() }

func (f *fakeDials) conn() net.Conn {
	a, b := net.Pipe()
	go func() { _ = b.Close() }()
	return trackedConn{a, f}
}

// blackhole is an attempt whose SYN nobody answers: it ends with its ctx.
func blackhole(ctx context.Context) (net.Conn, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestStaggeredDialSendsFreshAttemptsWhileUnanswered(t *testing.T) {
	// The host answers only from the third attempt on (it came back while
	// the first two waited on unanswered SYNs). A single attempt would wait
	// for the test's deadline and fail.
	f := &fakeDials{}
	f.script = []func(context.Context) (net.Conn, error){blackhole, blackhole,
		func(context.Context) (net.Conn, error) { return f.conn(), nil }}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	nc, err := staggeredDialEvery(ctx, f.dial, time.Millisecond, time.Hour, 4)
	if err != nil {
		t.Fatalf("staggered dial: %v", err)
	}
	defer nc.Close()
	as := f.attempts()
	if len(as) < 3 {
		t.Fatalf("%d attempts, want at least 3", len(as))
	}
	// The losers are cancelled, not left waiting for their SYNs.
	for i, c := range as[:2] {
		select {
		case <-c.Done():
		case <-time.After(time.Minute):
			t.Fatalf("attempt %d still running after the winner connected", i)
		}
	}
}

func TestStaggeredDialClosesLateWinners(t *testing.T) {
	// Every attempt connects, but only when released: one conn is returned,
	// every other one is closed.
	f := &fakeDials{}
	release := make(chan struct{})
	var started atomic.Int32
	f.script = []func(context.Context) (net.Conn, error){func(context.Context) (net.Conn, error) {
		started.Add(1)
		<-release
		return f.conn(), nil
	}}
	done := make(chan net.Conn)
	go func() {
		nc, _ := staggeredDialEvery(t.Context(), f.dial, time.Millisecond, time.Hour, 3)
		done <- nc
	}()
	for started.Load() < 4 { // the first attempt and three extras
		time.Sleep(time.Millisecond)
	}
	close(release)
	nc := <-done
	if nc == nil {
		t.Fatal("no connection")
	}
	defer nc.Close()
	for f.closed.Load() < 3 {
		time.Sleep(time.Millisecond)
	}
	if n := len(f.attempts()); n != 4 {
		t.Errorf("%d attempts, want 4 (one, and at most 3 extras in flight)", n)
	}
}

func TestStaggeredDialRefusedFailsAtOnce(t *testing.T) {
	f := &fakeDials{script: []func(context.Context) (net.Conn, error){func(context.Context) (net.Conn, error) {
		return nil, syscall.ECONNREFUSED
	}}}
	// A stagger interval far beyond the test: only the first attempt runs.
	_, err := staggeredDialEvery(t.Context(), f.dial, time.Hour, time.Hour, 4)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("err %v, want connection refused", err)
	}
	if n := len(f.attempts()); n != 1 {
		t.Errorf("%d attempts for a refused connection, want 1", n)
	}
}

func TestStaggeredDialExpiredExtrasDoNotHideTheError(t *testing.T) {
	// Extras expire (their own lifetime); the first attempt then fails for
	// real: that error is the one returned.
	f := &fakeDials{}
	first := make(chan struct{})
	f.script = []func(context.Context) (net.Conn, error){
		func(context.Context) (net.Conn, error) { <-first; return nil, syscall.EHOSTUNREACH },
		blackhole,
	}
	go func() {
		for len(f.attempts()) < 3 {
			time.Sleep(time.Millisecond)
		}
		close(first)
	}()
	_, err := staggeredDialEvery(t.Context(), f.dial, time.Millisecond, time.Millisecond, 2)
	if !errors.Is(err, syscall.EHOSTUNREACH) {
		t.Fatalf("err %v, want the first attempt's no route to host", err)
	}
}

func TestStaggeredDialRealRefusedPort(t *testing.T) {
	// A closed port on loopback: refused, as fast as a plain dial.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = staggeredDial(t.Context(), func(ctx context.Context) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	})
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("err %v, want connection refused", err)
	}
}
