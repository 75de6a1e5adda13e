package inventory

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
)

// requireTool skips when a system tool is missing, unless CI=true.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found (CI=true): install ansible-core (scripts/test-deps.sh)", name)
		}
		t.Skipf("%s not found: install ansible-core to run the differential test", name)
	}
	return p
}

// normaliseList sorts the hosts/children lists of an --list document so
// that group membership, not order, is compared.
func normaliseList(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, raw)
	}
	for name, g := range doc {
		if name == "_meta" {
			continue
		}
		for _, k := range []string{"hosts", "children"} {
			if l, ok := g.(map[string]any)[k].([]any); ok {
				sort.Slice(l, func(i, j int) bool { return l[i].(string) < l[j].(string) })
			}
		}
	}
	return doc
}

// TestDifferentialAnsibleInventory runs ansible-inventory --list and
// ListJSON on the corpus in testdata/diff and requires the same JSON.
func TestDifferentialAnsibleInventory(t *testing.T) {
	bin := requireTool(t, "ansible-inventory")
	cases := map[string][]string{
		"ini":           {"diff/ini/hosts"},
		"yaml":          {"diff/yaml/inventory.yml"},
		"directory":     {"diff/dir"},
		"script":        {"diff/script/inventory.sh"},
		"script_nometa": {"diff/script_nometa/inventory.sh"},
		"multi":         {"diff/multi_a/hosts.ini", "diff/multi_b/hosts.yml", "x1,x2:2200,"},
		"ini+yaml":      {"diff/ini/hosts", "diff/yaml/inventory.yml"},
	}
	home := t.TempDir()
	cfg := filepath.Join(home, "ansible.cfg")
	if err := os.WriteFile(cfg, []byte("[defaults]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, srcs := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var paths []string
			args := []string{"--list"}
			for _, s := range srcs {
				p := filepath.Join("testdata", s)
				if _, err := os.Stat(p); err != nil {
					p = s // a comma list
				}
				paths = append(paths, p)
				args = append(args, "-i", p)
			}
			cmd := exec.Command(bin, args...)
			cmd.Env = append(os.Environ(), "ANSIBLE_HOME="+home, "ANSIBLE_LOCAL_TEMP="+home,
				"ANSIBLE_INVENTORY_UNPARSED_FAILED=true", "ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true",
				"ANSIBLE_NOCOLOR=1", "ANSIBLE_CONFIG="+cfg)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			want, err := cmd.Output()
			if err != nil {
				t.Fatalf("ansible-inventory: %v\n%s", err, stderr.String())
			}
			inv, err := Load(paths, LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := inv.ListJSON()
			if err != nil {
				t.Fatal(err)
			}
			w, g := normaliseList(t, want), normaliseList(t, got)
			if !reflect.DeepEqual(w, g) {
				for k := range w {
					if !reflect.DeepEqual(w[k], g[k]) {
						t.Errorf("%s differs:\nansible: %v\ndrover:  %v", k, w[k], g[k])
					}
				}
				for k := range g {
					if _, ok := w[k]; !ok {
						t.Errorf("%s only in drover: %v", k, g[k])
					}
				}
			}
		})
	}
}
