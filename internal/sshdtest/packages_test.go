package sshdtest_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drover-sh/drover/internal/sshdtest"
)

const (
	testPkg     = "drover-sshdtest-pkg"
	testPkgFile = sshdtest.PrivatePath + "/" + testPkg + ".txt"
)

// buildTestDeb builds a .deb of testPkg (no dependencies, no maintainer
// scripts) that installs testPkgFile, and returns its path under dir.
func buildTestDeb(t *testing.T, dir string) string {
	t.Helper()
	root := filepath.Join(dir, "debroot")
	for _, d := range []string{root, filepath.Join(root, "DEBIAN"), filepath.Join(root, filepath.Dir(testPkgFile))} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	control := "Package: " + testPkg + "\nVersion: 1.0\nArchitecture: all\nMaintainer: drover tests <tests@drover.invalid>\nDescription: sshdtest isolation probe\n"
	if err := os.WriteFile(filepath.Join(root, "DEBIAN", "control"), []byte(control), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, testPkgFile), []byte(testPkg+" 1.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	deb := filepath.Join(dir, testPkg+".deb")
	if out, err := exec.Command("dpkg-deb", "--root-owner-group", "-Zgzip", "--build", root, deb).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb: %v\n%s", err, out)
	}
	return deb
}

// TestPrivatePackages: each host's dpkg and apt work on its own copy of the
// package state; installing a package on one host changes neither the other
// host nor the real machine.
func TestPrivatePackages(t *testing.T) {
	t.Parallel()
	realStatus, err := os.ReadFile("/var/lib/dpkg/status")
	if err != nil {
		t.Skipf("no dpkg database: %v", err)
	}
	realLog, _ := os.ReadFile("/var/log/dpkg.log")
	f := sshdtest.StartT(t, 2, sshdtest.Options{PrivatePackages: true})

	// The hosts start with the machine's packages.
	list := `dpkg-query -W -f '${Package} ${Version} ${Status}\n'`
	want, err := exec.Command("sh", "-c", list).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range f.Names() {
		if got := mustSSH(t, f, h, list); got != strings.TrimSpace(string(want)) {
			t.Fatalf("%s: dpkg-query lists other packages than the real machine's:\n%.500s", h, got)
		}
	}

	// Install on h01.
	deb := buildTestDeb(t, f.HostDir("h01"))
	mustSSH(t, f, "h01", "dpkg -i "+sshdtest.PrivatePath+"/"+filepath.Base(deb)+" >/dev/null")
	if got := mustSSH(t, f, "h01", "dpkg-query -W -f '${Status} ${Version}' "+testPkg); got != "install ok installed 1.0" {
		t.Errorf("h01 after dpkg -i: %q", got)
	}
	if b, err := os.ReadFile(filepath.Join(f.HostDir("h01"), filepath.Base(testPkgFile))); err != nil || string(b) != testPkg+" 1.0\n" {
		t.Errorf("h01: the package's file: %q, %v", b, err)
	}
	if b, err := os.ReadFile(filepath.Join(f.DpkgDir("h01"), "status")); err != nil || !bytes.Contains(b, []byte("Package: "+testPkg+"\n")) {
		t.Errorf("h01's private database (DpkgDir) lacks %s: %v", testPkg, err)
	}
	if got := mustSSH(t, f, "h01", "grep -c ' install "+testPkg+":all ' /var/log/dpkg.log"); got != "1" {
		t.Errorf("h01's /var/log/dpkg.log: %q install lines", got)
	}

	// h02 and the real machine do not have it.
	if r := runSSH(t, f, "h02", "dpkg-query -W -f '${Status}' "+testPkg); r.code == 0 && strings.HasPrefix(r.stdout, "install ok installed") {
		t.Errorf("h02 shares h01's database: %q", r.stdout)
	}
	if b, err := os.ReadFile(filepath.Join(f.DpkgDir("h02"), "status")); err != nil || bytes.Contains(b, []byte("Package: "+testPkg+"\n")) {
		t.Errorf("h02's private database has %s (or: %v)", testPkg, err)
	}
	if mustSSH(t, f, "h02", "cat /var/log/dpkg.log 2>/dev/null | grep -c "+testPkg+" || true") != "0" {
		t.Error("h02's dpkg.log is h01's")
	}
	if now, err := os.ReadFile("/var/lib/dpkg/status"); err != nil || !bytes.Equal(now, realStatus) {
		t.Errorf("the real /var/lib/dpkg/status changed (%v)", err)
	}
	if now, _ := os.ReadFile("/var/log/dpkg.log"); bytes.Contains(now[min(len(realLog), len(now)):], []byte(testPkg)) {
		t.Error("the real /var/log/dpkg.log records the host's install")
	}
	if _, err := os.Stat(testPkgFile); err == nil {
		t.Errorf("%s exists on the real machine", testPkgFile)
	}

	// apt: each host has its own sources (none at first), no network, and
	// no hooks acting on the real machine.
	src := "deb [trusted=yes] file:/nonexistent-drover-repo ./"
	if err := f.SetAptSources("h02", src); err != nil {
		t.Fatal(err)
	}
	if got := mustSSH(t, f, "h02", "cat /etc/apt/sources.list; ls -A /etc/apt/sources.list.d"); got != src {
		t.Errorf("h02's apt sources: %q", got)
	}
	if got := mustSSH(t, f, "h01", "cat /etc/apt/sources.list; ls -A /etc/apt/sources.list.d"); got != "" {
		t.Errorf("h01's apt sources: %q, want none", got)
	}
	// Checked before apt-get runs: a hook would act on the real machine.
	if got := mustSSH(t, f, "h01", "apt-config dump | grep -c -e '-Invoke::' -e 'Pre-Install-Pkgs::' || true"); got != "0" {
		t.Fatalf("h01's apt still has %s hooks", got)
	}
	mustSSH(t, f, "h01", "apt-get update -q >/dev/null 2>&1 && test -d /var/lib/apt/lists/partial")
}

// TestPrivatePackagesWithSudoUser: both features' private files are in
// place together (one binds file).
func TestPrivatePackagesWithSudoUser(t *testing.T) {
	t.Parallel()
	f := sshdtest.StartT(t, 1, sshdtest.Options{PrivatePackages: true, SudoPassword: "pw-both"})
	if err := os.WriteFile(filepath.Join(f.DpkgDir("h01"), "drover-probe"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/var/lib/dpkg/drover-probe"); err == nil {
		t.Fatal("DpkgDir is the real /var/lib/dpkg")
	}
	got := mustSSH(t, f, "h01", "id -un "+sshdtest.SudoUser+"; test -e /var/lib/dpkg/drover-probe && echo private-dpkg")
	if got != sshdtest.SudoUser+"\nprivate-dpkg" {
		t.Fatalf("h01: %q, want the sudo user and the private dpkg database", got)
	}
}
