package ssh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kevinburke/ssh_config"
)

// sshConfigSource is where resolve gets a host's ssh_config values from:
// the files as parsed by github.com/kevinburke/ssh_config (parsedConfigs,
// the fast path), or, when one of them uses what that parser rejects
// (Match exec, Match user, ...), OpenSSH's own evaluation of them with
// `ssh -G` (sshG, sshg.go).
type sshConfigSource interface {
	// forHost returns the ssh_config values for alias (ansible_host or
	// the inventory name). port and user are what the inventory or the
	// ssh arguments already fixed (0 and "" when nothing did): they are
	// what Match user, %p and %r see. An error concerns this host only.
	forHost(ctx context.Context, alias string, port int, user string) (hostConfig, error)
	// close releases what the source holds (temporary files).
	close() error
}

// hostConfig is the ssh_config values of one host, by keyword (any
// case). Keywords the files do not set are "" (get) or empty (getAll).
type hostConfig interface {
	get(key string) string
	getAll(key string) []string // every value, in order (IdentityFile)
}

// parsedConfigs are ssh_config files parsed by kevinburke/ssh_config,
// first file first.
type parsedConfigs []*ssh_config.Config

func (cs parsedConfigs) forHost(_ context.Context, alias string, _ int, _ string) (hostConfig, error) {
	return parsedHost{cfgs: cs, alias: alias}, nil
}

func (parsedConfigs) close() error { return nil }

// parsedHost is parsedConfigs seen from one alias.
type parsedHost struct {
	cfgs  parsedConfigs
	alias string
}

func (h parsedHost) get(key string) string {
	for _, c := range h.cfgs {
		if v, err := c.Get(h.alias, key); err == nil && v != "" {
			return v
		}
	}
	return ""
}

func (h parsedHost) getAll(key string) []string {
	var out []string
	for _, c := range h.cfgs {
		if v, err := c.GetAll(h.alias, key); err == nil {
			out = append(out, v...)
		}
	}
	return out
}

// unparsedFile is an ssh_config file kevinburke/ssh_config rejected.
type unparsedFile struct {
	name string // as configured, for messages
	err  error
}

// loadSSHConfig reads Config.SSHConfigFiles (missing files are skipped).
// When every file parses, the parsed files are the source. Otherwise the
// files are evaluated together by the OpenSSH client (Config.SSHClient);
// when there is none, the files that do not parse are ignored with a
// warning.
func (d *Dialer) loadSSHConfig() (sshConfigSource, error) {
	var (
		parsed parsedConfigs
		files  []string // every existing file, absolute, in order
		bad    []unparsedFile
	)
	for _, f := range d.cfg.SSHConfigFiles {
		path := expandTilde(f, d.home)
		b, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("ssh: read ssh_config: %w", err)
		}
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		files = append(files, path)
		c, err := decodeSSHConfig(b)
		if err != nil {
			bad = append(bad, unparsedFile{name: f, err: err})
			continue
		}
		parsed = append(parsed, c)
	}
	if len(bad) == 0 {
		return parsed, nil
	}
	g, err := newSSHG(d.cfg, files)
	if err == nil {
		for _, b := range bad {
			d.debugf("ssh_config %s: %v: evaluating the ssh_config files with %s -G", b.name, b.err, g.bin)
		}
		return g, nil
	}
	for _, b := range bad {
		d.warnOnce("sshconfig:"+b.name, fmt.Sprintf(
			"WARNING: ignoring ssh_config %s: %v. drover's own parser understands only Match Host and Match all; "+
				"install the OpenSSH client (ssh) so that drover can evaluate this file with `ssh -G` (%v)", b.name, b.err, err))
	}
	return parsed, nil
}

// decodeSSHConfig parses an ssh_config file, turning parser panics (the
// parser panics on some malformed input) into errors.
func decodeSSHConfig(b []byte) (c *ssh_config.Config, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("parse: %v", r)
		}
	}()
	return ssh_config.Decode(bytes.NewReader(b))
}

// lookup returns the first value of key: command-line options first, then
// the ssh_config files.
func lookup(opts sshOpts, hc hostConfig, key string) string {
	if v := opts[strings.ToLower(key)]; len(v) > 0 {
		return v[0]
	}
	return hc.get(key)
}

// lookupAll returns every value of key (IdentityFile): command-line
// options first, then the ssh_config files.
func lookupAll(opts sshOpts, hc hostConfig, key string) []string {
	return append(append([]string(nil), opts[strings.ToLower(key)]...), hc.getAll(key)...)
}
