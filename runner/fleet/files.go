package fleet

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
	"gopkg.in/yaml.v3"
)

// writeClientKey generates the client key every host accepts and writes it
// as <Dir>/id_ed25519 (OpenSSH format, 0600) and id_ed25519.pub.
func (f *Fleet) writeClientKey() error {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("fleet: client key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "drover-fleet")
	if err != nil {
		return fmt.Errorf("fleet: client key: %w", err)
	}
	path := f.KeyPath()
	_ = os.Remove(path) // WriteFile keeps an existing file's mode
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return fmt.Errorf("fleet: client key: %w", err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		return fmt.Errorf("fleet: client key: %w", err)
	}
	if err := os.WriteFile(path+".pub", ssh.MarshalAuthorizedKey(sshPub), 0o644); err != nil {
		return fmt.Errorf("fleet: client key: %w", err)
	}
	if f.clientKey, err = ssh.NewSignerFromKey(priv); err != nil {
		return fmt.Errorf("fleet: client key: %w", err)
	}
	return nil
}

// writeKnownHosts writes <Dir>/known_hosts: one `[127.0.0.1]:PORT
// ssh-ed25519 ...` line per host (empty with NoSSH).
func (f *Fleet) writeKnownHosts() error {
	var buf bytes.Buffer
	if !f.opts.NoSSH {
		for _, h := range f.hosts {
			addr := knownhosts.Normalize(fmt.Sprintf("127.0.0.1:%d", h.port))
			buf.WriteString(knownhosts.Line([]string{addr}, h.hostKey.PublicKey()))
			buf.WriteByte('\n')
		}
	}
	if err := writeFileAtomic(f.KnownHostsPath(), buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("fleet: known_hosts: %w", err)
	}
	return nil
}

// writeInventory writes <Dir>/inventory.yml, an Ansible YAML inventory:
// every host under all.hosts with its connection variables and rack, a
// group rack_<rack> per rack, and the extra Options.Groups.
func (f *Fleet) writeInventory() error {
	hosts := map[string]any{}
	racks := map[string]map[string]any{}
	for _, h := range f.hosts {
		vars := map[string]any{
			"ansible_host":                 "127.0.0.1",
			"ansible_user":                 f.user,
			"ansible_ssh_private_key_file": f.KeyPath(),
			"rack":                         h.rack,
		}
		if !f.opts.NoSSH {
			vars["ansible_port"] = h.port
		}
		hosts[h.name] = vars
		group := "rack_" + h.rack
		if racks[group] == nil {
			racks[group] = map[string]any{}
		}
		racks[group][h.name] = map[string]any{}
	}
	children := map[string]any{}
	for g, members := range racks {
		children[g] = map[string]any{"hosts": members}
	}
	for _, g := range f.opts.Groups {
		members := map[string]any{}
		for _, h := range f.hosts {
			members[h.name] = map[string]any{}
		}
		children[g] = map[string]any{"hosts": members}
	}
	inv := map[string]any{"all": map[string]any{
		"hosts":    hosts,
		"children": children,
		"vars": map[string]any{
			"ansible_ssh_common_args": "-o UserKnownHostsFile=" + f.KnownHostsPath() + " -o StrictHostKeyChecking=yes",
			"drover_fleet_dir":        f.dir,
		},
	}}
	var data bytes.Buffer
	enc := yaml.NewEncoder(&data)
	enc.SetIndent(2)
	if err := enc.Encode(inv); err != nil {
		return fmt.Errorf("fleet: inventory: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("fleet: inventory: %w", err)
	}
	head := "# drover fleet inventory, written by `drover fleet` (runner/fleet).\n"
	if err := writeFileAtomic(filepath.Join(f.dir, "inventory.yml"), append([]byte(head), data.Bytes()...), 0o644); err != nil {
		return fmt.Errorf("fleet: inventory: %w", err)
	}
	return nil
}
