package modules

import (
	"reflect"
	"strings"
	"testing"
)

// group: groupadd with -g/-o/-r only when the group is missing, groupmod -g
// only when the gid differs, groupdel only when it exists; check mode runs
// nothing; the fakes keep the groups in a test file.
func TestGroup(t *testing.T) {
	h := newAcctHost(t, acctPasswd0, acctGroup0, "")
	args := map[string]any{"name": "app", "gid": 1750, "system": true}

	h.env.Check = true
	r := run(t, h.env, "group", args)
	if !reflect.DeepEqual(r, Result{"changed": true}) {
		t.Errorf("check mode result %v, want Ansible's {changed: true}", r)
	}
	h.env.Check = false
	h.wantLog(t)

	r = run(t, h.env, "ansible.builtin.group", args)
	mustOK(t, r, true)
	h.wantLog(t, "groupadd [-g] [1750] [-r] [app]")
	if !reflect.DeepEqual(r, Result{"name": "app", "state": "present", "changed": true, "system": true, "gid": 1750}) {
		t.Errorf("result %v", r)
	}
	if !strings.Contains(h.file("group"), "app:x:1750:\n") {
		t.Fatalf("group:\n%s", h.file("group"))
	}
	h.execs()
	r = run(t, h.env, "group", args)
	mustOK(t, r, false)
	if h.execs() != 1 {
		t.Error("an unchanged group takes more than one command")
	}
	wantFields(t, r, map[string]any{"gid": 1750, "system": true})

	// A new gid: groupmod (check mode shows the current gid).
	h.env.Check = true
	r = run(t, h.env, "group", map[string]any{"name": "app", "gid": 999})
	mustOK(t, r, true)
	wantFields(t, r, map[string]any{"gid": 1750, "system": false})
	h.env.Check = false
	h.wantLog(t)
	r = run(t, h.env, "group", map[string]any{"name": "app", "gid": 999})
	mustFail(t, r, "groupmod: GID '999' already exists")
	wantFields(t, r, map[string]any{"name": "app", "rc": 4})
	h.wantLog(t, "groupmod [-g] [999] [app]")
	r = run(t, h.env, "group", map[string]any{"name": "app", "gid": "999", "non_unique": true})
	mustOK(t, r, true)
	h.wantLog(t, "groupmod [-g] [999] [-o] [app]")
	wantFields(t, r, map[string]any{"gid": 999})
	mustFail(t, run(t, h.env, "group", map[string]any{"name": "app", "non_unique": true}),
		"non_unique is True but all of the following are missing: gid")

	// Without gid: the one groupadd chose is returned.
	r = run(t, h.env, "group", map[string]any{"name": "web"})
	mustOK(t, r, true)
	h.wantLog(t, "groupadd [web]")
	wantFields(t, r, map[string]any{"gid": 1000, "system": false})

	// absent
	h.env.Check = true
	r = run(t, h.env, "group", map[string]any{"name": "web", "state": "absent"})
	if !reflect.DeepEqual(r, Result{"changed": true}) {
		t.Errorf("check mode result %v", r)
	}
	h.env.Check = false
	h.wantLog(t)
	r = run(t, h.env, "group", map[string]any{"name": "web", "state": "absent"})
	mustOK(t, r, true)
	h.wantLog(t, "groupdel [web]")
	if !reflect.DeepEqual(r, Result{"name": "web", "state": "absent", "changed": true}) || strings.Contains(h.file("group"), "web") {
		t.Errorf("result %v, group:\n%s", r, h.file("group"))
	}
	r = run(t, h.env, "group", map[string]any{"name": "web", "state": "absent"})
	if !reflect.DeepEqual(r, Result{"name": "web", "state": "absent", "changed": false}) {
		t.Errorf("result %v", r)
	}
	h.wantLog(t)
}

// getent with a numeric key looks a gid up: a group named "999" is not the
// group whose gid is 999.
func TestGroupNumericName(t *testing.T) {
	h := newAcctHost(t, acctPasswd0, acctGroup0, "")
	mustOK(t, run(t, h.env, "group", map[string]any{"name": "999"}), true)
	h.wantLog(t, "groupadd [999]")
}
