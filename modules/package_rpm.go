package modules

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// dnf and yum (yum is dnf's command line on EL8 and later, and both take
// the same options): packages present, latest or absent with Ansible's
// options. Installed versions come from rpm -q; the change is one
// dnf/yum run; changed compares the named packages' versions before and
// after (the whole installed set for upgrade-all and autoremove).

// rpmOpts are a task's dnf/yum options for verb: the repository and GPG
// options and exclude for every command (as Ansible's yum puts them in
// its base command and its dnf in the configuration); skip_broken for the
// commands that install; security and bugfix for the ones that upgrade
// (they filter updates only); and, for remove without autoremove, not
// removing the dependencies no longer needed: Ansible's dnf sets
// clean_requirements_on_remove to autoremove, while dnf's own default
// is true.
func rpmOpts(args map[string]any, verb string) string {
	opt := repoOpts(args)
	for _, x := range argList(args, "exclude") {
		opt += " --exclude=" + ShellQuote(x)
	}
	switch verb {
	case "install", "upgrade", "downgrade":
		if argBool(args, "skip_broken", false) {
			opt += " --skip-broken"
		}
	}
	switch verb {
	case "upgrade", "check-update":
		if argBool(args, "security", false) {
			opt += " --security"
		}
		if argBool(args, "bugfix", false) {
			opt += " --bugfix"
		}
	}
	if verb == "remove" && !argBool(args, "autoremove", false) {
		opt += " --setopt=clean_requirements_on_remove=0"
	}
	return opt
}

// rpmCmd is `MGR VERB -y -q OPTIONS PACKAGES`.
func rpmCmd(mgr, verb string, pkgs []string, args map[string]any) pkgCmd {
	sh := fmt.Sprintf("%s %s -y -q%s", mgr, verb, rpmOpts(args, verb))
	if len(pkgs) > 0 {
		sh += " " + QuoteArgv(pkgs)
	}
	return pkgCmd{sh, mgr + " " + verb}
}

// rpmCheckUpdate prints pendingMarker when check-update finds updates for
// pkgs (all installed packages when none): it exits 100 then, 0 when there
// are none, 1 on an error.
func rpmCheckUpdate(mgr string, pkgs []string, args map[string]any) pkgCmd {
	sh := fmt.Sprintf("%s -q check-update%s", mgr, rpmOpts(args, "check-update"))
	if len(pkgs) > 0 {
		sh += " " + QuoteArgv(pkgs)
	}
	return pkgCmd{sh + "; rc=$?; [ $rc -eq 100 ] && echo " + pendingMarker + "; [ $rc -ne 1 ]", mgr + " check-update"}
}

// rpmRemoveSummary is the transaction summary of a dnf/yum run that
// removes packages: "Remove  2 Packages" (yum, dnf 4), "Removing: 2
// packages" (dnf 5).
const rpmRemoveSummary = `^(Remove +[0-9]+ Packages?|[[:space:]]*Removing:[[:space:]]+[0-9]+ packages?)`

// rpmAutoremove removes the packages installed as dependencies that
// nothing needs any more; simulated with --assumeno in check mode.
func rpmAutoremove(mgr string, check bool, args map[string]any) pkgCmd {
	if !check {
		return rpmCmd(mgr, "autoremove", nil, args)
	}
	sh := fmt.Sprintf(`o=$(LC_ALL=C %s autoremove --assumeno%s 2>&1); rc=$?; printf '%%s\n' "$o"
if printf '%%s\n' "$o" | grep -Eq '%s'; then echo %s; elif [ $rc -ne 0 ]; then printf '%%s\n' "$o" >&2; exit $rc; fi`,
		mgr, rpmOpts(args, "autoremove"), rpmRemoveSummary, pendingMarker)
	return pkgCmd{sh, mgr + " autoremove"}
}

func rpmRun(ctx context.Context, env *Env, mgr string, names []string, state string, stateGiven, update bool, args map[string]any) Result {
	autoremove := argBool(args, "autoremove", false)
	if autoremove {
		// As Ansible: autoremove alone (or with state absent) removes, and
		// refuses any other state.
		if !stateGiven {
			state = "absent"
		} else if state != "absent" {
			return Fail("autoremove should be used alone or with state: absent")
		}
	}
	updateOnly := argBool(args, "update_only", false)
	upgrading := state == "latest" || (updateOnly && state == "present")
	if len(names) == 1 && names[0] == "*" && upgrading {
		// Every installed package (security/bugfix: only such updates).
		cmd := rpmCmd(mgr, "upgrade", nil, args)
		if env.Check {
			cmd = rpmCheckUpdate(mgr, nil, args)
		}
		return pkgSession(ctx, env, mgr, []pkgCmd{cmd}, update, args)
	}
	if autoremove && len(names) == 0 {
		return pkgSession(ctx, env, mgr, []pkgCmd{rpmAutoremove(mgr, env.Check, args)}, update, args)
	}

	// One session: refresh the cache when asked, then query.
	pre := ""
	if update && !env.Check {
		pre = cacheRefresh(mgr, args)
	}
	if len(names) == 0 && pre == "" {
		return Result{"changed": false, "failed": false, "msg": "Nothing to do"}
	}
	res, fr := runScript(ctx, env, pre+pkgQuery(mgr, names)+rpmEVRQuery(names), "could not query packages")
	if fr != nil {
		return fr
	}
	before := parseQuery(res.Stdout)
	installedEVR := parseEVRs(res.Stdout)
	allowDowngrade := argBool(args, "allow_downgrade", false)
	var install, downgrade, upgrade, remove, notes []string
	for _, n := range names {
		_, inst := before[n]
		switch {
		case state == "absent":
			if inst {
				remove = append(remove, n)
			}
		case inst:
			if upgrading {
				upgrade = append(upgrade, n)
			}
		case updateOnly:
			notes = append(notes, n+" not installed (update_only)")
		case newerInstalled(n, installedEVR):
			// A version older than the installed one: Ansible installs
			// it only with allow_downgrade.
			if allowDowngrade {
				downgrade = append(downgrade, n)
			} else {
				notes = append(notes, "a newer version than "+n+" is installed (allow_downgrade: no)")
			}
		default:
			install = append(install, n)
		}
	}
	if autoremove {
		// state absent: the named packages, then every dependency
		// nothing needs any more.
		var cmds []pkgCmd
		if len(remove) > 0 {
			cmds = append(cmds, rpmCmd(mgr, "remove", remove, args))
			if env.Check {
				cmds[0] = pkgCmd{"echo " + pendingMarker, mgr + " remove"}
			}
		}
		cmds = append(cmds, rpmAutoremove(mgr, env.Check, args))
		return pkgSession(ctx, env, mgr, cmds, false, args)
	}
	out := Result{"changed": false, "failed": false}
	if len(install)+len(downgrade)+len(upgrade)+len(remove) == 0 {
		out["msg"] = "Nothing to do"
		if len(names) == 0 && update {
			out["msg"] = "Cache updated"
		}
		if len(notes) > 0 {
			out["msg"] = "Nothing to do: " + strings.Join(notes, "; ")
		}
		return out
	}
	var cmds []pkgCmd
	if len(downgrade) > 0 {
		cmds = append(cmds, rpmCmd(mgr, "downgrade", downgrade, args))
	}
	if len(install) > 0 {
		cmds = append(cmds, rpmCmd(mgr, "install", install, args))
	}
	if len(upgrade) > 0 {
		cmds = append(cmds, rpmCmd(mgr, "upgrade", upgrade, args))
	}
	if len(remove) > 0 {
		cmds = append(cmds, rpmCmd(mgr, "remove", remove, args))
	}
	if env.Check {
		changed := len(install)+len(downgrade)+len(remove) > 0
		if !changed {
			// Only upgrades: ask the manager whether there are any.
			r, fr := runScript(ctx, env, rpmCheckUpdate(mgr, upgrade, args).sh, mgr+" check-update failed")
			if fr != nil {
				return fr
			}
			changed = strings.Contains(string(r.Stdout), pendingMarker)
		}
		out["changed"] = changed
		var would []string
		for _, c := range cmds {
			would = append(would, c.what)
		}
		out["msg"] = "would run " + strings.Join(would, " && ")
		if !changed {
			out["msg"] = "Nothing to do"
		}
		return out
	}
	var sb strings.Builder
	var what []string
	for i, c := range cmds {
		if i > 0 {
			sb.WriteString(" && ")
		}
		sb.WriteString(c.sh)
		what = append(what, c.what)
	}
	_, query, fr := runThenQuery(ctx, env, mgr, sb.String(), strings.Join(what, " && "), names, out)
	if fr != nil {
		return fr
	}
	after := parseQuery(query)
	var changedPkgs []string
	for _, n := range names {
		if before[n] != after[n] {
			changedPkgs = append(changedPkgs, n)
		}
	}
	sort.Strings(changedPkgs)
	out["changed"] = len(changedPkgs) > 0
	switch {
	case len(changedPkgs) == 0:
		out["msg"] = "Nothing to do: " + strings.Join(names, ", ") + " already at the latest version"
		if len(notes) > 0 {
			out["msg"] = out.Msg() + "; " + strings.Join(notes, "; ")
		}
	case state == "absent":
		out["msg"] = "Removed: " + strings.Join(changedPkgs, ", ")
	default:
		out["msg"] = "Installed: " + strings.Join(changedPkgs, ", ")
	}
	out["results"] = changedPkgs
	return out
}

// rpmArches are the architectures a package spec may end with (".x86_64"),
// Ansible's dnf list.
var rpmArches = map[string]bool{}

func init() {
	for _, a := range strings.Fields(`aarch64 alphaev56 alphaev5 alphaev67 alphaev6 alpha alphapca56 amd64 armv3l
		armv4b armv4l armv5tejl armv5tel armv5tl armv6hl armv6l armv7hl armv7hnl armv7l athlon geode i386 i486 i586
		i686 ia32e ia64 m68k mips64el mips64 mips64r6el mips64r6 mipsel mips mipsr6el mipsr6 noarch pentium3 pentium4
		ppc32dy4 ppc64iseries ppc64le ppc64 ppc64p7 ppc64pseries ppc8260 ppc8560 ppciseries ppc ppcpseries riscv64
		s390 s390x sh3 sh4a sh4 sh sparc64 sparc64v sparc sparcv8 sparcv9 sparcv9v x86_64`) {
		rpmArches[a] = true
	}
}

// rpmNEVR is Ansible's dnf pattern for a spec giving name, [epoch:]version
// and release.
var rpmNEVR = regexp.MustCompile(`^(\S+)-(?:(\d*):)?(.*)-(~?\w+[\w.+]*)`)

// evr is an epoch, version and release.
type evr struct{ epoch, version, release string }

// parseNEVR splits a spec such as "nginx-1:1.20.1-14.el9.x86_64" into its
// name and EVR, as Ansible's dnf does; ok is false for a spec without a
// version and release (a bare name, "nginx-1.20").
func parseNEVR(spec string) (name string, v evr, ok bool) {
	spec = strings.TrimSuffix(spec, ".rpm")
	if i := strings.LastIndex(spec, "."); i > 0 && rpmArches[spec[i+1:]] {
		spec = spec[:i]
	}
	m := rpmNEVR.FindStringSubmatch(spec)
	if m == nil {
		return "", evr{}, false
	}
	name, v = m[1], evr{m[2], m[3], m[4]}
	if major, _, _ := strings.Cut(v.version, "."); major == "" || strings.Trim(major, "0123456789") != "" {
		return "", evr{}, false
	}
	if v.epoch == "" {
		v.epoch = "0"
	}
	if e, n, found := strings.Cut(name, ":"); found {
		v.epoch, name = e, strings.ReplaceAll(n, ":", "")
	}
	return name, v, true
}

// rpmEVRQuery prints "e NAME EPOCH:VERSION-RELEASE" for each installed
// package named by a spec with a version and release (one line per
// installed version).
func rpmEVRQuery(specs []string) string {
	var sb strings.Builder
	seen := map[string]bool{}
	for _, s := range specs {
		n, _, ok := parseNEVR(s)
		if !ok || seen[n] {
			continue
		}
		seen[n] = true
		q := ShellQuote(n)
		fmt.Fprintf(&sb, "v=$(rpm -q --qf '%%{EPOCH}:%%{VERSION}-%%{RELEASE}\\n' %s 2>/dev/null) && printf '%%s\\n' \"$v\" | while read -r l; do echo \"e %s $l\"; done\n:\n", q, q)
	}
	return sb.String()
}

// parseEVRs reads rpmEVRQuery's lines: name → installed versions.
func parseEVRs(out []byte) map[string][]evr {
	m := map[string][]evr{}
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		if len(f) != 3 || f[0] != "e" {
			continue
		}
		e, vr, found := strings.Cut(f[2], ":")
		if !found {
			e, vr = "0", f[2]
		}
		if _, err := strconv.Atoi(e); err != nil {
			e = "0" // (none)
		}
		i := strings.LastIndex(vr, "-")
		if i < 0 {
			continue
		}
		m[f[1]] = append(m[f[1]], evr{e, vr[:i], vr[i+1:]})
	}
	return m
}

// newerInstalled reports whether spec gives a version and release older
// than an installed version of its package.
func newerInstalled(spec string, installed map[string][]evr) bool {
	n, want, ok := parseNEVR(spec)
	if !ok {
		return false
	}
	for _, have := range installed[n] {
		if evrCompare(have, want) > 0 {
			return true
		}
	}
	return false
}

// evrCompare compares as rpm's labelCompare: epoch (a number), then
// version, then release with rpmvercmp.
func evrCompare(a, b evr) int {
	ea, _ := strconv.Atoi(a.epoch)
	eb, _ := strconv.Atoi(b.epoch)
	switch {
	case ea > eb:
		return 1
	case ea < eb:
		return -1
	}
	if c := rpmvercmp(a.version, b.version); c != 0 {
		return c
	}
	return rpmvercmp(a.release, b.release)
}

// rpmvercmp is rpm's version comparison (rpmio/rpmvercmp.c): alternating
// numeric and alphabetic segments, numbers compared as numbers and newer
// than letters; "~" sorts before anything, even the end; "^" after the
// end but before anything else.
func rpmvercmp(a, b string) int {
	if a == b {
		return 0
	}
	isAlnum := func(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	for len(a) > 0 || len(b) > 0 {
		for len(a) > 0 && !isAlnum(a[0]) && a[0] != '~' && a[0] != '^' {
			a = a[1:]
		}
		for len(b) > 0 && !isAlnum(b[0]) && b[0] != '~' && b[0] != '^' {
			b = b[1:]
		}
		if strings.HasPrefix(a, "~") || strings.HasPrefix(b, "~") {
			if !strings.HasPrefix(a, "~") {
				return 1
			}
			if !strings.HasPrefix(b, "~") {
				return -1
			}
			a, b = a[1:], b[1:]
			continue
		}
		if strings.HasPrefix(a, "^") || strings.HasPrefix(b, "^") {
			switch {
			case a == "":
				return -1
			case b == "":
				return 1
			case a[0] != '^':
				return 1
			case b[0] != '^':
				return -1
			}
			a, b = a[1:], b[1:]
			continue
		}
		if a == "" || b == "" {
			break
		}
		seg := func(s string, num bool) (string, string) {
			i := 0
			for i < len(s) && (num && isDigit(s[i]) || !num && !isDigit(s[i]) && isAlnum(s[i])) {
				i++
			}
			return s[:i], s[i:]
		}
		num := isDigit(a[0])
		sa, ra := seg(a, num)
		sb, rb := seg(b, num)
		if sb == "" {
			// Different kinds: a number is newer than letters.
			if num {
				return 1
			}
			return -1
		}
		if num {
			sa, sb = strings.TrimLeft(sa, "0"), strings.TrimLeft(sb, "0")
			if len(sa) != len(sb) {
				if len(sa) > len(sb) {
					return 1
				}
				return -1
			}
		}
		if c := strings.Compare(sa, sb); c != 0 {
			return c
		}
		a, b = ra, rb
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
