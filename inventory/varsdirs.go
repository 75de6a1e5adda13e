package inventory

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/drover-sh/drover/internal/vault"
)

// varsDirs loads group_vars/ and host_vars/ next to one inventory source, as
// Ansible's host_group_vars plugin does: for an entity NAME, the first of
// NAME, NAME.yml, NAME.yaml, NAME.json that exists; a directory is read
// recursively in sorted order (hidden files and backups skipped). Results
// are cached.
type varsDirs struct {
	base    string
	vault   []byte // the vault password, nil for none
	cache   map[string]map[string]any
	entries map[string]map[string]bool // subdir -> names in it (nil: no dir)
}

func newVarsDirs(base string, vaultPassword []byte) *varsDirs {
	return &varsDirs{base: base, vault: vaultPassword, cache: map[string]map[string]any{}, entries: map[string]map[string]bool{}}
}

var varsExts = []string{"", ".yml", ".yaml", ".json"}

// load returns the merged variables for entity name under subdir
// ("group_vars" or "host_vars"); nil when there are none.
func (v *varsDirs) load(subdir, name string) (map[string]any, error) {
	if strings.HasPrefix(name, "/") || !v.has(subdir, name) {
		return nil, nil // the common case, answered without allocating
	}
	key := subdir + "/" + name
	if m, ok := v.cache[key]; ok {
		return m, nil
	}
	var out map[string]any
	files, err := findVarsFiles(filepath.Join(v.base, subdir, name))
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		m, err := loadVarsFile(f, v.vault)
		if err != nil {
			return nil, err
		}
		if len(m) == 0 {
			continue
		}
		if out == nil {
			out = map[string]any{}
		}
		for k, x := range m {
			out[k] = x
		}
	}
	v.cache[key] = out
	return out, nil
}

// has reports whether dir may hold vars for name (one directory listing
// instead of a stat per host).
func (v *varsDirs) has(subdir, name string) bool {
	set, ok := v.entries[subdir]
	if !ok {
		if ents, err := os.ReadDir(filepath.Join(v.base, subdir)); err == nil {
			// Each entry under its name and its name without a vars
			// extension: one lookup per entity then.
			set = make(map[string]bool, 2*len(ents))
			for _, e := range ents {
				n := e.Name()
				set[n] = true
				for _, ext := range varsExts[1:] {
					if base, ok := strings.CutSuffix(n, ext); ok {
						set[base] = true
					}
				}
			}
		}
		v.entries[subdir] = set
	}
	if len(set) == 0 {
		return false
	}
	if strings.Contains(name, "/") {
		return true
	}
	return set[name]
}

func findVarsFiles(base string) ([]string, error) {
	for _, ext := range varsExts {
		p := base + ext
		st, err := os.Stat(p)
		if err != nil {
			continue
		}
		if st.IsDir() {
			return varsDirFiles(p)
		}
		return []string{p}, nil
	}
	return nil, nil
}

func varsDirFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, ".") || strings.HasSuffix(n, "~") {
			continue
		}
		p := filepath.Join(dir, n)
		ext := filepath.Ext(n)
		st, err := os.Stat(p)
		if err != nil {
			continue
		}
		if st.IsDir() && ext == "" {
			more, err := varsDirFiles(p)
			if err != nil {
				return nil, err
			}
			out = append(out, more...)
		} else if st.Mode().IsRegular() && (ext == "" || ext == ".yml" || ext == ".yaml" || ext == ".json") {
			out = append(out, p)
		}
	}
	return out, nil
}

// loadVarsFile reads one YAML/JSON vars file: a mapping, or empty. An
// ansible-vault encrypted file is decrypted with vaultPassword.
func loadVarsFile(path string, vaultPassword []byte) (map[string]any, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, perr(path, 0, "%v", err)
	}
	if vault.IsEncrypted(src) {
		if len(vaultPassword) == 0 {
			return nil, perr(path, 1, "the file is encrypted with ansible-vault: give --vault-password-file")
		}
		if src, err = vault.Decrypt(src, vaultPassword); err != nil {
			return nil, perr(path, 1, "%v", err)
		}
	}
	root, err := parseYAML(path, src)
	if err != nil || root == nil {
		return nil, err
	}
	v, err := yamlValue(root)
	if err != nil {
		return nil, perr(path, root.Line, "%v", err)
	}
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, perr(path, root.Line, "vars file must contain a mapping")
	}
	return m, nil
}
