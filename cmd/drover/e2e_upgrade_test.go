package main

import (
	"strings"
	"testing"
)

// TestE2EAptUpgradeAndAutoremove is the patch step of a reboot night with
// the real apt-get and dpkg on an sshd host whose package state is private:
// apt upgrade: dist (check mode, then for real, then idempotent),
// autoremove of a dependency left behind, and package name "*" state
// latest. Assertions are on the host's dpkg database and files.
func TestE2EAptUpgradeAndAutoremove(t *testing.T) {
	f, repo := aptFleet(t, 1)
	lib, app := e2ePrefix+"lib", e2ePrefix+"app"
	repo.publish(t, "1.0")
	repo.publishPkg(t, lib, "1.0", "")
	repo.publishPkg(t, app, "1.0", lib)
	runPackagePlay(t, f, `
- hosts: all
  tasks:
    - name: base
      apt: {name: [`+e2ePkg+`, `+app+`], update_cache: yes}
`).expect(t, f, "install", 0, "base", "changed")
	checkInstalled(t, f, "install", "1.0")
	checkPkg(t, f, "install", lib, "1.0") // pulled in as a dependency

	// New versions of two installed packages.
	repo.publish(t, "1.1")
	repo.publishPkg(t, lib, "1.1", "")
	// Check mode does not refresh the cache (it changes nothing): refresh
	// first, as the operator's dry run would have.
	refresh := `
- hosts: all
  tasks:
    - name: refresh
      apt: {update_cache: yes}
`
	// A refresh that updated the cache is a change, as Ansible reports
	// it (changed=cache_updated).
	runPackagePlay(t, f, refresh).expect(t, f, "refresh", 0, "refresh", "changed")
	upgrade := `
- hosts: all
  tasks:
    - name: patch
      apt: {upgrade: dist, update_cache: yes}
`
	r := runPackagePlay(t, f, upgrade, "--check")
	r.expect(t, f, "check-mode upgrade", 0, "patch", "changed")
	checkInstalled(t, f, "check-mode upgrade", "1.0")
	checkPkg(t, f, "check-mode upgrade", lib, "1.0")

	r = runPackagePlay(t, f, upgrade)
	r.expect(t, f, "upgrade", 0, "patch", "changed")
	for _, h := range f.Names() {
		if msg := r.results[h+"/patch"].Msg; !strings.Contains(msg, "apt-get dist-upgrade: 2 upgraded") {
			t.Errorf("upgrade: %s: msg %q, want apt-get dist-upgrade's summary", h, msg)
		}
	}
	checkInstalled(t, f, "upgrade", "1.1")
	checkPkg(t, f, "upgrade", lib, "1.1")
	checkPkg(t, f, "upgrade", app, "1.0")
	checkActions(t, f, "upgrade", "install <none> 1.0", "upgrade 1.0 1.1")

	runPackagePlay(t, f, upgrade).expect(t, f, "upgrade again", 0, "patch", "ok")
	checkActions(t, f, "upgrade again", "install <none> 1.0", "upgrade 1.0 1.1")

	// The app goes; its dependency stays until autoremove.
	runPackagePlay(t, f, `
- hosts: all
  tasks:
    - name: app absent
      apt: {name: `+app+`, state: absent}
`).expect(t, f, "remove app", 0, "app absent", "changed")
	checkPkg(t, f, "remove app", app, "")
	checkPkg(t, f, "remove app", lib, "1.1")
	autoremove := `
- hosts: all
  tasks:
    - name: clean
      apt: {autoremove: yes}
`
	runPackagePlay(t, f, autoremove, "--check").expect(t, f, "check-mode autoremove", 0, "clean", "changed")
	checkPkg(t, f, "check-mode autoremove", lib, "1.1")
	runPackagePlay(t, f, autoremove).expect(t, f, "autoremove", 0, "clean", "changed")
	checkPkg(t, f, "autoremove", lib, "")
	checkInstalled(t, f, "autoremove", "1.1") // installed by name: kept
	runPackagePlay(t, f, autoremove).expect(t, f, "autoremove again", 0, "clean", "ok")

	// Everything to its latest version, the generic way.
	repo.publish(t, "1.2")
	all := `
- hosts: all
  tasks:
    - name: everything latest
      package: {name: "*", state: latest}
`
	runPackagePlay(t, f, refresh).expect(t, f, "refresh for *", 0, "refresh", "changed")
	runPackagePlay(t, f, all).expect(t, f, "latest *", 0, "everything latest", "changed")
	checkInstalled(t, f, "latest *", "1.2")
	runPackagePlay(t, f, all).expect(t, f, "latest * again", 0, "everything latest", "ok")
	checkActions(t, f, "latest *", "install <none> 1.0", "upgrade 1.0 1.1", "upgrade 1.1 1.2")

	// cache_valid_time: a cache refreshed moments ago is not refreshed, so
	// the new 1.3 is not seen; without it the cache is refreshed.
	repo.publish(t, "1.3")
	latest := func(valid string) string {
		return `
- hosts: all
  tasks:
    - name: hello latest
      apt: {name: ` + e2ePkg + `, state: latest, update_cache: yes` + valid + `}
`
	}
	r = runPackagePlay(t, f, latest(", cache_valid_time: 3600"))
	r.expect(t, f, "cache still valid", 0, "hello latest", "ok")
	checkInstalled(t, f, "cache still valid", "1.2")
	for _, h := range f.Names() {
		if got := r.results[h+"/hello latest"].Result["cache_updated"]; got != false {
			t.Errorf("cache still valid: %s: cache_updated = %v, want false", h, got)
		}
	}
	r = runPackagePlay(t, f, latest(""))
	r.expect(t, f, "cache refreshed", 0, "hello latest", "changed")
	checkInstalled(t, f, "cache refreshed", "1.3")
	for _, h := range f.Names() {
		if got := r.results[h+"/hello latest"].Result["cache_updated"]; got != true {
			t.Errorf("cache refreshed: %s: cache_updated = %v, want true", h, got)
		}
	}
}
