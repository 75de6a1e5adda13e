package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"github.com/drover-sh/drover/inventory"
	"github.com/drover-sh/drover/playbooks"
	"github.com/drover-sh/drover/playbooks/template"
	"github.com/drover-sh/drover/runner"
)

// commonOptions are the flags every playbook-reading command shares.
type commonOptions struct {
	Inventory         []string
	ExtraVars         []string
	Limit             string
	VaultPasswordFile string
}

func (o *commonOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringArrayVarP(&o.Inventory, "inventory", "i", nil, "inventory source: file, directory, script, host list or CSV (repeatable)")
	fs.StringArrayVarP(&o.ExtraVars, "extra-vars", "e", nil, "extra variables: k=v, JSON/YAML, or @file (repeatable)")
	fs.StringVarP(&o.Limit, "limit", "l", "", "further limit hosts to a pattern, or @file")
	fs.StringVar(&o.VaultPasswordFile, "vault-password-file", "", "file holding the ansible-vault password")
}

// inputs are a playbook and inventory, loaded, validated and compiled.
type inputs struct {
	book     *playbooks.Playbook
	config   *playbooks.Config
	inv      *inventory.Inventory
	extra    map[string]any
	programs []*playbooks.Program
	hosts    [][]*runner.Host // per play
	groups   map[string][]string
	vault    []byte // the vault password, for vars_files at run time
	limit    string // --limit
	// groupByFrom is the first play with a group_by task (-1: none): the
	// plays after it select their hosts again when they start, with the
	// groups group_by made (see playHostsAt).
	groupByFrom int
	// deferred names, per play, the names of its host pattern that match
	// nothing yet: groups a group_by task is expected to create.
	deferred [][]string
}

// loadInputs runs parse → validate → compile and resolves each play's
// hosts. Any problem is returned before a host is contacted; invalid input
// is a *playbooks.ErrorList or an inventory error (exit 2).
func loadInputs(o commonOptions, path string, needInventory bool, stderr io.Writer) (*inputs, error) {
	in := &inputs{}
	cfg, err := playbooks.LoadConfig(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errInvalid, err)
	}
	in.config = cfg
	if cfg.HostKeyChecking != nil && !*cfg.HostKeyChecking {
		fmt.Fprintf(stderr, "WARNING: %s sets host_key_checking = False: host keys will NOT be verified; anyone on the path can impersonate your hosts\n", cfg.File)
	}
	vaultPass, err := readVaultPassword(o.VaultPasswordFile)
	if err != nil {
		return nil, usagef("%v", err)
	}
	in.vault = vaultPass
	if in.extra, err = parseExtraVars(o.ExtraVars); err != nil {
		return nil, err
	}
	book, err := playbooks.Load(path, playbooks.LoadOptions{VaultPassword: vaultPass, Config: cfg})
	if err != nil {
		return nil, err
	}
	in.book = book
	sources := o.Inventory
	if len(sources) == 0 {
		sources = cfg.Inventory
	}
	known := []string{}
	var hostNames, groupNames []string
	for k := range in.extra {
		known = append(known, k)
	}
	if len(sources) > 0 {
		inv, err := inventory.Load(sources, inventoryLoadOptions(context.Background(), vaultPass))
		if err != nil {
			return nil, err
		}
		in.inv = inv
		hostNames, groupNames = inventoryHostNames(inv), inv.GroupNames()
		seen := map[string]bool{}
		for _, h := range inv.Hosts() {
			for k := range h.Vars {
				if !seen[k] {
					seen[k] = true
					known = append(known, k)
				}
			}
		}
	} else if needInventory {
		return nil, usagef("no inventory: give -i INVENTORY (or set inventory in ansible.cfg)")
	}
	if err := playbooks.Validate(book, playbooks.ValidateOptions{KnownVars: known, AllowUnknownVars: in.inv == nil, Hosts: hostNames, Groups: groupNames}); err != nil {
		return nil, err
	}
	for _, p := range book.Plays {
		in.programs = append(in.programs, playbooks.Compile(p))
	}
	if in.inv == nil {
		return in, nil
	}
	in.groups = in.inv.Groups()
	in.limit = o.Limit
	in.groupByFrom = firstGroupBy(in.programs)
	in.deferred = make([][]string, len(book.Plays))
	for i, p := range book.Plays {
		var sel []*inventory.Host
		var err error
		if in.groupByFrom >= 0 && i > in.groupByFrom {
			// Names no group matches yet may be groups group_by creates.
			sel, in.deferred[i], err = in.inv.SelectKnown(p.Hosts, nil)
		} else {
			sel, err = in.inv.Select(p.Hosts)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: play %q: %w", p.Pos, p.Name, err)
		}
		if o.Limit != "" {
			if sel, err = in.inv.Limit(sel, o.Limit); err != nil {
				return nil, err
			}
		}
		if names := in.deferred[i]; len(names) > 0 && stderr != nil {
			fmt.Fprintf(stderr, "%s: warning: play %q: no group or host of the inventory is named %s: the play expects group_by (play %d) to create it\n",
				p.Pos, p.Name, strings.Join(names, ", "), in.groupByFrom+1)
		}
		hs := make([]*runner.Host, len(sel))
		for i, h := range sel {
			hs[i] = in.playHost(p, h)
		}
		in.hosts = append(in.hosts, hs)
	}
	return in, nil
}

// firstGroupBy is the index of the first program with a group_by or
// add_host task, or -1.
func firstGroupBy(progs []*playbooks.Program) int {
	for i, prog := range progs {
		for _, n := range prog.Nodes {
			if n.Task != nil && (n.Task.Module == "group_by" || n.Task.Module == "add_host") {
				return i
			}
		}
	}
	return -1
}

// playHostsAt resolves play i's hosts again as it starts, with the hosts
// and groups the run's add_host and group_by tasks made so far, and
// returns them with the `groups` variable: as loadInputs did, plus the
// runtime hosts and groups in patterns, `groups` and each host's
// group_names. user is -u.
func (in *inputs) playHostsAt(i int, hostAdds []runner.HostAdd, adds []runner.GroupAdd, user string) ([]*runner.Host, map[string][]string, error) {
	rg := &inventory.RuntimeGroups{}
	for _, a := range hostAdds {
		in.inv.AddRuntimeHost(rg, a.Name, a.Vars, a.Groups)
	}
	for _, a := range adds {
		in.inv.AddRuntime(rg, a.Host, a.Group, a.Parents)
	}
	p := in.book.Plays[i]
	sel, _, err := in.inv.SelectKnown(p.Hosts, rg)
	if err == nil && in.limit != "" {
		sel, err = in.inv.Limit(sel, in.limit)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: play %q: %w", p.Pos, p.Name, err)
	}
	hs := make([]*runner.Host, len(sel))
	for j, h := range sel {
		hs[j] = in.playHost(p, rg.RuntimeHost(h))
		hs[j].Groups = rg.GroupNamesOf(h)
		withUser(hs[j], user)
	}
	return hs, in.inv.GroupsWith(rg), nil
}

// playHost is an inventory host as play p reaches it: its variables with
// the play's connection defaults for what the inventory leaves unset.
func (in *inputs) playHost(p *playbooks.Play, h *inventory.Host) *runner.Host {
	// The login user: the host's ansible_user, else the play's
	// remote_user, else ansible.cfg's remote_user (Ansible's order).
	remoteUser := p.RemoteUser
	if remoteUser == "" {
		remoteUser = in.config.RemoteUser
	}
	rh := &runner.Host{Name: h.Name, Vars: h.Vars, Groups: h.Groups}
	if remoteUser != "" {
		if _, ok := h.Vars["ansible_user"]; !ok {
			rh.Vars = withVar(rh.Vars, "ansible_user", remoteUser)
		}
	}
	// The play's port, for hosts whose inventory gives none.
	if p.Port > 0 {
		if _, ok := h.Vars["ansible_port"]; !ok {
			rh.Vars = withVar(rh.Vars, "ansible_port", p.Port)
		}
	}
	if f := in.config.PrivateKeyFile; f != "" {
		if _, ok := h.Vars["ansible_ssh_private_key_file"]; !ok {
			rh.Vars = withVar(rh.Vars, "ansible_ssh_private_key_file", f)
		}
	}
	return rh
}

// delegateHost returns the inventory host name as play idx reaches it,
// for delegate_to; nil when the inventory has no such host. user is
// --user (for hosts without ansible_user).
func (in *inputs) delegateHost(user string) func(idx int, name string) *runner.Host {
	byName := map[string]*inventory.Host{}
	if in.inv != nil {
		for _, h := range in.inv.Hosts() {
			byName[h.Name] = h
		}
	}
	return func(idx int, name string) *runner.Host {
		h := byName[name]
		if h == nil || idx < 0 || idx >= len(in.book.Plays) {
			return nil
		}
		rh := in.playHost(in.book.Plays[idx], h)
		withUser(rh, user)
		return rh
	}
}

// withUser gives h the login user when it has no ansible_user (--user).
func withUser(h *runner.Host, user string) {
	if user == "" {
		return
	}
	if _, ok := h.Vars["ansible_user"]; !ok {
		h.Vars = withVar(h.Vars, "ansible_user", user)
	}
}

// readVaultPassword reads --vault-password-file (nil when not given).
func readVaultPassword(file string) ([]byte, error) {
	if file == "" {
		return nil, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("--vault-password-file: %v", err)
	}
	return []byte(strings.TrimRight(string(b), "\r\n")), nil
}

// inventoryHostNames are the inventory's host names, which delegate_to
// may name.
func inventoryHostNames(inv *inventory.Inventory) []string {
	hs := inv.Hosts()
	names := make([]string, len(hs))
	for i, h := range hs {
		names[i] = h.Name
	}
	return names
}

// inventoryVars are every inventory host's variables, for hostvars.
func inventoryVars(inv *inventory.Inventory) map[string]map[string]any {
	if inv == nil {
		return nil
	}
	hosts := inv.Hosts()
	out := make(map[string]map[string]any, len(hosts))
	for _, h := range hosts {
		out[h.Name] = h.Vars
	}
	return out
}

func withVar(vars map[string]any, k string, v any) map[string]any {
	out := make(map[string]any, len(vars)+1)
	for a, b := range vars {
		out[a] = b
	}
	out[k] = v
	return out
}

// parseExtraVars reads -e values: k=v pairs, JSON or YAML mappings, @file.
func parseExtraVars(list []string) (map[string]any, error) {
	out := map[string]any{}
	for _, e := range list {
		e = strings.TrimSpace(e)
		var data []byte
		switch {
		case strings.HasPrefix(e, "@"):
			b, err := os.ReadFile(e[1:])
			if err != nil {
				return nil, usagef("-e %s: %v", e, err)
			}
			data = b
		case strings.HasPrefix(e, "{"):
			data = []byte(e)
		default:
			words, err := splitKV(e)
			if err != nil {
				return nil, usagef("-e %q: %v", e, err)
			}
			for k, v := range words {
				out[k] = v
			}
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			if err := yaml.Unmarshal(data, &m); err != nil {
				return nil, usagef("-e %q: not JSON or YAML: %v", e, err)
			}
		}
		for k, v := range m {
			out[k] = v
		}
	}
	return out, nil
}

func splitKV(s string) (map[string]any, error) {
	out := map[string]any{}
	for _, w := range strings.Fields(s) {
		k, v, ok := strings.Cut(w, "=")
		if !ok || k == "" {
			return nil, errors.New("expected key=value")
		}
		out[k] = strings.Trim(v, `"'`)
	}
	return out, nil
}

// newTemplater is the one Jinja2 engine of a run.
func newTemplater() runner.Templater { return template.New() }

func sortedGroupNames(g map[string][]string) []string {
	out := make([]string, 0, len(g))
	for k := range g {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
