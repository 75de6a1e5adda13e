package modules

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func akPtr(s string) *string { return &s }

// akGolden are outputs of ansible.posix's authorized_key.py (commit
// 1626c3d5e613514b58db28fb67f420133353e6b7) run with python3 and
// ansible-core 2.14 on files holding before (nil: no file), with path set
// to the file and manage_dir false: changed, failed, msg and the file after.
var akGolden = []struct {
	name    string
	before  *string
	args    map[string]any
	changed bool
	failed  bool
	msg     string
	after   *string
}{
	{"append", akPtr("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a\n"), map[string]any{"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 bob@b"}, true, false, "", akPtr("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 bob@b\n")},
	{"identical", akPtr("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 bob@b\n"), map[string]any{"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 bob@b"}, false, false, "", akPtr("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 bob@b\n")},
	{"no trailing newline identical", akPtr("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a"), map[string]any{"key": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a"}, false, false, "", akPtr("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a")},
	{"no trailing newline append", akPtr("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a"), map[string]any{"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 bob@b"}, true, false, "", akPtr("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 bob@b\n")},
	{"comment changed moves key last", akPtr("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 old\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a\n"), map[string]any{"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 x", "comment": "new comment"}, true, false, "", akPtr("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 new comment\n")},
	{"comment arg equal", akPtr("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 same\n"), map[string]any{"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2", "comment": "same"}, false, false, "", akPtr("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 same\n")},
	{"key without comment", akPtr(""), map[string]any{"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2"}, true, false, "", akPtr("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 \n")},
	{"key without comment already there", akPtr("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 \n"), map[string]any{"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2"}, false, false, "", akPtr("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 \n")},
	{"key without comment existing has comment", akPtr("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 c\n"), map[string]any{"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2"}, true, false, "", akPtr("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 \n")},
	{"key_options added", akPtr("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a\n"), map[string]any{"key": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a", "key_options": "no-port-forwarding,from=\"10.0.1.1,10.0.1.2\""}, true, false, "", akPtr("no-port-forwarding,from=\"10.0.1.1,10.0.1.2\" ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a\n")},
	{"key_options reordered", akPtr("no-pty,no-agent-forwarding ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a\n"), map[string]any{"key": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a", "key_options": "no-agent-forwarding,no-pty"}, false, false, "", akPtr("no-pty,no-agent-forwarding ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a\n")},
	{"options in file kept", akPtr("command=\"echo hi, there\",no-pty ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a\n"), map[string]any{"key": "command=\"echo hi, there\",no-pty ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a"}, false, false, "", akPtr("command=\"echo hi, there\",no-pty ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a\n")},
	{"options spaces collapsed", akPtr("command=\"a  b\" ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 c\n"), map[string]any{"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2"}, true, false, "", akPtr("command=\"a b\" ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 c\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 \n")},
	{"exclusive", akPtr("# managed\n\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 bob@b\n"), map[string]any{"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 bob@b", "exclusive": true}, true, false, "", akPtr("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 bob@b\n")},
	{"exclusive nothing else", akPtr("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 bob@b\n"), map[string]any{"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 bob@b", "exclusive": true}, false, false, "", akPtr("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 bob@b\n")},
	{"absent", akPtr("# c\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 bob@b\n"), map[string]any{"key": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 whatever", "state": "absent"}, true, false, "", akPtr("# c\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 bob@b\n")},
	{"absent missing", akPtr("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a\n"), map[string]any{"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2", "state": "absent"}, false, false, "", akPtr("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a\n")},
	{"several keys", akPtr("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a\n"), map[string]any{"key": "# comment\n\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 bob@b\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE3 carol@c\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a\n"}, true, false, "", akPtr("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 alice@a\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 bob@b\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE3 carol@c\n")},
	{"odd lines", akPtr("\n\n# a\n#ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 x\n# ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE3 y\r\n\\# hash ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 z\r\ngarbage line\ngarbage line\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 dup1\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 dup2\n"), map[string]any{"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 bob@b"}, true, false, "", akPtr("\n# a\n#ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 x\n# ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE3 y\n# hash ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 z\ngarbage line\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 bob@b\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 dup2\n")},
	{"odd lines unchanged", akPtr("\n\n# a\ngarbage\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 c\n"), map[string]any{"key": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 c"}, false, false, "", akPtr("\n\n# a\ngarbage\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 c\n")},
	{"empty options", akPtr(",,x,y=1 ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 c\n"), map[string]any{"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2"}, true, false, "", akPtr("x,y=1 ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 c\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 \n")},
	{"empty file", akPtr(""), map[string]any{"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 b"}, true, false, "", akPtr("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 b\n")},
	{"missing file", nil, map[string]any{"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 b"}, true, false, "", akPtr("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 b\n")},
	{"key_options empty string", akPtr("no-pty ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 c\n"), map[string]any{"key": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 c", "key_options": ""}, true, false, "", akPtr("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 c\n")},
	{"invalid key", akPtr(""), map[string]any{"key": "not a key"}, false, true, "invalid key specified: not a key", akPtr("")},
	{"exclusive absent ignored", akPtr("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 a\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 b\n"), map[string]any{"key": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1 a", "state": "absent", "exclusive": true}, true, false, "", akPtr("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 b\n")},
	{"ecdsa options unbalanced", akPtr("a\"b ecdsa-sha2-nistp256 AAAAE2 e\n"), map[string]any{"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2"}, true, false, "", akPtr("a,\",b ecdsa-sha2-nistp256 AAAAE2 e\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 \n")},
}

// akEnv is a test host with a fake getent that knows user "deploy" (the
// test's own uid and gid, home under the temp dir).
func akEnv(t *testing.T) (*Env, string) {
	t.Helper()
	env, dir := testEnv(t)
	uid, gid := os.Getuid(), os.Getgid()
	home := filepath.Join(dir, "home", "deploy")
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	fakeBin(t, env, "getent", "[ \"$1\" = passwd ] && [ \"$2\" = deploy ] && { echo 'deploy:x:"+strconv.Itoa(uid)+":"+strconv.Itoa(gid)+"::"+home+":/bin/sh'; exit 0; }\nexit 2\n")
	return env, dir
}

func TestAuthorizedKeyGolden(t *testing.T) {
	for _, c := range akGolden {
		t.Run(c.name, func(t *testing.T) {
			env, dir := akEnv(t)
			p := filepath.Join(dir, "ak")
			if c.before != nil {
				writeFile(t, p, *c.before, 0o644)
			}
			args := map[string]any{"user": "deploy", "path": p, "manage_dir": false}
			for k, v := range c.args {
				args[k] = v
			}
			r := run(t, env, "ansible.posix.authorized_key", args)
			if c.failed {
				mustFail(t, r, c.msg)
				if r.Msg() != c.msg {
					t.Fatalf("msg %q, want %q", r.Msg(), c.msg)
				}
			} else {
				mustOK(t, r, c.changed)
			}
			got, err := os.ReadFile(p)
			switch {
			case c.after == nil && err == nil:
				t.Fatalf("file created: %q", got)
			case c.after != nil && err != nil:
				t.Fatalf("file: %v", err)
			case c.after != nil && string(got) != *c.after:
				t.Fatalf("file:\n%q\nwant\n%q", got, *c.after)
			}
			if c.changed && fileMode(t, p) != 0o600 {
				t.Fatalf("mode %o, want 0600", fileMode(t, p))
			}
		})
	}
}

const akKey1 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2 bob@b"

func TestAuthorizedKeyDefaultPathManageDir(t *testing.T) {
	env, dir := akEnv(t)
	home := filepath.Join(dir, "home", "deploy")
	r := run(t, env, "authorized_key", map[string]any{"user": "deploy", "key": akKey1})
	mustOK(t, r, true)
	kf := filepath.Join(home, ".ssh", "authorized_keys")
	if r["keyfile"] != kf || r["state"] != "present" || r["path"] != nil || r["user"] != "deploy" || r["key"] != akKey1 {
		t.Fatalf("result: %v", r)
	}
	if _, ok := r["mode"]; ok {
		t.Fatalf("path info without path: %v", r)
	}
	if got := readFile(t, kf); got != akKey1+"\n" {
		t.Fatalf("file %q", got)
	}
	if m := fileMode(t, filepath.Dir(kf)); m != 0o700 {
		t.Fatalf(".ssh mode %o", m)
	}
	if m := fileMode(t, kf); m != 0o600 {
		t.Fatalf("file mode %o", m)
	}
	mustOK(t, run(t, env, "authorized_key", map[string]any{"user": "deploy", "key": akKey1}), false)

	// manage_dir: false leaves a missing directory to makedirs (umask mode).
	env2, dir2 := akEnv(t)
	p := filepath.Join(dir2, "keys", "deploy")
	r = run(t, env2, "authorized_key", map[string]any{"user": "deploy", "key": akKey1, "path": p, "manage_dir": false})
	mustOK(t, r, true)
	if r["state"] != "file" || r["mode"] != "0600" || r["keyfile"] != p || r["path"] != p || r["size"] != int64(len(akKey1)+1) {
		t.Fatalf("result: %v", r)
	}
	// manage_dir with path: the path's directory is made 0700.
	os.Chmod(filepath.Dir(p), 0o755)
	r = run(t, env2, "authorized_key", map[string]any{"user": "deploy", "key": "ssh-rsa AAAA x", "path": p})
	mustOK(t, r, true)
	if m := fileMode(t, filepath.Dir(p)); m != 0o700 {
		t.Fatalf("dir mode %o", m)
	}
}

func TestAuthorizedKeyCheckModeAndDiff(t *testing.T) {
	env, dir := akEnv(t)
	p := filepath.Join(dir, "ak")
	writeFile(t, p, "ssh-rsa AAAA1 a\n", 0o644)
	env.Check, env.Diff = true, true
	r := run(t, env, "authorized_key", map[string]any{"user": "nosuch", "key": akKey1, "path": p})
	mustOK(t, r, true)
	d, _ := r["diff"].(map[string]any)
	if d == nil || d["before"] != "ssh-rsa AAAA1 a\n" || d["after"] != "ssh-rsa AAAA1 a\n"+akKey1+"\n" || d["before_header"] != p || d["after_header"] != p {
		t.Fatalf("diff: %v", r)
	}
	if got := readFile(t, p); got != "ssh-rsa AAAA1 a\n" || fileMode(t, p) != 0o644 {
		t.Fatalf("check mode wrote: %q", got)
	}
	mustFail(t, run(t, env, "authorized_key", map[string]any{"user": "nosuch", "key": akKey1}),
		"Either user must exist or you must provide full path to key file in check mode")
	env.Check = false
	r = run(t, env, "authorized_key", map[string]any{"user": "nosuch", "key": akKey1, "path": p})
	if !r.Failed() || r.Msg() != `Failed to lookup user nosuch: "getpwnam(): name not found: 'nosuch'"` {
		t.Fatalf("unknown user: %v", r)
	}
	r = run(t, env, "authorized_key", map[string]any{"user": "deploy", "key": akKey1, "path": p})
	mustOK(t, r, true)
	if d, _ := r["diff"].(map[string]any); d == nil || d["after"] != readFile(t, p) {
		t.Fatalf("diff: %v", r)
	}
	if _, ok := run(t, env, "authorized_key", map[string]any{"user": "deploy", "key": akKey1, "path": p})["diff"]; ok {
		t.Fatal("diff without a change")
	}
}

func TestAuthorizedKeyURL(t *testing.T) {
	env, dir := akEnv(t)
	p := filepath.Join(dir, "ak")
	log := filepath.Join(dir, "curl.log")
	fakeBin(t, env, "curl", `echo "$*" >> `+log+`
out=; while [ $# -gt 0 ]; do case $1 in -o) out=$2; shift ;; esac; url=$1; shift; done
case $url in
*/good.keys) printf '%s\n%s\n' "ssh-rsa AAAA1 one" "ssh-ed25519 AAAA2 two" > "$out"; printf 200 ;;
*/moved.keys) printf 'x' > "$out"; printf 404 ;;
*) echo "curl: (6) Could not resolve host" >&2; exit 6 ;;
esac
`)
	url := "https://keys.example/good.keys"
	r := run(t, env, "ansible.posix.authorized_key", map[string]any{"user": "deploy", "key": url, "path": p, "validate_certs": false})
	mustOK(t, r, true)
	if got := readFile(t, p); got != "ssh-rsa AAAA1 one\nssh-ed25519 AAAA2 two\n" {
		t.Fatalf("file %q", got)
	}
	if r["key"] != url {
		t.Fatalf("key: %v", r)
	}
	if l := readFile(t, log); !strings.Contains(l, " -k ") || !strings.Contains(l, url) {
		t.Fatalf("curl args: %s", l)
	}
	mustOK(t, run(t, env, "authorized_key", map[string]any{"user": "deploy", "key": url, "path": p}), false)
	if l := readFile(t, log); strings.Count(l, " -k ") != 1 {
		t.Fatalf("validate_certs default: %s", l)
	}
	for _, u := range []string{"https://keys.example/moved.keys", "https://nohost/x"} {
		r = run(t, env, "authorized_key", map[string]any{"user": "deploy", "key": u, "path": p})
		if !r.Failed() || r.Msg() != "Error getting key from: "+u {
			t.Fatalf("%s: %v", u, r)
		}
	}
}

func TestAuthorizedKeyFollow(t *testing.T) {
	env, dir := akEnv(t)
	real := filepath.Join(dir, "real")
	link := filepath.Join(dir, "link")
	writeFile(t, real, "", 0o600)
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	env.Diff = true
	r := run(t, env, "authorized_key", map[string]any{"user": "deploy", "key": akKey1, "path": link, "follow": true, "manage_dir": false})
	mustOK(t, r, true)
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("follow replaced the link")
	}
	if got := readFile(t, real); got != akKey1+"\n" {
		t.Fatalf("target %q", got)
	}
	if d := r["diff"].(map[string]any); d["before_header"] != link || d["after_header"] != real || r["keyfile"] != link || r["state"] != "link" {
		t.Fatalf("result: %v", r)
	}
	r = run(t, env, "authorized_key", map[string]any{"user": "deploy", "key": "ssh-rsa AAAA9 z", "path": link, "manage_dir": false})
	mustOK(t, r, true)
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink != 0 {
		t.Fatal("without follow the link must be replaced by the file")
	}
	if got := readFile(t, link); got != akKey1+"\nssh-rsa AAAA9 z\n" || r["state"] != "file" {
		t.Fatalf("file %q %v", got, r)
	}
}
