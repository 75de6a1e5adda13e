package modules

import (
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
