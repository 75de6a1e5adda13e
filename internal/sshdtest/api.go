package sshdtest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// Dir is the fleet's directory.
func (f *Fleet) Dir() string { return f.dir }

// KeyPath is the client private key (ed25519, no passphrase) that every host
// accepts for root; KeyPath()+".pub" is its public key.
func (f *Fleet) KeyPath() string { return filepath.Join(f.dir, "id_ed25519") }

// KnownHostsPath is an OpenSSH known_hosts file with every host's key
// ("[addr]:port key" lines).
func (f *Fleet) KnownHostsPath() string { return filepath.Join(f.dir, "known_hosts") }

// InventoryPath is an Ansible YAML inventory of the fleet: all.hosts.<name>
// with ansible_host/port/user/ssh_private_key_file and rack, and groups
// rack_r1..rack_rK.
func (f *Fleet) InventoryPath() string { return filepath.Join(f.dir, "inventory.yml") }

// Port is every host's SSH port.
func (f *Fleet) Port() int { return f.opts.Port }

// Hosts describes the hosts, in order.
func (f *Fleet) Hosts() []HostInfo {
	out := make([]HostInfo, len(f.hosts))
	for i, h := range f.hosts {
		out[i] = h.info()
	}
	return out
}

// Names returns the host names, in order.
func (f *Fleet) Names() []string {
	out := make([]string, len(f.hosts))
	for i, h := range f.hosts {
		out[i] = h.name
	}
	return out
}

// Addr is the host's loopback address ("" for an unknown host).
func (f *Fleet) Addr(name string) string {
	if h := f.byName[name]; h != nil {
		return h.addr.String()
	}
	return ""
}

// SSHArgs are OpenSSH client arguments that log in to the host as root with
// strict host key checking; append the remote command.
func (f *Fleet) SSHArgs(name string) []string {
	return []string{
		"-i", f.KeyPath(),
		"-o", "UserKnownHostsFile=" + f.KnownHostsPath(),
		"-o", "StrictHostKeyChecking=yes",
		"-o", "BatchMode=yes",
		"-o", "IdentitiesOnly=yes",
		"-o", "ConnectTimeout=10",
		"-o", "LogLevel=ERROR",
		"-p", strconv.Itoa(f.opts.Port),
		"root@" + f.Addr(name),
	}
}

// HostDir is the host's private directory as seen from outside; inside the
// host it is PrivatePath (/var/lib/drover-host). It holds reboots.log, the
// fake systemctl's state (.systemd/) and the harness's control files
// (.sshdtest/).
func (f *Fleet) HostDir(name string) string {
	if h := f.byName[name]; h != nil {
		return h.priv
	}
	return ""
}

// BootID is the host's current boot id (what it shows at
// /proc/sys/kernel/random/boot_id).
func (f *Fleet) BootID(name string) string {
	h := f.byName[name]
	if h == nil {
		return ""
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.bootID
}

// Up reports whether the host's sshd is running (false during a reboot).
func (f *Fleet) Up(name string) bool {
	h := f.byName[name]
	return h != nil && h.isUp()
}

// WaitUp waits until the host is up, at most timeout. It fails early with
// the error of a failed reboot.
func (f *Fleet) WaitUp(name string, timeout time.Duration) error {
	h, err := f.host(name)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(timeout)
	for {
		h.mu.Lock()
		up, lastErr := h.up, h.lastErr
		h.mu.Unlock()
		switch {
		case up:
			return nil
		case lastErr != nil:
			return lastErr
		case time.Now().After(deadline):
			return fmt.Errorf("host %s: not up after %v", name, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Reboot simulates a reboot of the host, as its reboot command would: every
// process of the host is killed, the host stays down for RebootDelay (or its
// SlowReturn fault), then sshd starts again with a new boot id. It returns
// once the host is back up (or, with the NeverReturn fault, down).
func (f *Fleet) Reboot(name string) error {
	h, err := f.host(name)
	if err != nil {
		return err
	}
	return h.reboot(f.ctx)
}

// Kill takes the host down: sshd and all its sessions are killed and it does
// not come back (an unreachable host) until Restart.
func (f *Fleet) Kill(name string) error {
	h, err := f.host(name)
	if err != nil {
		return err
	}
	return h.kill()
}

// Restart boots the host now with a new boot id (killing it first if it is
// up), recording a reboot since it went down.
func (f *Fleet) Restart(name string) error {
	h, err := f.host(name)
	if err != nil {
		return err
	}
	return h.restart(f.ctx)
}

// SetFault sets the host's fault; it takes effect at once and lasts across
// reboots.
func (f *Fleet) SetFault(name string, fl Fault) error {
	h, err := f.host(name)
	if err != nil {
		return err
	}
	return h.writeFault(fl)
}

// Reboots reads the host's reboots.log.
func (f *Fleet) Reboots(name string) ([]Reboot, error) {
	h, err := f.host(name)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(h.priv, "reboots.log"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("host %s: %w", name, err)
	}
	var out []Reboot
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		var down, up int64
		var r Reboot
		if _, err := fmt.Sscan(sc.Text(), &down, &up, &r.OldBootID, &r.NewBootID); err != nil {
			return nil, fmt.Errorf("host %s: reboots.log:%d: %w", name, n, err)
		}
		r.Down, r.Up = time.Unix(0, down), time.Unix(0, up)
		out = append(out, r)
	}
	return out, nil
}

// Connections counts the SSH logins the host accepted, across reboots.
func (f *Fleet) Connections(name string) int {
	h := f.byName[name]
	if h == nil {
		return 0
	}
	data, _ := os.ReadFile(h.path("sshd.log"))
	return bytes.Count(data, []byte("Accepted publickey"))
}

// CPUSeconds is the CPU time used by the host's processes (sshd, sessions,
// commands), across reboots.
func (f *Fleet) CPUSeconds(name string) (float64, error) {
	h, err := f.host(name)
	if err != nil {
		return 0, err
	}
	s, err := cpuSeconds(h.cg)
	if err != nil {
		return 0, fmt.Errorf("host %s: %w", name, err)
	}
	return s, nil
}

// TotalCPUSeconds is the CPU time used by all hosts.
func (f *Fleet) TotalCPUSeconds() (float64, error) { return cpuSeconds(f.cg) }

func (f *Fleet) host(name string) (*host, error) {
	if h := f.byName[name]; h != nil {
		return h, nil
	}
	return nil, fmt.Errorf("sshdtest: no host %q in the fleet", name)
}

func marshalKey(k ssh.PublicKey) string {
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))) + "\n"
}

func readPublicKey(path string) (ssh.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sshdtest: %w", err)
	}
	k, _, _, _, err := ssh.ParseAuthorizedKey(data)
	if err != nil {
		return nil, fmt.Errorf("sshdtest: %s: %w", path, err)
	}
	return k, nil
}
