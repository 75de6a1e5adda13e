package modules

import (
	"path/filepath"
	"strings"
	"testing"
)

// dpkg_selections reads the selection, sets it only when it differs (not
// in check mode), and reports before/after; an unknown package is "not
// present" before. dpkg here is a fake keeping selections in a file.
func TestDpkgSelections(t *testing.T) {
	env, dir := testEnv(t)
	sel := filepath.Join(dir, "selections")
	writeFile(t, sel, "nginx\tinstall\n", 0o644)
	fakeBin(t, env, "dpkg", `S=`+sel+`
case $1 in
--get-selections) grep "^$2[[:space:]]" $S || echo "dpkg: no packages found matching $2" >&2;;
--set-selections) read n s; grep -v "^$n[[:space:]]" $S > $S.new; printf '%s\t%s\n' "$n" "$s" >> $S.new; mv $S.new $S; echo set >> $S.log;;
esac
`)
	hold := map[string]any{"name": "nginx", "selection": "hold"}
	env.Check = true
	r := run(t, env, "dpkg_selections", hold)
	mustOK(t, r, true)
	if !strings.Contains(readFile(t, sel), "nginx\tinstall") {
		t.Fatal("check mode changed the selection")
	}
	env.Check = false
	r = run(t, env, "ansible.builtin.dpkg_selections", hold)
	mustOK(t, r, true)
	if r["before"] != "install" || r["after"] != "hold" || !strings.Contains(readFile(t, sel), "nginx\thold") {
		t.Fatalf("result %v, selections %q", r, readFile(t, sel))
	}
	mustOK(t, run(t, env, "dpkg_selections", hold), false)
	if got := readFile(t, sel+".log"); got != "set\n" {
		t.Errorf("dpkg --set-selections ran %q times, want once", got)
	}
	r = run(t, env, "dpkg_selections", map[string]any{"name": "absent", "selection": "hold"})
	mustOK(t, r, true)
	if r["before"] != "not present" {
		t.Errorf("before %v", r["before"])
	}
}
