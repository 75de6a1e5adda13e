package modules

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// localConn is a Conn that runs commands on the test machine with
// /bin/sh -c in dir, with bin prepended to PATH (for fake systemctl,
// apt-get, ...).
type localConn struct {
	dir string
	bin string
}

func (c *localConn) Run(ctx context.Context, cmd string, stdin io.Reader) (*ExecResult, error) {
	x := exec.CommandContext(ctx, "/bin/sh", "-c", cmd)
	x.Dir = c.dir
	x.Env = append(os.Environ(), "PATH="+c.bin+":"+os.Getenv("PATH"), "LC_ALL=C")
	x.Stdin = stdin
	var out, errb strings.Builder
	x.Stdout, x.Stderr = &out, &errb
	err := x.Run()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("run: %w", ctx.Err())
	}
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			return nil, fmt.Errorf("run: %w: %v", ErrConnectionLost, err)
		}
		code = ee.ExitCode()
	}
	return &ExecResult{Stdout: []byte(out.String()), Stderr: []byte(errb.String()), ExitCode: code}, nil
}

func (c *localConn) Upload(ctx context.Context, path string, content io.Reader, mode fs.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".upload-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := io.Copy(f, content); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

func (c *localConn) Close() error { return nil }

// testEnv returns an Env on a fresh local "host" rooted at a temp dir.
func testEnv(t *testing.T) (*Env, string) {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, ".bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	// Commands that change the test machine itself fail loudly unless a
	// test installs a fake of the same name (fakeBin overwrites these):
	// a module run without its fakes must not patch, stop or reboot the
	// machine. (A package-test slip once ran the real apt-get.) Only
	// commands the machine has get one, so `command -v` detection sees
	// what it would without them.
	for _, name := range []string{"apt-get", "apt", "aptitude", "dpkg", "dnf", "yum", "rpm", "systemctl", "service",
		"update-rc.d", "chkconfig", "reboot", "shutdown", "poweroff", "halt", "init", "telinit",
		"mount", "umount", "sysctl", "hostnamectl", "crontab", "apt-key", "useradd", "usermod", "userdel",
		"groupadd", "groupmod", "groupdel"} {
		if _, err := exec.LookPath(name); err != nil {
			continue
		}
		trip := "#!/bin/sh\necho \"drover unit test: the real " + name + " must not run on the test machine (install a fake with fakeBin)\" >&2\nexit 97\n"
		if err := os.WriteFile(filepath.Join(bin, name), []byte(trip), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return &Env{Target: Target{Name: "local"}, Conn: &localConn{dir: dir, bin: bin}}, dir
}

// fakeBin installs an executable sh script named name in the env's PATH.
func fakeBin(t *testing.T, env *Env, name, script string) {
	t.Helper()
	p := filepath.Join(env.Conn.(*localConn).bin, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
}

// run runs module name with args and fails the test on a Go-level problem.
func run(t *testing.T, env *Env, name string, args map[string]any) Result {
	t.Helper()
	m, ok := Lookup(name)
	if !ok {
		t.Fatalf("module %s not registered", name)
	}
	return m.Run(context.Background(), env, args)
}

func mustOK(t *testing.T, r Result, changed bool) {
	t.Helper()
	if r.Failed() || r.Unreachable() {
		t.Fatalf("unexpected failure: %v", r)
	}
	if r.Changed() != changed {
		t.Fatalf("changed = %v, want %v: %v", r.Changed(), changed, r)
	}
}

func mustFail(t *testing.T, r Result, msgPart string) {
	t.Helper()
	if !r.Failed() {
		t.Fatalf("expected failure, got %v", r)
	}
	if !strings.Contains(r.Msg(), msgPart) {
		t.Fatalf("msg %q does not contain %q", r.Msg(), msgPart)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, p, s string, mode fs.FileMode) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

func fileMode(t *testing.T, p string) fs.FileMode {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm() | fi.Mode()&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)
}

// testEnv's stand-ins stop a module run without fakes from patching the
// test machine.
func TestUnitTestsCannotPatchTheMachine(t *testing.T) {
	if _, err := exec.LookPath("apt-get"); err != nil {
		t.Skip("no apt-get on this machine")
	}
	env, _ := testEnv(t)
	r := run(t, env, "apt", map[string]any{"upgrade": "dist"})
	if !r.Failed() || !strings.Contains(r.Msg(), "must not run on the test machine") {
		t.Fatalf("apt upgrade without fakes: %v", r)
	}
}
