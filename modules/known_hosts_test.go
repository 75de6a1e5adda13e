package modules

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Keys for the known_hosts tests (throwaway, generated for them). The
// golden files below are what Ansible 2.14's known_hosts module wrote for
// the same inputs.
const (
	khK1 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPxZt1Mq483f+cWth8tACOK1lvaMg5WMqPLfPoHMm9un"
	khK2 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICIR1vfgbae8Z6MzMARvsJkeRU0c4mim5laL3SfmgAF2"
	khK3 = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDDksTU9MptMN8TXCYT10f506WnxmW7hyweqax2ZCJEByASQwSn6kZSVTREGZCltGe7etLI/IwZuGEnQ9z/mXAX8As12YTS7eUTOGrUIL7SdsxlS9MkFyGqj1ZULG7AxGDVTHC9b82L9ys1Pn2/M7U3wvq9cJLqnoKbLuSM+8doFQ=="
)

func khEnv(t *testing.T) (*Env, string) {
	t.Helper()
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("ssh-keygen not installed")
	}
	env, dir := testEnv(t)
	t.Setenv("HOME", dir) // the default ~/.ssh/known_hosts is the test's
	return env, dir
}

// Adding: a new file gets the key; a file with CRLF lines and no final
// newline is read in text mode and the key glued onto its last line; a
// key of the same type for the host replaces its line (mode kept); the
// same key again changes nothing; the default path is ~/.ssh/known_hosts.
func TestKnownHostsPresent(t *testing.T) {
	env, dir := khEnv(t)
	p := filepath.Join(dir, "kh")
	r := run(t, env, "ansible.builtin.known_hosts", map[string]any{"path": p, "name": "host1", "key": "host1 " + khK1 + " c@x"})
	mustOK(t, r, true)
	if got := readFile(t, p); got != "host1 "+khK1+" c@x\n" {
		t.Fatalf("new file %q", got)
	}
	if r["path"] != p || r["state"] != "file" || r["name"] != "host1" || r["hash_host"] != false || r["key"] != "host1 "+khK1+" c@x" {
		t.Errorf("result %v", r)
	}
	if d := r["diff"].(map[string]any); d["before_header"] != "/dev/null" || d["after"] != "host1 "+khK1+" c@x\n" {
		t.Errorf("diff %v", d)
	}

	crlf := filepath.Join(dir, "crlf")
	writeFile(t, crlf, "a "+khK1+"\r\nb "+khK2+"\r\nc "+khK3, 0o644)
	mustOK(t, run(t, env, "known_hosts", map[string]any{"path": crlf, "name": "host1", "key": "host1 " + khK1}), true)
	if got, want := readFile(t, crlf), "a "+khK1+"\nb "+khK2+"\nc "+khK3+"host1 "+khK1+"\n"; got != want {
		t.Fatalf("crlf file\n got %q\nwant %q", got, want)
	}

	rep := filepath.Join(dir, "rep")
	writeFile(t, rep, "x "+khK3+"\nhost1 "+khK1+"\ny "+khK2+"\n", 0o640)
	r = run(t, env, "known_hosts", map[string]any{"path": rep, "name": "host1", "key": "host1 " + khK2})
	mustOK(t, r, true)
	want := "x " + khK3 + "\ny " + khK2 + "\nhost1 " + khK2 + "\n"
	if got := readFile(t, rep); got != want {
		t.Fatalf("replaced\n got %q\nwant %q", got, want)
	}
	if fileMode(t, rep) != 0o640 || r["mode"] != "0640" {
		t.Errorf("mode %v, result %v", fileMode(t, rep), r["mode"])
	}
	if d := r["diff"].(map[string]any); d["before"] != "x "+khK3+"\nhost1 "+khK1+"\ny "+khK2+"\n" || d["after"] != want {
		t.Errorf("diff %v", d)
	}
	mustOK(t, run(t, env, "known_hosts", map[string]any{"path": rep, "name": "HOST1", "key": "host1 " + khK2 + " comment"}), false)
	// Another host list in the key's host field is a different key (Ansible).
	mustOK(t, run(t, env, "known_hosts", map[string]any{"path": rep, "name": "host1", "key": "host1,1.2.3.4 " + khK2}), true)

	if err := os.Mkdir(filepath.Join(dir, ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	r = run(t, env, "known_hosts", map[string]any{"name": "host9", "key": "host9 " + khK3})
	mustOK(t, r, true)
	if def := filepath.Join(dir, ".ssh", "known_hosts"); r["path"] != def || readFile(t, def) != "host9 "+khK3+"\n" {
		t.Errorf("default path: %v", r["path"])
	}
}

// hash_host writes |1|SALT|HMAC-SHA1 (ssh-keygen -F finds it, the fields
// joined by single spaces, as the module's hash_host_key); an already
// hashed entry of the same key is left alone.
func TestKnownHostsHash(t *testing.T) {
	env, dir := khEnv(t)
	p := filepath.Join(dir, "kh")
	mustOK(t, run(t, env, "known_hosts", map[string]any{"path": p, "name": "Host1", "key": "host1 " + khK1 + "  xx  yy", "hash_host": true}), true)
	got := readFile(t, p)
	if !regexp.MustCompile(`^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}= ` + regexp.QuoteMeta(khK1) + " xx yy\n$").MatchString(got) {
		t.Fatalf("hashed line %q", got)
	}
	out, err := exec.Command("ssh-keygen", "-F", "host1", "-f", p).Output()
	if err != nil || !strings.Contains(string(out), "found: line 1") {
		t.Fatalf("ssh-keygen -F: %v %s", err, out)
	}
	mustOK(t, run(t, env, "known_hosts", map[string]any{"path": p, "name": "host1", "key": "host1 " + khK1, "hash_host": true}), false)
	if readFile(t, p) != got {
		t.Error("a hashed entry of the same key was rewritten")
	}
}

// state: absent without a key runs ssh-keygen -R (a .old file stays) and
// the file is then rewritten in text mode (every CR becomes a line end);
// with a key, only a line of that key type goes; check mode only reports.
func TestKnownHostsAbsent(t *testing.T) {
	env, dir := khEnv(t)
	p := filepath.Join(dir, "kh")
	orig := "a " + khK1 + "\r\nhost1 " + khK2 + "\r\nc " + khK3 + "\rd " + khK1
	writeFile(t, p, orig, 0o644)
	args := map[string]any{"path": p, "name": "host1", "state": "absent"}
	env.Check = true
	r := run(t, env, "known_hosts", args)
	mustOK(t, r, true)
	if len(r) != 2 || r["diff"] == nil || readFile(t, p) != orig {
		t.Fatalf("check mode: %v", r)
	}
	env.Check = false
	r = run(t, env, "known_hosts", args)
	mustOK(t, r, true)
	if got, want := readFile(t, p), "a "+khK1+"\nc "+khK3+"\nd "+khK1+"\n"; got != want {
		t.Fatalf("after -R\n got %q\nwant %q", got, want)
	}
	if readFile(t, p+".old") != orig {
		t.Error("no .old file")
	}
	mustOK(t, run(t, env, "known_hosts", args), false)

	q := filepath.Join(dir, "kq")
	writeFile(t, q, "x "+khK3+"\nhost1 "+khK2+"\n", 0o644)
	mustOK(t, run(t, env, "known_hosts", map[string]any{"path": q, "name": "host1", "key": "host1 " + khK3, "state": "absent"}), false)
	// A different key of the same type is removed too, as Ansible does.
	mustOK(t, run(t, env, "known_hosts", map[string]any{"path": q, "name": "host1", "key": "host1 " + khK1, "state": "absent"}), true)
	if got := readFile(t, q); got != "x "+khK3+"\n" {
		t.Fatalf("after absent %q", got)
	}
}

// Ansible's validation messages.
func TestKnownHostsFail(t *testing.T) {
	env, dir := khEnv(t)
	p := filepath.Join(dir, "kh")
	mustFail(t, run(t, env, "known_hosts", map[string]any{"path": p, "name": "host1", "key": "host2 " + khK1}),
		"Host parameter does not match hashed host field in supplied key")
	mustFail(t, run(t, env, "known_hosts", map[string]any{"path": p, "name": "a, b", "key": "a " + khK1}),
		"Comma separated list of names is not supported. Please pass a single name to lookup in the known_hosts file.")
	mustFail(t, run(t, env, "known_hosts", map[string]any{"path": p, "name": "a"}), "No key specified when adding a host")
	mustFail(t, run(t, env, "known_hosts", map[string]any{"path": filepath.Join(dir, "no", "kh"), "name": "a", "key": "a " + khK1}),
		"Failed to write to file "+filepath.Join(dir, "no", "kh"))
	if _, err := os.Stat(p); err == nil {
		t.Error("a failed task wrote the file")
	}
}
