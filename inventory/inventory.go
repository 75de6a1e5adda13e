package inventory

import (
	"context"
	"sort"
	"strconv"
	"time"
)

// Host is one resolved inventory host.
type Host struct {
	Name string // inventory_hostname
	// Vars are the host's merged inventory variables (see docs/inventory.md
	// for the precedence). Magic variables (inventory_hostname, groups,
	// group_names, ...) are not included. The map is the host's own; nested
	// values may be shared with other hosts and must not be modified.
	Vars map[string]any
	// Groups is Ansible's group_names: the host's groups and their
	// ancestors, sorted, without "all" (an ungrouped host is in "ungrouped",
	// as in Ansible).
	Groups []string

	entry *hostEntry
}

// Addr returns ansible_host, or the host's name.
func (h *Host) Addr() string {
	if v, ok := h.Vars["ansible_host"]; ok && v != nil {
		if s := scalarText(v); s != "" {
			return s
		}
	}
	return h.Name
}

// Port returns ansible_port (or ansible_ssh_port), 0 when unset or invalid.
func (h *Host) Port() int {
	for _, k := range []string{"ansible_port", "ansible_ssh_port"} {
		if v, ok := h.Vars[k]; ok && v != nil {
			if n, err := strconv.Atoi(scalarText(v)); err == nil && n > 0 && n < 65536 {
				return n
			}
		}
	}
	return 0
}

// User returns ansible_user (or ansible_ssh_user), "" when unset.
func (h *Host) User() string {
	for _, k := range []string{"ansible_user", "ansible_ssh_user"} {
		if v, ok := h.Vars[k]; ok && v != nil {
			return scalarText(v)
		}
	}
	return ""
}

func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case float64:
		if x == float64(int64(x)) {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		if x {
			return "True"
		}
		return "False"
	}
	return ""
}

// Inventory is a loaded, resolved inventory. It is safe for concurrent
// reads once Load has returned.
type Inventory struct {
	d      *data
	hosts  []*Host // "all" order
	byName map[string]*Host
	groups map[string][]string
	local  *Host // implicit localhost, when not in the inventory
}

// LoadOptions tune Load. The zero value is usable.
type LoadOptions struct {
	// Context bounds executable inventories; nil means context.Background().
	Context context.Context
	// ScriptTimeout bounds each run of an executable inventory; 0 means 60s.
	ScriptTimeout time.Duration
	// Env is the environment of executable inventories; nil means the
	// current process's environment.
	Env []string
	// VaultPassword decrypts ansible-vault encrypted group_vars/host_vars
	// files and !vault values. Without it, an encrypted vars file is an
	// error and !vault values stay their ciphertext.
	VaultPassword []byte
	// Plugins are the inventory plugins a YAML source may name with
	// `plugin:`, by every name it may use (aws_ec2, amazon.aws.aws_ec2).
	Plugins map[string]Plugin
	// Templater evaluates the constructed plugin's Jinja2 (compose,
	// groups, keyed_groups).
	Templater Templater
}

func (o LoadOptions) scriptTimeout() time.Duration {
	if o.ScriptTimeout > 0 {
		return o.ScriptTimeout
	}
	return 60 * time.Second
}

// Host returns the named host.
func (inv *Inventory) Host(name string) (*Host, bool) {
	h, ok := inv.byName[name]
	return h, ok
}

// Hosts returns every host in inventory order (Ansible's order for "all":
// group by group, from "all" down, each group's hosts in definition order).
func (inv *Inventory) Hosts() []*Host {
	return append([]*Host(nil), inv.hosts...)
}

// Groups returns each group's hosts, its descendants' included, as
// Ansible's `groups` variable (with "all" and "ungrouped"). The result is a
// fresh copy.
func (inv *Inventory) Groups() map[string][]string {
	out := make(map[string][]string, len(inv.groups))
	for k, v := range inv.groups {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// GroupNames returns every group name, sorted.
func (inv *Inventory) GroupNames() []string {
	out := make([]string, 0, len(inv.groups))
	for k := range inv.groups {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
