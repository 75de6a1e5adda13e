package inventory

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/drover-sh/drover/playbooks/template"
)

// The constructed plugin, after an INI source in the same directory:
// keyed groups from host and group variables, a conditional group over
// group_names, a composed ansible_host that replaces the source's, and a
// parent group; unknown options are refused.
func TestConstructedPlugin(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("01-hosts", `[web]
web1 ansible_host=10.0.0.1 zone=a
web2 ansible_host=10.0.0.2 zone=b
[db]
db1 zone=a
[web:vars]
tier=front
`)
	write("02-constructed.yml", `plugin: ansible.builtin.constructed
strict: true
compose:
  ansible_host: "'127.0.0.' ~ (inventory_hostname[-1] | int + 10)"
groups:
  frontends: "'web' in group_names"
keyed_groups:
  - key: zone
    prefix: zone
    parent_group: zones
  - key: tier | default('')
    prefix: tier
    default_value: none
`)
	inv, err := Load([]string{dir}, LoadOptions{Templater: template.New()})
	if err != nil {
		t.Fatal(err)
	}
	g := inv.Groups()
	for name, want := range map[string]string{"frontends": "web1 web2", "zone_a": "web1 db1", "zone_b": "web2", "tier_front": "web1 web2", "tier_none": "db1", "zones": "web1 db1 web2"} {
		got := append([]string(nil), g[name]...)
		w := strings.Fields(want)
		slices.Sort(got)
		slices.Sort(w)
		if !slices.Equal(got, w) {
			t.Errorf("group %s: %v, want %v", name, got, w)
		}
	}
	if h, _ := inv.Host("web2"); h == nil || h.Vars["ansible_host"] != "127.0.0.12" {
		t.Errorf("web2 ansible_host: %v", h)
	}
	write("02-constructed.yml", "plugin: constructed\nuse_vars_plugins: true\n")
	if _, err := Load([]string{dir}, LoadOptions{Templater: template.New()}); err == nil || !strings.Contains(err.Error(), "02-constructed.yml:1: constructed: use_vars_plugins: true is not supported") {
		t.Errorf("use_vars_plugins: %v", err)
	}
	write("02-constructed.yml", "plugin: constructed\nkeyed_group: []\n")
	if _, err := Load([]string{dir}, LoadOptions{Templater: template.New()}); err == nil || !strings.Contains(err.Error(), "unknown option 'keyed_group'") {
		t.Errorf("typo: %v", err)
	}
}
