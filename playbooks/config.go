package playbooks

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Config is what drover reads from ansible.cfg's [defaults] section. Paths
// are made absolute relative to the file's directory; zero values mean
// "not set".
type Config struct {
	File            string // the ansible.cfg read, "" when none
	Inventory       []string
	RemoteUser      string
	Forks           int
	RolesPath       []string
	PrivateKeyFile  string
	HostKeyChecking *bool  // false turns host key checking off: warn loudly
	Strategy        string // the strategy of plays that name none (see Strategy)
	// Gathering is [defaults] gathering: implicit (the default: plays
	// without gather_facts gather them), explicit (they do not) or smart
	// (as implicit: drover keeps no fact cache between runs).
	Gathering string

	// [privilege_escalation]
	Become        bool   // become = True: every task, unless a play, task or variable says otherwise
	BecomeUser    string // default become user
	BecomeMethod  string // default become method
	BecomeAskPass bool   // become_ask_pass = True: as -K
}

// LoadConfig reads $ANSIBLE_CONFIG when set, else dir/ansible.cfg when it
// exists. A missing file gives an empty Config; a malformed one an error
// naming file:line.
func LoadConfig(dir string) (*Config, error) {
	path := os.Getenv("ANSIBLE_CONFIG")
	if path == "" {
		path = filepath.Join(dir, "ansible.cfg")
		if _, err := os.Stat(path); err != nil {
			return &Config{}, nil
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ansible.cfg: %w", err)
	}
	return parseConfig(path, data)
}

func parseConfig(path string, data []byte) (*Config, error) {
	cfg := &Config{File: path}
	base := filepath.Dir(path)
	abs := func(p string) string {
		p = expandHome(strings.TrimSpace(p))
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(base, p)
	}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' || s[0] == ';' {
			continue
		}
		if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
			section = strings.TrimSpace(s[1 : len(s)-1])
			continue
		}
		if section != "defaults" && section != "privilege_escalation" {
			continue
		}
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			if k2, v2, ok2 := strings.Cut(s, ":"); ok2 {
				k, v, ok = k2, v2, true
			}
		}
		if !ok {
			return nil, fmt.Errorf("%s:%d: expected key = value", path, line)
		}
		k = strings.TrimSpace(k)
		v = strings.TrimSpace(stripInlineComment(v))
		if section == "privilege_escalation" {
			if err := cfg.privilegeEscalation(k, v); err != nil {
				return nil, fmt.Errorf("%s:%d: %w", path, line, err)
			}
			continue
		}
		switch k {
		case "inventory", "hostfile":
			cfg.Inventory = nil
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p != "" {
					cfg.Inventory = append(cfg.Inventory, abs(p))
				}
			}
		case "remote_user":
			cfg.RemoteUser = v
		case "forks":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("%s:%d: forks must be a positive integer, got %q", path, line, v)
			}
			cfg.Forks = n
		case "roles_path":
			cfg.RolesPath = nil
			for _, p := range filepath.SplitList(v) {
				if p = strings.TrimSpace(p); p != "" {
					cfg.RolesPath = append(cfg.RolesPath, abs(p))
				}
			}
		case "gathering":
			switch g := strings.ToLower(v); g {
			case "implicit", "explicit", "smart":
				cfg.Gathering = g
			default:
				return nil, fmt.Errorf("%s:%d: gathering %q: use implicit, explicit or smart", path, line, v)
			}
		case "strategy":
			st, ok := Strategy(v)
			if !ok {
				return nil, fmt.Errorf("%s:%d: strategy %q: drover has %s", path, line, v, strings.Join(Strategies, ", "))
			}
			cfg.Strategy = st
		case "private_key_file":
			cfg.PrivateKeyFile = abs(v)
		case "host_key_checking":
			b, ok := parseBool(v)
			if !ok {
				return nil, fmt.Errorf("%s:%d: host_key_checking must be a boolean, got %q", path, line, v)
			}
			cfg.HostKeyChecking = &b
		}
	}
	return cfg, sc.Err()
}

// privilegeEscalation reads one key of [privilege_escalation].
func (cfg *Config) privilegeEscalation(k, v string) error {
	switch k {
	case "become", "become_ask_pass":
		b, ok := parseBool(v)
		if !ok {
			return fmt.Errorf("%s must be a boolean, got %q", k, v)
		}
		if k == "become" {
			cfg.Become = b
		} else {
			cfg.BecomeAskPass = b
		}
	case "become_user":
		cfg.BecomeUser = v
	case "become_method":
		if v != "sudo" && v != "su" {
			return fmt.Errorf("become_method %q is not supported (drover has sudo and su)", v)
		}
		cfg.BecomeMethod = v
	}
	return nil
}

func stripInlineComment(v string) string {
	for _, sep := range []string{" #", " ;"} {
		if i := strings.Index(v, sep); i >= 0 {
			v = v[:i]
		}
	}
	return v
}

func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if h, err := os.UserHomeDir(); err == nil {
			return filepath.Join(h, p[1:])
		}
	}
	return p
}
