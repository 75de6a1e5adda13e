package playbooks

import (
	"fmt"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"github.com/drover-sh/drover/internal/vault"
)

// LoadVarsFile reads a YAML variables file (vars_files, group_vars,
// host_vars, role defaults), decrypting it when the whole file is
// ansible-vault encrypted and `!vault` values inside it. vaultPassword may
// be nil when nothing is encrypted.
func LoadVarsFile(path string, vaultPassword []byte) (map[string]any, error) {
	src := newSourceCache()
	l := &loader{opts: LoadOptions{VaultPassword: vaultPassword}, src: src, c: newCollector(src), meta: newMeta(src)}
	m, ok := l.varsFile(Pos{File: path, Line: 1, Col: 1}, path, true)
	if err := l.c.err(); err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%s: cannot read variables", path)
	}
	return m, nil
}

// varsFile reads a variables file. ok is false when the file could not be
// read (reported unless it is encrypted and no password was given).
func (l *loader) varsFile(at Pos, path string, needPassword bool) (map[string]any, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			l.c.add(at, "vars file not found: %s", path)
		} else {
			l.c.add(at, "cannot read vars file: %v", err)
		}
		return nil, false
	}
	if vault.IsEncrypted(data) {
		if l.opts.VaultPassword == nil {
			if needPassword {
				l.c.add(at, "%s is encrypted with ansible-vault: give --vault-password-file", path)
			}
			return nil, false
		}
		plain, err := vault.Decrypt(data, l.opts.VaultPassword)
		if err != nil {
			l.c.add(at, "cannot decrypt %s: %v", path, err)
			return nil, false
		}
		data = plain
	}
	root, ok := l.parse(path, data)
	if !ok {
		return nil, false
	}
	if root == nil {
		return map[string]any{}, true
	}
	if root.Kind != yaml.MappingNode {
		l.c.add(pos(path, root), "a vars file must be a mapping of variables, got %s", kindName(root))
		return nil, false
	}
	m, _ := l.value(path, root).(map[string]any)
	return m, true
}

// varsFiles reads a play's vars_files: the names are returned as written;
// the variable names found are recorded for Validate.
func (l *loader) varsFiles(file string, v *yaml.Node, pm *playMeta) []string {
	v = resolve(v)
	if v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
		v = &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{v}, Line: v.Line, Column: v.Column}
	}
	if v.Kind != yaml.SequenceNode {
		if v.Tag != "!!null" {
			l.c.add(pos(file, v), "vars_files must be a list of file names, got %s", kindName(v))
		}
		return nil
	}
	var out []string
	for _, it := range v.Content {
		it = resolve(it)
		if it.Kind == yaml.SequenceNode {
			l.c.add(pos(file, it), "vars_files alternatives (a list inside vars_files) are not supported: name one file")
			continue
		}
		name, ok := l.str(file, it, "vars_files entry")
		if !ok {
			continue
		}
		out = append(out, name)
		if isTemplated(name) {
			pm.openVars = true
			continue
		}
		path := name
		if !filepath.IsAbs(path) {
			path = filepath.Join(filepath.Dir(file), name)
		}
		m, ok := l.varsFile(pos(file, it), path, false)
		if !ok {
			pm.openVars = true
			continue
		}
		for k := range m {
			pm.varNames[k] = true
		}
	}
	return out
}
