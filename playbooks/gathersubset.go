package playbooks

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// GatherSubsets are the names Ansible accepts in gather_subset (each may
// be negated with "!"): the groups and the collectors of ansible-core.
var GatherSubsets = []string{
	"all", "min", "hardware", "network", "virtual", "ohai", "facter",
	"apparmor", "caps", "chroot", "cmdline", "date_time", "distribution", "dns", "env",
	"fips", "loadavg", "local", "lsb", "pkg_mgr", "platform", "python",
	"selinux", "service_mgr", "ssh_pub_keys", "system", "user",
	"fibre_channel_wwn", "iscsi", "nvme",
	"devices", "dmi", "mounts", "processor", "processor_cores", "processor_count",
	"interfaces", "default_ipv4", "default_ipv6", "all_ipv4_addresses", "all_ipv6_addresses",
	"virtualization_type", "virtualization_role",
	"kernel", "kernel_version", "machine", "python_version", "architecture", "machine_id",
	"distribution_version", "distribution_release", "distribution_major_version", "os_family",
	"is_chroot", "system_capabilities", "system_capabilities_enforced",
	"ssh_host_pub_keys", "ssh_host_key_dsa_public", "ssh_host_key_rsa_public", "ssh_host_key_ecdsa_public", "ssh_host_key_ed25519_public",
}

// gatherSubset checks gather_subset (a list, or a comma-separated
// string) and returns its entries ("!hardware" kept as written); the
// runner selects the collectors from them as Ansible does.
func (l *loader) gatherSubset(file string, n *yaml.Node) []string {
	var out []string
	n = resolve(n)
	var items []*yaml.Node
	switch n.Kind {
	case yaml.SequenceNode:
		items = n.Content
	case yaml.ScalarNode:
		items = []*yaml.Node{n}
	default:
		l.c.add(pos(file, n), "gather_subset must be a list or a comma-separated string")
		return nil
	}
	for _, it := range items {
		it = resolve(it)
		if it.Kind != yaml.ScalarNode {
			l.c.add(pos(file, it), "gather_subset entries must be strings")
			continue
		}
		for _, s := range strings.Split(it.Value, ",") {
			name := strings.TrimPrefix(strings.TrimSpace(s), "!")
			if name == "" {
				continue
			}
			if !contains(GatherSubsets, name) {
				l.c.add(pos(file, it), "unknown gather_subset '%s'%s", name, didYouMean(name, GatherSubsets))
			}
			out = append(out, strings.TrimSpace(s))
		}
	}
	return out
}
