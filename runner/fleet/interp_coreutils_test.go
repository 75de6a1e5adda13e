package fleet

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// makeFixture fills dir with the files the coreutils cases work on.
func makeFixture(t *testing.T, dir string) {
	t.Helper()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "d"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "f"), []byte("a=1\nb=2\nc\nx=a.1"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "e"), nil, 0o600))
	must(os.WriteFile(filepath.Join(dir, "bin"), []byte("a\x00=b\n=\n"), 0o644))
	must(os.Symlink("f", filepath.Join(dir, "l")))
	must(os.Symlink("nope", filepath.Join(dir, "dl")))
}

// treeOf describes dir's files: type, permission bits, owner, content.
func treeOf(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		st := fi.Sys().(*syscall.Stat_t)
		line := rel + " " + fi.Mode().String() + " " + strconv.Itoa(int(st.Uid)) + ":" + strconv.Itoa(int(st.Gid))
		if fi.Mode().IsRegular() {
			b, _ := os.ReadFile(path)
			line += " " + strconv.Quote(string(b))
		}
		lines = append(lines, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// Every Go command against the real program on the same inputs: same
// stdout, stderr, exit status and effect on the files. go says whether
// the Go implementation must have run (false: a form it leaves to the real
// program).
func TestInterpCoreutilsMatchReal(t *testing.T) {
	f := newFleet(t, Options{Hosts: 1, NoSSH: true, InterpShell: true})
	h := f.byName["host01"]
	c := dialDirect(t, f, "host01")
	cases := []struct {
		cmd      string
		mutates  bool // else the real program runs on the same fixture
		wantGo   bool
		noStderr bool // stderr compared only as empty/non-empty (dash prefixes)
	}{
		{cmd: `stat -c '%a %u %g %U %G %s %h %F %n' f e d l dl`, wantGo: true},
		{cmd: `stat -L -c '%a:%s:%F:%i:%d' -- l f`, wantGo: true},
		{cmd: `stat -c 'mode=%a
size=%s %Y %X %Z %%' f`, wantGo: true},
		{cmd: `stat -c %a f nope e`, wantGo: true},
		{cmd: `stat -L -c %a dl`, wantGo: true},
		{cmd: `stat -c '%-5a|%A' f`},
		{cmd: `chmod 600 f; chmod 0755 -- d e`, mutates: true, wantGo: true},
		{cmd: `chmod 644 nope f`, mutates: true, wantGo: true},
		{cmd: `chmod 2755 d && chmod 755 d && stat -c %a d`, mutates: true, wantGo: true},
		{cmd: `chmod u+x f`, mutates: true},
		{cmd: `chown 0:0 f; chown 0 -- e d`, mutates: true, wantGo: true},
		{cmd: `chown 0:0 nope`, mutates: true, wantGo: true},
		{cmd: `mv -f -- f g`, mutates: true, wantGo: true},
		{cmd: `mv e f`, mutates: true, wantGo: true},
		{cmd: `mv f nope/x`, mutates: true, wantGo: true},
		{cmd: `mv nope g`, mutates: true, wantGo: true},
		{cmd: `mv f d`, mutates: true},
		{cmd: `rm -f -- f nope`, mutates: true, wantGo: true},
		{cmd: `rm f nope e`, mutates: true, wantGo: true},
		{cmd: `rm d`, mutates: true},
		{cmd: `mkdir -p -- a/b/c d`, mutates: true, wantGo: true},
		{cmd: `mkdir x d nope/y`, mutates: true, wantGo: true},
		{cmd: `mkdir -m 0700 y && mkdir -p -m 0750 z/w`, mutates: true, wantGo: true},
		{cmd: `mkdir -p f/x`, mutates: true},
		{cmd: `t=$(mktemp ./.up.XXXXXX) && stat -c %a "$t" && rm "$t"`, mutates: true, wantGo: true},
		{cmd: `touch f n && stat -c %a:%s n f`, mutates: true, wantGo: true},
		{cmd: `touch nope/x`, mutates: true, wantGo: true},
		{cmd: `cat f e`, wantGo: true},
		{cmd: `cat -- f nope f`, wantGo: true},
		{cmd: `cat d`, wantGo: true},
		{cmd: `cat < f; cat - < e`, wantGo: true},
		{cmd: `cat -n f`},
		{cmd: `sha1sum f; sha1sum < f; sha256sum e; md5sum -- f`, wantGo: true},
		{cmd: `sha1sum nope f; sha1sum d`, wantGo: true},
		{cmd: `grep -c = f; cat f | grep -c =; grep -c zz f; echo rc=$?`, wantGo: true},
		{cmd: `grep -q c f && grep -x c f && grep -v = f && grep -cv -- = f && grep -F a.1 f`, wantGo: true},
		{cmd: `grep = nope; echo rc=$?; grep -s = nope; echo rc=$?; grep -c = d; echo rc=$?`, wantGo: true},
		{cmd: `grep -c = bin; grep -q = bin; echo rc=$?`, wantGo: true},
		{cmd: `grep = bin; grep -i A f; grep 'a.1' f; grep -c '^a' f`},
		{cmd: `dirname -- /a/b/ a / // a/ /a '' a//b//`, wantGo: true},
		{cmd: `basename /a/b/; basename /; basename a.txt .txt; basename .txt .txt; basename ''; basename -- //x//`, wantGo: true},
		{cmd: `uname; uname -r; uname -m; uname -n`, wantGo: true},
		{cmd: `uname -a`},
		{cmd: `readlink l; readlink f; echo rc=$?; readlink nope; echo rc=$?`, wantGo: true},
		{cmd: `sleep 0.01; sleep 0 0s; echo ok`, wantGo: true},
		{cmd: `whoami`, wantGo: true},
		{cmd: `umask; umask -S; umask 077; umask; touch q; echo x > r; mkdir s; stat -c %a q r s; (umask 0); umask`, mutates: true, wantGo: true},
	}
	base := t.TempDir()
	for i, tc := range cases {
		goDir := filepath.Join(h.root, "cu", strconv.Itoa(i))
		realDir := goDir
		if err := os.MkdirAll(goDir, 0o755); err != nil {
			t.Fatal(err)
		}
		makeFixture(t, goDir)
		if tc.mutates {
			realDir = filepath.Join(base, strconv.Itoa(i))
			if err := os.MkdirAll(realDir, 0o755); err != nil {
				t.Fatal(err)
			}
			makeFixture(t, realDir)
		}
		before := h.goHandled.Load()
		got := run(t, c, "cd "+shellQuote(goDir)+" && "+tc.cmd)
		handled := h.goHandled.Load() - before

		real := exec.Command("/bin/sh", "-c", tc.cmd)
		real.Dir = realDir
		real.Env = h.env()
		var stdout, stderr bytes.Buffer
		real.Stdout, real.Stderr = &stdout, &stderr
		code := 0
		if err := real.Run(); err != nil {
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				t.Fatalf("%s: real: %v", tc.cmd, err)
			}
			code = ee.ExitCode()
		}
		if string(got.Stdout) != stdout.String() {
			t.Errorf("%s: stdout\n go   %q\n real %q", tc.cmd, got.Stdout, stdout.String())
		}
		if string(got.Stderr) != stderr.String() {
			t.Errorf("%s: stderr\n go   %q\n real %q", tc.cmd, got.Stderr, stderr.String())
		}
		if got.ExitCode != code {
			t.Errorf("%s: exit %d, real %d", tc.cmd, got.ExitCode, code)
		}
		if tc.mutates {
			if g, r := treeOf(t, goDir), treeOf(t, realDir); g != r {
				t.Errorf("%s: files\n go:\n%s\n real:\n%s", tc.cmd, g, r)
			}
		}
		if tc.wantGo && handled == 0 {
			t.Errorf("%s: no Go command ran", tc.cmd)
		}
		if !tc.wantGo && handled != 0 {
			t.Errorf("%s: %d Go commands ran, want the real programs", tc.cmd, handled)
		}
	}
}

func TestInterpDateMatchesReal(t *testing.T) {
	f := newFleet(t, Options{Hosts: 1, NoSSH: true, InterpShell: true})
	c := dialDirect(t, f, "host01")
	before, err := exec.Command("date", "+%s").Output()
	if err != nil {
		t.Fatal(err)
	}
	got := run(t, c, "date +%s")
	after, _ := exec.Command("date", "+%s").Output()
	g, _ := strconv.Atoi(trim(got.Stdout))
	b, _ := strconv.Atoi(trim(before))
	a, _ := strconv.Atoi(trim(after))
	if g < b || g > a || got.ExitCode != 0 || len(got.Stderr) != 0 {
		t.Errorf("date +%%s = %q (exit %d), want between %d and %d", got.Stdout, got.ExitCode, b, a)
	}
}
