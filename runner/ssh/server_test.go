package ssh

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/drover-sh/drover/modules"
)

// testServer is a compact in-process SSH server on 127.0.0.1:0: it runs
// "exec" requests with /bin/sh -c in a temp dir, honours "signal"
// requests, forwards direct-tcpip channels, can refuse sessions beyond
// maxSessions, and can play dead (freeze) or drop its connections (kill).
type testServer struct {
	t           *testing.T
	ln          net.Listener
	host        string
	port        int
	dir         string
	maxSessions int

	mu         sync.Mutex
	hostKey    ssh.Signer
	authorized []ssh.PublicKey
	userCA     ssh.PublicKey
	password   string
	users      []string
	conns      []*freezeConn
	procList   []*os.Process

	accepts     atomic.Int32
	directTCPIP atomic.Int32
	thaw        chan struct{}
}

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{t: t, ln: ln, dir: t.TempDir(), thaw: make(chan struct{})}
	s.host = "127.0.0.1"
	s.port = ln.Addr().(*net.TCPAddr).Port
	s.rotateHostKey()
	go s.serve()
	t.Cleanup(s.stop)
	return s
}

func (s *testServer) addr() string { return net.JoinHostPort(s.host, strconv.Itoa(s.port)) }

// rotateHostKey gives the server a new ed25519 host key.
func (s *testServer) rotateHostKey() ssh.Signer {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		s.t.Fatal(err)
	}
	s.mu.Lock()
	s.hostKey = signer
	s.mu.Unlock()
	return signer
}

func (s *testServer) hostPub() ssh.PublicKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hostKey.PublicKey()
}

// knownHostsLine is the known_hosts line for the server's current key.
func (s *testServer) knownHostsLine() string {
	return knownhosts.Line([]string{knownhosts.Normalize(s.addr())}, s.hostPub()) + "\n"
}

func (s *testServer) authorize(pub ssh.PublicKey) {
	s.mu.Lock()
	s.authorized = append(s.authorized, pub)
	s.mu.Unlock()
}

func (s *testServer) seenUsers() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.users...)
}

// procs are the processes the server started.
func (s *testServer) procs() []*os.Process {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*os.Process(nil), s.procList...)
}

func (s *testServer) stop() {
	s.ln.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.thaw:
	default:
		close(s.thaw)
	}
	for _, c := range s.conns {
		c.Conn.Close()
	}
	for _, p := range s.procList {
		syscall.Kill(-p.Pid, syscall.SIGKILL)
	}
}

// freeze makes the server stop answering on its connections, like a host
// that lost power: no FIN, no RST, nothing.
func (s *testServer) freeze() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.frozen.Store(true)
	}
}

// kill closes the listener and every connection abruptly (sshd killed).
func (s *testServer) kill() {
	s.ln.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.Conn.Close()
	}
}

func (s *testServer) serverConfig() *ssh.ServerConfig {
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg := &ssh.ServerConfig{
		PublicKeyCallback: func(meta ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			if cert, ok := key.(*ssh.Certificate); ok && s.userCA != nil {
				checker := &ssh.CertChecker{IsUserAuthority: func(a ssh.PublicKey) bool {
					return bytes.Equal(a.Marshal(), s.userCA.Marshal())
				}}
				return checker.Authenticate(meta, cert)
			}
			for _, a := range s.authorized {
				if bytes.Equal(a.Marshal(), key.Marshal()) {
					return nil, nil
				}
			}
			return nil, errors.New("unknown key")
		},
	}
	if s.password != "" {
		pw := s.password
		cfg.PasswordCallback = func(_ ssh.ConnMetadata, got []byte) (*ssh.Permissions, error) {
			if string(got) == pw {
				return nil, nil
			}
			return nil, errors.New("wrong password")
		}
	}
	cfg.AddHostKey(s.hostKey)
	return cfg
}

func (s *testServer) serve() {
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.accepts.Add(1)
		fc := &freezeConn{Conn: nc, thaw: s.thaw}
		s.mu.Lock()
		s.conns = append(s.conns, fc)
		s.mu.Unlock()
		go s.handle(fc)
	}
}

func (s *testServer) handle(nc net.Conn) {
	defer nc.Close()
	sc, chans, reqs, err := ssh.NewServerConn(nc, s.serverConfig())
	if err != nil {
		return
	}
	s.mu.Lock()
	s.users = append(s.users, sc.User())
	s.mu.Unlock()
	go ssh.DiscardRequests(reqs) // answers keepalives with "false": alive
	var sessions atomic.Int32
	for nch := range chans {
		switch nch.ChannelType() {
		case "session":
			if s.maxSessions > 0 && int(sessions.Load()) >= s.maxSessions {
				nch.Reject(ssh.Prohibited, "open failed")
				continue
			}
			sessions.Add(1)
			go func() {
				defer sessions.Add(-1)
				s.session(nch)
			}()
		case "direct-tcpip":
			go s.forward(nch)
		default:
			nch.Reject(ssh.UnknownChannelType, "no")
		}
	}
}

func (s *testServer) forward(nch ssh.NewChannel) {
	var p struct {
		Host     string
		Port     uint32
		FromHost string
		FromPort uint32
	}
	if err := ssh.Unmarshal(nch.ExtraData(), &p); err != nil {
		nch.Reject(ssh.ConnectionFailed, err.Error())
		return
	}
	out, err := net.Dial("tcp", net.JoinHostPort(p.Host, strconv.Itoa(int(p.Port))))
	if err != nil {
		nch.Reject(ssh.ConnectionFailed, err.Error())
		return
	}
	ch, reqs, err := nch.Accept()
	if err != nil {
		out.Close()
		return
	}
	s.directTCPIP.Add(1)
	go ssh.DiscardRequests(reqs)
	go func() { io.Copy(out, ch); out.(*net.TCPConn).CloseWrite() }()
	io.Copy(ch, out)
	ch.Close()
	out.Close()
}

func (s *testServer) session(nch ssh.NewChannel) {
	ch, reqs, err := nch.Accept()
	if err != nil {
		return
	}
	defer ch.Close()
	var cmd *exec.Cmd
	exited := make(chan struct{})
	for req := range reqs {
		switch req.Type {
		case "exec":
			var p struct{ Cmd string }
			if cmd != nil || ssh.Unmarshal(req.Payload, &p) != nil {
				req.Reply(false, nil)
				continue
			}
			cmd = exec.Command("/bin/sh", "-c", p.Cmd)
			cmd.Dir = s.dir
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			cmd.Stdout, cmd.Stderr = ch, ch.Stderr()
			stdin, _ := cmd.StdinPipe()
			if err := cmd.Start(); err != nil {
				req.Reply(false, nil)
				return
			}
			s.mu.Lock()
			s.procList = append(s.procList, cmd.Process)
			s.mu.Unlock()
			req.Reply(true, nil)
			go func() { io.Copy(stdin, ch); stdin.Close() }()
			go func() {
				defer close(exited)
				cmd.Wait()
				code := cmd.ProcessState.ExitCode()
				if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
					code = 128 + int(ws.Signal())
				}
				ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Code uint32 }{uint32(code)}))
				ch.Close()
			}()
		case "signal":
			var p struct{ Sig string }
			ssh.Unmarshal(req.Payload, &p)
			if cmd != nil && p.Sig == "KILL" {
				syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			}
			req.Reply(true, nil)
		default:
			req.Reply(false, nil)
		}
	}
	if cmd != nil {
		<-exited
	}
}

// freezeConn stops delivering and sending data once frozen.
type freezeConn struct {
	net.Conn
	frozen atomic.Bool
	thaw   chan struct{}
}

func (c *freezeConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if c.frozen.Load() {
		<-c.thaw
		return 0, io.EOF
	}
	return n, err
}

func (c *freezeConn) Write(b []byte) (int, error) {
	if c.frozen.Load() {
		<-c.thaw
		return 0, io.ErrClosedPipe
	}
	return c.Conn.Write(b)
}

// testKey is a client key pair written to dir/name (OpenSSH format).
type testKey struct {
	path   string
	signer ssh.Signer
	priv   ed25519.PrivateKey
}

func newTestKey(t *testing.T, dir, name, passphrase string) *testKey {
	t.Helper()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	var block *pem.Block
	var err error
	if passphrase == "" {
		block, err = ssh.MarshalPrivateKey(priv, "test")
	} else {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "test", []byte(passphrase))
	}
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return &testKey{path: path, signer: signer, priv: priv}
}

// isolate gives the test an empty HOME and no agent or passphrase from the
// environment, so that the real ~/.ssh is never read.
func isolate(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, k := range []string{"SSH_AUTH_SOCK", PassphraseEnv} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	return home
}

// fixture is a server, a key it accepts and a known_hosts file that knows it.
type fixture struct {
	srv        *testServer
	key        *testKey
	knownHosts string
	home       string
	warnings   *warnings
}

type warnings struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warnings) add(m string) { w.mu.Lock(); w.msgs = append(w.msgs, m); w.mu.Unlock() }
func (w *warnings) list() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.msgs...)
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{home: isolate(t), srv: newTestServer(t), warnings: &warnings{}}
	f.key = newTestKey(t, t.TempDir(), "id_test", "")
	f.srv.authorize(f.key.signer.PublicKey())
	f.knownHosts = filepath.Join(t.TempDir(), "known_hosts")
	writeFile(t, f.knownHosts, f.srv.knownHostsLine())
	return f
}

// config is a Dialer config trusting f.knownHosts with f.key, no ssh_config.
func (f *fixture) config() Config {
	return Config{
		KnownHostsFiles: []string{f.knownHosts},
		SSHConfigFiles:  []string{},
		IdentityFiles:   []string{f.key.path},
		User:            "tester",
		Warn:            f.warnings.add,
	}
}

func (f *fixture) dialer(t *testing.T, cfg Config) *Dialer {
	t.Helper()
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func (f *fixture) target() modules.Target { return targetFor(f.srv) }

func targetFor(s *testServer) modules.Target {
	return modules.Target{Name: "host-" + strconv.Itoa(s.port), Addr: s.host, Port: s.port}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func mustRun(t *testing.T, c *Conn, cmd string) string {
	t.Helper()
	res, err := c.Run(t.Context(), cmd, nil)
	if err != nil {
		t.Fatalf("run %q: %v", cmd, err)
	}
	if res.ExitCode != 0 {
		t.Fatalf("run %q: exit %d: %s", cmd, res.ExitCode, res.Stderr)
	}
	return string(res.Stdout)
}
