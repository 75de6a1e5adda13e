package inventory

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func load(t *testing.T, srcs ...string) *Inventory {
	t.Helper()
	inv, err := Load(srcs, LoadOptions{})
	if err != nil {
		t.Fatalf("Load(%v): %v", srcs, err)
	}
	return inv
}

func names(hs []*Host) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.Name
	}
	return out
}

func writeFile(t *testing.T, dir, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestINIParsing(t *testing.T) {
	inv := load(t, "testdata/diff/ini/hosts")
	got := names(inv.Hosts())
	// Ansible's order for "all": level by level from "all" (lowprio, a
	// top-level group, comes before web and db, which are under prod).
	want := []string{"bastion.example.com", "db-a.example.com", "web01.example.com", "web02.example.com", "web03.example.com", "web04.example.com",
		"web-canary.example.com", "db-b.example.com", "db-c.example.com", "db-x1", "db-x4", "db-x7"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("hosts = %v, want %v", got, want)
	}
	c, _ := inv.Host("web-canary.example.com")
	if c.Port() != 2222 || c.User() != "deploy" || c.Addr() != "web-canary.example.com" || c.Vars["canary"] != true || c.Vars["weight"] != 0.5 {
		t.Errorf("canary: port %d user %q addr %q vars %v", c.Port(), c.User(), c.Addr(), c.Vars)
	}
	b, _ := inv.Host("bastion.example.com")
	// host_vars/bastion.example.com.json overrides the inline ansible_user.
	if b.Addr() != "10.0.0.1" || b.User() != "root" || !reflect.DeepEqual(b.Vars["ports"], []any{22, 2222}) {
		t.Errorf("bastion: %q %q %v", b.Addr(), b.User(), b.Vars)
	}
	if !reflect.DeepEqual(b.Groups, []string{"ungrouped"}) {
		t.Errorf("bastion groups = %v", b.Groups)
	}
	x, _ := inv.Host("db-x4")
	if x.Vars["role"] != "replica" || !reflect.DeepEqual(x.Vars["tags"], []any{"x", "y"}) || x.Vars["backup"] != "yes" {
		t.Errorf("db-x4 vars = %v", x.Vars)
	}
	if !reflect.DeepEqual(x.Groups, []string{"db", "dbs_all", "prod"}) {
		t.Errorf("db-x4 groups = %v", x.Groups)
	}
	g := inv.Groups()
	if len(g["prod"]) != 11 || len(g["all"]) != 12 || len(g["ungrouped"]) != 1 {
		t.Errorf("groups = %v", g)
	}
}

func TestPrecedence(t *testing.T) {
	inv := load(t, "testdata/diff/ini/hosts")
	web1, _ := inv.Host("web01.example.com")
	dba, _ := inv.Host("db-a.example.com")
	dbb, _ := inv.Host("db-b.example.com")
	cases := []struct {
		h    *Host
		key  string
		want any
	}{
		{web1, "tier", "web"},                   // child group beats parent and all
		{web1, "env", "prod"},                   // inherited from a grandparent
		{web1, "http_port", 9090},               // host_vars file beats group vars
		{web1, "shared", "from_group_vars_all"}, // any group_vars file beats inline group vars
		{web1, "timeout", 60},                   // group_vars/all beats [all:vars]
		{web1, "from_gv_web", "sub-overrides-main"},
		{dbb, "shared", "from_group_vars_db"}, // group_vars/db (deeper) beats group_vars/all
		{dba, "prio", "low"},                  // ansible_group_priority 10 beats name order (zzz)
		{dba, "ansible_become", "true"},       // INI: not a Python literal, so a string, as in Ansible
	}
	for _, c := range cases {
		if got := c.h.Vars[c.key]; !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %s = %#v, want %#v", c.h.Name, c.key, got, c.want)
		}
	}
	if _, ok := dbb.Vars["never_read"]; ok {
		t.Errorf("group_vars/db.yml was read although group_vars/db exists")
	}
	if _, ok := web1.Vars["ignored_backup"]; ok {
		t.Errorf("backup file zz~ was read")
	}
}

func TestYAMLParsing(t *testing.T) {
	inv := load(t, "testdata/diff/yaml/inventory.yml")
	db1, _ := inv.Host("db1.example.com")
	if db1.Addr() != "192.168.0.10" || db1.Port() != 5522 || db1.User() != "admin" || db1.Vars["quoted"] != "yes" ||
		db1.Vars["version"] != 1.1 || db1.Vars["empty"] != nil || db1.Vars["tier"] != "prod-from-group-vars" {
		t.Errorf("db1 = %v", db1.Vars)
	}
	c, _ := inv.Host("web-canary2.example.com")
	if c.Port() != 2200 || c.Vars["canary"] != true || c.Vars["search"] != "example.com" {
		t.Errorf("canary = %v", c.Vars)
	}
	db2, _ := inv.Host("db2.example.com")
	if db2.Vars["role"] != "promoted" || db2.Vars["backup_window"] != "02:00" || db2.Vars["backup_target"] != "s3://bucket/db" {
		t.Errorf("db2 = %v", db2.Vars)
	}
	l, _ := inv.Host("lonely.example.com")
	if !reflect.DeepEqual(l.Groups, []string{"ungrouped"}) {
		t.Errorf("lonely groups = %v", l.Groups)
	}
}

func TestExecutableInventory(t *testing.T) {
	inv := load(t, "testdata/diff/script/inventory.sh")
	w1, _ := inv.Host("w1.example.com")
	if w1.Addr() != "10.1.0.1" || w1.Vars["tier"] != "web" || w1.Vars["env"] != "prod" || w1.Vars["weight"] != 1.5 {
		t.Errorf("w1 = %v", w1.Vars)
	}
	d1, _ := inv.Host("d1.example.com")
	if d1.Port() != 2222 || !reflect.DeepEqual(d1.Groups, []string{"db", "prod"}) {
		t.Errorf("d1 = %v %v", d1.Vars, d1.Groups)
	}
	solo, _ := inv.Host("solo.example.com")
	if solo.Vars["only_var"] != 1 {
		t.Errorf("solo = %v", solo.Vars)
	}
	// Without _meta: `--host NAME` per host; group_vars next to the script.
	inv = load(t, "testdata/diff/script_nometa/inventory.sh")
	e2, _ := inv.Host("e2")
	if e2.Addr() != "172.16.0.2" || e2.Vars["rack"] != "r2" || e2.Vars["site"] != "overridden-by-group-vars" {
		t.Errorf("e2 = %v", e2.Vars)
	}
	// A failing script is a ParseError naming it.
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.sh", "#!/bin/sh\necho boom >&2\nexit 3\n", 0o755)
	_, err := Load([]string{bad}, LoadOptions{})
	var pe *ParseError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "boom") {
		t.Errorf("failing script: %v", err)
	}
}

func TestAffectedLists(t *testing.T) {
	inv := load(t, "testdata/affected/ec2.csv")
	h, ok := inv.Host("i-0def")
	if !ok || h.Addr() != "10.0.2.7" || h.Vars["az"] != "eu-west-1b" || h.Vars["event"] != "instance-reboot" {
		t.Fatalf("csv host = %v %v", ok, h)
	}
	if got := names(inv.Hosts()); !reflect.DeepEqual(got, []string{"i-0abc", "i-0def"}) {
		t.Errorf("csv hosts = %v", got)
	}
	// A CSV without the .csv extension is recognised by its header.
	dir := t.TempDir()
	p := writeFile(t, dir, "export", "host,address,groups\nweb1,10.0.0.1,web;eu\nweb2,10.0.0.2,web\n", 0o644)
	inv = load(t, p)
	w1, _ := inv.Host("web1")
	if w1.Addr() != "10.0.0.1" || !reflect.DeepEqual(w1.Groups, []string{"eu", "web"}) {
		t.Errorf("web1 = %v %v", w1.Vars, w1.Groups)
	}
	// A plain list (one host a line, # comments) is INI.
	inv = load(t, "testdata/affected/hosts.txt")
	if got := names(inv.Hosts()); !reflect.DeepEqual(got, []string{"web1.example.com", "db2.example.com"}) {
		t.Errorf("plain list = %v", got)
	}
	// Ansible's comma list, combined with another source.
	inv = load(t, "testdata/patterns/hosts", "extra1,extra2:2022,web1.example.com,")
	e2, _ := inv.Host("extra2")
	if e2.Port() != 2022 || len(inv.Hosts()) != 9 {
		t.Errorf("comma list: %v %d", e2.Vars, len(inv.Hosts()))
	}
}

func TestDirectorySource(t *testing.T) {
	inv := load(t, "testdata/diff/dir")
	if _, ok := inv.Host("never-loaded"); ok {
		t.Errorf(".ini file in a directory was loaded (Ansible ignores it)")
	}
	a3, _ := inv.Host("app3.internal")
	if a3.Vars["svc"] != "worker" || a3.Vars["region"] != "eu-west-1" {
		t.Errorf("app3 = %v", a3.Vars)
	}
}

func TestErrors(t *testing.T) {
	cases := map[string]struct {
		line int
		msg  string
	}{
		"badsection.ini":      {3, "unknown type: bogus"},
		"undefined_child.ini": {2, "includes undefined group: nosuchgroup"},
		"badvar.ini":          {2, "Expected key=value"},
		"conflict.ini":        {4, "conflicting ansible_host"},
		"bad.yml":             {3, ""},
		"typo.yml":            {4, `unexpected key "host"`},
	}
	for name, c := range cases {
		_, err := Load([]string{filepath.Join("testdata/errors", name)}, LoadOptions{})
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: error %v is not a ParseError", name, err)
			continue
		}
		if pe.Line != c.line || !strings.Contains(pe.Msg, c.msg) || !strings.HasPrefix(err.Error(), pe.File+":") || !IsInvalidInput(err) {
			t.Errorf("%s: got %q (line %d), want line %d containing %q", name, err, pe.Line, c.line, c.msg)
		}
	}
	if _, err := Load([]string{"testdata/nonexistent"}, LoadOptions{}); !IsInvalidInput(err) {
		t.Errorf("missing source: %v", err)
	}
}
