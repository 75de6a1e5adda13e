package inventory

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load reads the inventory sources (the -i values, in order) and resolves
// every host's variables. A source is a file (INI, YAML/JSON, plain host
// list, CSV, or an executable inventory), a directory of such files, or
// Ansible's comma list "host1,host2,". Errors in sources are *ParseError.
func Load(sources []string, opts LoadOptions) (*Inventory, error) {
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	d := newData()
	var bases []*varsDirs
	for _, src := range sources {
		if src == "" {
			continue
		}
		if strings.Contains(src, ",") {
			if _, err := os.Stat(src); err != nil {
				if err := parseHostList(d, src); err != nil {
					return nil, err
				}
				continue
			}
		}
		abs, err := filepath.Abs(src)
		if err != nil {
			return nil, perr(src, 0, "%v", err)
		}
		st, err := os.Stat(abs)
		if err != nil {
			return nil, perr(src, 0, "inventory source not found: %v", errors.Unwrap(err))
		}
		base := abs
		if !st.IsDir() {
			base = filepath.Dir(abs)
		}
		bases = append(bases, newVarsDirs(base, opts.VaultPassword))
		if err := parseSource(ctx, d, opts, abs, src); err != nil {
			return nil, err
		}
	}
	d.reconcile()
	inv, err := finish(d, bases)
	if err != nil || len(opts.VaultPassword) == 0 {
		return inv, err
	}
	return inv, decryptHosts(inv, opts.VaultPassword)
}

// ignoredInDir are the entries a directory source skips (Ansible's
// IGNORED_ALWAYS and default INVENTORY_IGNORE_EXTS).
var ignoredInDir = regexp.MustCompile(`^\.|^host_vars$|^group_vars$|^vars_plugins$|(?:\.pyc|\.pyo|\.swp|\.bak|~|\.rpm|\.md|\.txt|\.rst|\.orig|\.ini|\.cfg|\.retry)$`)

// parseSource parses one path; display is the path as the user wrote it,
// for error messages.
func parseSource(ctx context.Context, d *data, opts LoadOptions, path, display string) error {
	st, err := os.Stat(path)
	if err != nil {
		return perr(display, 0, "%v", err)
	}
	if st.IsDir() {
		ents, err := os.ReadDir(path)
		if err != nil {
			return perr(display, 0, "%v", err)
		}
		names := make([]string, 0, len(ents))
		for _, e := range ents {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		for _, n := range names {
			if ignoredInDir.MatchString(n) {
				continue
			}
			if err := parseSource(ctx, d, opts, filepath.Join(path, n), filepath.Join(display, n)); err != nil {
				return err
			}
		}
		return nil
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return perr(display, 0, "%v", err)
	}
	if st.Mode()&0o111 != 0 || strings.HasPrefix(string(src), "#!") {
		return parseScript(ctx, d, opts, path)
	}
	if name, config, line, ok := pluginConfig(display, src); ok {
		return parsePlugin(ctx, d, opts, display, name, config, line)
	}
	return parseFile(d, display, src)
}

// parseFile parses a non-executable file's content, choosing the format as
// Ansible does (YAML for .yml/.yaml/.json or no extension when it is a
// mapping, else INI), with CSV for .csv files and CSV-looking content.
func parseFile(d *data, file string, src []byte) error {
	ext := strings.ToLower(filepath.Ext(file))
	if ext == ".csv" {
		return parseCSV(d, file, src)
	}
	if ext == ".yml" || ext == ".yaml" || ext == ".json" || (ext == "" && !looksINI(src)) {
		root, err := parseYAML(file, src)
		switch {
		case err == nil && root == nil:
			return nil // empty file
		case err == nil && deref(root).Kind == yaml.MappingNode:
			return parseYAMLInventory(d, file, deref(root))
		case ext != "":
			if err != nil {
				return err
			}
			return perr(file, root.Line, "YAML inventory has invalid structure, it should be a dictionary")
		}
	}
	if sniffCSV(src) {
		return parseCSV(d, file, src)
	}
	return parseINI(d, file, src)
}

// looksINI reports whether an extensionless source starts (after blank
// and comment lines) with an INI section header: such a file is not a YAML
// inventory (a YAML flow sequence would need a closing ']' on the same
// line), so the YAML attempt that would fail anyway is skipped.
func looksINI(src []byte) bool {
	for _, line := range strings.Split(string(src[:min(len(src), 4096)]), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		return strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") && !strings.ContainsAny(line, ",{}\"'")
	}
	return false
}

// parseHostList reads Ansible's comma list: "host1,host2:2222,".
func parseHostList(d *data, list string) error {
	for _, h := range strings.Split(list, ",") {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		host, port, ok, err := parseAddress(h, false)
		if !ok || err != nil {
			host, port = h, 0
		}
		if _, exists := d.hosts[host]; exists {
			continue
		}
		if _, err := d.addHost(host, "ungrouped", port, pos{file: list}); err != nil {
			return err
		}
	}
	return nil
}

// finish merges every host's variables and builds the Inventory.
//
// Order (later wins), per Ansible's VariableManager with the default
// VARIABLE_PRECEDENCE: inline group vars of the host's groups sorted by
// (depth, priority, name); then group_vars/ files, for each source in order,
// for each of those groups in the same order; then the host's inline vars;
// then host_vars/ files, for each source in order.
func finish(d *data, bases []*varsDirs) (*Inventory, error) {
	inv := &Inventory{d: d, byName: make(map[string]*Host, len(d.hosts)), groups: map[string][]string{}}
	for _, h := range d.hostOrder {
		groups := h.allGroups()
		vars := map[string]any{}
		for _, g := range groups {
			for k, v := range g.vars {
				vars[k] = v
			}
		}
		for _, b := range bases {
			for _, g := range groups {
				m, err := b.load("group_vars", g.name)
				if err != nil {
					return nil, err
				}
				for k, v := range m {
					vars[k] = v
				}
			}
		}
		for k, v := range h.vars {
			vars[k] = v
		}
		for _, b := range bases {
			m, err := b.load("host_vars", h.name)
			if err != nil {
				return nil, err
			}
			for k, v := range m {
				vars[k] = v
			}
		}
		names := make([]string, 0, len(groups))
		for _, g := range groups {
			if g.name != "all" {
				names = append(names, g.name)
			}
		}
		sort.Strings(names)
		pub := &Host{Name: h.name, Vars: vars, Groups: names, entry: h}
		h.pub = pub
		inv.byName[h.name] = pub
	}
	for _, h := range d.groups["all"].getHosts() {
		inv.hosts = append(inv.hosts, h.pub)
	}
	for _, g := range d.groupOrder {
		hs := g.getHosts()
		names := make([]string, len(hs))
		for i, h := range hs {
			names[i] = h.name
		}
		inv.groups[g.name] = names
	}
	// Ansible's implicit localhost: used when a pattern names it and the
	// inventory does not define it.
	if _, ok := inv.byName["localhost"]; !ok {
		vars := map[string]any{}
		for k, v := range d.groups["all"].vars {
			vars[k] = v
		}
		for _, b := range bases {
			m, err := b.load("group_vars", "all")
			if err != nil {
				return nil, err
			}
			for k, v := range m {
				vars[k] = v
			}
		}
		vars["ansible_connection"] = "local"
		inv.local = &Host{Name: "localhost", Vars: vars, Groups: []string{}}
	}
	return inv, nil
}
