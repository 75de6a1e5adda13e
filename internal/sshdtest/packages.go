package sshdtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Private package-manager state (Options.PrivatePackages): each host gets
// its own dpkg database (a copy of the real /var/lib/dpkg), its own apt
// state, cache and configuration, its own debconf database and its own
// /var/log, all under Dir/<name>/packages and bind-mounted by the wrapper
// (the "binds" file) in the host's mount namespace. The real machine's
// files are only read; apt-get and dpkg run inside a host change only that
// host's copies, and the host's apt sees only the sources given with
// Fleet.SetAptSources (none at first: no network).

const (
	pkgStateName = "packages"
	aptConfDir   = "/etc/apt"
	// aptDropIn, last in the host's apt.conf.d, clears the hooks that run
	// commands on the real machine outside the host's package state
	// (appstream's cache refresh, PackageKit notifications, ...).
	aptDropIn = "zz-drover-sshdtest"
)

// pkgDirs are the directories each host gets a private copy of (copy) or
// a fresh one of (the real one is only the mount point), by name under
// Dir/<name>/packages.
var pkgDirs = []struct {
	name, target string
	copy         bool
	optional     bool     // skipped when the machine has no target
	subdirs      []string // created in a fresh directory
	files        []string // empty files created in a fresh directory
}{
	{name: "dpkg", target: "/var/lib/dpkg", copy: true},
	{name: "lib-apt", target: "/var/lib/apt", subdirs: []string{"lists/partial"}},
	{name: "cache-apt", target: "/var/cache/apt", subdirs: []string{"archives/partial"}},
	{name: "cache-debconf", target: "/var/cache/debconf", copy: true, optional: true},
	{name: "etc-apt", target: aptConfDir}, // see writeAptConf
	{name: "log", target: "/var/log", subdirs: []string{"apt"}, files: []string{"wtmp", "btmp", "lastlog"}},
}

// aptHooksCleared is the host's apt.conf.d drop-in.
const aptHooksCleared = `// drover-sshdtest: this apt runs in a test host whose package state is
// private; hooks would run their commands against the real machine.
#clear APT::Update::Pre-Invoke;
#clear APT::Update::Post-Invoke;
#clear APT::Update::Post-Invoke-Success;
#clear DPkg::Pre-Invoke;
#clear DPkg::Pre-Install-Pkgs;
#clear DPkg::Post-Invoke;
`

// setupPackages checks that the machine has what Options.PrivatePackages
// needs.
func (f *Fleet) setupPackages() error {
	if !f.opts.PrivatePackages {
		return nil
	}
	var missing []string
	for _, p := range []string{"/usr/bin/dpkg", "/usr/bin/dpkg-query", "/usr/bin/apt-get", "/var/lib/dpkg/status"} {
		if _, err := os.Stat(p); err != nil {
			missing = append(missing, p+" (PrivatePackages needs dpkg and apt)")
		}
	}
	if _, err := exec.LookPath("cp"); err != nil {
		missing = append(missing, "cp")
	}
	for _, d := range pkgDirs {
		if st, err := os.Stat(d.target); (err != nil || !st.IsDir()) && !d.optional {
			missing = append(missing, d.target+" (a directory)")
		}
	}
	if len(missing) > 0 {
		return &UnavailableError{Missing: missing}
	}
	return nil
}

// writePackageFiles creates host h's private package-manager state and
// returns the binds that put it in place.
func (f *Fleet) writePackageFiles(h *host) ([]bind, error) {
	if !f.opts.PrivatePackages {
		return nil, nil
	}
	root := h.path(pkgStateName)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	var binds []bind
	for _, d := range pkgDirs {
		src := filepath.Join(root, d.name)
		if _, err := os.Stat(d.target); d.optional && errors.Is(err, os.ErrNotExist) {
			continue // nothing to hide
		}
		switch {
		case d.name == "etc-apt":
			if err := writeAptConf(src); err != nil {
				return nil, err
			}
		case d.copy:
			if err := copyTree(d.target, src); err != nil {
				return nil, err
			}
		default:
			if err := os.Mkdir(src, 0o755); err != nil {
				return nil, err
			}
			for _, sub := range d.subdirs {
				if err := os.MkdirAll(filepath.Join(src, sub), 0o755); err != nil {
					return nil, err
				}
			}
			for _, file := range d.files {
				if err := os.WriteFile(filepath.Join(src, file), nil, 0o644); err != nil {
					return nil, err
				}
			}
		}
		binds = append(binds, bind{src, d.target})
	}
	return binds, nil
}

// writeAptConf makes dst a private /etc/apt: the real one's configuration
// and keys, without its sources (an empty sources.list and sources.list.d)
// or credentials (an empty auth.conf.d), and with the hooks cleared.
func writeAptConf(dst string) error {
	if err := os.Mkdir(dst, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(aptConfDir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		switch e.Name() {
		case "sources.list", "sources.list.d", "auth.conf", "auth.conf.d":
			continue
		}
		if err := copyTree(filepath.Join(aptConfDir, e.Name()), filepath.Join(dst, e.Name())); err != nil {
			return err
		}
	}
	for _, d := range []string{"sources.list.d", "auth.conf.d", "apt.conf.d"} {
		if err := os.MkdirAll(filepath.Join(dst, d), 0o755); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(dst, "sources.list"), nil, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dst, "apt.conf.d", aptDropIn), []byte(aptHooksCleared), 0o644)
}

// copyTree copies src to dst (which must not exist) as `cp -a` does:
// modes, owners, times and symbolic links preserved.
func copyTree(src, dst string) error {
	out, err := exec.Command("cp", "-a", "--", src, dst).CombinedOutput()
	if err != nil {
		return fmt.Errorf("cp -a %s: %w: %s", src, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// SetAptSources replaces host name's /etc/apt/sources.list (one-line-style
// entries such as "deb [trusted=yes] file:/srv/repo ./") with lines; it
// takes effect at the host's next apt-get update. It needs
// Options.PrivatePackages.
func (f *Fleet) SetAptSources(name, lines string) error {
	h, err := f.host(name)
	if err != nil {
		return err
	}
	if !f.opts.PrivatePackages {
		return errors.New("sshdtest: SetAptSources needs Options.PrivatePackages")
	}
	if lines != "" && !strings.HasSuffix(lines, "\n") {
		lines += "\n"
	}
	p := filepath.Join(h.path(pkgStateName), "etc-apt", "sources.list")
	if err := os.WriteFile(p, []byte(lines), 0o644); err != nil {
		return fmt.Errorf("sshdtest: %w", err)
	}
	return nil
}

// DpkgDir is host name's private /var/lib/dpkg as seen from outside (its
// status file is the host's package database); "" without
// Options.PrivatePackages or for an unknown host.
func (f *Fleet) DpkgDir(name string) string {
	h := f.byName[name]
	if h == nil || !f.opts.PrivatePackages {
		return ""
	}
	return filepath.Join(h.path(pkgStateName), "dpkg")
}
