package modules

import (
	"context"
	"fmt"
	"strings"
)

// Whole-system package operations, the patch step of a reboot night:
//
//   - apt upgrade: yes/safe → `apt-get upgrade --with-new-pkgs` (Ansible's
//     choice when aptitude is absent; drover always uses apt-get);
//     full/dist → `apt-get dist-upgrade` (may remove packages);
//   - name: "*" with state: latest (package, apt, dnf, yum) → every
//     installed package upgraded (`apt-get upgrade --with-new-pkgs`,
//     `dnf|yum upgrade`);
//   - apt autoremove: yes → `apt-get autoremove` after the upgrade, or on
//     its own.
//
// Whether the host changed is decided on the host, not from the package
// manager's (translated) messages: a checksum of every installed package's
// name, version and status before and after, plus apt-get's summary line
// for reinstalls. Check mode simulates (apt-get -s, dnf check-update).

// upgradeModes are apt's upgrade values; "" means no upgrade.
var upgradeModes = map[string]string{
	"no": "", "false": "", "yes": "safe", "true": "safe", "safe": "safe", "full": "dist", "dist": "dist",
}

// aptUpgradeMode reads apt's upgrade argument ("", "safe" or "dist").
func aptUpgradeMode(args map[string]any) (string, error) {
	v, ok := args["upgrade"]
	if !ok || v == nil {
		return "", nil
	}
	s := strings.ToLower(fmt.Sprint(v))
	mode, ok := upgradeModes[s]
	if !ok {
		return "", fmt.Errorf("upgrade: %q is not one of no, yes, safe, full, dist", s)
	}
	return mode, nil
}

// systemWide reports whether the task upgrades or cleans up the whole
// system rather than named packages.
func systemWide(mgr string, names []string, state, upgrade string, autoremove bool) bool {
	all := len(names) == 1 && names[0] == "*" && state == "latest"
	return upgrade != "" || all || (mgr == "apt" && autoremove && len(names) == 0)
}

// aptGet is apt-get as the modules run it: non-interactive, keeping
// changed configuration files (Ansible's default dpkg_options).
const aptGet = "DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"

// installedSum writes "sum=CHECKSUM" of the installed packages' names,
// versions and states to stderr.
func installedSum(mgr string) string {
	if mgr == "apt" {
		return "echo \"sum=$(dpkg-query -W -f='${Package} ${Version} ${Status}\\n' | cksum)\" >&2\n"
	}
	return "echo \"sum=$(rpm -qa --qf '%{NAME}-%{EPOCH}:%{VERSION}-%{RELEASE}.%{ARCH}\\n' | sort | cksum)\" >&2\n"
}

// upgradeSystem runs a system-wide upgrade and/or autoremove in one
// session: cache refresh (when asked), checksum, the commands, checksum.
func upgradeSystem(ctx context.Context, env *Env, mgr, upgrade string, names []string, update, autoremove bool, args map[string]any) Result {
	var cmds []string
	switch {
	case mgr == "apt":
		base := aptGet
		if env.Check {
			base += " -s"
		}
		switch {
		case upgrade == "dist":
			cmds = append(cmds, base+" dist-upgrade")
		case upgrade == "safe" || len(names) > 0:
			cmds = append(cmds, base+" upgrade --with-new-pkgs")
		}
		if autoremove {
			verb := " autoremove"
			if argBool(args, "purge", false) {
				verb += " --purge"
			}
			cmds = append(cmds, base+verb)
		}
	case env.Check:
		// dnf/yum check-update exits 100 when updates are available.
		cmds = append(cmds, mgr+" -q check-update"+repoOpts(args)+"; rc=$?; [ $rc -eq 100 ] && echo 'updates=pending'; [ $rc -ne 1 ]")
	default:
		cmds = append(cmds, mgr+" upgrade -y -q"+repoOpts(args))
	}
	var sb strings.Builder
	if update && !env.Check {
		sb.WriteString(cacheRefresh(mgr, args))
	}
	sum := installedSum(mgr)
	sb.WriteString(sum)
	for _, c := range cmds {
		sb.WriteString(c + " || exit $?\n")
	}
	sb.WriteString(sum)
	r, fr := Exec(ctx, env, sb.String(), nil)
	if fr != nil {
		return fr
	}
	stdout := string(r.Stdout)
	var sums []string
	var stderr []string
	refreshed := false
	for _, l := range strings.Split(string(r.Stderr), "\n") {
		if s, ok := strings.CutPrefix(l, "sum="); ok {
			sums = append(sums, s)
		} else if l == cacheUpdatedMarker {
			refreshed = true
		} else if l != "" {
			stderr = append(stderr, l)
		}
	}
	out := Result{"changed": false, "failed": false, "stdout": stdout, "stdout_lines": Lines(r.Stdout),
		"stderr": strings.Join(stderr, "\n"), "stderr_lines": stderr, "rc": r.ExitCode}
	if mgr == "apt" && update {
		out["cache_updated"] = refreshed
	}
	what := strings.Join(cmdNames(cmds), " && ")
	if r.ExitCode != 0 {
		out["failed"] = true
		msg := strings.TrimSpace(strings.Join(stderr, "\n"))
		if msg == "" {
			msg = fmt.Sprintf("exit status %d", r.ExitCode)
		}
		out["msg"] = fmt.Sprintf("%s failed: %s", what, msg)
		return out
	}
	changed := len(sums) == 2 && sums[0] != sums[1]
	if mgr == "apt" && aptDidWork(stdout) {
		changed = true // a reinstall, or what a simulation would do
	}
	if env.Check && mgr != "apt" {
		changed = strings.Contains(stdout, "updates=pending")
	}
	out["changed"] = changed
	if s := aptSummaries(stdout); s != "" {
		out["msg"] = what + ": " + s
	} else if changed {
		out["msg"] = what + ": packages changed"
	} else {
		out["msg"] = what + ": nothing to do"
	}
	return out
}

// cacheUpdatedMarker is the stderr line cacheRefresh writes when it
// refreshed the cache.
const cacheUpdatedMarker = "__drover_cache_updated__"

// cacheRefresh is the sh that refreshes the package cache (update_cache),
// its output on stderr, then cacheUpdatedMarker. For apt with
// cache_valid_time, only when the cache is older than that many seconds:
// the mtime of /var/lib/apt/periodic/update-success-stamp, else of
// /var/lib/apt/lists, as Ansible reads it.
func cacheRefresh(mgr string, args map[string]any) string {
	if mgr != "apt" {
		return mgr + " -q -y makecache" + repoOpts(args) + " >&2 || exit 1\necho " + cacheUpdatedMarker + " >&2\n"
	}
	update := "DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 || exit 1; echo " + cacheUpdatedMarker + " >&2"
	valid, _ := argSeconds(args, "cache_valid_time", 0) // an int, checked at compile time
	if valid <= 0 {
		return update + "\n"
	}
	return fmt.Sprintf(`s=/var/lib/apt/periodic/update-success-stamp; [ -e "$s" ] || s=/var/lib/apt/lists
if t=$(stat -c %%Y "$s" 2>/dev/null) && [ $(( $(date +%%s) - t )) -lt %d ]; then :; else %s; fi
`, valid, update)
}

// repoOpts are dnf/yum's repository and GPG options.
func repoOpts(args map[string]any) string {
	opt := ""
	if argBool(args, "disable_gpg_check", false) {
		opt += " --nogpgcheck"
	}
	for _, r := range argList(args, "enablerepo") {
		opt += " --enablerepo=" + ShellQuote(r)
	}
	for _, r := range argList(args, "disablerepo") {
		opt += " --disablerepo=" + ShellQuote(r)
	}
	return opt
}

// cmdNames are the commands' short names for messages ("apt-get
// dist-upgrade", "dnf upgrade").
func cmdNames(cmds []string) []string {
	var out []string
	for _, c := range cmds {
		f := strings.Fields(c)
		var prog, verb string
		for _, w := range f {
			switch {
			case strings.Contains(w, "="), strings.HasPrefix(w, "-"):
			case prog == "":
				prog = w
			case verb == "":
				verb = w
			}
		}
		out = append(out, strings.TrimSuffix(prog+" "+verb, ";"))
	}
	return out
}

// aptSummaries joins apt-get's summary lines.
func aptSummaries(stdout string) string {
	return strings.Join(aptSummary.FindAllString(stdout, -1), " ")
}
