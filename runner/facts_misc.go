package runner

import (
	"strconv"
	"strings"
)

// dnsFacts is Ansible's ansible_dns (system/dns.py) from /etc/resolv.conf.
func dnsFacts(lines []string) map[string]any {
	dns := map[string]any{}
	for _, line := range lines {
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") || strings.TrimSpace(line) == "" {
			continue
		}
		tokens := strings.Fields(line)
		if len(tokens) == 0 {
			continue
		}
		list := func() []any {
			l := make([]any, 0, len(tokens)-1)
			for _, t := range tokens[1:] {
				l = append(l, t)
			}
			return l
		}
		switch tokens[0] {
		case "nameserver":
			l, _ := dns["nameservers"].([]any)
			if l == nil {
				l = []any{}
			}
			dns["nameservers"] = append(l, list()...)
		case "domain":
			if len(tokens) > 1 {
				dns["domain"] = tokens[1]
			}
		case "search":
			dns["search"] = list()
		case "sortlist":
			dns["sortlist"] = list()
		case "options":
			opts := map[string]any{}
			for _, o := range tokens[1:] {
				if k, v, ok := strings.Cut(o, ":"); ok && v != "" {
					opts[k] = v
				} else {
					opts[k] = true
				}
			}
			dns["options"] = opts
		}
	}
	return dns
}

// selinuxModes is Ansible's SELINUX_MODE_DICT.
var selinuxModes = map[int]string{1: "enforcing", 0: "permissive", -1: "disabled"}

// selinuxFacts is Ansible's ansible_selinux as its collector reports it
// where the selinux Python bindings are installed (libselinux: enabled
// when selinuxfs is mounted and /etc/selinux/config exists), from
// /sys/fs/selinux/{enforce,policyvers} and /etc/selinux/config (the
// selinux section: enforce=, policyvers=, then the config's lines; empty
// when disabled).
func selinuxFacts(lines []string) map[string]any {
	if len(lines) == 0 {
		return map[string]any{"status": "disabled"}
	}
	out := map[string]any{"status": "enabled", "policyvers": "unknown", "config_mode": "unknown", "mode": "unknown", "type": "targeted"}
	for _, l := range lines {
		if v, ok := strings.CutPrefix(l, "enforce="); ok {
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
				out["mode"] = modeName(n)
			}
		} else if v, ok := strings.CutPrefix(l, "policyvers="); ok {
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
				out["policyvers"] = n
			}
		}
	}
	// libselinux's config reading: SELINUX= (case-insensitive values) and
	// SELINUXTYPE= lines, leading blanks skipped, # comments.
	for _, l := range lines {
		l = strings.TrimLeft(l, " \t")
		if v, ok := strings.CutPrefix(l, "SELINUX="); ok {
			v = strings.ToLower(strings.TrimSpace(v))
			switch {
			case strings.HasPrefix(v, "enforcing"):
				out["config_mode"] = modeName(1)
			case strings.HasPrefix(v, "permissive"):
				out["config_mode"] = modeName(0)
			case strings.HasPrefix(v, "disabled"):
				out["config_mode"] = modeName(-1)
			}
		} else if v, ok := strings.CutPrefix(l, "SELINUXTYPE="); ok {
			if v = strings.TrimSpace(v); v != "" {
				out["type"] = v
			}
		}
	}
	return out
}

func modeName(n int) string {
	if m, ok := selinuxModes[n]; ok {
		return m
	}
	return "unknown"
}

// fipsFacts is Ansible's fips: /proc/sys/crypto/fips_enabled is 1.
func fipsFacts(lines []string) bool {
	return len(lines) > 0 && strings.TrimSpace(lines[0]) == "1"
}

// userFacts are Ansible's user_* facts (system/user.py): user_id is the
// first of LOGNAME, USER, LNAME, USERNAME (Python's getpass.getuser),
// else the name of the real uid; the passwd entry of that name, else of
// the real uid. From the user section ("Uid: REAL EFFECTIVE", "Gid: ...",
// "name NAME") and the passwd section (getent's lines).
func userFacts(user, passwd []string) map[string]any {
	var ruid, euid, rgid string
	name := ""
	for _, l := range user {
		f := strings.Fields(l)
		switch {
		case len(f) >= 3 && f[0] == "Uid:":
			ruid, euid = f[1], f[2]
		case len(f) >= 2 && f[0] == "Gid:":
			rgid = f[1]
		case len(f) >= 2 && f[0] == "name":
			name = f[1]
		}
	}
	var byName, byUID []string
	for _, l := range passwd {
		f := strings.Split(l, ":")
		if len(f) < 7 {
			continue
		}
		if byName == nil && name != "" && f[0] == name {
			byName = f
		}
		if byUID == nil && f[2] == ruid {
			byUID = f
		}
	}
	if name == "" && byUID != nil {
		name = byUID[0]
	}
	pw := byName
	if pw == nil {
		pw = byUID
	}
	out := map[string]any{}
	if name != "" {
		out["user_id"] = name
	}
	num := func(s string) any {
		if n, err := strconv.Atoi(s); err == nil {
			return n
		}
		return s
	}
	if pw != nil {
		out["user_uid"], out["user_gid"] = num(pw[2]), num(pw[3])
		out["user_gecos"], out["user_dir"], out["user_shell"] = pw[4], pw[5], pw[6]
	}
	if ruid != "" {
		out["real_user_id"], out["effective_user_id"] = num(ruid), num(euid)
	}
	if rgid != "" {
		// Ansible gives os.getgid() for both
		out["real_group_id"], out["effective_group_id"] = num(rgid), num(rgid)
	}
	return out
}
