package ssh

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

// bastion is one cached ProxyJump hop, shared by every host behind it.
type bastion struct {
	ready  chan struct{} // closed when the dial finished
	client *ssh.Client
	err    error
}

// bastionChain returns the connection to the last hop of chain, dialing
// every hop through the previous one. Each prefix of the chain is cached, so
// hosts behind the same bastions share one connection to each.
func (d *Dialer) bastionChain(ctx context.Context, chain []string) (*ssh.Client, error) {
	var via *ssh.Client
	for i := range chain {
		c, err := d.bastionHop(ctx, strings.Join(chain[:i+1], ","), chain[i], via)
		if err != nil {
			return nil, err
		}
		via = c
	}
	return via, nil
}

func (d *Dialer) bastionHop(ctx context.Context, key, spec string, via *ssh.Client) (*ssh.Client, error) {
	d.bastionMu.Lock()
	b := d.bastions[key]
	if b == nil {
		b = &bastion{ready: make(chan struct{})}
		d.bastions[key] = b
		d.bastionMu.Unlock()
		// The shared dial must not fail because one caller gave up.
		go d.dialBastion(context.WithoutCancel(ctx), key, spec, via, b)
	} else {
		d.bastionMu.Unlock()
	}
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("bastion %s: %w", spec, ctx.Err())
	case <-b.ready:
	}
	if b.err != nil {
		return nil, b.err
	}
	return b.client, nil
}

func (d *Dialer) dialBastion(ctx context.Context, key, spec string, via *ssh.Client, b *bastion) {
	forget := func() {
		d.bastionMu.Lock()
		if d.bastions[key] == b {
			delete(d.bastions, key)
		}
		d.bastionMu.Unlock()
	}
	defer close(b.ready)
	p, err := d.resolveJump(ctx, spec)
	if err != nil {
		b.err = err
		forget()
		return
	}
	client, err := d.connect(ctx, p, via)
	if err != nil {
		b.err = fmt.Errorf("bastion %w", err)
		forget()
		return
	}
	b.client = client
	dead := make(chan struct{})
	go func() {
		client.Wait() //nolint:errcheck // any end of the bastion means redial
		forget()
		close(dead)
	}()
	go keepalive(client, p.keepaliveInterval, p.keepaliveMax, dead, func(error) { client.Close() })
}
