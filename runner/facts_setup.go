package runner

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/drover-sh/drover/modules"
	"github.com/drover-sh/drover/playbooks"
)

// setupOpts are the setup module's gather_subset, filter and fact_path
// (the zero value: Ansible's defaults, all facts).
type setupOpts struct {
	collectors map[string]bool // nil: all
	filter     []string        // fnmatch patterns; empty: all
	factPath   string          // "": defaultFactPath
}

// restricted reports whether the options select part of the facts (the
// gathered facts are then merged into the host's, not put in their place).
func (o setupOpts) restricted() bool { return o.collectors != nil || len(o.filter) > 0 }

// minimalSubset is the setup module's minimal_gather_subset.
var minimalSubset = []string{"apparmor", "caps", "cmdline", "date_time", "distribution", "dns", "env", "fips", "local",
	"lsb", "pkg_mgr", "platform", "python", "selinux", "service_mgr", "ssh_pub_keys", "user"}

// factIDs are the fact ids of Ansible's Linux collectors that name
// another collector (gather_subset: mounts selects hardware).
var factIDs = map[string]string{
	"devices": "hardware", "dmi": "hardware", "mounts": "hardware", "processor": "hardware", "processor_cores": "hardware", "processor_count": "hardware",
	"interfaces": "network", "default_ipv4": "network", "default_ipv6": "network", "all_ipv4_addresses": "network", "all_ipv6_addresses": "network",
	"virtualization_type": "virtual", "virtualization_role": "virtual",
	"system": "platform", "kernel": "platform", "kernel_version": "platform", "machine": "platform", "python_version": "platform", "architecture": "platform", "machine_id": "platform",
	"distribution_version": "distribution", "distribution_release": "distribution", "distribution_major_version": "distribution", "os_family": "distribution",
	"is_chroot": "chroot", "system_capabilities": "caps", "system_capabilities_enforced": "caps",
	"ssh_host_pub_keys": "ssh_pub_keys", "ssh_host_key_dsa_public": "ssh_pub_keys", "ssh_host_key_rsa_public": "ssh_pub_keys",
	"ssh_host_key_ecdsa_public": "ssh_pub_keys", "ssh_host_key_ed25519_public": "ssh_pub_keys",
}

// validSubsets are the names gather_subset accepts (Ansible's
// valid_subsets: the collectors' names and fact ids).
func validSubsets() []string {
	v := []string{"hardware", "network", "virtual", "apparmor", "caps", "chroot", "cmdline", "date_time", "distribution", "dns", "env",
		"fips", "loadavg", "local", "lsb", "pkg_mgr", "platform", "python", "selinux", "service_mgr", "ssh_pub_keys", "system", "user",
		"fibre_channel_wwn", "iscsi", "nvme"} // the last three gather nothing in drover (docs/playbook.md, Facts)
	for k := range factIDs {
		if !slices.Contains(v, k) {
			v = append(v, k)
		}
	}
	slices.Sort(v)
	return v
}

// collectorsFor is Ansible's get_collector_names for gather_subset, then
// the collectors those names select: nil for every one.
func collectorsFor(subset []string) (map[string]bool, error) {
	valid := validSubsets()
	isValid := func(s string) bool { return slices.Contains(valid, s) }
	add, excl, explicit := map[string]bool{}, map[string]bool{}, map[string]bool{}
	addAll := func(m map[string]bool, l []string) {
		for _, s := range l {
			m[s] = true
		}
	}
	aliases := func(s string) []string { // the fact ids of collector s
		var l []string
		for id, c := range factIDs {
			if c == s {
				l = append(l, id)
			}
		}
		return l
	}
	for _, s := range append([]string{"min"}, subset...) {
		switch {
		case s == "facter" || s == "ohai" || s == "!facter" || s == "!ohai":
			if !strings.HasPrefix(s, "!") {
				return nil, fmt.Errorf("gather_subset %s: drover does not run facter or ohai", s)
			}
		case s == "min":
			addAll(add, minimalSubset)
		case s == "all":
			addAll(add, valid)
		case s == "!min":
			addAll(excl, minimalSubset)
		case s == "!all":
			for _, v := range valid {
				if !slices.Contains(minimalSubset, v) {
					excl[v] = true
				}
			}
		case strings.HasPrefix(s, "!"):
			addAll(excl, aliases(s[1:]))
			excl[s[1:]] = true
		default:
			if !isValid(s) {
				return nil, fmt.Errorf("Bad subset '%s' given to Ansible. gather_subset options allowed: all, %s", s, strings.Join(valid, ", "))
			}
			explicit[s], add[s] = true, true
		}
	}
	if len(add) == 0 {
		addAll(add, valid)
	}
	out := map[string]bool{}
	for s := range add {
		if excl[s] && !explicit[s] {
			continue
		}
		if c, ok := factIDs[s]; ok {
			s = c
		}
		out[s] = true
	}
	return out, nil
}

// factCollector is the Ansible collector a drover fact (name without
// ansible_) comes from; "" for drover's own facts (always given).
func factCollector(name string, interfaces map[string]bool) string {
	switch {
	case name == "boot_id" || name == "distribution_pretty_name" || name == "drover_facts_gathered_at_utc":
		return ""
	case strings.HasPrefix(name, "distribution") || name == "os_family":
		return "distribution"
	case slices.Contains(platformFactNames, name):
		return "platform"
	case strings.HasPrefix(name, "processor") || slices.Contains(hardwareFactNames, name) || dmiFactNames[name]:
		return "hardware"
	case name == "cmdline" || name == "proc_cmdline":
		return "cmdline"
	case name == "is_chroot":
		return "chroot"
	case strings.HasPrefix(name, "ssh_host_key_"):
		return "ssh_pub_keys"
	case strings.HasPrefix(name, "system_capabilities"):
		return "caps"
	case strings.HasPrefix(name, "virtualization_"):
		return "virtual"
	case name == "selinux" || name == "selinux_python_present":
		return "selinux"
	case strings.HasPrefix(name, "user_") || strings.HasPrefix(name, "real_") || strings.HasPrefix(name, "effective_"):
		return "user"
	case name == "interfaces" || name == "default_ipv4" || name == "default_ipv6" || name == "all_ipv4_addresses" || name == "all_ipv6_addresses" || interfaces[name]:
		return "network"
	}
	return name // date_time, lsb, env, local, dns, fips, pkg_mgr, service_mgr, loadavg, apparmor
}

// The facts of the platform and hardware collectors (but the DMI ones,
// dmiFactNames, and processor*).
var (
	platformFactNames = []string{"hostname", "nodename", "fqdn", "domain", "system", "kernel", "kernel_version", "machine",
		"architecture", "userspace_bits", "userspace_architecture", "machine_id"}
	hardwareFactNames = []string{"memtotal_mb", "memfree_mb", "swaptotal_mb", "swapfree_mb", "memory_mb", "uptime_seconds", "mounts"}
	dmiFactNames      = func() map[string]bool {
		m := map[string]bool{}
		for _, d := range dmiFacts {
			m[d[0]] = true
		}
		return m
	}()
)

// selectFacts keeps the facts of the selected collectors that match the
// filter (Ansible's _filter: fnmatch on ansible_NAME, a pattern not
// starting with ansible_, facter or ohai also tried with ansible_ before
// it).
func selectFacts(facts map[string]any, o setupOpts) map[string]any {
	if !o.restricted() {
		return facts
	}
	ifaces := map[string]bool{}
	if l, ok := facts["interfaces"].([]any); ok {
		for _, n := range l {
			ifaces[factName(fmt.Sprint(n))] = true
		}
	}
	out := map[string]any{}
	for k, v := range facts {
		if o.collectors != nil {
			if c := factCollector(k, ifaces); c != "" && !o.collectors[c] {
				continue
			}
		}
		if len(o.filter) > 0 && !slices.ContainsFunc(o.filter, func(f string) bool { return filterMatch(f, "ansible_"+k) }) {
			continue
		}
		out[k] = v
	}
	return out
}

func filterMatch(f, name string) bool {
	if f == "" || f == "*" || fnmatch(name, f) {
		return true
	}
	return !strings.HasPrefix(f, "ansible_") && !strings.HasPrefix(f, "facter") && !strings.HasPrefix(f, "ohai") && fnmatch(name, "ansible_"+f)
}

// fnmatch is Python's fnmatch.fnmatchcase (POSIX: no case folding): *,
// ?, [seq] and [!seq]; / is not special; a [ without its ] is literal.
func fnmatch(name, pat string) bool {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		switch c {
		case '*':
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		case '[':
			j := i + 1
			if j < len(pat) && pat[j] == '!' {
				j++
			}
			if j < len(pat) && pat[j] == ']' {
				j++
			}
			for j < len(pat) && pat[j] != ']' {
				j++
			}
			if j >= len(pat) {
				b.WriteString(`\[`)
				continue
			}
			stuff := pat[i+1 : j]
			i = j
			neg := strings.HasPrefix(stuff, "!")
			if neg {
				stuff = stuff[1:]
			}
			stuff = strings.NewReplacer(`\`, `\\`, `[`, `\[`, `^`, `\^`).Replace(stuff)
			if neg {
				stuff = "^" + stuff
			}
			b.WriteString("[" + stuff + "]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`$`)
	re, err := regexp.Compile(b.String())
	return err == nil && re.MatchString(name)
}

// factsCommand is factsScript with the fact path of the local facts.
func factsCommand(factPath string) string {
	if factPath == "" || factPath == defaultFactPath {
		return factsScript
	}
	q := "'" + strings.ReplaceAll(factPath, "'", `'\''`) + "'"
	if rest, ok := strings.CutPrefix(factPath, "~/"); ok { // a path: ~ is the home
		q = `"$HOME"/'` + strings.ReplaceAll(rest, "'", `'\''`) + "'"
	}
	return strings.Replace(factsScript, "\nfp="+defaultFactPath+"\n", "\nfp="+q+"\n", 1)
}

// setupArgs reads the setup task's gather_subset, filter and fact_path.
func (h *hostRun) setupArgs(n *playbooks.Node, vars map[string]any) (setupOpts, modules.Result) {
	var o setupOpts
	list := func(name string) ([]string, modules.Result) {
		v, ok := n.Task.Args[name]
		if !ok || v == nil {
			return nil, nil
		}
		r, err := h.render(v, vars)
		if err != nil {
			return nil, modules.Fail(fmt.Sprintf("%s: %v", name, err))
		}
		var out []string
		switch r := r.(type) {
		case []any:
			for _, e := range r {
				out = append(out, fmt.Sprint(e))
			}
		case []string:
			out = r
		case string: // a list argument: comma-separated
			for _, s := range strings.Split(r, ",") {
				if s = strings.TrimSpace(s); s != "" {
					out = append(out, s)
				}
			}
		default:
			out = []string{fmt.Sprint(r)}
		}
		return out, nil
	}
	subset, fail := list("gather_subset")
	if fail != nil {
		return o, fail
	}
	if subset != nil {
		c, err := collectorsFor(subset)
		if err != nil {
			return o, modules.Fail(err.Error())
		}
		if len(c) < len(validCollectors()) {
			o.collectors = c
		}
	}
	if o.filter, fail = list("filter"); fail != nil {
		return o, fail
	}
	if v, ok := n.Task.Args["fact_path"]; ok && v != nil {
		r, err := h.render(v, vars)
		if err != nil {
			return o, modules.Fail(fmt.Sprintf("fact_path: %v", err))
		}
		o.factPath = fmt.Sprint(r)
	}
	return o, nil
}

// validCollectors are the collectors gather_subset all selects.
func validCollectors() map[string]bool {
	c, _ := collectorsFor([]string{"all"})
	return c
}
