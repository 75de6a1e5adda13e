package ssh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// sshG evaluates the ssh_config files with the OpenSSH client: `ssh -G`
// prints the configuration ssh would use for a host, after every Host and
// Match block (Match exec commands run), Include and token, exactly as
// ssh computes it. It is the sshConfigSource when kevinburke/ssh_config
// cannot parse one of the files.
//
// The files are evaluated together, in their order, through a private
// config file that Includes each of them and is given with -F (which also
// keeps ssh from reading ~/.ssh/config and /etc/ssh/ssh_config by
// itself). OpenSSH reads every included file with its lines active and
// restores the including file's state after it, so that a Host or Match
// block of one file never extends into the next one.
//
// `ssh -G` prints every keyword, defaults included. After the Includes, a
// "Host *" block gives marker values (OpenSSH keeps the first value it
// obtains for a keyword) to the keywords whose drover default differs
// from OpenSSH's: a marker in the output means "not set by the files".
// Config.User is given there as the last-resort User. The other keywords
// drover reads are unset when they show OpenSSH's default, which means the
// same to drover as an explicit value equal to it.
type sshG struct {
	bin         string   // the ssh client
	files       []string // absolute ssh_config paths, in order
	timeout     time.Duration
	defaultUser string // Config.User, given to ssh as the last-resort User
	unsetUser   string // a User value that means "unset" ("" = none)
	// defaults are what ssh -G prints with no config for the keywords it
	// always prints in full (the algorithm lists): the same value for a
	// host means the files did not set it.
	defaults map[string]string
	debug    func(string)
	sem      chan struct{} // bounds concurrent ssh processes

	mu    sync.Mutex
	dir   string // private directory holding the config ("" until used)
	cache map[sshGKey]*sshGEntry
}

// Tuning of the ssh -G evaluation.
const (
	sshGTimeout  = 30 * time.Second // per ssh process (a Match exec may hang)
	sshGParallel = 8                // ssh processes at once, per Dialer

	// Markers for "not set by the ssh_config files" (see sshG).
	sshGUnsetPath   = "/nonexistent/drover-ssh-G-unset"
	sshGUnsetNumber = "2147483646"
)

// sshGKey is what an evaluation depends on besides the files.
type sshGKey struct {
	alias string
	port  int    // -p, 0 = none
	user  string // -l, "" = none
}

// sshGEntry is one evaluation, shared by everyone asking for its key.
type sshGEntry struct {
	done chan struct{} // closed when host or err is set
	host *sshGHost
	err  error
}

// newSSHG checks that the OpenSSH client (Config.SSHClient, else ssh on
// PATH) can evaluate configurations, with one `ssh -G -F /dev/null`.
// The files are only evaluated when a host needs them.
func newSSHG(cfg Config, files []string) (*sshG, error) {
	name := cfg.SSHClient
	switch name {
	case "none":
		return nil, errors.New("evaluating ssh_config with ssh -G is turned off")
	case "":
		name = "ssh"
	}
	bin, err := exec.LookPath(name)
	if err != nil {
		return nil, fmt.Errorf("no OpenSSH client: %w", err)
	}
	g := &sshG{
		bin:     bin,
		files:   files,
		timeout: sshGTimeout,
		debug:   cfg.Debug,
		sem:     make(chan struct{}, sshGParallel),
		cache:   map[sshGKey]*sshGEntry{},
	}
	out, err := g.run([]string{"-G", "-T", "-F", os.DevNull, "--", "drover-probe.invalid"})
	if err != nil {
		return nil, fmt.Errorf("%s -G does not work: %w", bin, err)
	}
	vals := parseSSHG(out)
	if len(vals["hostname"]) == 0 || len(vals["user"]) == 0 {
		return nil, fmt.Errorf("%s -G printed no configuration (not OpenSSH's ssh?)", bin)
	}
	g.defaults = map[string]string{}
	for _, k := range []string{"kexalgorithms", "ciphers", "macs", "hostkeyalgorithms"} {
		if v := vals[k]; len(v) > 0 {
			g.defaults[k] = v[0]
		}
	}
	switch {
	case cfg.User == "":
	case plainWord(cfg.User, "@"):
		g.defaultUser = cfg.User
	default: // cannot be written into the config: ssh's default means unset
		g.unsetUser = vals["user"][0]
	}
	return g, nil
}

// forHost returns the evaluation for (alias, port, user), running ssh -G
// the first time (failures are not remembered: the next call tries again).
func (g *sshG) forHost(ctx context.Context, alias string, port int, user string) (hostConfig, error) {
	k := sshGKey{alias: alias, port: port, user: user}
	g.mu.Lock()
	e := g.cache[k]
	if e == nil {
		e = &sshGEntry{done: make(chan struct{})}
		g.cache[k] = e
		// Shared by every caller: it must not fail because one gave up.
		go g.fill(k, e)
	}
	g.mu.Unlock()
	select {
	case <-e.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("ssh_config for %s: %w", alias, ctx.Err())
	}
	if e.err != nil {
		return nil, e.err
	}
	return e.host, nil
}

func (g *sshG) fill(k sshGKey, e *sshGEntry) {
	defer close(e.done)
	g.sem <- struct{}{}
	defer func() { <-g.sem }()
	e.host, e.err = g.evaluate(k)
	if e.err != nil {
		g.mu.Lock()
		if g.cache[k] == e {
			delete(g.cache, k)
		}
		g.mu.Unlock()
	}
}

// evaluate runs ssh -G for k.
func (g *sshG) evaluate(k sshGKey) (*sshGHost, error) {
	cfgFile, err := g.configFile()
	if err != nil {
		return nil, fmt.Errorf("ssh_config for %s: %w", k.alias, err)
	}
	args := []string{"-G", "-T", "-F", cfgFile}
	if k.port > 0 {
		args = append(args, "-p", strconv.Itoa(k.port))
	}
	if k.user != "" {
		args = append(args, "-l", k.user)
	}
	args = append(args, "--", k.alias)
	start := time.Now()
	out, err := g.run(args)
	if err != nil {
		return nil, fmt.Errorf("ssh_config for %s (evaluated by %s -G): %w", k.alias, g.bin, err)
	}
	h := &sshGHost{alias: k.alias, vals: parseSSHG(out), unsetUser: g.unsetUser, defaults: g.defaults}
	if len(h.vals["hostname"]) == 0 {
		return nil, fmt.Errorf("ssh_config for %s: %s -G printed no configuration", k.alias, g.bin)
	}
	if g.debug != nil {
		g.debug(fmt.Sprintf("%s: ssh_config evaluated by %s -G in %s", k.alias, g.bin, time.Since(start).Round(time.Millisecond)))
	}
	return h, nil
}

// run runs the ssh client with args, in a process group of its own that is
// killed after g.timeout, and returns its output. Errors show the end of
// what ssh wrote to stderr.
func (g *sshG) run(args []string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), g.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, g.bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second // a Match exec left running must not hold us
	var out bytes.Buffer
	stderr := &tailWriter{max: 4096}
	cmd.Stdout, cmd.Stderr = &out, stderr
	err := cmd.Run()
	if errors.Is(err, exec.ErrWaitDelay) && cmd.ProcessState != nil && cmd.ProcessState.Success() {
		err = nil // ssh succeeded; something it started kept stderr open
	}
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("no answer within %v (a Match exec command may hang): %w", g.timeout, ctx.Err())
	}
	if err != nil {
		if said := lastLines(stderr.String(), 5); said != "" {
			err = fmt.Errorf("%w; ssh said: %s", err, said)
		}
		return nil, err
	}
	return out.Bytes(), nil
}

// configFile returns the private config, writing it the first time (and
// after close).
func (g *sshG) configFile() (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.dir != "" {
		return filepath.Join(g.dir, "config"), nil
	}
	dir, err := os.MkdirTemp("", "drover-ssh-G-")
	if err != nil {
		return "", fmt.Errorf("private ssh_config: %w", err)
	}
	text, err := g.configText(dir)
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "config"), []byte(text), 0o600)
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("private ssh_config: %w", err)
	}
	g.dir = dir
	return filepath.Join(dir, "config"), nil
}

// configText is the private config: the files' Includes, then the
// markers. A path that cannot be written as it is (quotes, glob or token
// characters) is included through a symlink in dir.
func (g *sshG) configText(dir string) (string, error) {
	var b strings.Builder
	b.WriteString("# Written by drover: the ssh_config files, in order, for ssh -G.\n")
	for i, f := range g.files {
		if !plainWord(f, "/ ") {
			link := filepath.Join(dir, "include-"+strconv.Itoa(i))
			if err := os.Symlink(f, link); err != nil {
				return "", fmt.Errorf("include %s: %w", f, err)
			}
			if f = link; !plainWord(f, "/ ") {
				return "", fmt.Errorf("include %s: temporary directory %s has an unusual name", g.files[i], dir)
			}
		}
		fmt.Fprintf(&b, "Include \"%s\"\n", f)
	}
	b.WriteString("# What the files leave unset (OpenSSH keeps the first value).\nHost *\n")
	fmt.Fprintf(&b, "  IdentityFile %s\n  UserKnownHostsFile %s\n", sshGUnsetPath, sshGUnsetPath)
	fmt.Fprintf(&b, "  ServerAliveInterval %s\n  ServerAliveCountMax %s\n", sshGUnsetNumber, sshGUnsetNumber)
	if g.defaultUser != "" {
		fmt.Fprintf(&b, "  User %s\n", g.defaultUser)
	}
	return b.String(), nil
}

// close removes the private config. A later evaluation writes it again.
func (g *sshG) close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.dir == "" {
		return nil
	}
	err := os.RemoveAll(g.dir)
	g.dir = ""
	if err != nil {
		return fmt.Errorf("ssh: remove private ssh_config: %w", err)
	}
	return nil
}

// sshGHost is the output of ssh -G for one host: the values of each
// (lower-case) keyword, one per output line.
type sshGHost struct {
	alias     string
	vals      map[string][]string
	unsetUser string
	defaults  map[string]string // see sshG.defaults
}

func (h *sshGHost) get(key string) string {
	key = strings.ToLower(key)
	if key == "identityfile" {
		if all := h.getAll(key); len(all) > 0 {
			return all[0]
		}
		return ""
	}
	vs := h.vals[key]
	if len(vs) == 0 {
		return ""
	}
	v := vs[0]
	switch key {
	case "hostname": // the default is the alias (lower-cased)
		if strings.EqualFold(v, h.alias) {
			return ""
		}
	case "user":
		if v == h.unsetUser {
			return ""
		}
	case "userknownhostsfile":
		if v == sshGUnsetPath {
			return ""
		}
	case "serveraliveinterval", "serveralivecountmax":
		if v == sshGUnsetNumber {
			return ""
		}
	case "stricthostkeychecking": // ssh -G says true, false, ask, accept-new
		switch v {
		case "true":
			return "yes"
		case "false":
			return "no"
		case "ask": // OpenSSH's default; drover has no prompt: strict
			return ""
		}
	case "connecttimeout", "proxyjump", "proxycommand":
		if strings.EqualFold(v, "none") {
			return ""
		}
	case "kexalgorithms", "ciphers", "macs", "hostkeyalgorithms":
		if v == h.defaults[key] {
			return ""
		}
	}
	return v
}

func (h *sshGHost) getAll(key string) []string {
	var out []string
	for _, v := range h.vals[strings.ToLower(key)] {
		if v != sshGUnsetPath {
			out = append(out, v)
		}
	}
	return out
}

// parseSSHG parses the output of ssh -G: "keyword value" lines, a keyword
// given several values (identityfile) on several lines.
func parseSSHG(out []byte) map[string][]string {
	vals := map[string][]string{}
	for _, line := range strings.Split(string(out), "\n") {
		k, v, _ := strings.Cut(strings.TrimRight(line, "\r"), " ")
		if k == "" {
			continue
		}
		k = strings.ToLower(k)
		vals[k] = append(vals[k], v)
	}
	return vals
}

// plainWord reports whether s is made of letters, digits, "._-+,:=" and
// the characters in extra only: safe to write into an ssh_config line
// (inside double quotes when extra has a space).
func plainWord(s, extra string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("._-+,:=", r), strings.ContainsRune(extra, r):
		default:
			return false
		}
	}
	return true
}

// lastLines is the last n non-empty lines of s, joined with "; ".
func lastLines(s string, n int) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "; ")
}
