package ssh

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover-sh/drover/modules"
)

// sshGDialer writes the ssh_config files (in order) and returns a Dialer
// that must evaluate them with ssh -G. HOME is a temporary directory, and
// ssh is given the files with -F: the real ~/.ssh/config is never read.
func sshGDialer(t *testing.T, cfg Config, files ...string) *Dialer {
	t.Helper()
	if _, err := exec.LookPath("ssh"); err != nil {
		t.Skip("no OpenSSH client on PATH")
	}
	dir := t.TempDir()
	cfg.SSHConfigFiles = []string{}
	for i, text := range files {
		path := filepath.Join(dir, "config"+strconv.Itoa(i))
		writeFile(t, path, text)
		cfg.SSHConfigFiles = append(cfg.SSHConfigFiles, path)
	}
	if cfg.KnownHostsFiles == nil {
		cfg.KnownHostsFiles = []string{"/cfg/known_hosts"}
	}
	if cfg.Warn == nil {
		cfg.Warn = func(m string) { t.Errorf("unexpected warning: %s", m) }
	}
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, ok := d.sshcfg.(*sshG); !ok {
		t.Fatalf("ssh_config not evaluated by ssh -G (source %T)", d.sshcfg)
	}
	return d
}

// summary shows what resolve decided, with $HOME for the test's HOME and
// $PW for the home directory of the passwd database (what ssh expands ~
// to).
func summary(t *testing.T, p *hostParams) string {
	t.Helper()
	s := fmt.Sprintf("host=%s port=%d user=%s ids=%v jump=%v pc=%q kh=%v check=%s ct=%v ka=%v/%d only=%v",
		p.host, p.port, p.user, p.identityFiles, p.proxyJump, p.proxyCommand, p.knownHosts,
		p.hostKeyChecking, p.connectTimeout, p.keepaliveInterval, p.keepaliveMax, p.identitiesOnly)
	s = strings.ReplaceAll(s, os.Getenv("HOME"), "$HOME")
	if u, err := user.Current(); err == nil && len(u.HomeDir) > 1 {
		s = strings.ReplaceAll(s, u.HomeDir+"/", "$PW/")
	}
	return s
}

func resolveSummary(t *testing.T, d *Dialer, tg modules.Target) string {
	t.Helper()
	p, err := d.resolve(t.Context(), tg)
	if err != nil {
		t.Fatalf("resolve %s: %v", tg.Name, err)
	}
	return summary(t, p)
}

const sshGUserConfig = `# Match criteria drover's own parser rejects.
Match exec "false"
  HostName wrong.example
  Port 1
Match originalhost web1 exec "true"
  HostName web1.internal.example
  Port 2201
  IdentityFile ~/.ssh/web_%h_%r
  ProxyJump jump1,alice@jump2:2022
Match user deploy
  Port 2299
  IdentityFile /keys/deploy
Match originalhost web2 exec "test %p = 3000"
  IdentityFile /keys/port3000
Host *
  User cfguser
Host web2
  HostName web2.internal.example
  UserKnownHostsFile /kh/a /kh/b
  StrictHostKeyChecking accept-new
  ConnectTimeout 4
  ServerAliveInterval 9
  ServerAliveCountMax 2
  IdentitiesOnly yes
`

// The second file starts with lines outside any block: they apply to
// every host, whatever block the first file ended in.
const sshGSystemConfig = `ConnectTimeout 8
Host web1
  Port 9999
  User fromb
Host pc
  ProxyCommand nc -X 5 %h %p
Host *
  StrictHostKeyChecking no
`

func TestSSHGMatchBlocks(t *testing.T) {
	isolate(t)
	d := sshGDialer(t, Config{User: "cfgdefault", KeepaliveInterval: 6 * time.Second, KeepaliveMax: 5},
		sshGUserConfig, sshGSystemConfig)
	defaults := "[$HOME/.ssh/id_ed25519 $HOME/.ssh/id_ecdsa $HOME/.ssh/id_rsa]"
	for _, c := range []struct {
		name string
		t    modules.Target
		want string
	}{{
		"match originalhost and exec",
		modules.Target{Name: "web1"},
		"host=web1.internal.example port=2201 user=cfguser ids=[$HOME/.ssh/web_web1.internal.example_cfguser] jump=[jump1 alice@jump2:2022] pc=\"\" kh=[/cfg/known_hosts] check=off ct=8s ka=6s/5 only=false",
	}, {
		"match user sees ansible_user",
		modules.Target{Name: "web1", Vars: map[string]any{"ansible_user": "deploy"}},
		"host=web1.internal.example port=2201 user=deploy ids=[$HOME/.ssh/web_web1.internal.example_deploy /keys/deploy] jump=[jump1 alice@jump2:2022] pc=\"\" kh=[/cfg/known_hosts] check=off ct=8s ka=6s/5 only=false",
	}, {
		"host block",
		modules.Target{Name: "web2"},
		"host=web2.internal.example port=22 user=cfguser ids=" + defaults + " jump=[] pc=\"\" kh=[/kh/a /kh/b /cfg/known_hosts] check=accept-new ct=4s ka=9s/2 only=true",
	}, {
		"inventory and ssh args win, %p sees ansible_port",
		modules.Target{Name: "web2", Vars: map[string]any{
			"ansible_port": 3000, "ansible_user": "inv",
			"ansible_ssh_common_args": "-o HostName=cli.example -o StrictHostKeyChecking=yes -i /cli/key -o UserKnownHostsFile=/cli/kh " +
				"-o ProxyJump=clijump -o ServerAliveInterval=11 -o Port=1 -o User=cliuser",
		}},
		"host=cli.example port=3000 user=inv ids=[/cli/key /keys/port3000] jump=[clijump] pc=\"\" kh=[/cli/kh /cfg/known_hosts] check=strict ct=4s ka=11s/2 only=true",
	}, {
		"Match sees -p and -l from ssh args",
		modules.Target{Name: "web2", Vars: map[string]any{"ansible_ssh_extra_args": "-p 3000 -l deploy"}},
		"host=web2.internal.example port=3000 user=deploy ids=[/keys/deploy /keys/port3000] jump=[] pc=\"\" kh=[/kh/a /kh/b /cfg/known_hosts] check=accept-new ct=4s ka=9s/2 only=true",
	}, {
		"exec false and no block",
		modules.Target{Name: "other"},
		"host=other port=22 user=cfguser ids=" + defaults + " jump=[] pc=\"\" kh=[/cfg/known_hosts] check=off ct=8s ka=6s/5 only=false",
	}, {
		"ansible_host is the alias",
		modules.Target{Name: "inventory-name", Addr: "web1", Port: 2022},
		"host=web1.internal.example port=2022 user=cfguser ids=[$HOME/.ssh/web_web1.internal.example_cfguser] jump=[jump1 alice@jump2:2022] pc=\"\" kh=[/cfg/known_hosts] check=off ct=8s ka=6s/5 only=false",
	}, {
		"proxycommand expanded by drover",
		modules.Target{Name: "pc"},
		"host=pc port=22 user=cfguser ids=" + defaults + " jump=[] pc=\"nc -X 5 pc 22\" kh=[/cfg/known_hosts] check=off ct=8s ka=6s/5 only=false",
	}} {
		if got := resolveSummary(t, d, c.t); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
	// A ProxyJump hop is resolved through the same evaluation.
	p, err := d.resolveJump(t.Context(), "deploy@web1:2200")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := summary(t, p), "host=web1.internal.example port=2200 user=deploy ids=[$HOME/.ssh/web_web1.internal.example_deploy /keys/deploy] jump=[] pc=\"\" kh=[/cfg/known_hosts] check=off ct=8s ka=6s/5 only=false"; got != want {
		t.Errorf("jump hop:\n got %s\nwant %s", got, want)
	}
}

// Values equal to OpenSSH's defaults are still values the files set: they
// win over drover's Config defaults, which differ from OpenSSH's.
func TestSSHGValuesEqualToOpenSSHDefaults(t *testing.T) {
	isolate(t)
	local := localUser()
	d := sshGDialer(t, Config{User: "someoneelse", KeepaliveInterval: 6 * time.Second, KeepaliveMax: 5}, `Match exec "true"
  BatchMode yes
Host dflt
  User `+local+`
  Port 22
  IdentityFile ~/.ssh/id_rsa
  UserKnownHostsFile ~/.ssh/known_hosts ~/.ssh/known_hosts2
  ServerAliveInterval 0
  ServerAliveCountMax 3
  StrictHostKeyChecking ask
  IdentitiesOnly no
  ConnectTimeout 0
`)
	for _, c := range []struct{ name, want string }{
		{"dflt", "host=dflt port=22 user=" + local + " ids=[$HOME/.ssh/id_rsa] jump=[] pc=\"\" kh=[$PW/.ssh/known_hosts $PW/.ssh/known_hosts2 /cfg/known_hosts] check=strict ct=10s ka=6s/3 only=false"},
		// Nothing set (BatchMode yes does not make Debian's 300 s
		// ServerAliveInterval default appear as a setting).
		{"plain", "host=plain port=22 user=someoneelse ids=[$HOME/.ssh/id_ed25519 $HOME/.ssh/id_ecdsa $HOME/.ssh/id_rsa] jump=[] pc=\"\" kh=[/cfg/known_hosts] check=strict ct=10s ka=6s/5 only=false"},
	} {
		if got := resolveSummary(t, d, modules.Target{Name: c.name}); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

// A failing evaluation fails that host only, with ssh's words, and is not
// remembered.
func TestSSHGHostErrors(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	hang, pidFile := filepath.Join(dir, "hang"), filepath.Join(dir, "pid")
	writeFile(t, hang, "")
	d := sshGDialer(t, Config{}, fmt.Sprintf(`Match originalhost slow exec "test -e %s && echo $$ > %s && exec sleep 300; true"
  HostName slow.example
Host fine
  HostName fine.example
`, hang, pidFile))
	g := d.sshcfg.(*sshG)

	_, err := d.resolve(t.Context(), modules.Target{Name: "bad name"})
	if err == nil || !strings.Contains(err.Error(), `ssh_config for bad name`) || !strings.Contains(err.Error(), "ssh said: ") {
		t.Fatalf("invalid host name: want an error naming it with ssh's message, got %v", err)
	}

	g.timeout = 2 * time.Second
	_, err = d.resolve(t.Context(), modules.Target{Name: "slow"})
	if err == nil || !strings.Contains(err.Error(), "ssh_config for slow") || !strings.Contains(err.Error(), "a Match exec command may hang") {
		t.Fatalf("hanging Match exec: got %v", err)
	}
	// The Match exec command was killed with ssh.
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		return err != nil || strings.Contains(string(st), ") Z ")
	})
	g.timeout = sshGTimeout

	// Other hosts are fine, and the failure is not cached.
	if p, err := d.resolve(t.Context(), modules.Target{Name: "fine"}); err != nil || p.host != "fine.example" {
		t.Fatalf("fine: %v %v", p, err)
	}
	if err := os.Remove(hang); err != nil {
		t.Fatal(err)
	}
	if p, err := d.resolve(t.Context(), modules.Target{Name: "slow"}); err != nil || p.host != "slow.example" {
		t.Fatalf("slow, no longer hanging: %v %v", p, err)
	}
}

// Evaluations are cached per (alias, port, user) and at most sshGParallel
// ssh processes run at once; Close removes the private config.
func TestSSHGCacheAndParallelism(t *testing.T) {
	isolate(t)
	ssh, err := exec.LookPath("ssh")
	if err != nil {
		t.Skip("no OpenSSH client on PATH")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	wrapper := filepath.Join(dir, "ssh")
	// Each line is one short write with O_APPEND: lines never mix.
	writeFile(t, wrapper, fmt.Sprintf("#!/bin/sh\necho start >> %s\nsleep 0.2\n%s \"$@\"\nrc=$?\necho end >> %s\nexit $rc\n", log, ssh, log))
	if err := os.Chmod(wrapper, 0o700); err != nil {
		t.Fatal(err)
	}
	d := sshGDialer(t, Config{SSHClient: wrapper}, "Match exec \"true\"\n  HostName %h.example\n")
	const hosts = 20
	var wg sync.WaitGroup
	for i := range 3 * hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("h%d", i%hosts)
			p, err := d.resolve(t.Context(), modules.Target{Name: name})
			if err != nil || p.host != name+".example" {
				t.Errorf("%s: %v %v", name, p, err)
			}
		}()
	}
	wg.Wait()
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	running, most, runs := 0, 0, 0
	for _, l := range strings.Fields(string(b)) {
		if l == "start" {
			running++
			runs++
			most = max(most, running)
		} else {
			running--
		}
	}
	if runs != 1+hosts { // the probe in New, then one per host
		t.Errorf("%d ssh runs, want %d", runs, 1+hosts)
	}
	if most > sshGParallel {
		t.Errorf("%d ssh processes at once, want at most %d", most, sshGParallel)
	}

	g := d.sshcfg.(*sshG)
	g.mu.Lock()
	tmp := g.dir
	g.mu.Unlock()
	if _, err := os.Stat(filepath.Join(tmp, "config")); err != nil {
		t.Fatalf("private config: %v", err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Fatalf("private config directory %s left after Close: %v", tmp, err)
	}
	// Still usable after Close (a new host needs the config again).
	if p, err := d.resolve(t.Context(), modules.Target{Name: "late"}); err != nil || p.host != "late.example" {
		t.Fatalf("after Close: %v %v", p, err)
	}
	d.Close()
}

// Without an OpenSSH client the files drover cannot parse are ignored with
// a warning saying how to get them evaluated; the other files still count.
func TestSSHGWithoutClient(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good"), filepath.Join(dir, "bad")
	writeFile(t, good, "Host web1\n  HostName good.example\n")
	writeFile(t, bad, "Match exec \"true\"\n  HostName bad.example\n")
	notSSH := filepath.Join(dir, "not-ssh")
	writeFile(t, notSSH, "#!/bin/sh\necho 'usage: not-ssh' >&2\nexit 1\n")
	if err := os.Chmod(notSSH, 0o700); err != nil {
		t.Fatal(err)
	}
	for client, reason := range map[string]string{
		filepath.Join(dir, "missing-ssh"): "no OpenSSH client",
		"none":                            "turned off",
		notSSH:                            "usage: not-ssh",
	} {
		var w warnings
		d, err := New(Config{SSHConfigFiles: []string{good, bad}, KnownHostsFiles: []string{}, SSHClient: client, Warn: w.add})
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if _, ok := d.sshcfg.(parsedConfigs); !ok {
			t.Fatalf("%s: source %T, want the parsed files", client, d.sshcfg)
		}
		msgs := w.list()
		if len(msgs) != 1 || !strings.Contains(msgs[0], "ignoring ssh_config "+bad) ||
			!strings.Contains(msgs[0], "install the OpenSSH client") || !strings.Contains(msgs[0], reason) {
			t.Fatalf("%s: warnings %q", client, msgs)
		}
		p, err := d.resolve(t.Context(), modules.Target{Name: "web1"})
		if err != nil || p.host != "good.example" {
			t.Fatalf("%s: %v %v", client, p, err)
		}
	}
}

// When every file parses, drover's parser is used and ssh is never run.
func TestSSHGNotUsedWhenFilesParse(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "config")
	writeFile(t, file, "Host web1\n  HostName good.example\nMatch host web2\n  Port 2200\n")
	d, err := New(Config{SSHConfigFiles: []string{file}, KnownHostsFiles: []string{}, SSHClient: filepath.Join(dir, "no-ssh"),
		Warn: func(m string) { t.Errorf("warning: %s", m) }})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, ok := d.sshcfg.(parsedConfigs); !ok {
		t.Fatalf("source %T, want the parsed files", d.sshcfg)
	}
}

// Paths that cannot be written into an Include line as they are (quotes,
// glob characters) are included through a symlink; spaces are quoted.
func TestSSHGUnusualPaths(t *testing.T) {
	isolate(t)
	if _, err := exec.LookPath("ssh"); err != nil {
		t.Skip("no OpenSSH client on PATH")
	}
	var files []string
	for i, name := range []string{`with space`, `glob*[x]?`, `quote"s`} {
		dir := filepath.Join(t.TempDir(), name)
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, "config")
		writeFile(t, f, fmt.Sprintf("Match exec \"true\" originalhost h%d\n  HostName file%d.example\n", i, i))
		files = append(files, f)
	}
	d, err := New(Config{SSHConfigFiles: files, KnownHostsFiles: []string{}, Warn: func(m string) { t.Errorf("warning: %s", m) }})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for i := range files {
		p, err := d.resolve(t.Context(), modules.Target{Name: fmt.Sprintf("h%d", i)})
		if want := fmt.Sprintf("file%d.example", i); err != nil || p.host != want {
			t.Errorf("h%d: %v %v, want host %s", i, p, err, want)
		}
	}
}

// The algorithm keywords through ssh -G, which always prints them in
// full: a host the files say nothing for keeps drover's defaults (and its
// known_hosts preference for host keys); a set list is read as OpenSSH
// assembled it.
func TestSSHGAlgorithms(t *testing.T) {
	isolate(t)
	d := sshGDialer(t, Config{}, `Match exec "true"
  BatchMode yes
Host algo
  KexAlgorithms ecdh-sha2-nistp256,sntrup761x25519-sha512@openssh.com
  Ciphers -chacha20-poly1305@openssh.com
`)
	p, err := d.resolve(t.Context(), modules.Target{Name: "plain"})
	if err != nil {
		t.Fatal(err)
	}
	if p.algos.kex != nil || p.algos.ciphers != nil || p.algos.macs != nil || p.algos.hostKeys != nil {
		t.Errorf("nothing set, got %+v", p.algos)
	}
	p, err = d.resolve(t.Context(), modules.Target{Name: "algo"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.algos.kex, ","); got != "ecdh-sha2-nistp256" {
		t.Errorf("kex %q", got)
	}
	if len(p.algos.ciphers) == 0 || slices.Contains(p.algos.ciphers, "chacha20-poly1305@openssh.com") || !slices.Contains(p.algos.ciphers, "aes128-ctr") {
		t.Errorf("ciphers %q", p.algos.ciphers)
	}
	if p.algos.macs != nil || p.algos.hostKeys != nil {
		t.Errorf("macs %q, host keys %q: not set", p.algos.macs, p.algos.hostKeys)
	}
}
