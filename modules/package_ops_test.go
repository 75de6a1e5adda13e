package modules

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// schemaErrors applies a module's schema to a task's arguments as drover
// check does (playbooks/args.go): unknown and refused names, mutually
// exclusive groups, required-one-of groups.
func schemaErrors(module string, args map[string]any) []string {
	m, _ := Lookup(module)
	s := m.Schema()
	canonical := map[string]string{}
	for n, a := range s.Args {
		canonical[n] = n
		for _, al := range a.Aliases {
			canonical[al] = n
		}
	}
	var errs []string
	present := map[string]bool{}
	for k := range args {
		n, ok := canonical[k]
		if !ok {
			if why, refused := s.Unsupported[k]; refused {
				errs = append(errs, k+" refused: "+why)
			} else {
				errs = append(errs, "unknown argument "+k)
			}
			continue
		}
		present[n] = true
	}
	for _, g := range s.MutuallyExclusive {
		n := 0
		for _, k := range g {
			if present[k] {
				n++
			}
		}
		if n > 1 {
			errs = append(errs, "mutually exclusive: "+strings.Join(g, ", "))
		}
	}
	for _, g := range s.RequiredOneOf {
		if !slices.ContainsFunc(g, func(k string) bool { return present[k] }) {
			errs = append(errs, "requires one of "+strings.Join(g, ", "))
		}
	}
	slices.Sort(errs)
	return errs
}

// What Ansible 2.14 accepts, drover check accepts: apt's required_one_of
// (autoremove, deb, package, update_cache, upgrade) and yum/dnf's (name,
// list, update_cache) are checked after Ansible fills in the defaults of
// autoremove and upgrade (apt), name and update_cache (dnf/yum), so they
// never fail; apt's mutually_exclusive (deb, package, upgrade) is checked
// before, so name with upgrade fails even for upgrade: no.
func TestPackageSchemaAcceptsWhatAnsibleAccepts(t *testing.T) {
	for _, c := range []struct {
		module string
		args   map[string]any
		want   string // "" when valid
	}{
		{"apt", map[string]any{"cache_valid_time": 1200}, ""},
		{"apt", map[string]any{"autoclean": true}, ""},
		{"apt", map[string]any{"autoremove": true}, ""},
		{"apt", map[string]any{"autoremove": true, "autoclean": true, "purge": true}, ""},
		{"apt", map[string]any{"upgrade": "dist", "autoclean": "yes"}, ""},
		{"apt", map[string]any{}, ""},
		{"apt", map[string]any{"name": "curl", "upgrade": "no"}, "mutually exclusive: deb, name, upgrade"},
		{"apt", map[string]any{"pkg": "curl", "upgrade": "dist"}, "mutually exclusive: deb, name, upgrade"},
		{"apt", map[string]any{"deb": "/tmp/x.deb", "name": "curl"}, "mutually exclusive: deb, name, upgrade"},
		{"apt", map[string]any{"deb": "/tmp/x.deb", "allow_downgrade": true, "update_cache": true}, ""},
		{"yum", map[string]any{"autoremove": true}, ""},
		{"dnf", map[string]any{"autoremove": "yes"}, ""},
		{"dnf", map[string]any{}, ""},
		{"yum", map[string]any{"name": "*", "state": "latest", "security": true, "bugfix": true, "exclude": []any{"kernel*"}}, ""},
		{"dnf", map[string]any{"name": []any{"curl"}, "update_only": true, "skip_broken": true, "allow_downgrade": true,
			"disable_gpg_check": true, "enablerepo": "epel", "disablerepo": "*", "expire-cache": true}, ""},
		{"dnf", map[string]any{"name": "x", "nobest": true}, "nobest refused: not supported by drover's dnf"},
		{"package", map[string]any{"state": "latest"}, "requires one of name"},
	} {
		got := strings.Join(schemaErrors(c.module, c.args), "; ")
		if got != c.want {
			t.Errorf("%s %v: got %q, want %q", c.module, c.args, got, c.want)
		}
	}
}

// fakeAptOps installs dpkg-query and apt-get fakes for whole-system work.
// Installed packages are files dir/.deb/NAME holding the version, with
// their dpkg status in dir/.deb-status/NAME (default "install ok
// installed"); dir/.deb-leaves lists the packages autoremove removes,
// dir/.deb-archive holds the downloaded files autoclean deletes. apt-get
// logs its arguments to dir/.deb.log.
func fakeAptOps(t *testing.T, env *Env, dir string) string {
	t.Helper()
	s := filepath.Join(dir, ".deb")
	for _, d := range []string{s, s + "-status", s + "-archive"} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	fakeBin(t, env, "dpkg-query", `S=`+s+`
p=
for a in "$@"; do case $a in -*) ;; *) p=$a;; esac; done
st() { cat "$S-status/$1" 2>/dev/null || echo 'install ok installed'; }
if [ -z "$p" ]; then
  for f in "$S"/*; do [ -f "$f" ] || continue; n=${f##*/}; printf '%s %s %s\n' "$n" "$(cat "$f")" "$(st "$n")"; done; exit 0
fi
[ -f "$S/$p" ] || { echo "dpkg-query: no packages found matching $p" >&2; exit 1; }
printf '%s %s' "$(st "$p")" "$(cat "$S/$p")"
`)
	fakeBin(t, env, "apt-get", `S=`+s+`
echo "apt-get $*" >> "$S.log"
sim=; verb=; names=; skip=
for a in "$@"; do
  if [ -n "$skip" ]; then skip=; continue; fi
  case $a in -o) skip=1;; -s) sim=1;; -*) ;; *) if [ -z "$verb" ]; then verb=$a; else names="$names $a"; fi;; esac
done
inst() { [ -f "$S/$1" ] && ! [ -f "$S-status/$1" ]; }
new=0; rm=0
case $verb in
update) touch "$S.updated";;
install) for p in $names; do inst "$p" && continue; new=$((new+1)); [ -n "$sim" ] || { echo 1.0 > "$S/$p"; rm -f "$S-status/$p"; }; done;;
remove) for p in $names; do inst "$p" || continue; rm=$((rm+1)); [ -n "$sim" ] || echo 'deinstall ok config-files' > "$S-status/$p"; done;;
purge) for p in $names; do [ -f "$S/$p" ] || continue; rm=$((rm+1)); [ -n "$sim" ] || rm -f "$S/$p" "$S-status/$p"; done;;
autoremove) for p in $(cat "$S-leaves" 2>/dev/null); do inst "$p" || continue; rm=$((rm+1)); [ -n "$sim" ] || rm -f "$S/$p"; done;;
autoclean) for f in "$S-archive"/*; do [ -f "$f" ] || continue; echo "Del ${f##*/} 1.0 [1 kB]"; [ -n "$sim" ] || rm -f "$f"; done; exit 0;;
*) echo "fake apt-get: unexpected $verb" >&2; exit 2;;
esac
echo "0 upgraded, $new newly installed, $rm to remove and 0 not upgraded."
`)
	return s
}

// aptLog is what the fake apt-get was asked, without its fixed options.
func aptLog(t *testing.T, s string) []string {
	t.Helper()
	var out []string
	for _, l := range takeLog(t, s+".log") {
		out = append(out, strings.Replace(l, "-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold ", "", 1))
	}
	return out
}

// takeLog returns a fake's log lines and removes the log (nil when none).
func takeLog(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(path)
	return Lines(b)
}

func wantLog(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s: the package manager ran\n  %s\nwant\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// autoclean runs apt-get autoclean (simulated in check mode), changed when
// it deletes a file; with autoremove, both run (Ansible 2.14 skips
// autoremove then, ansible#76864); autoremove with purge purges.
func TestAptAutocleanAutoremove(t *testing.T) {
	env, dir := testEnv(t)
	s := fakeAptOps(t, env, dir)
	writeFile(t, filepath.Join(s+"-archive", "old_1.0_all.deb"), "x", 0o644)
	clean := map[string]any{"autoclean": true}

	env.Check = true
	r := run(t, env, "apt", clean)
	mustOK(t, r, true)
	wantLog(t, "check autoclean", aptLog(t, s), "apt-get -s autoclean")
	if _, err := os.Stat(filepath.Join(s+"-archive", "old_1.0_all.deb")); err != nil {
		t.Fatal("check mode deleted the archive file")
	}
	env.Check = false
	r = run(t, env, "apt", clean)
	mustOK(t, r, true)
	wantLog(t, "autoclean", aptLog(t, s), "apt-get autoclean")
	if _, err := os.Stat(filepath.Join(s+"-archive", "old_1.0_all.deb")); !os.IsNotExist(err) {
		t.Fatal("autoclean left the archive file")
	}
	if !strings.Contains(r["stdout"].(string), "Del old_1.0_all.deb") || r.Msg() != "apt-get autoclean: packages changed" {
		t.Errorf("result %v", r)
	}
	mustOK(t, run(t, env, "apt", clean), false)
	aptLog(t, s)

	// autoremove and autoclean together, with purge.
	for _, p := range []string{"app", "libold", "liborphan"} {
		writeFile(t, filepath.Join(s, p), "1.0\n", 0o644)
	}
	writeFile(t, s+"-leaves", "libold liborphan\n", 0o644)
	writeFile(t, filepath.Join(s+"-archive", "older_0.9_all.deb"), "x", 0o644)
	both := map[string]any{"autoremove": true, "autoclean": "yes", "purge": true}
	r = run(t, env, "apt", both)
	mustOK(t, r, true)
	wantLog(t, "autoremove+autoclean", aptLog(t, s), "apt-get autoremove --purge", "apt-get autoclean")
	for _, p := range []string{"libold", "liborphan"} {
		if _, err := os.Stat(filepath.Join(s, p)); !os.IsNotExist(err) {
			t.Errorf("%s not autoremoved", p)
		}
	}
	if _, err := os.Stat(filepath.Join(s, "app")); err != nil {
		t.Error("autoremove removed a needed package")
	}
	mustOK(t, run(t, env, "apt", both), false)
	aptLog(t, s)

	// autoremove alone; in check mode a simulation.
	writeFile(t, filepath.Join(s, "libnew"), "1.0\n", 0o644)
	writeFile(t, s+"-leaves", "libnew\n", 0o644)
	env.Check = true
	mustOK(t, run(t, env, "apt", map[string]any{"autoremove": true}), true)
	wantLog(t, "check autoremove", aptLog(t, s), "apt-get -s autoremove")
	env.Check = false
	mustOK(t, run(t, env, "apt", map[string]any{"autoremove": true}), true)
	wantLog(t, "autoremove", aptLog(t, s), "apt-get autoremove")

	// autoclean after named packages (Ansible 2.14 skips it then).
	writeFile(t, filepath.Join(s+"-archive", "stale_0.1_all.deb"), "x", 0o644)
	r = run(t, env, "apt", map[string]any{"name": "newpkg", "autoclean": true})
	mustOK(t, r, true)
	wantLog(t, "install+autoclean", aptLog(t, s), "apt-get install newpkg", "apt-get autoclean")
	if !strings.HasPrefix(r.Msg(), "Installed: newpkg; apt-get autoclean: ") {
		t.Errorf("msg %q", r.Msg())
	}
	mustOK(t, run(t, env, "apt", map[string]any{"name": "newpkg", "autoclean": true}), false)
}

// cache_valid_time alone refreshes the cache (Ansible: update_cache or
// cache_valid_time), and a task doing only that reports changed when the
// cache was refreshed, as Ansible's.
func TestAptCacheValidTimeImpliesUpdate(t *testing.T) {
	env, dir := testEnv(t)
	s := fakeAptOps(t, env, dir)
	// 1 second: whatever this machine's apt lists, they are older.
	args := map[string]any{"cache_valid_time": 1}
	env.Check = true
	r := run(t, env, "apt", args)
	mustOK(t, r, true)
	wantLog(t, "check", aptLog(t, s))
	env.Check = false
	r = run(t, env, "apt", args)
	mustOK(t, r, true)
	if r["cache_updated"] != true {
		t.Errorf("cache_updated %v", r["cache_updated"])
	}
	wantLog(t, "cache_valid_time", aptLog(t, s), "apt-get update -q")
	// With packages, the cache is refreshed first.
	mustOK(t, run(t, env, "apt", map[string]any{"name": "curl", "cache_valid_time": "1"}), true)
	wantLog(t, "cache_valid_time with a name", aptLog(t, s), "apt-get update -q", "apt-get install curl")
	// update_cache alone: Ansible reports the refresh as a change; check
	// mode says it would refresh, without running apt-get.
	env.Check = true
	mustOK(t, run(t, env, "apt", map[string]any{"update_cache": true}), true)
	wantLog(t, "check update_cache", aptLog(t, s))
	env.Check = false
	r = run(t, env, "apt", map[string]any{"update_cache": true})
	mustOK(t, r, true)
	wantLog(t, "update_cache", aptLog(t, s), "apt-get update -q")
	// A cache younger than cache_valid_time is left alone (the age is
	// read from this machine's apt directories, absolute paths).
	if _, err := os.Stat("/var/lib/apt/lists"); err != nil {
		t.Skip("no /var/lib/apt/lists on this machine")
	}
	fresh := map[string]any{"cache_valid_time": 2000000000}
	for _, check := range []bool{true, false} {
		env.Check = check
		r = run(t, env, "apt", fresh)
		mustOK(t, r, false)
		if r["cache_updated"] != false {
			t.Errorf("check=%v: cache_updated %v", check, r["cache_updated"])
		}
		wantLog(t, "fresh cache", aptLog(t, s))
	}
}

// purge removes what a plain remove left (the package's configuration
// files, dpkg status "deinstall ok config-files"), as Ansible's; a held
// package ("hold ok installed") is installed.
func TestAptPurgeConfigFilesAndHeld(t *testing.T) {
	env, dir := testEnv(t)
	s := fakeAptOps(t, env, dir)
	writeFile(t, filepath.Join(s, "web"), "1.0\n", 0o644)
	mustOK(t, run(t, env, "apt", map[string]any{"name": "web", "state": "absent"}), true)
	wantLog(t, "remove", aptLog(t, s), "apt-get remove web")
	mustOK(t, run(t, env, "apt", map[string]any{"name": "web", "state": "absent"}), false)
	wantLog(t, "remove again", aptLog(t, s))
	env.Check = true
	mustOK(t, run(t, env, "apt", map[string]any{"name": "web", "state": "absent", "purge": true}), true)
	env.Check = false
	r := run(t, env, "apt", map[string]any{"name": "web", "state": "absent", "purge": true})
	mustOK(t, r, true)
	wantLog(t, "purge", aptLog(t, s), "apt-get purge web")
	if _, err := os.Stat(filepath.Join(s, "web")); !os.IsNotExist(err) {
		t.Error("not purged")
	}
	mustOK(t, run(t, env, "apt", map[string]any{"name": "web", "state": "absent", "purge": true}), false)

	writeFile(t, filepath.Join(s, "pinned"), "1.0\n", 0o644)
	writeFile(t, filepath.Join(s+"-status", "pinned"), "hold ok installed", 0o644)
	mustOK(t, run(t, env, "apt", map[string]any{"name": "pinned"}), false)
	wantLog(t, "held package present", aptLog(t, s))
}

// package passes the backend's arguments through (as Ansible's): on an
// apt host default_release reaches apt-get as -t; an argument only dnf has
// fails the task naming the host's manager; apt's own default_release.
func TestPackagePassesBackendArgs(t *testing.T) {
	env, dir := testEnv(t)
	s := fakeApt(t, env, dir)
	mustOK(t, run(t, env, "package", map[string]any{"name": "curl", "default_release": "bookworm-backports"}), true)
	if log := readFile(t, s+".log"); !strings.Contains(log, "install -t bookworm-backports curl") {
		t.Errorf("apt-get log %q, want install -t bookworm-backports curl", log)
	}
	r := run(t, env, "package", map[string]any{"name": "htop", "security": true})
	if !r.Failed() || !strings.Contains(r.Msg(), "package: security is not an argument of apt, this host's package manager") {
		t.Errorf("dnf-only argument on apt: %v", r)
	}
	if _, err := os.Stat(filepath.Join(s, "htop")); err == nil {
		t.Error("htop installed despite the refused argument")
	}
}
