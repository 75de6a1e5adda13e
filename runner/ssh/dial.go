package ssh

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/drover-sh/drover/modules"
)

var _ modules.Dialer = (*Dialer)(nil)

// Dial connects to t. See Connect.
func (d *Dialer) Dial(ctx context.Context, t modules.Target) (modules.Conn, error) {
	c, err := d.Connect(ctx, t)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Connect opens one SSH connection to t (through its bastions, if any) and
// starts its keepalives. Errors wrap modules.ErrUnreachable; host key
// problems are a *modules.HostKeyError.
func (d *Dialer) Connect(ctx context.Context, t modules.Target) (*Conn, error) {
	p, err := d.resolve(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("ssh %s: %w: %w", t.Name, modules.ErrUnreachable, err)
	}
	var via *ssh.Client
	if len(p.proxyJump) > 0 {
		if via, err = d.bastionChain(ctx, p.proxyJump); err != nil {
			return nil, fmt.Errorf("ssh %s: via %s: %w", p.name, strings.Join(p.proxyJump, ","), err)
		}
	}
	start := time.Now()
	d.debugf("%s: dialing %s as %s%s", p.name, p.addr(), p.user, viaText(p.proxyJump))
	client, err := d.connect(ctx, p, via)
	if err != nil {
		d.debugf("%s: %v", p.name, err)
		return nil, err
	}
	d.debugf("%s: connected to %s (%s), host key verified, logged in as %s in %s",
		p.name, client.RemoteAddr(), string(client.ServerVersion()), client.User(), time.Since(start).Round(time.Millisecond))
	return newConn(d, p, client), nil
}

func viaText(jumps []string) string {
	if len(jumps) == 0 {
		return ""
	}
	return " via " + strings.Join(jumps, ",")
}

// debugf reports SSH-level detail when Config.Debug is set.
func (d *Dialer) debugf(format string, args ...any) {
	if d.cfg.Debug != nil {
		d.cfg.Debug(fmt.Sprintf(format, args...))
	}
}

// connect dials p (through via when not nil) and does the handshake, each
// bounded by p.connectTimeout (not counting passphrase prompts) and ctx.
func (d *Dialer) connect(ctx context.Context, p *hostParams, via *ssh.Client) (*ssh.Client, error) {
	client, preferred, err := d.attempt(ctx, p, via, true)
	if err != nil && preferred && strings.Contains(err.Error(), "no common algorithm for host key") {
		// The host no longer has a key of the type on record: connect
		// again without preference so that the key is reported as changed.
		client, _, err = d.attempt(ctx, p, via, false)
	}
	return client, err
}

// attempt is one TCP connection and handshake. With prefer, the handshake
// asks for the host key types on record (knownAlgorithms), looked up only
// once the TCP connection is up: a host that is rebooting refuses dozens of
// connections a second, and each lookup scans the known_hosts entries.
// preferred reports whether a preference was sent.
func (d *Dialer) attempt(ctx context.Context, p *hostParams, via *ssh.Client, prefer bool) (client *ssh.Client, preferred bool, err error) {
	addr := p.addr()
	fail := func(what string, err error) error {
		return fmt.Errorf("ssh %s (%s@%s): %s: %w: %w", p.name, p.user, addr, what, modules.ErrUnreachable, err)
	}
	dctx, cancel := context.WithTimeout(ctx, p.connectTimeout)
	var nc net.Conn
	var proxy *proxyConn
	if p.proxyCommand != "" && via == nil {
		if err = d.proxyTurn(dctx, p.name); err == nil {
			proxy, err = dialProxyCommand(p.proxyCommand, addr)
			nc = proxy
		}
	} else {
		nc, err = staggeredDial(dctx, func(ctx context.Context) (net.Conn, error) {
			if via == nil {
				var nd net.Dialer
				return nd.DialContext(ctx, "tcp", addr)
			}
			return via.DialContext(ctx, "tcp", addr)
		})
	}
	cancel()
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		err = fmt.Errorf("no answer within %v: %w", p.connectTimeout, err)
	}
	if err != nil {
		return nil, false, fail("connect", err)
	}
	algos := p.algos.hostKeys // HostKeyAlgorithms given: as given, like OpenSSH
	if algos == nil && prefer {
		algos = d.knownAlgorithms(p, addr)
		preferred = algos != nil
	}
	// The handshake is bounded by ctx and by a watchdog that a passphrase
	// prompt holds (a user typing must not time the connection out).
	var timedOut atomic.Bool
	watchdog := time.AfterFunc(p.connectTimeout, func() { timedOut.Store(true); nc.Close() })
	stopCtx := context.AfterFunc(ctx, func() { nc.Close() })
	hold := func() (resume func()) {
		if watchdog.Stop() {
			return func() { watchdog.Reset(p.connectTimeout) }
		}
		return func() {}
	}
	methods, agentConn := d.authMethods(p, hold)
	defer agentConn.Close()
	cfg := &ssh.ClientConfig{
		Config: ssh.Config{
			KeyExchanges: p.algos.kex,
			Ciphers:      p.algos.ciphers,
			MACs:         p.algos.macs,
		},
		User:              p.user,
		Auth:              methods,
		HostKeyCallback:   d.hostKeyCallback(p),
		HostKeyAlgorithms: algos,
	}
	sc, chans, reqs, err := ssh.NewClientConn(nc, addr, cfg)
	watchdog.Stop()
	ctxFired := !stopCtx()
	if ctxFired || timedOut.Load() {
		if err == nil {
			sc.Close()
		}
		if ctxFired {
			return nil, preferred, fail("handshake", ctx.Err())
		}
		return nil, preferred, fail("handshake", fmt.Errorf("timed out after %v", p.connectTimeout))
	}
	if err != nil {
		nc.Close()
		if proxy != nil {
			if msg := proxy.Stderr(); msg != "" {
				err = fmt.Errorf("%w (ProxyCommand said: %s)", err, msg)
			}
		}
		if strings.Contains(err.Error(), "unable to authenticate") {
			return nil, preferred, fail(fmt.Sprintf("authentication as %s (identities %s; ssh-agent and password when set)", p.user, strings.Join(p.identityFiles, ", ")), err)
		}
		return nil, preferred, fail("handshake", err)
	}
	return ssh.NewClient(sc, chans, reqs), preferred, nil
}
