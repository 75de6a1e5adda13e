package ssh

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/drover-sh/drover/modules"
)

// hostParams is everything needed to reach one host or one bastion, after
// merging inventory variables, ansible_ssh_*_args, ssh_config and Config.
type hostParams struct {
	name              string // inventory name (or jump spec), for messages
	alias             string // the name ssh_config Host patterns match
	host              string // real host name or address
	port              int
	user              string
	identityFiles     []string // in the order tried
	identitiesOnly    bool
	proxyJump         []string // bastion chain, nearest first
	proxyCommand      string   // ssh_config ProxyCommand, %-expanded ("" = none)
	knownHosts        []string // known_hosts files, first ones searched first
	hostKeyChecking   string
	connectTimeout    time.Duration
	keepaliveInterval time.Duration
	keepaliveMax      int
	password          string // "" = no password authentication
	algos             algorithms
}

// addr is host:port.
func (p *hostParams) addr() string { return net.JoinHostPort(p.host, strconv.Itoa(p.port)) }

// sshOpts are options given on an ssh command line (ansible_ssh_common_args,
// ansible_ssh_extra_args), by lower-case ssh_config keyword. They win over
// ssh_config files, as on OpenSSH's command line.
type sshOpts map[string][]string

// resolve computes how to reach t. Inventory variables win over
// ansible_ssh_common_args/extra_args, which win over ssh_config, which
// wins over Config defaults.
func (d *Dialer) resolve(ctx context.Context, t modules.Target) (*hostParams, error) {
	opts, err := parseSSHArgs(varString(t.Vars, "ansible_ssh_common_args") + " " + varString(t.Vars, "ansible_ssh_extra_args"))
	if err != nil {
		return nil, fmt.Errorf("ansible_ssh_common_args/extra_args: %w", err)
	}
	alias := t.Addr
	if alias == "" {
		alias = t.Name
	}
	if alias == "" {
		return nil, fmt.Errorf("no address")
	}
	p := &hostParams{name: t.Name, alias: alias}
	if p.name == "" {
		p.name = alias
	}

	// Port and user first: HostName and IdentityFile may use %p and %r,
	// and ssh_config's Match user, %p and %r see what is already fixed.
	p.port = t.Port
	if p.port <= 0 {
		p.port = varInt(t.Vars, "ansible_port", "ansible_ssh_port")
	}
	if v := opts["port"]; p.port <= 0 && len(v) > 0 {
		if p.port, err = parsePort(v[0]); err != nil {
			return nil, err
		}
	}
	p.user = t.User
	if p.user == "" {
		p.user = varString(t.Vars, "ansible_user", "ansible_ssh_user")
	}
	if v := opts["user"]; p.user == "" && len(v) > 0 {
		p.user = v[0]
	}
	fixedPort := p.port
	if fixedPort < 0 || fixedPort > 65535 {
		fixedPort = 0
	}
	hc, err := d.sshcfg.forHost(ctx, alias, fixedPort, p.user)
	if err != nil {
		return nil, err
	}
	get := func(key string) string { return lookup(opts, hc, key) }

	if p.port <= 0 {
		if v := get("Port"); v != "" {
			if p.port, err = parsePort(v); err != nil {
				return nil, err
			}
		}
	}
	if p.port <= 0 {
		p.port = 22
	}
	if p.user == "" {
		p.user = get("User")
	}
	if p.user == "" {
		p.user = d.cfg.User
	}
	if p.user == "" {
		p.user = localUser()
	}
	p.host = alias
	if hn := get("HostName"); hn != "" {
		p.host = d.expand(hn, p)
	}

	// Identities.
	explicit := varStrings(t.Vars, "ansible_ssh_private_key_file", "ansible_private_key_file")
	explicit = append(explicit, lookupAll(opts, hc, "IdentityFile")...)
	explicit = append(explicit, d.cfg.IdentityFiles...)
	for _, f := range explicit {
		if strings.EqualFold(f, "none") {
			continue
		}
		p.identityFiles = appendUnique(p.identityFiles, d.expand(f, p))
	}
	if len(p.identityFiles) == 0 { // OpenSSH: defaults only without IdentityFile
		for _, f := range []string{"id_ed25519", "id_ecdsa", "id_rsa"} {
			p.identityFiles = append(p.identityFiles, filepath.Join(d.home, ".ssh", f))
		}
	}
	p.identitiesOnly = strings.EqualFold(get("IdentitiesOnly"), "yes")

	// Bastions.
	if pj := get("ProxyJump"); pj != "" && !strings.EqualFold(pj, "none") {
		for _, hop := range strings.Split(pj, ",") {
			if hop = strings.TrimSpace(hop); hop != "" {
				p.proxyJump = append(p.proxyJump, hop)
			}
		}
	}
	if pc := get("ProxyCommand"); pc != "" && !strings.EqualFold(pc, "none") {
		if len(p.proxyJump) > 0 {
			d.warnOnce("proxycommand:"+alias, fmt.Sprintf("WARNING: ssh: %s has both ProxyJump and ProxyCommand; ProxyJump is used", alias))
		} else {
			p.proxyCommand = d.expand(pc, p)
		}
	}

	// Host keys.
	for _, f := range strings.Fields(get("UserKnownHostsFile")) {
		if !strings.EqualFold(f, "none") {
			p.knownHosts = appendUnique(p.knownHosts, d.expand(f, p))
		}
	}
	for _, f := range d.cfg.KnownHostsFiles {
		p.knownHosts = appendUnique(p.knownHosts, expandTilde(f, d.home))
	}
	p.hostKeyChecking = d.cfg.HostKeyChecking
	if p.hostKeyChecking == "" {
		switch strings.ToLower(get("StrictHostKeyChecking")) {
		case "accept-new":
			p.hostKeyChecking = HostKeyAcceptNew
		case "no", "off":
			p.hostKeyChecking = HostKeyOff
		default: // yes, ask, unset
			p.hostKeyChecking = HostKeyStrict
		}
	}

	// Timeouts.
	p.connectTimeout = d.cfg.ConnectTimeout
	if n := atoiPositive(get("ConnectTimeout")); n > 0 {
		p.connectTimeout = time.Duration(n) * time.Second
	}
	p.keepaliveInterval = d.cfg.KeepaliveInterval
	if n := atoiPositive(get("ServerAliveInterval")); n > 0 {
		p.keepaliveInterval = time.Duration(n) * time.Second
	}
	p.keepaliveMax = d.cfg.KeepaliveMax
	if n := atoiPositive(get("ServerAliveCountMax")); n > 0 {
		p.keepaliveMax = n
	}

	var unknown []string
	if p.algos, unknown, err = resolveAlgorithms(get); err != nil {
		return nil, err
	}
	if len(unknown) > 0 {
		d.warnOnce("algos:"+strings.Join(unknown, ","), fmt.Sprintf("WARNING: ssh: %s: unknown algorithm names (left out) in ssh_config or ansible_ssh_common_args", strings.Join(unknown, ", ")))
	}

	p.password = varString(t.Vars, "ansible_password", "ansible_ssh_pass", "ansible_ssh_password")
	if strings.HasPrefix(strings.TrimSpace(p.password), "$ANSIBLE_VAULT;") {
		return nil, fmt.Errorf("the SSH password (ansible_password) is encrypted with ansible-vault (!vault): give --vault-password-file")
	}
	if p.password == "" {
		p.password = d.cfg.Password
	}
	return p, nil
}

// resolveJump resolves one ProxyJump hop, "[user@]host[:port]" or
// "ssh://[user@]host[:port]", through ssh_config like OpenSSH does. The
// hop's own ProxyJump is ignored: the chain decides.
func (d *Dialer) resolveJump(ctx context.Context, spec string) (*hostParams, error) {
	s := strings.TrimPrefix(spec, "ssh://")
	t := modules.Target{Name: spec}
	if i := strings.LastIndex(s, "@"); i >= 0 {
		t.User, s = s[:i], s[i+1:]
	}
	if h, port, err := net.SplitHostPort(s); err == nil {
		n, err := strconv.Atoi(port)
		if err != nil || n <= 0 || n > 65535 {
			return nil, fmt.Errorf("ProxyJump %q: bad port", spec)
		}
		s, t.Port = h, n
	}
	if s == "" {
		return nil, fmt.Errorf("ProxyJump %q: no host", spec)
	}
	t.Addr = s
	p, err := d.resolve(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("ProxyJump %q: %w", spec, err)
	}
	p.proxyJump = nil
	p.password = d.cfg.Password
	return p, nil
}

// parsePort parses a Port value (ssh_config or -p).
func parsePort(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 || n > 65535 {
		return 0, fmt.Errorf("ssh_config Port %q: not a port number", v)
	}
	return n, nil
}

// expand expands ~ and the ssh_config tokens %h %p %r %u %d %n %%.
func (d *Dialer) expand(s string, p *hostParams) string {
	s = expandTilde(s, d.home)
	if !strings.Contains(s, "%") {
		return s
	}
	return strings.NewReplacer(
		"%%", "%", "%h", p.host, "%p", strconv.Itoa(p.port), "%r", p.user,
		"%u", localUser(), "%d", d.home, "%n", p.alias,
	).Replace(s)
}

func expandTilde(s, home string) string {
	if s == "~" {
		return home
	}
	if strings.HasPrefix(s, "~/") {
		return filepath.Join(home, s[2:])
	}
	return s
}

func localUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return os.Getenv("USER")
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func atoiPositive(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// varString returns the first non-empty string variable among keys.
func varString(vars map[string]any, keys ...string) string {
	for _, k := range keys {
		switch v := vars[k].(type) {
		case string:
			if v != "" {
				return v
			}
		case nil:
		default:
			if s := fmt.Sprint(v); s != "" {
				return s
			}
		}
	}
	return ""
}

// varStrings returns the non-empty string variables among keys (a key may
// hold a list).
func varStrings(vars map[string]any, keys ...string) []string {
	var out []string
	for _, k := range keys {
		switch v := vars[k].(type) {
		case string:
			if v != "" {
				out = append(out, v)
			}
		case []any:
			for _, x := range v {
				if s, ok := x.(string); ok && s != "" {
					out = append(out, s)
				}
			}
		case []string:
			out = append(out, v...)
		}
	}
	return out
}

func varInt(vars map[string]any, keys ...string) int {
	for _, k := range keys {
		switch v := vars[k].(type) {
		case int:
			return v
		case int64:
			return int(v)
		case float64:
			return int(v)
		case string:
			if n, err := strconv.Atoi(v); err == nil {
				return n
			}
		}
	}
	return 0
}
