package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeDnf installs rpm and dnf fakes keeping installed packages as files
// dir/.rpms/NAME holding the version; the repository has every package at
// the version in dir/.rpms-repo (1.0-1 when absent there). dnf logs its
// calls to dir/.rpms.log.
func fakeDnf(t *testing.T, env *Env, dir string) string {
	t.Helper()
	s := filepath.Join(dir, ".rpms")
	for _, d := range []string{s, s + "-repo"} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	fakeBin(t, env, "rpm", `S=`+s+`
if [ "$1" = -qa ]; then for f in $S/*; do [ -f "$f" ] && echo "${f##*/}-$(cat $f)"; done; exit 0; fi
p=$(eval echo \$$#)
[ -f $S/$p ] && cat $S/$p || { echo "package $p is not installed"; exit 1; }
`)
	// The test machine's own apt-get must never run (auto detection
	// tries apt-get first): a stand-in that fails.
	fakeBin(t, env, "apt-get", `echo "apt-get must not run in a dnf test: $*" >&2; exit 99
`)
	fakeBin(t, env, "dnf", `S=`+s+`
echo "dnf $*" >> $S.log
verb=; names=
for a in "$@"; do case $a in -*) ;; *) if [ -z "$verb" ]; then verb=$a; else names="$names $a"; fi;; esac; done
want() { cat $S-repo/$1 2>/dev/null || echo 1.0-1; }
case $verb in
check-update) rc=0; for f in $S/*; do [ -f "$f" ] || continue; [ "$(cat $f)" = "$(want ${f##*/})" ] || { echo "${f##*/} $(want ${f##*/})"; rc=100; }; done; exit $rc;;
upgrade) if [ -z "$names" ]; then for f in $S/*; do [ -f "$f" ] && want ${f##*/} > $f; done; else for p in $names; do [ -f $S/$p ] && want $p > $S/$p; done; fi;;
install) for p in $names; do [ -f $S/$p ] || want $p > $S/$p; done;;
makecache) ;;
esac
`)
	return s
}

// name "*" with state latest upgrades every installed package (dnf
// upgrade), with a simulation (check-update) in check mode; changed is
// what the installed packages say before and after.
func TestDnfUpgradeAll(t *testing.T) {
	env, dir := testEnv(t)
	s := fakeDnf(t, env, dir)
	writeFile(t, filepath.Join(s, "nginx"), "1.0-1\n", 0o644)
	writeFile(t, filepath.Join(s, "curl"), "7.0-1\n", 0o644)
	writeFile(t, filepath.Join(s+"-repo", "curl"), "8.0-1\n", 0o644)
	all := map[string]any{"name": "*", "state": "latest", "update_cache": true, "enablerepo": "extras"}

	env.Check = true
	mustOK(t, run(t, env, "dnf", all), true)
	if got := readFile(t, filepath.Join(s, "curl")); got != "7.0-1\n" {
		t.Fatalf("check mode upgraded curl to %q", got)
	}
	env.Check = false
	r := run(t, env, "dnf", all)
	mustOK(t, r, true)
	if got := readFile(t, filepath.Join(s, "curl")); got != "8.0-1\n" {
		t.Fatalf("curl is %q after upgrading everything, want 8.0-1", got)
	}
	if !strings.Contains(r.Msg(), "dnf upgrade") {
		t.Errorf("msg %q does not name dnf upgrade", r.Msg())
	}
	log := readFile(t, s+".log")
	if !strings.Contains(log, "makecache --enablerepo=extras") {
		t.Errorf("no cache refresh with the repository options; dnf calls:\n%s", log)
	}
	mustOK(t, run(t, env, "package", map[string]any{"name": "*", "state": "latest", "use": "dnf"}), false)
	env.Check = true
	mustOK(t, run(t, env, "dnf", all), false)
}

// The upgrade argument is apt's: refused on a dnf host, and never mixed
// with named packages.
func TestUpgradeArguments(t *testing.T) {
	env, dir := testEnv(t)
	fakeDnf(t, env, dir)
	r := run(t, env, "package", map[string]any{"name": "nginx", "use": "dnf", "state": "latest"})
	mustOK(t, r, true)
	fakeApt(t, env, dir)
	r = run(t, env, "apt", map[string]any{"name": "curl", "upgrade": "dist"})
	if !r.Failed() || !strings.Contains(r.Msg(), "not both") {
		t.Errorf("upgrade with name: %v", r)
	}
	r = run(t, env, "apt", map[string]any{"upgrade": "sideways"})
	if !r.Failed() || !strings.Contains(r.Msg(), "not one of") {
		t.Errorf("bad upgrade mode: %v", r)
	}
	for in, want := range map[any]string{true: "safe", "yes": "safe", "safe": "safe", "full": "dist", "dist": "dist", false: "", "no": "", nil: ""} {
		got, err := aptUpgradeMode(map[string]any{"upgrade": in})
		if err != nil || got != want {
			t.Errorf("aptUpgradeMode(%v) = %q, %v; want %q", in, got, err, want)
		}
	}
	if got := cmdNames([]string{"DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Options::=--force-confdef dist-upgrade", "dnf -q check-update; rc=$?"}); strings.Join(got, ",") != "apt-get dist-upgrade,dnf check-update" {
		t.Errorf("cmdNames = %q", got)
	}
}
