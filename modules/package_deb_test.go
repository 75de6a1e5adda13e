package modules

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// buildDeb builds a real .deb of package name at version with dpkg-deb.
func buildDeb(t *testing.T, dir, name, version string) string {
	t.Helper()
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		t.Skip("dpkg-deb is not installed")
	}
	root := filepath.Join(t.TempDir(), "pkg")
	if err := os.MkdirAll(filepath.Join(root, "DEBIAN"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "DEBIAN", "control"), "Package: "+name+"\nVersion: "+version+
		"\nArchitecture: all\nMaintainer: drover tests <t@example.invalid>\nDescription: test package\n", 0o644)
	out := filepath.Join(dir, name+"_"+version+"_all.deb")
	if b, err := exec.Command("dpkg-deb", "--build", "--root-owner-group", root, out).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb: %v %s", err, b)
	}
	return out
}

// fakeAptDeb is fakeApt with an apt-get that installs .deb files given as
// paths: it reads their package and version with the real dpkg-deb.
func fakeAptDeb(t *testing.T, env *Env, dir string) string {
	s := fakeApt(t, env, dir)
	fakeBin(t, env, "apt-get", `S=`+s+`
echo "apt-get $*" >> $S.log
for a; do case $a in
update) touch $S.updated;;
*.deb) [ -r "$a" ] || { echo "E: Unsupported file $a given on commandline" >&2; exit 100; }
  dpkg-deb --showformat='${Package} ${Version}' -W "$a" | { read -r p v; echo "$v" > $S/$p; }
  echo "0 upgraded, 1 newly installed, 0 to remove and 0 not upgraded.";;
esac; done
`)
	return s
}

// apt deb installs a .deb file on the host unless its package is
// installed at the deb's version; a newer deb upgrades; check mode only
// reports; a URL is downloaded by the host (curl) and removed after.
func TestAptDeb(t *testing.T) {
	env, dir := testEnv(t)
	s := fakeAptDeb(t, env, dir)
	v1 := buildDeb(t, dir, "drover-demo", "1.0-1")
	args := map[string]any{"deb": v1}

	env.Check = true
	mustOK(t, run(t, env, "apt", args), true)
	if _, err := os.Stat(filepath.Join(s, "drover-demo")); err == nil {
		t.Fatal("check mode installed")
	}
	env.Check = false
	r := run(t, env, "apt", args)
	mustOK(t, r, true)
	if got := readFile(t, filepath.Join(s, "drover-demo")); got != "1.0-1\n" {
		t.Fatalf("installed %q", got)
	}
	r = run(t, env, "apt", args)
	mustOK(t, r, false)
	if n := strings.Count(readFile(t, s+".log"), ".deb"); n != 1 {
		t.Errorf("apt-get ran on a deb %d times, want once", n)
	}

	// A relative path is given to apt-get as ./FILE (a bare name would be
	// a package name), and a newer version is installed.
	v2 := buildDeb(t, dir, "drover-demo", "2.0-1")
	mustOK(t, run(t, env, "apt", map[string]any{"deb": filepath.Base(v2), "update_cache": true}), true)
	if got := readFile(t, filepath.Join(s, "drover-demo")); got != "2.0-1\n" {
		t.Fatalf("after the newer deb: %q", got)
	}
	if log := readFile(t, s+".log"); !strings.Contains(log, " ./"+filepath.Base(v2)) || !strings.Contains(log, "update") {
		t.Errorf("apt-get calls: %s", log)
	}

	mustFail(t, run(t, env, "apt", map[string]any{"deb": v1, "state": "absent"}), "deb only supports state=present")
	mustFail(t, run(t, env, "apt", map[string]any{"deb": filepath.Join(dir, "nope.deb")}), "does not exist")
	writeFile(t, filepath.Join(dir, "bad.deb"), "not a deb", 0o644)
	mustFail(t, run(t, env, "apt", map[string]any{"deb": filepath.Join(dir, "bad.deb")}), "is not a Debian package")

	// From a URL: downloaded on the host, installed, the download removed.
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	v3 := buildDeb(t, t.TempDir(), "drover-other", "3.0")
	srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Dir(v3))))
	defer srv.Close()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	mustOK(t, run(t, env, "apt", map[string]any{"deb": srv.URL + "/" + filepath.Base(v3)}), true)
	if got := readFile(t, filepath.Join(s, "drover-other")); got != "3.0\n" {
		t.Fatalf("from a URL: %q", got)
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Errorf("the download was left behind: %v", ents)
	}
	if log := readFile(t, s+".log"); !strings.Contains(log, tmp+"/drover-deb.") {
		t.Errorf("apt-get was not given the download in TMPDIR: %s", log)
	}
	mustOK(t, run(t, env, "apt", map[string]any{"deb": srv.URL + "/" + filepath.Base(v3)}), false)
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Errorf("the download was left behind when there was nothing to do: %v", ents)
	}
	mustFail(t, run(t, env, "apt", map[string]any{"deb": srv.URL + "/missing.deb"}), "Failure downloading")
}

// allow_downgrade reaches apt-get for named packages too (a pinned
// older version).
func TestAptAllowDowngrade(t *testing.T) {
	env, dir := testEnv(t)
	s := fakeApt(t, env, dir)
	writeFile(t, filepath.Join(s, "nginx"), "2.0\n", 0o644)
	run(t, env, "apt", map[string]any{"name": "nginx=1.0", "state": "latest", "allow_downgrade": true})
	if log := readFile(t, s+".log"); !strings.Contains(log, "install --allow-downgrades nginx=1.0") {
		t.Errorf("apt-get calls: %s", log)
	}
}
