package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeRPM installs rpm and a dnf (and yum, when asked) fake. Installed
// packages are files dir/.rpm/NAME holding VERSION-RELEASE (the epoch in
// dir/.rpm-epoch/NAME); the repository offers dir/.rpm-repo/NAME, else
// 1.0-1; dir/.rpm-sec and dir/.rpm-bug list the packages whose update is
// a security or bugfix advisory; dir/.rpm-leaves the packages autoremove
// removes. The fake honours --security, --bugfix, --exclude and
// --assumeno, and logs its command lines to dir/.rpm.log.
func fakeRPM(t *testing.T, env *Env, dir string, mgrs ...string) string {
	t.Helper()
	s := filepath.Join(dir, ".rpm")
	for _, d := range []string{s, s + "-repo", s + "-epoch"} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	fakeBin(t, env, "rpm", `S=`+s+`
if [ "$1" = -qa ]; then for f in "$S"/*; do [ -f "$f" ] && echo "${f##*/}-$(cat "$f")"; done; exit 0; fi
fmt=; p=
while [ $# -gt 0 ]; do case $1 in --qf) fmt=$2; shift;; -*) ;; *) p=$1;; esac; shift; done
v=; n=
if [ -f "$S/$p" ]; then n=$p; v=$(cat "$S/$p")
else for f in "$S"/*; do [ -f "$f" ] || continue; [ "$p" = "${f##*/}-$(cat "$f")" ] && { n=${f##*/}; v=$(cat "$f"); break; }; done; fi
[ -n "$v" ] || { echo "package $p is not installed"; exit 1; }
case $fmt in *EPOCH*) echo "$(cat "$S-epoch/$n" 2>/dev/null || echo '(none)'):$v";; *) echo "$v";; esac
`)
	// Auto detection tries apt-get first: a stand-in that fails.
	fakeBin(t, env, "apt-get", `echo "apt-get must not run in a dnf test: $*" >&2; exit 99
`)
	if len(mgrs) == 0 {
		mgrs = []string{"dnf"}
	}
	for _, mgr := range mgrs {
		fakeBin(t, env, mgr, `S=`+s+`
me=${0##*/}
echo "$me $*" >> "$S.log"
verb=; names=; sec=; bug=; no=; ex=
for a in "$@"; do case $a in
  --security) sec=1;; --bugfix) bug=1;; --assumeno) no=1;;
  --exclude=*) ex="$ex ${a#--exclude=}";;
  -*) ;;
  *) if [ -z "$verb" ]; then verb=$a; else names="$names $a"; fi;;
esac; done
want() { cat "$S-repo/$1" 2>/dev/null || echo 1.0-1; }
excluded() { set -f; for x in $ex; do case $1 in $x) set +f; return 0;; esac; done; set +f; return 1; }
advisory() {
  [ -z "$sec$bug" ] && return 0
  [ -n "$sec" ] && grep -qx "$1" "$S-sec" 2>/dev/null && return 0
  [ -n "$bug" ] && grep -qx "$1" "$S-bug" 2>/dev/null && return 0
  return 1
}
pending() { [ -f "$S/$1" ] && [ "$(cat "$S/$1")" != "$(want "$1")" ] && ! excluded "$1" && advisory "$1"; }
installed() { for f in "$S"/*; do [ -f "$f" ] && echo "${f##*/}"; done; }
setnvr() { n=${1%-*}; n=${n%-*}; echo "${1#"$n"-}" > "$S/$n"; }
case $verb in
makecache) ;;
check-update) rc=0; for p in ${names:-$(installed)}; do pending "$p" && { echo "$p $(want "$p")"; rc=100; }; done; exit $rc;;
upgrade) for p in ${names:-$(installed)}; do pending "$p" && want "$p" > "$S/$p"; done;;
install) for p in $names; do excluded "$p" && continue
  case $p in *-[0-9]*-*) setnvr "$p";; *) [ -f "$S/$p" ] || want "$p" > "$S/$p";; esac; done;;
downgrade) for p in $names; do setnvr "$p"; done;;
remove) for p in $names; do rm -f "$S/$p"; done;;
autoremove) n=0; for p in $(cat "$S-leaves" 2>/dev/null); do [ -f "$S/$p" ] && n=$((n+1)); done
  if [ -n "$no" ]; then
    [ $n -gt 0 ] || { echo 'Nothing to do.'; exit 0; }
    printf 'Transaction Summary\n====\nRemove  %s Packages\n\nOperation aborted.\n' $n; exit 1
  fi
  for p in $(cat "$S-leaves" 2>/dev/null); do rm -f "$S/$p"; done;;
*) echo "fake $me: unexpected $verb" >&2; exit 2;;
esac
exit 0
`)
	}
	return s
}

// rpmLog is what the fake dnf/yum was asked since the last call.
func rpmLog(t *testing.T, s string) []string {
	t.Helper()
	return takeLog(t, s+".log")
}

func installedVersion(t *testing.T, s, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s, name))
	if os.IsNotExist(err) {
		return "absent"
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// security and bugfix upgrade only the packages whose update is such an
// advisory (--security, --bugfix), exclude leaves packages out
// (--exclude=...), for everything ("*") and named packages, in check mode
// (check-update with the same options) too.
func TestDnfSecurityBugfixExclude(t *testing.T) {
	env, dir := testEnv(t)
	s := fakeRPM(t, env, dir)
	for _, p := range []string{"openssl", "kernel", "nginx", "tzdata"} {
		writeFile(t, filepath.Join(s, p), "1.0-1\n", 0o644)
		writeFile(t, filepath.Join(s+"-repo", p), "2.0-1\n", 0o644)
	}
	writeFile(t, s+"-sec", "openssl\nkernel\n", 0o644)
	writeFile(t, s+"-bug", "tzdata\n", 0o644)
	sec := map[string]any{"name": "*", "state": "latest", "security": true, "exclude": []any{"kernel*"}}

	env.Check = true
	mustOK(t, run(t, env, "dnf", sec), true)
	wantLog(t, "check security", rpmLog(t, s), "dnf -q check-update --exclude=kernel* --security")
	env.Check = false
	mustOK(t, run(t, env, "dnf", sec), true)
	wantLog(t, "security", rpmLog(t, s), "dnf upgrade -y -q --exclude=kernel* --security")
	for p, v := range map[string]string{"openssl": "2.0-1", "kernel": "1.0-1", "nginx": "1.0-1", "tzdata": "1.0-1"} {
		if got := installedVersion(t, s, p); got != v {
			t.Errorf("after security upgrade: %s is %s, want %s", p, got, v)
		}
	}
	mustOK(t, run(t, env, "dnf", sec), false)
	env.Check = true
	mustOK(t, run(t, env, "dnf", sec), false)
	env.Check = false
	rpmLog(t, s)

	// Named, state latest, bugfix: only the advisory's package moves.
	bug := map[string]any{"name": []any{"tzdata", "nginx"}, "state": "latest", "bugfix": true}
	env.Check = true
	mustOK(t, run(t, env, "dnf", bug), true)
	wantLog(t, "check bugfix", rpmLog(t, s), "dnf -q check-update --bugfix tzdata nginx")
	env.Check = false
	r := run(t, env, "dnf", bug)
	mustOK(t, r, true)
	wantLog(t, "bugfix", rpmLog(t, s), "dnf upgrade -y -q --bugfix tzdata nginx")
	if installedVersion(t, s, "tzdata") != "2.0-1" || installedVersion(t, s, "nginx") != "1.0-1" {
		t.Errorf("bugfix upgrade: tzdata %s, nginx %s", installedVersion(t, s, "tzdata"), installedVersion(t, s, "nginx"))
	}
	if r.Msg() != "Installed: tzdata" {
		t.Errorf("msg %q", r.Msg())
	}
	mustOK(t, run(t, env, "dnf", bug), false)
}

// update_only upgrades the named packages that are installed and installs
// none of the others, with state present as with latest.
func TestDnfUpdateOnly(t *testing.T) {
	env, dir := testEnv(t)
	s := fakeRPM(t, env, dir)
	writeFile(t, filepath.Join(s, "curl"), "1.0-1\n", 0o644)
	writeFile(t, filepath.Join(s+"-repo", "curl"), "2.0-1\n", 0o644)
	args := map[string]any{"name": []any{"curl", "htop"}, "update_only": true}
	env.Check = true
	mustOK(t, run(t, env, "dnf", args), true)
	wantLog(t, "check", rpmLog(t, s), "dnf -q check-update curl")
	env.Check = false
	r := run(t, env, "dnf", args)
	mustOK(t, r, true)
	wantLog(t, "update_only", rpmLog(t, s), "dnf upgrade -y -q curl")
	if installedVersion(t, s, "curl") != "2.0-1" || installedVersion(t, s, "htop") != "absent" {
		t.Errorf("curl %s, htop %s", installedVersion(t, s, "curl"), installedVersion(t, s, "htop"))
	}
	r = run(t, env, "dnf", map[string]any{"name": []any{"curl", "htop"}, "update_only": true, "state": "latest"})
	mustOK(t, r, false)
	wantLog(t, "update_only again", rpmLog(t, s), "dnf upgrade -y -q curl")
	r = run(t, env, "dnf", map[string]any{"name": "htop", "update_only": true})
	mustOK(t, r, false)
	wantLog(t, "update_only, nothing installed", rpmLog(t, s))
	if !strings.Contains(r.Msg(), "htop not installed (update_only)") {
		t.Errorf("msg %q", r.Msg())
	}
	// "*" with update_only is every installed package.
	writeFile(t, filepath.Join(s+"-repo", "curl"), "3.0-1\n", 0o644)
	mustOK(t, run(t, env, "dnf", map[string]any{"name": "*", "update_only": true}), true)
	wantLog(t, "update_only *", rpmLog(t, s), "dnf upgrade -y -q")
}

// autoremove alone runs dnf/yum autoremove (simulated with --assumeno in
// check mode); with names and state absent, removes them, then
// autoremoves; with another state, fails as Ansible's. Without
// autoremove, remove keeps the dependencies (Ansible's dnf sets
// clean_requirements_on_remove to autoremove).
func TestYumDnfAutoremove(t *testing.T) {
	for _, mgr := range []string{"yum", "dnf"} {
		t.Run(mgr, func(t *testing.T) {
			env, dir := testEnv(t)
			s := fakeRPM(t, env, dir, mgr)
			for _, p := range []string{"app", "libdep", "liborphan"} {
				writeFile(t, filepath.Join(s, p), "1.0-1\n", 0o644)
			}
			writeFile(t, s+"-leaves", "liborphan\n", 0o644)
			args := map[string]any{"autoremove": true}
			env.Check = true
			mustOK(t, run(t, env, mgr, args), true)
			wantLog(t, "check autoremove", rpmLog(t, s), mgr+" autoremove --assumeno")
			env.Check = false
			mustOK(t, run(t, env, mgr, args), true)
			wantLog(t, "autoremove", rpmLog(t, s), mgr+" autoremove -y -q")
			if installedVersion(t, s, "liborphan") != "absent" || installedVersion(t, s, "app") != "1.0-1" {
				t.Error("autoremove removed the wrong packages")
			}
			mustOK(t, run(t, env, mgr, args), false)
			env.Check = true
			mustOK(t, run(t, env, mgr, args), false)
			env.Check = false
			rpmLog(t, s)

			// Named: remove, then autoremove what it left unneeded.
			writeFile(t, s+"-leaves", "libdep\n", 0o644)
			r := run(t, env, mgr, map[string]any{"name": "app", "state": "absent", "autoremove": true})
			mustOK(t, r, true)
			wantLog(t, "remove+autoremove", rpmLog(t, s), mgr+" remove -y -q app", mgr+" autoremove -y -q")
			if installedVersion(t, s, "app") != "absent" || installedVersion(t, s, "libdep") != "absent" {
				t.Error("app or libdep left")
			}
			mustFail(t, run(t, env, mgr, map[string]any{"name": "app", "state": "present", "autoremove": true}),
				"autoremove should be used alone or with state: absent")

			writeFile(t, filepath.Join(s, "tool"), "1.0-1\n", 0o644)
			mustOK(t, run(t, env, mgr, map[string]any{"name": "tool", "state": "absent"}), true)
			wantLog(t, "remove", rpmLog(t, s), mgr+" remove -y -q --setopt=clean_requirements_on_remove=0 tool")
		})
	}
}

// A version older than the installed one is installed only with
// allow_downgrade (dnf/yum downgrade), as Ansible's dnf.
func TestDnfAllowDowngrade(t *testing.T) {
	env, dir := testEnv(t)
	s := fakeRPM(t, env, dir)
	writeFile(t, filepath.Join(s, "app"), "2.0-1\n", 0o644)
	old := map[string]any{"name": "app-1.5-3.el9"}
	r := run(t, env, "dnf", old)
	mustOK(t, r, false)
	wantLog(t, "older without allow_downgrade", rpmLog(t, s))
	if !strings.Contains(r.Msg(), "allow_downgrade") {
		t.Errorf("msg %q", r.Msg())
	}
	old["allow_downgrade"] = true
	env.Check = true
	mustOK(t, run(t, env, "dnf", old), true)
	wantLog(t, "check downgrade", rpmLog(t, s))
	env.Check = false
	mustOK(t, run(t, env, "dnf", old), true)
	wantLog(t, "downgrade", rpmLog(t, s), "dnf downgrade -y -q app-1.5-3.el9")
	if got := installedVersion(t, s, "app"); got != "1.5-3.el9" {
		t.Fatalf("app is %s", got)
	}
	mustOK(t, run(t, env, "dnf", old), false)
	// A newer version is an ordinary install; a higher epoch is newer.
	mustOK(t, run(t, env, "dnf", map[string]any{"name": "app-1.6-1.el9"}), true)
	wantLog(t, "newer", rpmLog(t, s), "dnf install -y -q app-1.6-1.el9")
	writeFile(t, filepath.Join(s+"-epoch", "app"), "1", 0o644)
	mustOK(t, run(t, env, "dnf", map[string]any{"name": "app-1.9-1.el9"}), false)
	wantLog(t, "lower epoch", rpmLog(t, s))
}

// skip_broken, disable_gpg_check, enablerepo, disablerepo and
// update_cache (alias expire-cache) on the command lines.
func TestDnfRepoAndInstallOptions(t *testing.T) {
	env, dir := testEnv(t)
	s := fakeRPM(t, env, dir, "yum")
	args := map[string]any{"name": "nginx", "skip_broken": true, "disable_gpg_check": true, "enablerepo": "epel",
		"disablerepo": []any{"updates", "extras"}, "expire-cache": "yes", "exclude": "nginx-mod*"}
	mustOK(t, run(t, env, "yum", args), true)
	wantLog(t, "install", rpmLog(t, s),
		"yum -q -y makecache --nogpgcheck --enablerepo=epel --disablerepo=updates --disablerepo=extras",
		"yum install -y -q --nogpgcheck --enablerepo=epel --disablerepo=updates --disablerepo=extras --exclude=nginx-mod* --skip-broken nginx")
	mustOK(t, run(t, env, "yum", args), false)
}

func TestPackageRPMVersionCompare(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"1.0", "1.0", 0}, {"1.0", "2.0", -1}, {"2.0", "1.0", 1}, {"1.10", "1.9", 1}, {"1.01", "1.1", 0},
		{"1.0a", "1.0", 1}, {"1.0", "1.0.1", -1}, {"1a", "1.1", -1}, {"2.0.1a", "2.0.1", 1},
		{"1.0~rc1", "1.0", -1}, {"1.0~rc1", "1.0~rc2", -1}, {"1.0^git1", "1.0", 1}, {"1.0^git1", "1.0.1", -1},
		{"1_0", "1.0", 0}, {"el9", "el10", -1}, {"fc38", "fc4", 1}, {"abc", "abd", -1},
	} {
		if got := rpmvercmp(c.a, c.b); got != c.want {
			t.Errorf("rpmvercmp(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := rpmvercmp(c.b, c.a); got != -c.want {
			t.Errorf("rpmvercmp(%q, %q) = %d, want %d", c.b, c.a, got, -c.want)
		}
	}
	for spec, want := range map[string]string{
		"nginx-1.20.1-14.el9":            "nginx 0 1.20.1 14.el9",
		"nginx-1:1.20.1-14.el9.x86_64":   "nginx 1 1.20.1 14.el9",
		"python3-libs-3.9.16-1.el9.i686": "python3-libs 0 3.9.16 1.el9",
		"2:vim-enhanced-9.0-1.fc38.rpm":  "vim-enhanced 2 9.0 1.fc38",
		"nginx":                          "",
		"nginx-1.20":                     "",
		"perl-Net-SSLeay":                "",
	} {
		got := ""
		if n, v, ok := parseNEVR(spec); ok {
			got = strings.Join([]string{n, v.epoch, v.version, v.release}, " ")
		}
		if got != want {
			t.Errorf("parseNEVR(%q) = %q, want %q", spec, got, want)
		}
	}
}
