package playbooks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ANSIBLE_CONFIG", "")
	cfg, err := LoadConfig(dir)
	if err != nil || cfg.File != "" {
		t.Fatalf("no ansible.cfg: %+v %v", cfg, err)
	}
	text := `# comment
[ssh_connection]
pipelining = True
[defaults]
inventory = hosts.ini, /etc/other
remote_user = deploy
forks = 20 ; inline comment
roles_path = roles:/opt/roles
private_key_file = keys/id_ed25519
host_key_checking = False
strategy = mitogen_linear
`
	if err := os.WriteFile(filepath.Join(dir, "ansible.cfg"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err = LoadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RemoteUser != "deploy" || cfg.Forks != 20 || cfg.Strategy != "linear" || cfg.HostKeyChecking == nil || *cfg.HostKeyChecking {
		t.Fatalf("cfg = %+v", cfg)
	}
	if len(cfg.Inventory) != 2 || cfg.Inventory[0] != filepath.Join(dir, "hosts.ini") || cfg.Inventory[1] != "/etc/other" {
		t.Fatalf("inventory = %v", cfg.Inventory)
	}
	if len(cfg.RolesPath) != 2 || cfg.RolesPath[0] != filepath.Join(dir, "roles") || cfg.PrivateKeyFile != filepath.Join(dir, "keys/id_ed25519") {
		t.Fatalf("paths = %v %s", cfg.RolesPath, cfg.PrivateKeyFile)
	}
	// ANSIBLE_CONFIG wins over the directory's file.
	other := filepath.Join(t.TempDir(), "x.cfg")
	if err := os.WriteFile(other, []byte("[defaults]\nforks = nope\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ANSIBLE_CONFIG", other)
	if _, err := LoadConfig(dir); err == nil {
		t.Fatal("bad forks accepted")
	}
	if err := os.WriteFile(other, []byte("[defaults]\nstrategy = debug\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfig(dir); err == nil || !strings.Contains(err.Error(), `x.cfg:2: strategy "debug": drover has linear, free, host_pinned`) {
		t.Fatalf("strategy debug: %v", err)
	}
}

func TestLoadConfigPrivilegeEscalation(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ANSIBLE_CONFIG", "")
	write := func(text string) {
		if err := os.WriteFile(filepath.Join(dir, "ansible.cfg"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("[privilege_escalation]\nbecome = True\nbecome_user = app\nbecome_method = su\nbecome_ask_pass = yes\n[defaults]\nforks = 3\n")
	cfg, err := LoadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Become || cfg.BecomeUser != "app" || cfg.BecomeMethod != "su" || !cfg.BecomeAskPass || cfg.Forks != 3 {
		t.Fatalf("cfg = %+v", cfg)
	}
	for text, want := range map[string]string{
		"[privilege_escalation]\nbecome = maybe\n":        "ansible.cfg:2: become must be a boolean",
		"[privilege_escalation]\nbecome_method = pbrun\n": "ansible.cfg:2: become_method \"pbrun\" is not supported",
	} {
		write(text)
		if _, err := LoadConfig(dir); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}
}
