package inventory

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type fakePlugin struct{ got map[string]any }

func (p *fakePlugin) List(_ context.Context, _ string, config map[string]any) ([]byte, error) {
	p.got = config
	return []byte(`{"web": {"hosts": ["w1"]}, "_meta": {"hostvars": {"w1": {"ansible_host": "127.0.0.9", "zone": "a"}}}}`), nil
}

// A YAML source with a plugin key goes to the plugin of that name, whose
// --list JSON becomes the inventory (group_vars beside it apply); an
// unknown plugin is an error at the key, naming the ones drover has.
func TestPluginSource(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "x.aws_ec2.yml")
	if err := os.WriteFile(src, []byte("# comment\nplugin: fake\nregions: [r1]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "group_vars"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "group_vars", "web.yml"), []byte("tier: front\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &fakePlugin{}
	inv, err := Load([]string{src}, LoadOptions{Plugins: map[string]Plugin{"fake": p}})
	if err != nil {
		t.Fatal(err)
	}
	h, ok := inv.Host("w1")
	if !ok || h.Vars["zone"] != "a" || h.Vars["tier"] != "front" || h.Vars["ansible_host"] != "127.0.0.9" {
		t.Fatalf("w1: %v %+v", ok, h)
	}
	if r, _ := p.got["regions"].([]any); len(r) != 1 || r[0] != "r1" {
		t.Errorf("config given to the plugin: %v", p.got)
	}
	_, err = Load([]string{src}, LoadOptions{Plugins: map[string]Plugin{"aws_ec2": p, "amazon.aws.aws_ec2": p}})
	if err == nil || !strings.Contains(err.Error(), "x.aws_ec2.yml:2: inventory plugin 'fake' is not supported (drover has constructed, amazon.aws.aws_ec2, aws_ec2)") {
		t.Errorf("unknown plugin: %v", err)
	}
}
