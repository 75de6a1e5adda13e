package inventory

import (
	"slices"
	"strings"
	"testing"
)

// Groups made at run time (group_by) count in host patterns — literal,
// glob and combined — in inventory order, with their parents and the
// parents' ancestors; `groups` and group_names include them.
func TestRuntimeGroups(t *testing.T) {
	dir := t.TempDir()
	inv := load(t, writeFile(t, dir, "hosts.ini", `h1
[web]
h2
h3
[dc1:children]
web
[ops]
h4
`, 0o644))
	rg := &RuntimeGroups{}
	inv.AddRuntime(rg, "h3", "reboot_True", []string{"all"})
	inv.AddRuntime(rg, "h1", "reboot_True", []string{"web"})
	inv.AddRuntime(rg, "h2", "reboot_False", nil)
	inv.AddRuntime(rg, "h1", "reboot_True", []string{"web"}) // again: no change
	for pattern, want := range map[string]string{
		"reboot_True":         "h1 h3",
		"reboot_*":            "h1 h3 h2", // group by group
		"web":                 "h2 h3 h1",
		"dc1":                 "h2 h3 h1",
		"reboot_True:&web":    "h1 h3",
		"all:!reboot_True":    "h4 h2", // the order of all
		"reboot_True:ops":     "h1 h3 h4",
		"reboot_True:h4":      "h1 h3 h4",
		"~reboot_(T|F).*:!h3": "h1 h2",
	} {
		hs, err := inv.SelectWith(pattern, rg)
		if err != nil {
			t.Errorf("%s: %v", pattern, err)
			continue
		}
		if got := strings.Join(names(hs), " "); got != want {
			t.Errorf("%s: %s, want %s", pattern, got, want)
		}
	}
	if _, err := inv.Select("reboot_True"); err == nil {
		t.Error("the inventory itself changed: Select sees reboot_True")
	}
	hs, unknown, err := inv.SelectKnown("reboot_maybe:ops", rg)
	if err != nil || !slices.Equal(unknown, []string{"reboot_maybe"}) || len(hs) != 1 {
		t.Errorf("SelectKnown: %v %q %v", names(hs), unknown, err)
	}
	h1, _ := inv.Host("h1")
	if got := rg.GroupNamesOf(h1); !slices.Equal(got, []string{"dc1", "reboot_True", "web"}) {
		t.Errorf("group_names of h1: %q (no ungrouped once in a group)", got)
	}
	h4, _ := inv.Host("h4")
	if got := rg.GroupNamesOf(h4); !slices.Equal(got, []string{"ops"}) {
		t.Errorf("group_names of h4: %q", got)
	}
	g := inv.GroupsWith(rg)
	for name, want := range map[string]string{"reboot_True": "h1 h3", "web": "h2 h3 h1", "dc1": "h2 h3 h1", "ungrouped": "", "reboot_False": "h2"} {
		if got := strings.Join(g[name], " "); got != want {
			t.Errorf("groups[%s] = %q, want %q", name, got, want)
		}
	}
	if got := strings.Join(inv.Groups()["web"], " "); got != "h2 h3" {
		t.Errorf("the inventory's own groups changed: web = %s", got)
	}
}

// add_host's hosts: a new host is in all, its groups and (without groups)
// ungrouped, by name, glob and group; an inventory host gets add_host's
// variables over its own; the inventory is unchanged.
func TestRuntimeHosts(t *testing.T) {
	inv := load(t, writeFile(t, t.TempDir(), "hosts.ini", "[web]\nw1 port=1\n", 0o644))
	rg := &RuntimeGroups{}
	inv.AddRuntimeHost(rg, "db1", map[string]any{"ansible_host": "10.0.0.1"}, []string{"db", "web"})
	inv.AddRuntimeHost(rg, "lone", nil, nil)
	inv.AddRuntimeHost(rg, "w1", map[string]any{"port": 2}, nil)
	for pattern, want := range map[string]string{
		"all": "w1 db1 lone", "db": "db1", "web": "w1 db1", "db1": "db1", "d*": "db1", "ungrouped": "lone", "all:!web": "lone",
	} {
		hs, err := inv.SelectWith(pattern, rg)
		if got := strings.Join(names(hs), " "); err != nil || got != want {
			t.Errorf("%s: %q %v, want %q", pattern, got, err, want)
		}
	}
	db1, _ := inv.SelectWith("db1", rg)
	if db1[0].Vars["ansible_host"] != "10.0.0.1" || !slices.Equal(rg.GroupNamesOf(db1[0]), []string{"db", "web"}) {
		t.Errorf("db1: %v %v", db1[0].Vars, rg.GroupNamesOf(db1[0]))
	}
	w1, _ := inv.Host("w1")
	if rg.RuntimeHost(w1).Vars["port"] != 2 || w1.Vars["port"] == 2 {
		t.Errorf("w1 vars: runtime %v, inventory %v", rg.RuntimeHost(w1).Vars, w1.Vars)
	}
	g := inv.GroupsWith(rg)
	if got := strings.Join(g["all"], " "); got != "w1 db1 lone" {
		t.Errorf("groups.all %q", got)
	}
	if got := strings.Join(g["ungrouped"], " "); got != "lone" {
		t.Errorf("groups.ungrouped %q", got)
	}
	if _, err := inv.Select("db1"); err == nil {
		t.Error("the inventory itself has db1")
	}
}
