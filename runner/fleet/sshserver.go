package fleet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// serverConfig is host h's SSH server configuration: its host key, and
// public-key authentication accepting the fleet's client key (any user).
func (f *Fleet) serverConfig(h *host) *ssh.ServerConfig {
	want := f.clientKey.PublicKey().Marshal()
	cfg := &ssh.ServerConfig{
		ServerVersion: "SSH-2.0-drover-fleet",
		PublicKeyCallback: func(_ ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if bytes.Equal(key.Marshal(), want) {
				return &ssh.Permissions{}, nil
			}
			return nil, fmt.Errorf("host %s: key not accepted", h.name)
		},
	}
	cfg.AddHostKey(h.hostKey)
	return cfg
}

// acceptLoop serves one listener until it is closed.
func (h *host) acceptLoop(ln net.Listener, l *link) {
	for {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		h.mu.Lock()
		if h.link != l {
			h.mu.Unlock()
			nc.Close()
			continue
		}
		h.conns[nc] = struct{}{}
		h.mu.Unlock()
		h.f.wg.Add(1)
		go func() {
			defer h.f.wg.Done()
			h.serveConn(nc, l)
		}()
	}
}

// handshakeTimeout bounds an SSH handshake.
const handshakeTimeout = 15 * time.Second

// serveConn serves one SSH connection.
func (h *host) serveConn(nc net.Conn, l *link) {
	defer func() {
		nc.Close()
		h.mu.Lock()
		delete(h.conns, nc)
		h.mu.Unlock()
	}()
	_ = nc.SetDeadline(time.Now().Add(handshakeTimeout))
	sconn, chans, reqs, err := ssh.NewServerConn(nc, h.sshConfig)
	if err != nil {
		return
	}
	_ = nc.SetDeadline(time.Time{})
	h.connections.Add(1)
	defer sconn.Close()
	go ssh.DiscardRequests(reqs)
	var wg sync.WaitGroup
	for nch := range chans {
		if nch.ChannelType() != "session" {
			_ = nch.Reject(ssh.UnknownChannelType, "only session channels")
			continue
		}
		ch, creqs, err := nch.Accept()
		if err != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.serveSession(ch, creqs, l)
		}()
	}
	wg.Wait()
}

// serveSession serves one session channel: a single exec request (or the
// sftp subsystem), signals, and nothing else (no pty, no shell).
func (h *host) serveSession(ch ssh.Channel, reqs <-chan *ssh.Request, l *link) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		mu      sync.Mutex
		started bool
		pgid    int
		done    = make(chan struct{})
	)
	for req := range reqs {
		switch req.Type {
		case "exec":
			var p struct{ Command string }
			mu.Lock()
			again := started
			started = true
			mu.Unlock()
			if again || ssh.Unmarshal(req.Payload, &p) != nil {
				_ = req.Reply(false, nil)
				continue
			}
			_ = req.Reply(true, nil)
			go func() {
				defer close(done)
				st, err := h.run(ctx, l, p.Command, ch, ch, ch.Stderr(), func(pg int) {
					mu.Lock()
					pgid = pg
					mu.Unlock()
				})
				if err == nil {
					sendExit(ch, st)
				}
				_ = ch.CloseWrite()
				ch.Close()
			}()
		case "subsystem":
			var p struct{ Name string }
			mu.Lock()
			again := started
			started = true
			mu.Unlock()
			if again || ssh.Unmarshal(req.Payload, &p) != nil || p.Name != "sftp" {
				_ = req.Reply(false, nil)
				continue
			}
			_ = req.Reply(true, nil)
			go func() {
				defer close(done)
				h.serveSFTP(ch, l)
			}()
		case "signal":
			var p struct{ Signal string }
			if ssh.Unmarshal(req.Payload, &p) == nil {
				mu.Lock()
				pg := pgid
				mu.Unlock()
				if sig, ok := signals[p.Signal]; ok && pg > 0 {
					h.signalGroup(pg, sig)
				}
			}
			if req.WantReply {
				_ = req.Reply(true, nil)
			}
		default: // env, pty-req, shell, x11-req, ...: refused
			if req.WantReply {
				_ = req.Reply(false, nil)
			}
		}
	}
	// The client closed the channel (or the connection dropped): kill what
	// still runs, as sshd's session teardown would.
	cancel()
	mu.Lock()
	wasStarted := started
	mu.Unlock()
	if wasStarted {
		<-done
	}
	ch.Close()
}

// serveSFTP runs an SFTP server rooted (as working directory) at the host
// root, until the channel or the link ends.
func (h *host) serveSFTP(ch ssh.Channel, l *link) {
	srv, err := sftp.NewServer(ch, sftp.WithServerWorkingDirectory(h.root))
	if err != nil {
		ch.Close()
		return
	}
	stop := context.AfterFunc(l.ctx, func() { srv.Close() })
	defer stop()
	if err := srv.Serve(); err != nil && !errors.Is(err, net.ErrClosed) {
		_ = err // io.EOF when the client closes; nothing to report
	}
	srv.Close()
	ch.Close()
}

// sendExit sends exit-status, or exit-signal for a killed command.
func sendExit(ch ssh.Channel, st exitStatus) {
	if st.Signal != 0 {
		name := "KILL"
		for n, s := range signals {
			if s == st.Signal {
				name = n
			}
		}
		_, _ = ch.SendRequest("exit-signal", false, ssh.Marshal(struct {
			Signal     string
			CoreDumped bool
			Error      string
			Lang       string
		}{Signal: name}))
		return
	}
	_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{uint32(st.Code)}))
}

// signals are the SSH signal names (RFC 4254 6.10).
var signals = map[string]syscall.Signal{
	"ABRT": syscall.SIGABRT, "ALRM": syscall.SIGALRM, "FPE": syscall.SIGFPE,
	"HUP": syscall.SIGHUP, "ILL": syscall.SIGILL, "INT": syscall.SIGINT,
	"KILL": syscall.SIGKILL, "PIPE": syscall.SIGPIPE, "QUIT": syscall.SIGQUIT,
	"SEGV": syscall.SIGSEGV, "TERM": syscall.SIGTERM, "USR1": syscall.SIGUSR1,
	"USR2": syscall.SIGUSR2,
}
