package sshdtest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
	"gopkg.in/yaml.v3"
)

// writeKeyPair writes an ed25519 key pair in OpenSSH format (path with mode
// 0600, path.pub) and returns the public key.
func writeKeyPair(path, comment string) (ssh.PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := ssh.MarshalPrivateKey(priv, comment)
	if err != nil {
		return nil, fmt.Errorf("marshal %s: %w", path, err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, err
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, err
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub))) + " " + comment + "\n"
	if err := os.WriteFile(path+".pub", []byte(line), 0o644); err != nil {
		return nil, err
	}
	return sshPub, nil
}

// sshdConfig renders a host's sshd_config.
func sshdConfig(h *host, authorizedKeys string) string {
	q := strconv.Quote
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("# drover-sshdtest host %s", h.name)
	p("ListenAddress %s:%d", h.addr, h.port)
	p("AddressFamily inet")
	p("HostKey %s", q(h.hostKey))
	p("PidFile %s", q(h.path("sshd.pid")))
	if h.f.users != nil {
		// The sudo user reads its own (sshd reads the file as the user).
		p("AuthorizedKeysFile %s .ssh/authorized_keys", q(authorizedKeys))
	} else {
		p("AuthorizedKeysFile %s", q(authorizedKeys))
	}
	p("PermitRootLogin prohibit-password")
	p("PubkeyAuthentication yes")
	p("PasswordAuthentication no")
	p("KbdInteractiveAuthentication no")
	p("UsePAM no")
	p("StrictModes no")
	p("UseDNS no")
	p("PrintMotd no")
	p("PrintLastLog no")
	p("X11Forwarding no")
	p("MaxSessions 100")
	p("MaxStartups 1000")
	p("LoginGraceTime 30")
	p("ClientAliveInterval 5")
	p("ClientAliveCountMax 6")
	p("LogLevel VERBOSE")
	p("Subsystem sftp internal-sftp")
	if v := sshdVersion(); v >= 908 {
		// 9.8+ penalises sources whose sessions die abnormally, which is
		// exactly what simulated reboots do.
		p("PerSourcePenalties no")
	}
	return b.String()
}

var (
	sshdVersionOnce sync.Once
	sshdVersionNum  int
)

// sshdVersion returns OpenSSH's version as major*100+minor (0 if unknown).
func sshdVersion() int {
	sshdVersionOnce.Do(func() {
		out, _ := exec.Command(sshdPath, "-V").CombinedOutput()
		m := regexp.MustCompile(`OpenSSH_(\d+)\.(\d+)`).FindSubmatch(out)
		if m != nil {
			major, _ := strconv.Atoi(string(m[1]))
			minor, _ := strconv.Atoi(string(m[2]))
			sshdVersionNum = major*100 + minor
		}
	})
	return sshdVersionNum
}

// knownHostsLine is the known_hosts line of a host key.
func knownHostsLine(addr string, port int, key ssh.PublicKey) string {
	h := addr
	if port != 22 {
		h = fmt.Sprintf("[%s]:%d", addr, port)
	}
	return h + " " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key))) + "\n"
}

type invHost struct {
	AnsibleHost string `yaml:"ansible_host"`
	AnsiblePort int    `yaml:"ansible_port"`
	AnsibleUser string `yaml:"ansible_user"`
	KeyFile     string `yaml:"ansible_ssh_private_key_file"`
	Rack        string `yaml:"rack"`
}

type invGroup struct {
	Hosts map[string]struct{} `yaml:"hosts"`
}

type invAll struct {
	Hosts    map[string]invHost  `yaml:"hosts"`
	Vars     map[string]string   `yaml:"vars"`
	Children map[string]invGroup `yaml:"children"`
}

// inventoryYAML renders the fleet's Ansible YAML inventory.
func inventoryYAML(f *Fleet) ([]byte, error) {
	all := invAll{
		Hosts: map[string]invHost{},
		Vars: map[string]string{
			"ansible_ssh_common_args": "-o UserKnownHostsFile=" + f.KnownHostsPath() + " -o StrictHostKeyChecking=yes",
		},
		Children: map[string]invGroup{},
	}
	for _, h := range f.hosts {
		all.Hosts[h.name] = invHost{
			AnsibleHost: h.addr.String(),
			AnsiblePort: h.port,
			AnsibleUser: "root",
			KeyFile:     f.KeyPath(),
			Rack:        h.rack,
		}
		g := "rack_" + h.rack
		if all.Children[g].Hosts == nil {
			all.Children[g] = invGroup{Hosts: map[string]struct{}{}}
		}
		all.Children[g].Hosts[h.name] = struct{}{}
	}
	return yaml.Marshal(map[string]invAll{"all": all})
}
