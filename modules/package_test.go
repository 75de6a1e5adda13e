package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeApt installs dpkg-query and apt-get fakes keeping the installed
// packages as files dir/.pkgs/NAME holding the version; the repository
// offers every package at version in dir/.pkgs-repo/NAME, else 1.0.
func fakeApt(t *testing.T, env *Env, dir string) string {
	t.Helper()
	s := filepath.Join(dir, ".pkgs")
	for _, d := range []string{s, s + "-repo"} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	fakeBin(t, env, "dpkg-query", `S=`+s+`
p=$(eval echo \$$#)
[ -f $S/$p ] || { echo "dpkg-query: no packages found matching $p" >&2; exit 1; }
printf 'install ok installed %s' "$(cat $S/$p)"
`)
	fakeBin(t, env, "apt-get", `S=`+s+`
echo "apt-get $*" >> $S.log
verb=
for a in "$@"; do case $a in update|install|remove|purge) verb=$a;; -s) sim=1;; -*) ;; *) [ -n "$verb" ] && set -- "$@" "$a";; esac; done
pk=
for a in "$@"; do case $a in update|install|remove|purge|-*) ;; *) pk="$pk $a";; esac; done
case $verb in
update) touch $S.updated;;
install) for p in $pk; do
  [ "$p" = missing-pkg ] && { echo "E: Unable to locate package $p" >&2; exit 100; }
  v=$(cat $S-repo/$p 2>/dev/null || echo 1.0)
  if [ -n "$sim" ]; then [ "$(cat $S/$p 2>/dev/null)" = "$v" ] || echo "Inst $p"; else echo $v > $S/$p; fi; done;;
remove|purge) for p in $pk; do rm -f $S/$p; done;;
esac
`)
	return s
}

func TestApt(t *testing.T) {
	env, dir := testEnv(t)
	s := fakeApt(t, env, dir)
	args := map[string]any{"name": []any{"curl", "htop"}, "state": "present", "update_cache": true}
	env.Check = true
	mustOK(t, run(t, env, "apt", args), true)
	if ents, _ := os.ReadDir(s); len(ents) != 0 {
		t.Fatal("check mode installed")
	}
	env.Check = false
	r := run(t, env, "ansible.builtin.apt", args)
	mustOK(t, r, true)
	for _, p := range []string{"curl", "htop"} {
		if readFile(t, filepath.Join(s, p)) != "1.0\n" {
			t.Fatalf("%s not installed", p)
		}
	}
	if _, err := os.Stat(s + ".updated"); err != nil {
		t.Fatal("no apt-get update")
	}
	mustOK(t, run(t, env, "apt", map[string]any{"name": "curl,htop"}), false)

	// latest: a newer version appears.
	writeFile(t, filepath.Join(s+"-repo", "curl"), "2.0\n", 0o644)
	lat := map[string]any{"name": "curl", "state": "latest"}
	env.Check = true
	mustOK(t, run(t, env, "package", lat), true)
	env.Check = false
	mustOK(t, run(t, env, "package", lat), true)
	if readFile(t, filepath.Join(s, "curl")) != "2.0\n" {
		t.Fatal("not upgraded")
	}
	if r := run(t, env, "package", lat); !strings.Contains(r.Msg(), "curl already at the latest version") {
		t.Errorf("latest again: msg %q", r.Msg())
	}
	mustOK(t, run(t, env, "package", lat), false)

	r = run(t, env, "apt", map[string]any{"name": "htop", "state": "absent"})
	mustOK(t, r, true)
	if _, err := os.Stat(filepath.Join(s, "htop")); !os.IsNotExist(err) {
		t.Fatal("not removed")
	}
	mustOK(t, run(t, env, "apt", map[string]any{"name": "htop", "state": "removed"}), false)

	r = run(t, env, "apt", map[string]any{"name": "missing-pkg"})
	if !r.Failed() || !strings.HasPrefix(r.Msg(), "apt-get install failed: ") || !strings.Contains(r.Msg(), "Unable to locate package missing-pkg") {
		t.Fatalf("missing %v", r)
	}
}

func TestDnf(t *testing.T) {
	env, dir := testEnv(t)
	s := filepath.Join(dir, ".rpms")
	if err := os.Mkdir(s, 0o755); err != nil {
		t.Fatal(err)
	}
	fakeBin(t, env, "rpm", `S=`+s+`
p=$(eval echo \$$#)
[ -f $S/$p ] && cat $S/$p || { echo "package $p is not installed"; exit 1; }
`)
	fakeBin(t, env, "dnf", `S=`+s+`
verb=$1; shift
for a in "$@"; do case $a in -*) ;; *) case $verb in install|upgrade) echo 1.0-1 > $S/$a;; remove) rm -f $S/$a;; esac;; esac; done
`)
	args := map[string]any{"name": "nginx"}
	mustOK(t, run(t, env, "dnf", args), true)
	if readFile(t, filepath.Join(s, "nginx")) != "1.0-1\n" {
		t.Fatal("not installed")
	}
	mustOK(t, run(t, env, "dnf", args), false)
	// yum falls back to dnf when there is no yum.
	if _, err := os.Stat("/usr/bin/yum"); err == nil {
		return
	}
	mustOK(t, run(t, env, "yum", map[string]any{"name": "nginx", "state": "absent"}), true)
	if _, err := os.Stat(filepath.Join(s, "nginx")); !os.IsNotExist(err) {
		t.Fatal("not removed")
	}
}

// apt-get can change a host without changing any version: it reinstalls
// an installed version whose fields differ from the repository's package
// of the same version. Its summary line says so, and latest reports it.
func TestAptReinstallIsAChange(t *testing.T) {
	env, _ := testEnv(t)
	fakeBin(t, env, "dpkg-query", `printf 'install ok installed 1.1'`)
	fakeBin(t, env, "apt-get", `case " $* " in
*" install "*) echo "$SUMMARY";;
esac
`)
	for _, c := range []struct {
		summary string
		changed bool
	}{
		{"0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.", false},
		{"0 upgraded, 0 newly installed, 0 to remove and 3 not upgraded.", false},
		{"1 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.", true},
		{"0 upgraded, 0 newly installed, 1 reinstalled, 0 to remove and 0 not upgraded.", true},
		{"0 upgraded, 0 newly installed, 1 downgraded, 0 to remove and 0 not upgraded.", true},
		{"0 upgraded, 1 newly installed, 0 to remove and 0 not upgraded.", true},
	} {
		if got := aptDidWork("Reading package lists...\n" + c.summary + "\n"); got != c.changed {
			t.Errorf("aptDidWork(%q) = %v", c.summary, got)
		}
		t.Setenv("SUMMARY", c.summary)
		r := run(t, env, "apt", map[string]any{"name": "hello", "state": "latest"})
		mustOK(t, r, c.changed)
		if c.changed && !strings.Contains(r.Msg(), c.summary) {
			t.Errorf("msg %q does not give apt-get's summary", r.Msg())
		}
	}
}
