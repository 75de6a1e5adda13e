package modules

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// getent sets ansible_facts.getent_DATABASE as Ansible builds it: the
// first field → the other fields (split at ':' for passwd, at whitespace
// for hosts, at split when given), a key seen again → a list of lists;
// exit 1/2/3 are Ansible's messages, 2 without fail_key is not a failure.
// getent here is a fake reading files of the test directory.
func TestGetent(t *testing.T) {
	env, dir := testEnv(t)
	writeFile(t, filepath.Join(dir, "passwd"), "root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n", 0o644)
	writeFile(t, filepath.Join(dir, "hosts"), "127.0.0.1       localhost\n::1             localhost ip6-localhost ip6-loopback\n10.0.0.5\tdb db.example.com\n", 0o644)
	fakeBin(t, env, "getent", `D=`+dir+`; echo "$*" >> $D/getent.log
case $1 in passwd|hosts) ;; netgroup) exit 3;; *) exit 1;; esac
[ $# -ge 2 ] && [ "$2" != -s ] || { cat $D/$1; exit 0; }
awk -v k="$2" '$1 ~ ("^" k "(:|[ \t]|$)") { print; f = 1 } END { exit !f ? 2 : 0 }' $D/$1
`)
	facts := func(r Result, db string) map[string]any {
		t.Helper()
		mustOK(t, r, false)
		af, _ := r["ansible_facts"].(map[string]any)
		m, ok := af["getent_"+db].(map[string]any)
		if !ok {
			t.Fatalf("no getent_%s in %v", db, r)
		}
		return m
	}

	env.Check = true // read-only: runs in check mode
	m := facts(run(t, env, "ansible.builtin.getent", map[string]any{"database": "passwd", "key": "root"}), "passwd")
	if !reflect.DeepEqual(m, map[string]any{"root": []any{"x", "0", "0", "root", "/root", "/bin/bash"}}) {
		t.Fatalf("getent_passwd %v", m)
	}
	env.Check = false
	m = facts(run(t, env, "getent", map[string]any{"database": "hosts", "service": "files"}), "hosts")
	want := map[string]any{
		"127.0.0.1": []any{"localhost"},
		"::1":       []any{"localhost", "ip6-localhost", "ip6-loopback"},
		"10.0.0.5":  []any{"db", "db.example.com"},
	}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("getent_hosts %v", m)
	}
	m = facts(run(t, env, "getent", map[string]any{"database": "hosts", "split": "\t"}), "hosts")
	if !reflect.DeepEqual(m["10.0.0.5"], []any{"db db.example.com"}) {
		t.Fatalf("split at tab: %v", m)
	}
	if got := readFile(t, filepath.Join(dir, "getent.log")); got != "passwd root\nhosts -s files\nhosts\n" {
		t.Fatalf("getent calls %q", got)
	}

	// The same key on more lines: a list of the records.
	writeFile(t, filepath.Join(dir, "passwd"), "dup:x:1:1::/a:/bin/sh\ndup:x:2:2::/b:/bin/sh\ndup:x:3:3::/c:/bin/sh\n", 0o644)
	m = facts(run(t, env, "getent", map[string]any{"database": "passwd"}), "passwd")
	if !reflect.DeepEqual(m["dup"], []any{[]any{"x", "1", "1", "", "/a", "/bin/sh"}, []any{"x", "2", "2", "", "/b", "/bin/sh"}, []any{"x", "3", "3", "", "/c", "/bin/sh"}}) {
		t.Fatalf("duplicates %v", m["dup"])
	}

	mustFail(t, run(t, env, "getent", map[string]any{"database": "passwd", "key": "nobody"}), "One or more supplied key could not be found in the database.")
	r := run(t, env, "getent", map[string]any{"database": "passwd", "key": "nobody", "fail_key": false})
	m = facts(r, "passwd")
	if v, ok := m["nobody"]; !ok || v != nil || !strings.Contains(r.Msg(), "could not be found") {
		t.Fatalf("fail_key false: %v", r)
	}
	mustFail(t, run(t, env, "getent", map[string]any{"database": "nope"}), "Missing arguments, or database unknown.")
	mustFail(t, run(t, env, "getent", map[string]any{"database": "netgroup"}), "Enumeration not supported on this database.")
}
