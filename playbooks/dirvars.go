package playbooks

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/drover-sh/drover/internal/vault"
)

// dirVars records the variable names defined in group_vars/ and host_vars/
// next to the playbook (Ansible reads both there), for Validate. Only the
// names are needed: the runner loads the values with the inventory.
func (l *loader) dirVars() {
	for _, sub := range []string{"group_vars", "host_vars"} {
		root := filepath.Join(l.baseDir, sub)
		if _, err := os.Stat(root); err != nil {
			continue
		}
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			ext := filepath.Ext(p)
			if ext != "" && ext != ".yml" && ext != ".yaml" && ext != ".json" {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				l.meta.openDirVars = true
				return nil
			}
			if vault.IsEncrypted(data) {
				plain, err := vault.Decrypt(data, l.opts.VaultPassword)
				if err != nil {
					l.meta.openDirVars = true
					return nil
				}
				data = plain
			}
			var doc yaml.Node
			if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
				l.meta.openDirVars = true
				return nil
			}
			for _, kv := range pairs(doc.Content[0]) {
				if !strings.HasPrefix(kv.k.Value, "#") {
					l.meta.dirVarNames[kv.k.Value] = true
				}
			}
			return nil
		})
	}
}
