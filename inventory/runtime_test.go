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
