package sshdtest_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/internal/sshdtest"
)

// userSSH runs cmd on the host as the sudo user with the OpenSSH client,
// feeding stdin.
func userSSH(t *testing.T, f *sshdtest.Fleet, host, stdin, cmd string) (string, string, int) {
	t.Helper()
	args := f.SSHArgs(host)
	args[len(args)-1] = sshdtest.SudoUser + "@" + f.Addr(host)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, "ssh", append(args, cmd)...)
	c.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	if ctx.Err() != nil {
		t.Fatalf("ssh %s %q: timed out", host, cmd)
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out.String()), errb.String(), code
}

func TestSudoUserOnlyInsideHosts(t *testing.T) {
	t.Parallel()
	realPasswd, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	var rb [8]byte
	rand.Read(rb[:])
	pw := "pw-" + hex.EncodeToString(rb[:])
	f := sshdtest.StartT(t, 2, sshdtest.Options{SudoPassword: pw})

	out, stderr, code := userSSH(t, f, "h01", "", "id -un; echo $HOME; hostname")
	if code != 0 || out != sshdtest.SudoUser+"\n"+sshdtest.SudoUserHome+"\nh01" {
		t.Fatalf("login as %s: exit %d, %q, %s", sshdtest.SudoUser, code, out, stderr)
	}
	// sudo asks for the password, and accepts the right one from stdin.
	out, stderr, code = userSSH(t, f, "h01", pw+"\n", "sudo -S -p '' -k id -u")
	if code != 0 || out != "0" {
		t.Fatalf("sudo with the password: exit %d, %q, %s", code, out, stderr)
	}
	_, _, code = userSSH(t, f, "h01", "", "sudo -n -k true")
	if code == 0 {
		t.Fatal("sudo -n succeeded: sudo does not ask for a password")
	}
	_, _, code = userSSH(t, f, "h02", "wrong\n", "sudo -S -p '' -k true")
	if code == 0 {
		t.Fatal("sudo accepted a wrong password")
	}
	// The user's home is the host's own.
	if _, _, code := userSSH(t, f, "h02", "", "echo hi > ~/mine"); code != 0 {
		t.Fatal("cannot write the home")
	}
	if b, err := os.ReadFile(filepath.Join(f.UserHome("h02"), "mine")); err != nil || string(b) != "hi\n" {
		t.Fatalf("h02's home: %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(f.UserHome("h01"), "mine")); err == nil {
		t.Fatal("h01 shares h02's home")
	}
	// The real machine never sees the user.
	now, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(now, realPasswd) || bytes.Contains(now, []byte("\n"+sshdtest.SudoUser+":")) {
		t.Fatal("the real /etc/passwd changed")
	}
	if err := exec.Command("id", sshdtest.SudoUser).Run(); err == nil {
		t.Fatalf("user %s exists on the real machine", sshdtest.SudoUser)
	}
	// The password is not stored in clear anywhere in the fleet's files.
	filepath.WalkDir(f.Dir(), func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(pw)) {
				t.Errorf("%s holds the password in clear", p)
			}
		}
		return nil
	})
}

func TestAuthorize(t *testing.T) {
	t.Parallel()
	f := sshdtest.StartT(t, 1)
	key := filepath.Join(t.TempDir(), "extra")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	args := f.SSHArgs("h01")
	args[1] = key
	if err := exec.Command("ssh", append(args, "true")...).Run(); err == nil {
		t.Fatal("an unknown key logged in")
	}
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Authorize(string(pub)); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("ssh", append(args, "true")...).CombinedOutput(); err != nil {
		t.Fatalf("authorized key refused: %v %s", err, out)
	}
}

func TestClientHostsSeesForwardedConnections(t *testing.T) {
	t.Parallel()
	f := sshdtest.StartT(t, 2)
	// ssh -J: the connection to h02 is opened by h01's sshd. The jump's
	// own ssh gets its options through -F.
	cfg := filepath.Join(t.TempDir(), "ssh_config")
	conf := "Host *\n  IdentityFile " + f.KeyPath() + "\n  UserKnownHostsFile " + f.KnownHostsPath() +
		"\n  StrictHostKeyChecking yes\n  BatchMode yes\n  IdentitiesOnly yes\n  LogLevel ERROR\n  User root\n  Port " +
		strconv.Itoa(f.Port()) + "\n"
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-F", cfg, "-J", f.Addr("h01"), f.Addr("h02"), "touch /var/lib/drover-host/in; exec sleep 30"}
	cmd := exec.Command("ssh", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(f.HostDir("h02"), "in")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the jumped session never started: %s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	got, err := f.ClientHosts("h02")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"h01"}) {
		t.Fatalf("h02's clients %q, want [h01]", got)
	}
	got, err = f.ClientHosts("h01")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{""}) {
		t.Fatalf("h01's clients %q, want one from outside the fleet", got)
	}
}
