package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drover-sh/drover/internal/sshdtest"
)

// becomePlay logs in as the unprivileged user, then writes files as root
// through sudo. The second become task reads its stdin into a file: if sudo
// did not consume the password (a cached credential), it would land there.
const becomePlay = `
- name: become with a password
  hosts: all
  gather_facts: false
  tasks:
    - name: who logs in
      shell: id -un > "$HOME/login-user"
    - name: write uid as root
      become: true
      shell: id -u > /var/lib/drover-host/become-uid
    - name: become again
      become: true
      shell: cat > /var/lib/drover-host/become-stdin; id -un > /var/lib/drover-host/become-user
`

// becomeInventory is an inventory of the fleet that logs in as the sudo
// user, with becomePass as ansible_become_password.
func becomeInventory(t *testing.T, f *sshdtest.Fleet, becomePass string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "all:\n  vars:\n    ansible_ssh_common_args: \"-o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes\"\n  hosts:\n", f.KnownHostsPath())
	for _, h := range f.Hosts() {
		fmt.Fprintf(&b, "    %s:\n      ansible_host: %s\n      ansible_port: %d\n      ansible_user: %s\n      ansible_ssh_private_key_file: %s\n      ansible_become_password: %q\n",
			h.Name, h.Addr, h.Port, sshdtest.SudoUser, f.KeyPath(), becomePass)
	}
	p := filepath.Join(t.TempDir(), "inventory.yml")
	writeFile(t, p, b.String())
	return p
}

// runBecome runs `drover run` with the inventory and returns its combined
// output and exit code. It fails the test if drover does not finish within
// two minutes (a hung sudo prompt).
func runBecome(t *testing.T, f *sshdtest.Fleet, inv, play, state, events string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, droverBin, "run", play, "-vv", "-i", inv, "--known-hosts", f.KnownHostsPath(),
		"--state-dir", state, "--events", events)
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "HOME="+filepath.Dir(state))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGQUIT) } // a goroutine dump
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("drover run did not finish in 2 minutes (hung on sudo?):\n%s", out.String())
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), code
}

// assertNoSecret fails if secret appears in out or in any file under dirs
// (journals, events, the hosts' files).
func assertNoSecret(t *testing.T, secret, out string, dirs ...string) {
	t.Helper()
	if strings.Contains(out, secret) {
		t.Errorf("the become password appears in drover's output:\n%s", out)
	}
	for _, d := range dirs {
		filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err == nil && e.Type().IsRegular() {
				if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(secret)) {
					t.Errorf("the become password appears in %s", p)
				}
			}
			return nil
		})
	}
}

func newSecret(t *testing.T, prefix string) string {
	t.Helper()
	var b [9]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return prefix + hex.EncodeToString(b[:])
}

// TestE2EBecomeSudoPassword: a user that exists only inside the hosts logs
// in and becomes root with sudo and ansible_become_password; the password
// never shows in drover's output, journal, events, or on the hosts.
func TestE2EBecomeSudoPassword(t *testing.T) {
	pw := newSecret(t, "become-pw-")
	f := sshdtest.StartT(t, 2, sshdtest.Options{SudoPassword: pw})
	dir := t.TempDir()
	play := filepath.Join(dir, "become.yml")
	writeFile(t, play, becomePlay)

	t.Run("RightPassword", func(t *testing.T) {
		state := filepath.Join(t.TempDir(), "state")
		events := filepath.Join(t.TempDir(), "events.jsonl")
		out, code := runBecome(t, f, becomeInventory(t, f, pw), play, state, events)
		if code != 0 {
			t.Fatalf("drover run: exit %d\n%s", code, out)
		}
		for _, h := range f.Names() {
			if got := strings.TrimSpace(readFile(t, filepath.Join(f.UserHome(h), "login-user"))); got != sshdtest.SudoUser {
				t.Errorf("%s: logged in as %q, want %s", h, got, sshdtest.SudoUser)
			}
			p := filepath.Join(f.HostDir(h), "become-uid")
			if got := strings.TrimSpace(readFile(t, p)); got != "0" {
				t.Errorf("%s: become-uid %q, want 0", h, got)
			}
			st, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if uid := st.Sys().(*syscall.Stat_t).Uid; uid != 0 {
				t.Errorf("%s: become-uid owned by uid %d, want root", h, uid)
			}
			if got := strings.TrimSpace(readFile(t, filepath.Join(f.HostDir(h), "become-user"))); got != "root" {
				t.Errorf("%s: second become task ran as %q, want root", h, got)
			}
		}
		journals, _ := filepath.Glob(filepath.Join(state, "runs", "*", "journal.jsonl"))
		if len(journals) == 0 {
			t.Fatalf("no journal under %s", state)
		}
		assertNoSecret(t, pw, out, state, filepath.Dir(events), f.Dir())
	})

	t.Run("WrongPasswordFails", func(t *testing.T) {
		wrong := newSecret(t, "wrong-pw-")
		for _, h := range f.Names() {
			os.Remove(filepath.Join(f.HostDir(h), "become-uid"))
			os.Remove(filepath.Join(f.UserHome(h), "login-user"))
		}
		state := filepath.Join(t.TempDir(), "state")
		events := filepath.Join(t.TempDir(), "events.jsonl")
		out, code := runBecome(t, f, becomeInventory(t, f, wrong), play, state, events)
		if code == 0 {
			t.Fatalf("drover run with a wrong become password succeeded\n%s", out)
		}
		for _, h := range f.Names() {
			if _, err := os.Stat(filepath.Join(f.HostDir(h), "become-uid")); err == nil {
				t.Errorf("%s: the become task ran with a wrong password", h)
			}
			// The task before become ran: the failure is the task's, not the
			// connection's.
			if _, err := os.Stat(filepath.Join(f.UserHome(h), "login-user")); err != nil {
				t.Errorf("%s: %v", h, err)
			}
		}
		if !regexp.MustCompile(`FAILED\s+write uid as root`).MatchString(out) || !strings.Contains(out, "incorrect password") ||
			strings.Contains(out, "UNREACHABLE") {
			t.Errorf("the output does not show the become task failing:\n%s", out)
		}
		assertNoSecret(t, wrong, out, state, filepath.Dir(events), f.Dir())
		assertNoSecret(t, pw, out, state, filepath.Dir(events))
	})
}
