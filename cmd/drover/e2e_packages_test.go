package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drover-sh/drover/internal/sshdtest"
	"github.com/drover-sh/drover/runner"
)

const (
	e2ePrefix  = "drover-e2e-" // every test package's name starts with it
	e2ePkg     = e2ePrefix + "hello"
	e2ePkgFile = sshdtest.PrivatePath + "/" + e2ePkg + ".txt" // inside a host
)

// aptRepo is a flat apt repository ("deb [trusted=yes] file:DIR ./") in a
// directory apt's _apt user can read.
type aptRepo struct {
	dir      string
	packages []string // Packages stanzas, one per published version
}

func newAptRepo(t *testing.T) *aptRepo {
	t.Helper()
	dir, err := os.MkdirTemp("", "drover-e2e-apt-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &aptRepo{dir: dir}
}

// aptFleet starts n sshd hosts with private package state whose apt
// sources are repo (publish to it, then run apt with update_cache).
func aptFleet(t *testing.T, n int) (*sshdtest.Fleet, *aptRepo) {
	t.Helper()
	checkRealMachineUntouched(t)
	f := sshdtest.StartT(t, n, sshdtest.Options{PrivatePackages: true})
	repo := newAptRepo(t)
	for _, h := range f.Names() {
		if err := f.SetAptSources(h, "deb [trusted=yes] file:"+repo.dir+" ./"); err != nil {
			t.Fatal(err)
		}
	}
	return f, repo
}

// publish builds e2ePkg at version (Architecture all, no dependencies, one
// file e2ePkgFile holding the version) with dpkg-deb and rewrites the
// repository's Packages index.
func (r *aptRepo) publish(t *testing.T, version string) {
	t.Helper()
	r.publishPkg(t, e2ePkg, version, "")
}

// publishPkg builds package pkg at version (Architecture all, depending on
// depends when not "", one file PrivatePath/<pkg>.txt holding the
// version) with dpkg-deb and rewrites the repository's Packages index.
func (r *aptRepo) publishPkg(t *testing.T, pkg, version, depends string) {
	t.Helper()
	file := pkgFile(pkg)
	root := filepath.Join(t.TempDir(), "root")
	for _, d := range []string{root, filepath.Join(root, "DEBIAN"), filepath.Join(root, filepath.Dir(file))} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(d, 0o755); err != nil { // dpkg-deb checks DEBIAN's mode
			t.Fatal(err)
		}
	}
	dep := ""
	if depends != "" {
		dep = "Depends: " + depends + "\n"
	}
	// Installed-Size as in the index: apt takes an installed version whose
	// fields differ from the repository's for another version, and
	// reinstalls it.
	control := fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: drover tests <tests@drover.invalid>\nInstalled-Size: 1\n%sDescription: drover end-to-end test package\n", pkg, version, dep)
	writeFile(t, filepath.Join(root, "DEBIAN", "control"), control)
	writeFile(t, filepath.Join(root, file), pkg+" version "+version+"\n")
	name := fmt.Sprintf("%s_%s_all.deb", pkg, version)
	deb := filepath.Join(r.dir, name)
	if out, err := exec.Command("dpkg-deb", "--root-owner-group", "-Zgzip", "--build", root, deb).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb --build: %v\n%s", err, out)
	}
	b, err := os.ReadFile(deb)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(deb, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	r.packages = append(r.packages, fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: drover tests <tests@drover.invalid>\nInstalled-Size: 1\n%sFilename: ./%s\nSize: %d\nSHA256: %s\nDescription: drover end-to-end test package\n",
		pkg, version, dep, name, len(b), hex.EncodeToString(sum[:])))
	writeFile(t, filepath.Join(r.dir, "Packages"), strings.Join(r.packages, "\n"))
}

// pkgFile is the file a test package installs, inside a host.
func pkgFile(pkg string) string { return sshdtest.PrivatePath + "/" + pkg + ".txt" }

// dpkgStatus is a package's Status and Version in a dpkg status file
// ("" when the database has no entry for it).
func dpkgStatus(t *testing.T, statusFile, pkg string) (status, version string) {
	t.Helper()
	for _, stanza := range strings.Split(readFile(t, statusFile), "\n\n") {
		fields := map[string]string{}
		for _, l := range strings.Split(stanza, "\n") {
			if k, v, ok := strings.Cut(l, ": "); ok && !strings.HasPrefix(l, " ") {
				fields[k] = v
			}
		}
		if fields["Package"] == pkg {
			return fields["Status"], fields["Version"]
		}
	}
	return "", ""
}

// dpkgActions are the host's dpkg.log records of what dpkg did to e2ePkg
// ("install <none> 1.0", "upgrade 1.0 1.1", "remove 1.1 <none>"), read
// inside the host: its own /var/log.
func dpkgActions(t *testing.T, f *sshdtest.Fleet, host string) []string {
	t.Helper()
	return dpkgActionsOf(t, f, host, e2ePkg)
}

// dpkgActionsOf is dpkgActions for package pkg.
func dpkgActionsOf(t *testing.T, f *sshdtest.Fleet, host, pkg string) []string {
	t.Helper()
	cmd := exec.Command("ssh", append(f.SSHArgs(host), "cat /var/log/dpkg.log 2>/dev/null || true")...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ssh %s: %v", host, err)
	}
	var acts []string
	for _, l := range strings.Split(string(out), "\n") {
		fl := strings.Fields(l)
		if len(fl) == 6 && fl[3] == pkg+":all" && strings.Contains(" install upgrade remove purge ", " "+fl[2]+" ") {
			acts = append(acts, fl[2]+" "+fl[4]+" "+fl[5])
		}
	}
	return acts
}

// checkActions asserts that dpkg did exactly want to e2ePkg on every host.
func checkActions(t *testing.T, f *sshdtest.Fleet, step string, want ...string) {
	t.Helper()
	for _, h := range f.Names() {
		if got := dpkgActions(t, f, h); strings.Join(got, "; ") != strings.Join(want, "; ") {
			t.Errorf("%s: %s: dpkg did %q, want %q", step, h, got, want)
		}
	}
}

// checkRealMachineUntouched fails unless the machine's own dpkg database
// and log know nothing of the test packages.
func checkRealMachineUntouched(t *testing.T) {
	t.Helper()
	if b, _ := os.ReadFile("/var/lib/dpkg/status"); bytes.Contains(b, []byte("Package: "+e2ePrefix)) {
		t.Fatalf("the real machine's /var/lib/dpkg/status has a %s* package", e2ePrefix)
	}
	if b, _ := os.ReadFile("/var/log/dpkg.log"); bytes.Contains(b, []byte(e2ePrefix)) {
		t.Fatalf("the real machine's /var/log/dpkg.log mentions a %s* package", e2ePrefix)
	}
	if m, _ := filepath.Glob(sshdtest.PrivatePath + "/" + e2ePrefix + "*"); len(m) > 0 {
		t.Fatalf("%v exist on the real machine", m)
	}
}

// pkgRun is one drover run: its exit code, output, and task results by
// "host/task".
type pkgRun struct {
	code    int
	out     string
	results map[string]runner.Event
}

func runPackagePlay(t *testing.T, f *sshdtest.Fleet, play string, flags ...string) pkgRun {
	t.Helper()
	p := filepath.Join(t.TempDir(), "play.yml")
	writeFile(t, p, play)
	state := t.TempDir()
	events := filepath.Join(state, "events.jsonl")
	out, err := droverCmd(f, state, append([]string{"run", p, "--events", events}, flags...)...).CombinedOutput()
	r := pkgRun{out: string(out), results: map[string]runner.Event{}}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(readFile(t, events)), "\n") {
		var e runner.Event
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		if e.Type == runner.EvTaskResult {
			r.results[e.Host+"/"+e.Task] = e
		}
	}
	checkRealMachineUntouched(t)
	return r
}

// expect checks a run's exit code and every host's status for task.
func (r pkgRun) expect(t *testing.T, f *sshdtest.Fleet, step string, code int, task, status string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("%s: drover exited %d, want %d\n%s", step, r.code, code, r.out)
	}
	for _, h := range f.Names() {
		if got := r.results[h+"/"+task].Status; got != status {
			t.Fatalf("%s: %s %q: %s (%s), want %s\n%s", step, h, task, got, r.results[h+"/"+task].Msg, status, r.out)
		}
	}
}

// checkInstalled asserts on every host's own state: e2ePkgFile holds
// version (absent when version is ""), and the host's dpkg database has the
// package installed at that version (not installed when "").
func checkInstalled(t *testing.T, f *sshdtest.Fleet, step, version string) {
	t.Helper()
	checkPkg(t, f, step, e2ePkg, version)
}

// checkPkg is checkInstalled for test package pkg.
func checkPkg(t *testing.T, f *sshdtest.Fleet, step, pkg, version string) {
	t.Helper()
	file := pkgFile(pkg)
	for _, h := range f.Names() {
		b, err := os.ReadFile(filepath.Join(f.HostDir(h), filepath.Base(file)))
		st, v := dpkgStatus(t, filepath.Join(f.DpkgDir(h), "status"), pkg)
		if version == "" {
			if err == nil {
				t.Errorf("%s: %s: %s still exists: %q", step, h, file, b)
			}
			if st == "install ok installed" {
				t.Errorf("%s: %s: %s still installed (%s)", step, h, pkg, v)
			}
			continue
		}
		if want := pkg + " version " + version + "\n"; err != nil || string(b) != want {
			t.Errorf("%s: %s: %s = %q (%v), want %q", step, h, file, b, err, want)
		}
		if st != "install ok installed" || v != version {
			t.Errorf("%s: %s: %s: dpkg status %q version %q, want install ok installed %s", step, h, pkg, st, v, version)
		}
	}
}

// TestE2EAptRealPackages runs the apt and package modules against the real
// apt-get and dpkg on sshd hosts whose package state is private
// (sshdtest's PrivatePackages), installing from a local flat repository: a
// check-mode install changes nothing, install, idempotence, latest (check
// mode, then for real), removal, and a package the repository lacks. The
// real machine's package database never hears of the package.
func TestE2EAptRealPackages(t *testing.T) {
	f, repo := aptFleet(t, 2)
	repo.publish(t, "1.0")
	install := `
- hosts: all
  tasks:
    - name: hello installed
      apt: {name: ` + e2ePkg + `, state: present, update_cache: yes}
`
	runPackagePlay(t, f, install, "--check").expect(t, f, "check-mode install", 0, "hello installed", "changed")
	checkInstalled(t, f, "check-mode install", "")
	checkActions(t, f, "check-mode install")

	runPackagePlay(t, f, install).expect(t, f, "install", 0, "hello installed", "changed")
	checkInstalled(t, f, "install", "1.0")

	// 1.1 appears; present still holds (the cache update sees 1.1).
	repo.publish(t, "1.1")
	runPackagePlay(t, f, install).expect(t, f, "install again", 0, "hello installed", "ok")
	checkInstalled(t, f, "install again", "1.0")
	checkActions(t, f, "install again", "install <none> 1.0")

	latest := `
- hosts: all
  tasks:
    - name: hello latest
      package: {name: ` + e2ePkg + `, state: latest}
`
	runPackagePlay(t, f, latest, "--check").expect(t, f, "check-mode latest", 0, "hello latest", "changed")
	checkInstalled(t, f, "check-mode latest", "1.0")
	checkActions(t, f, "check-mode latest", "install <none> 1.0")

	upgrade := `
- hosts: all
  tasks:
    - name: hello upgraded
      apt: {name: ` + e2ePkg + `, state: latest, update_cache: yes}
    - name: hello already latest
      apt: {name: ` + e2ePkg + `, state: latest}
`
	r := runPackagePlay(t, f, upgrade)
	r.expect(t, f, "latest", 0, "hello upgraded", "changed")
	r.expect(t, f, "latest", 0, "hello already latest", "ok")
	checkInstalled(t, f, "latest", "1.1")
	// Upgraded once; the second latest did not reinstall.
	checkActions(t, f, "latest", "install <none> 1.0", "upgrade 1.0 1.1")

	remove := `
- hosts: all
  tasks:
    - name: hello absent
      apt: {name: ` + e2ePkg + `, state: absent}
    - name: missing present
      apt: {name: drover-e2e-not-in-repo, state: present}
`
	r = runPackagePlay(t, f, remove)
	r.expect(t, f, "absent", 3, "hello absent", "changed")
	r.expect(t, f, "missing", 3, "missing present", "failed")
	for _, h := range f.Names() {
		if msg := r.results[h+"/missing present"].Msg; !strings.Contains(msg, "Unable to locate package drover-e2e-not-in-repo") {
			t.Errorf("%s: missing package: msg %q, want apt's Unable to locate package", h, msg)
		}
	}
	checkInstalled(t, f, "absent", "")
	checkActions(t, f, "absent", "install <none> 1.0", "upgrade 1.0 1.1", "remove 1.1 <none>")
}
