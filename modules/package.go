package modules

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

func init() {
	Register(packageModule{mgr: "auto"}, "ansible.builtin.package", "ansible.legacy.package")
	Register(packageModule{mgr: "apt"}, "ansible.builtin.apt", "ansible.legacy.apt")
	Register(packageModule{mgr: "dnf"}, "ansible.builtin.dnf", "ansible.legacy.dnf")
	Register(packageModule{mgr: "yum"}, "ansible.builtin.yum", "ansible.legacy.yum")
}

// packageModule is Ansible's package, apt, dnf and yum: packages present,
// latest or absent. Installed versions come from dpkg-query or rpm in one
// session; the change is one apt-get/dnf/yum run; latest compares the
// versions before and after.
type packageModule struct{ mgr string } // auto, apt, dnf, yum

func (m packageModule) Name() string {
	if m.mgr == "auto" {
		return "package"
	}
	return m.mgr
}

func (m packageModule) Schema() Schema {
	a := map[string]Arg{
		"name":  {Type: TypeList, Aliases: []string{"pkg", "package"}},
		"state": {Type: TypeString, Default: "present", Choices: []string{"present", "installed", "latest", "absent", "removed"}},
	}
	u := map[string]string{}
	switch m.mgr {
	case "auto":
		a["use"] = Arg{Type: TypeString, Default: "auto", Choices: []string{"auto", "apt", "dnf", "yum"}}
	case "apt":
		a["update_cache"] = Arg{Type: TypeBool, Default: false, Aliases: []string{"update-cache"}}
		a["cache_valid_time"] = Arg{Type: TypeInt, Default: 0}
		a["purge"] = Arg{Type: TypeBool, Default: false}
		a["install_recommends"] = Arg{Type: TypeBool, Aliases: []string{"install-recommends"}}
		a["upgrade"] = Arg{Type: TypeString, Default: "no", Choices: []string{"no", "yes", "safe", "full", "dist", "true", "false"}}
		a["autoremove"] = Arg{Type: TypeBool, Default: false}
		// drover always uses apt-get, as force_apt_get: yes asks.
		a["force_apt_get"] = Arg{Type: TypeBool, Default: false}
		for _, k := range []string{"deb", "autoclean", "default_release", "force", "allow_unauthenticated",
			"allow_downgrade", "dpkg_options", "only_upgrade", "policy_rc_d", "fail_on_autoremove", "lock_timeout", "clean"} {
			u[k] = "not supported by drover's apt"
		}
	default:
		a["update_cache"] = Arg{Type: TypeBool, Default: false, Aliases: []string{"expire-cache"}}
		a["disable_gpg_check"] = Arg{Type: TypeBool, Default: false}
		a["enablerepo"] = Arg{Type: TypeList}
		a["disablerepo"] = Arg{Type: TypeList}
		for _, k := range []string{"list", "exclude", "conf_file", "installroot", "releasever", "security", "bugfix",
			"autoremove", "download_only", "allow_downgrade", "lock_timeout", "install_weak_deps", "skip_broken", "nobest", "cacheonly"} {
			u[k] = "not supported by drover's " + m.mgr
		}
	}
	s := Schema{Args: a, Unsupported: u}
	if m.mgr == "auto" {
		s.RequiredOneOf = [][]string{{"name"}}
		s.Args["name"] = Arg{Type: TypeList, Required: true}
	} else {
		s.RequiredOneOf = [][]string{{"name", "update_cache"}}
		if m.mgr == "apt" {
			s.RequiredOneOf = [][]string{{"name", "update_cache", "upgrade", "autoremove"}}
		}
	}
	return s
}

// argList reads a list argument: a list, or a comma-separated string.
func argList(args map[string]any, k string) []string {
	var out []string
	switch v := args[k].(type) {
	case []any:
		for _, x := range v {
			out = append(out, argList(map[string]any{"x": x}, "x")...)
		}
	case []string:
		out = append(out, v...)
	case nil:
	default:
		for _, s := range strings.Split(fmt.Sprint(v), ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// pkgBase is the package name without a version pin (apt "name=1.2",
// rpm "name-1.2" is left as is).
func pkgBase(mgr, p string) string {
	if mgr == "apt" {
		p, _, _ = strings.Cut(p, "=")
	}
	return p
}

// pkgQuery prints "q NAME VERSION" for each installed package of names.
func pkgQuery(mgr string, names []string) string {
	var sb strings.Builder
	for _, n := range names {
		q := ShellQuote(pkgBase(mgr, n))
		if mgr == "apt" {
			fmt.Fprintf(&sb, "v=$(dpkg-query -W -f='${Status} ${Version}' %s 2>/dev/null); case \"$v\" in 'install ok installed '*) echo \"q %s ${v##* }\";; esac\n", q, q)
		} else {
			fmt.Fprintf(&sb, "v=$(rpm -q --qf '%%{VERSION}-%%{RELEASE}\\n' %s 2>/dev/null) && echo \"q %s $(echo \"$v\" | tail -n 1)\"\n", q, q)
			sb.WriteString(":\n")
		}
	}
	return sb.String()
}

func parseQuery(out []byte) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		if len(f) == 3 && f[0] == "q" {
			m[f[1]] = f[2]
		}
	}
	return m
}

// aptSummary is apt-get's account of what it did: "N upgraded, N newly
// installed, [N reinstalled, ][N downgraded, ]N to remove and N not
// upgraded."
var aptSummary = regexp.MustCompile(`(?m)^(\d+) upgraded, (\d+) newly installed, (?:(\d+) reinstalled, )?(?:(\d+) downgraded, )?(\d+) to remove and \d+ not upgraded\.`)

// aptDidWork reports whether apt-get's output says it installed,
// upgraded, reinstalled, downgraded or removed a package. apt can do so
// without any version changing: it reinstalls an installed version whose
// fields (Installed-Size, dependencies) differ from the repository's
// package of the same version, which `latest` must report as a change.
func aptDidWork(stdout string) bool {
	for _, m := range aptSummary.FindAllStringSubmatch(stdout, -1) {
		for _, n := range m[1:] {
			if v, _ := strconv.Atoi(n); v > 0 {
				return true
			}
		}
	}
	return false
}

func (m packageModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	names := argList(args, "name")
	if len(names) == 0 {
		names = append(argList(args, "pkg"), argList(args, "package")...)
	}
	state := argString(args, "state")
	switch state {
	case "", "installed":
		state = "present"
	case "removed":
		state = "absent"
	}
	mgr := m.mgr
	if mgr == "auto" && argString(args, "use") != "" && argString(args, "use") != "auto" {
		mgr = argString(args, "use")
	}
	var sb strings.Builder
	switch mgr {
	case "auto":
		sb.WriteString("if command -v apt-get >/dev/null 2>&1; then mgr=apt; elif command -v dnf >/dev/null 2>&1; then mgr=dnf; elif command -v yum >/dev/null 2>&1; then mgr=yum; else echo 'no supported package manager (apt-get, dnf, yum) found' >&2; exit 1; fi\necho mgr=$mgr\n")
	case "yum":
		sb.WriteString("if command -v yum >/dev/null 2>&1; then echo mgr=yum; else echo mgr=dnf; fi\n")
	default:
		fmt.Fprintf(&sb, "echo mgr=%s\n", mgr)
	}
	res, fr := runScript(ctx, env, sb.String(), "could not detect the package manager")
	if fr != nil {
		return fr
	}
	mgr = kvLines(res.Stdout)["mgr"]
	update := argBool(args, "update_cache", false) || argBool(args, "update-cache", false)
	upgrade, err := aptUpgradeMode(args)
	if err != nil {
		return Fail(err.Error())
	}
	autoremove := argBool(args, "autoremove", false)
	if systemWide(mgr, names, state, upgrade, autoremove) {
		if upgrade != "" && mgr != "apt" {
			return Fail(fmt.Sprintf("upgrade is an apt argument; this host's package manager is %s (use name: \"*\" with state: latest)", mgr))
		}
		if upgrade != "" && len(names) > 0 {
			return Fail("upgrade upgrades the whole system; give either upgrade or name, not both")
		}
		return upgradeSystem(ctx, env, mgr, upgrade, names, update, autoremove, args)
	}

	// One session: refresh the cache when asked, then query.
	pre := ""
	if update && !env.Check {
		pre = cacheRefresh(mgr, args)
	}
	res, fr = runScript(ctx, env, pre+pkgQuery(mgr, names), "could not query packages")
	if fr != nil {
		return fr
	}
	before := parseQuery(res.Stdout)
	out := Result{"changed": false, "failed": false}
	if mgr == "apt" && update {
		out["cache_updated"] = strings.Contains(string(res.Stderr), cacheUpdatedMarker)
	}
	var todo []string
	for _, n := range names {
		_, inst := before[pkgBase(mgr, n)]
		if (state == "present" && !inst) || (state == "absent" && inst) || state == "latest" {
			todo = append(todo, n)
		}
	}
	if len(todo) == 0 {
		out["msg"] = "Nothing to do"
		return out
	}
	q := QuoteArgv(todo)
	var cmd string
	switch {
	case mgr == "apt" && state == "absent":
		verb := "remove"
		if argBool(args, "purge", false) {
			verb = "purge"
		}
		if autoremove {
			verb += " --auto-remove"
		}
		cmd = fmt.Sprintf("%s %s %s", aptGet, verb, q)
	case mgr == "apt":
		opt := ""
		if v, ok := args["install_recommends"]; ok && v != nil {
			opt = map[bool]string{true: " --install-recommends", false: " --no-install-recommends"}[argBool(args, "install_recommends", true)]
		}
		if autoremove {
			opt += " --auto-remove"
		}
		cmd = fmt.Sprintf("%s install%s %s", aptGet, opt, q)
	default:
		opt := repoOpts(args)
		switch state {
		case "absent":
			cmd = fmt.Sprintf("%s remove -y -q%s %s", mgr, opt, q)
		case "latest":
			cmd = fmt.Sprintf("%s install -y -q%s %s && %s upgrade -y -q%s %s", mgr, opt, q, mgr, opt, q)
		default:
			cmd = fmt.Sprintf("%s install -y -q%s %s", mgr, opt, q)
		}
	}
	if env.Check {
		if state != "latest" {
			out["changed"] = true
			out["msg"] = fmt.Sprintf("would %s: %s", map[string]string{"present": "install", "absent": "remove"}[state], strings.Join(todo, ", "))
			return out
		}
		// latest: ask the manager what it would do.
		sim := strings.Replace(cmd, aptGet, aptGet+" -s", 1)
		if mgr != "apt" {
			sim = fmt.Sprintf("%s -q check-update %s; [ $? -eq 100 ] && echo 'Inst pending'", mgr, q)
		}
		r, fr := Exec(ctx, env, sim, nil)
		if fr != nil {
			return fr
		}
		missing := false
		for _, n := range todo {
			if _, ok := before[pkgBase(mgr, n)]; !ok {
				missing = true
			}
		}
		out["changed"] = missing || strings.Contains(string(r.Stdout), "Inst ")
		return out
	}
	r, fr := Exec(ctx, env, cmd+"\nrc=$?\necho "+contentMarker+"\n"+pkgQuery(mgr, names)+"exit $rc\n", nil)
	if fr != nil {
		return fr
	}
	stdout, query, _ := strings.Cut(string(r.Stdout), contentMarker+"\n")
	out["stdout"] = stdout
	out["stderr"] = string(r.Stderr)
	out["stdout_lines"] = Lines([]byte(stdout))
	out["stderr_lines"] = Lines(r.Stderr)
	out["rc"] = r.ExitCode
	if r.ExitCode != 0 {
		out["failed"] = true
		out["msg"] = fmt.Sprintf("%s failed: %s", strings.Join(cmdNames(strings.Split(cmd, " && ")), " && "), strings.TrimSpace(string(r.Stderr)))
		return out
	}
	after := parseQuery([]byte(query))
	var changedPkgs []string
	for _, n := range names {
		b := pkgBase(mgr, n)
		if before[b] != after[b] {
			changedPkgs = append(changedPkgs, b)
		}
	}
	sort.Strings(changedPkgs)
	// apt can change the host without changing a version (a reinstall).
	changed := len(changedPkgs) > 0 || (mgr == "apt" && aptDidWork(stdout))
	out["changed"] = changed
	switch {
	case !changed:
		out["msg"] = "Nothing to do: " + strings.Join(names, ", ") + " already at the latest version"
	case len(changedPkgs) == 0:
		out["msg"] = "apt-get: " + aptSummary.FindString(stdout) // e.g. a reinstall
	case state == "absent":
		out["msg"] = "Removed: " + strings.Join(changedPkgs, ", ")
	default:
		out["msg"] = "Installed: " + strings.Join(changedPkgs, ", ")
	}
	out["results"] = changedPkgs
	return out
}
