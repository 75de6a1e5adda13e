package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The golden files below were written by ansible-core 2.14's
// yum_repository (ansible localhost -c local -m yum_repository -a ...
// reposdir=/tmp/dir).

// A new repository file: keys sorted, bools as 0/1, list items of baseurl
// and gpgkey on tab-indented continuation lines, exclude joined by spaces,
// a blank line after the section; a second run changes nothing.
func TestYumRepoNewFile(t *testing.T) {
	env, dir := testEnv(t)
	args := map[string]any{
		"name": "epel", "description": "EPEL YUM repo", "baseurl": "https://download.fedoraproject.org/pub/epel/$releasever/$basearch/",
		"gpgcheck": "yes", "gpgkey": "https://a/k1,https://a/k2", "exclude": []any{"kernel*", "foo"}, "enabled": false,
		"reposdir": dir, "file": "external_repos", "cost": 1000, "priority": "10", "async": true,
	}
	const golden = "[epel]\n" +
		"async = 1\n" +
		"baseurl = https://download.fedoraproject.org/pub/epel/$releasever/$basearch/\n" +
		"cost = 1000\n" +
		"enabled = 0\n" +
		"exclude = kernel* foo\n" +
		"gpgcheck = 1\n" +
		"gpgkey = https://a/k1\n" +
		"\thttps://a/k2\n" +
		"name = EPEL YUM repo\n" +
		"priority = 10\n" +
		"\n"
	p := filepath.Join(dir, "external_repos.repo")
	env.Check = true
	r := run(t, env, "ansible.builtin.yum_repository", args)
	mustOK(t, r, true)
	if _, err := os.Stat(p); err == nil {
		t.Fatal("check mode wrote the file")
	}
	env.Check = false
	r = run(t, env, "yum_repository", args)
	mustOK(t, r, true)
	if r["repo"] != "epel" || r["state"] != "present" {
		t.Errorf("result %v", r)
	}
	if got := readFile(t, p); got != golden {
		t.Fatalf("file:\n%s\nwant:\n%s", got, golden)
	}
	mustOK(t, run(t, env, "ansible.legacy.yum_repository", args), false)
}

// An existing file (hand-written: comments, ':' delimiter, continuation
// line, mixed-case key): the other sections are kept in their order and
// rewritten in RawConfigParser's layout, the replaced section moves to the
// end with sorted keys; the file written by Ansible is not changed again,
// nor is a file that has the same options in another order and layout.
// state=absent removes the section, and the file with the last one.
func TestYumRepoExistingFile(t *testing.T) {
	env, dir := testEnv(t)
	p := filepath.Join(dir, "multi.repo")
	writeFile(t, p, "# managed by hand\n[base]\nname=CentOS Base\nbaseurl=http://mirror/centos/$releasever/os/$basearch/\n        http://mirror2/centos/\n\ngpgcheck : 1\n; another comment\n[epel]\nName = old\nbaseurl = http://old\nenabled=1\n\n[zz]\nbaseurl=http://zz\n", 0o644)
	args := map[string]any{"name": "epel", "description": "EPEL", "baseurl": "http://new,http://new2", "gpgcheck": "no",
		"file": "multi", "reposdir": dir, "includepkgs": "a, b", "mode": "0600"}
	env.Diff = true
	r := run(t, env, "yum_repository", args)
	mustOK(t, r, true)
	const golden = "[base]\nname = CentOS Base\nbaseurl = http://mirror/centos/$releasever/os/$basearch/\n\thttp://mirror2/centos/\ngpgcheck = 1\n\n" +
		"[zz]\nbaseurl = http://zz\n\n" +
		"[epel]\nbaseurl = http://new\n\thttp://new2\ngpgcheck = 0\nincludepkgs = a  b\nname = EPEL\n\n"
	if got := readFile(t, p); got != golden {
		t.Fatalf("file:\n%s\nwant:\n%s", got, golden)
	}
	if m := fileMode(t, p); m != 0o600 {
		t.Errorf("mode %o", m)
	}
	d, _ := r["diff"].(map[string]any)
	if d == nil || !strings.Contains(d["before"].(string), "[epel]\nbaseurl = http://old\nenabled = 1\nname = old\n") ||
		!strings.Contains(d["after"].(string), "[epel]\nbaseurl = http://new\nhttp://new2\ngpgcheck = 0\n") || d["before_header"] != p {
		t.Errorf("diff %v", r["diff"])
	}
	env.Diff = false
	mustOK(t, run(t, env, "yum_repository", args), false)

	// Same options, other order and layout: nothing to do, file kept.
	other := "[epel]\nname: EPEL\ninclUdepkgs=a  b\n  ; comment inside\ngpgcheck=0\nbaseurl=http://new\n\thttp://new2\n\n\n"
	writeFile(t, filepath.Join(dir, "other.repo"), other, 0o644)
	o := withArg(withArg(args, "file", "other"), "mode", nil)
	mustOK(t, run(t, env, "yum_repository", o), false)
	if got := readFile(t, filepath.Join(dir, "other.repo")); got != other {
		t.Errorf("unchanged file rewritten: %q", got)
	}
	// mode alone differs: changed, content kept.
	mustOK(t, run(t, env, "yum_repository", withArg(o, "mode", "0640")), true)
	if fileMode(t, filepath.Join(dir, "other.repo")) != 0o640 || readFile(t, filepath.Join(dir, "other.repo")) != other {
		t.Error("mode not set, or content changed")
	}

	rm := map[string]any{"name": "zz", "state": "absent", "file": "multi", "reposdir": dir}
	mustOK(t, run(t, env, "yum_repository", rm), true)
	const afterRm = "[base]\nname = CentOS Base\nbaseurl = http://mirror/centos/$releasever/os/$basearch/\n\thttp://mirror2/centos/\ngpgcheck = 1\n\n" +
		"[epel]\nbaseurl = http://new\n\thttp://new2\ngpgcheck = 0\nincludepkgs = a  b\nname = EPEL\n\n"
	if got := readFile(t, p); got != afterRm {
		t.Fatalf("after absent:\n%s", got)
	}
	mustOK(t, run(t, env, "yum_repository", rm), false)
	mustOK(t, run(t, env, "yum_repository", withArg(rm, "name", "base")), true)
	env.Check = true
	mustOK(t, run(t, env, "yum_repository", withArg(rm, "name", "epel")), true)
	if _, err := os.Stat(p); err != nil {
		t.Fatal("check mode removed the file")
	}
	env.Check = false
	mustOK(t, run(t, env, "yum_repository", withArg(rm, "name", "epel")), true)
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatal("file with no section left not removed")
	}
	mustOK(t, run(t, env, "yum_repository", withArg(rm, "name", "epel")), false)
}

// Ansible's argument failures, a missing reposdir and a file
// RawConfigParser cannot read.
func TestYumRepoFailures(t *testing.T) {
	env, dir := testEnv(t)
	mustFail(t, run(t, env, "yum_repository", map[string]any{"name": "x", "description": "X", "reposdir": dir}),
		"Parameter 'baseurl', 'metalink' or 'mirrorlist' is required.")
	mustFail(t, run(t, env, "yum_repository", map[string]any{"name": "x", "mirrorlist": "http://m", "reposdir": dir}),
		"Parameter 'description' is required.")
	mustFail(t, run(t, env, "yum_repository", map[string]any{"name": "x", "description": "X", "baseurl": "http://b", "reposdir": dir + "/nope"}),
		"Repo directory '"+dir+"/nope' does not exist.")
	writeFile(t, filepath.Join(dir, "dup.repo"), "[x]\nname=a\n[x]\nname=b\n", 0o644)
	mustFail(t, run(t, env, "yum_repository", map[string]any{"name": "x", "description": "X", "baseurl": "http://b", "reposdir": dir, "file": "dup"}),
		"already exists")
	writeFile(t, filepath.Join(dir, "nohead.repo"), "name=a\n", 0o644)
	mustFail(t, run(t, env, "yum_repository", map[string]any{"name": "x", "state": "absent", "reposdir": dir, "file": "nohead"}),
		"no section headers")
	if _, ok := (yumRepositoryModule{}).Schema().Unsupported["params"]; !ok {
		t.Error("params not refused")
	}
}
