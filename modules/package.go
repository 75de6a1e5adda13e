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
		a["autoclean"] = Arg{Type: TypeBool, Default: false}
		// drover always uses apt-get, as force_apt_get: yes asks.
		a["force_apt_get"] = Arg{Type: TypeBool, Default: false}
		a["default_release"] = Arg{Type: TypeString, Aliases: []string{"default-release"}}
		a["deb"] = Arg{Type: TypeString}
		a["allow_downgrade"] = Arg{Type: TypeBool, Default: false, Aliases: []string{"allow-downgrade", "allow_downgrades", "allow-downgrades"}}
		for _, k := range []string{"force", "allow_unauthenticated",
			"dpkg_options", "only_upgrade", "policy_rc_d", "fail_on_autoremove", "lock_timeout", "clean"} {
			u[k] = "not supported by drover's apt"
		}
	default:
		a["update_cache"] = Arg{Type: TypeBool, Default: false, Aliases: []string{"expire-cache"}}
		a["disable_gpg_check"] = Arg{Type: TypeBool, Default: false}
		a["enablerepo"] = Arg{Type: TypeList}
		a["disablerepo"] = Arg{Type: TypeList}
		a["exclude"] = Arg{Type: TypeList}
		a["security"] = Arg{Type: TypeBool, Default: false}
		a["bugfix"] = Arg{Type: TypeBool, Default: false}
		a["autoremove"] = Arg{Type: TypeBool, Default: false}
		a["allow_downgrade"] = Arg{Type: TypeBool, Default: false}
		a["skip_broken"] = Arg{Type: TypeBool, Default: false}
		a["update_only"] = Arg{Type: TypeBool, Default: false}
		for _, k := range []string{"list", "conf_file", "installroot", "releasever", "download_only", "lock_timeout",
			"install_weak_deps", "nobest", "cacheonly"} {
			u[k] = "not supported by drover's " + m.mgr
		}
	}
	if m.mgr == "auto" {
		// package passes the backend's arguments through, as Ansible's
		// does (default_release, security, ...): any apt or dnf argument
		// is accepted here and checked against the host's manager when
		// the task runs.
		for _, b := range []packageModule{{mgr: "apt"}, {mgr: "dnf"}} {
			bs := b.Schema()
			for k, v := range bs.Args {
				if _, ok := a[k]; !ok {
					v.Required = false
					a[k] = v
				}
			}
			for k, why := range bs.Unsupported {
				if _, ok := a[k]; !ok {
					u[k] = why
				}
			}
		}
	}
	s := Schema{Args: a, Unsupported: u}
	switch m.mgr {
	case "auto":
		s.RequiredOneOf = [][]string{{"name"}}
		s.Args["name"] = Arg{Type: TypeList, Required: true}
	case "apt":
		// Ansible's required_one_of (autoremove, deb, package,
		// update_cache, upgrade) is checked after the defaults are filled
		// in, and autoremove and upgrade have defaults: it never fails,
		// any apt task is valid. Its mutually_exclusive (deb, package,
		// upgrade) is checked before: name with any upgrade is refused.
		s.MutuallyExclusive = [][]string{{"deb", "name", "upgrade"}}
	default:
		// The same for dnf and yum: name and update_cache have defaults,
		// so required_one_of (name, list, update_cache) never fails.
	}
	return s
}

// runThenQuery runs script, then queries the named packages in the same
// session (the state after). out gets the command's output; a failure
// (what: the command's name) is returned in fr, out marked failed.
func runThenQuery(ctx context.Context, env *Env, mgr, script, what string, names []string, out Result) (stdout string, query []byte, fr Result) {
	r, fr := Exec(ctx, env, script+"\nrc=$?\necho "+contentMarker+"\n"+pkgQuery(mgr, names)+"exit $rc\n", nil)
	if fr != nil {
		return "", nil, fr
	}
	stdout, q, _ := strings.Cut(string(r.Stdout), contentMarker+"\n")
	setOutput(out, stdout, r)
	if r.ExitCode != 0 {
		out["failed"] = true
		out["msg"] = fmt.Sprintf("%s failed: %s", what, strings.TrimSpace(string(r.Stderr)))
		return stdout, nil, out
	}
	return stdout, []byte(q), nil
}

// backendArgs checks package's arguments against the host's manager:
// one only the other manager has fails the task, naming both.
func backendArgs(mgr string, args map[string]any) Result {
	backend := packageModule{mgr: mgr}.Schema()
	known := map[string]bool{"name": true, "pkg": true, "package": true, "state": true, "use": true}
	for k, a := range backend.Args {
		known[k] = true
		for _, al := range a.Aliases {
			known[al] = true
		}
	}
	var bad []string
	for k := range args {
		if !known[k] && !strings.HasPrefix(k, "_") {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	what := "is not an argument"
	if len(bad) > 1 {
		what = "are not arguments"
	}
	return Fail(fmt.Sprintf("package: %s %s of %s, this host's package manager", strings.Join(bad, ", "), what, mgr))
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
			// "hold ok installed" is installed too; "deinstall ok
			// config-files": removed, its configuration files left.
			fmt.Fprintf(&sb, "v=$(dpkg-query -W -f='${Status} ${Version}' %s 2>/dev/null); case \"$v\" in *' ok installed '*) echo \"q %s ${v##* }\";; *' ok config-files'*) echo \"c %s\";; esac\n", q, q, q)
		} else {
			fmt.Fprintf(&sb, "v=$(rpm -q --qf '%%{VERSION}-%%{RELEASE}\\n' %s 2>/dev/null) && echo \"q %s $(echo \"$v\" | tail -n 1)\"\n", q, q)
			sb.WriteString(":\n")
		}
	}
	return sb.String()
}

// parseConfigOnly reads the "c NAME" lines of pkgQuery: apt packages
// removed but not purged.
func parseConfigOnly(out []byte) map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(string(out), "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "c" {
			m[f[1]] = true
		}
	}
	return m
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
	stateGiven := state != ""
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
	if m.mgr == "auto" {
		if fr := backendArgs(mgr, args); fr != nil {
			return fr
		}
	}
	update := argBool(args, "update_cache", false) || argBool(args, "update-cache", false) || argBool(args, "expire-cache", false)
	upgrade, err := aptUpgradeMode(args)
	if err != nil {
		return Fail(err.Error())
	}
	if upgrade != "" && mgr != "apt" {
		return Fail(fmt.Sprintf("upgrade is an apt argument; this host's package manager is %s (use name: \"*\" with state: latest)", mgr))
	}
	if mgr != "apt" {
		return rpmRun(ctx, env, mgr, names, state, stateGiven, update, args)
	}
	if deb := argString(args, "deb"); deb != "" {
		if len(names) > 0 || upgrade != "" {
			return Fail("parameters are mutually exclusive: deb|package|upgrade")
		}
		return aptDeb(ctx, env, deb, update, args)
	}
	// Ansible refreshes the cache when cache_valid_time is set, even
	// without update_cache.
	if valid, _ := argSeconds(args, "cache_valid_time", 0); valid > 0 {
		update = true
	}
	autoremove := argBool(args, "autoremove", false)
	autoclean := argBool(args, "autoclean", false)
	all := len(names) == 1 && names[0] == "*" && state == "latest"
	if upgrade != "" || all || (len(names) == 0 && (autoremove || autoclean)) {
		if upgrade != "" && len(names) > 0 {
			return Fail("upgrade upgrades the whole system; give either upgrade or name, not both")
		}
		return aptSystem(ctx, env, upgrade, all, update, autoremove, autoclean, args)
	}
	if len(names) == 0 && update {
		return aptCacheOnly(ctx, env, args)
	}
	out := aptNamed(ctx, env, names, state, update, autoremove, args)
	if autoclean && !out.Failed() && !out.Unreachable() {
		// Ansible 2.14 skips autoclean when the task names packages
		// (ansible#38791); drover does what the task asks, afterwards.
		return mergeResults(out, pkgSession(ctx, env, "apt", []pkgCmd{aptAutoclean(env)}, false, args))
	}
	return out
}

// aptNamed installs, upgrades or removes the named packages with apt-get.
func aptNamed(ctx context.Context, env *Env, names []string, state string, update, autoremove bool, args map[string]any) Result {
	const mgr = "apt"
	purge := argBool(args, "purge", false)
	// One session: refresh the cache when asked, then query.
	pre := ""
	if update && !env.Check {
		pre = cacheRefresh(mgr, args)
	}
	if len(names) == 0 && pre == "" {
		return Result{"changed": false, "failed": false, "msg": "Nothing to do"}
	}
	res, fr := runScript(ctx, env, pre+pkgQuery(mgr, names), "could not query packages")
	if fr != nil {
		return fr
	}
	before := parseQuery(res.Stdout)
	// Packages removed but not purged: only their configuration files
	// are left, which purge removes (as Ansible's has_files).
	confOnly := parseConfigOnly(res.Stdout)
	out := Result{"changed": false, "failed": false}
	if update {
		out["cache_updated"] = strings.Contains(string(res.Stderr), cacheUpdatedMarker)
	}
	var todo []string
	for _, n := range names {
		_, inst := before[pkgBase(mgr, n)]
		if (state == "present" && !inst) || (state == "absent" && (inst || (purge && confOnly[pkgBase(mgr, n)]))) || state == "latest" {
			todo = append(todo, n)
		}
	}
	if len(todo) == 0 {
		out["msg"] = "Nothing to do"
		return out
	}
	q := QuoteArgv(todo)
	var cmd string
	if state == "absent" {
		verb := "remove"
		if purge {
			verb = "purge"
		}
		if autoremove {
			verb += " --auto-remove"
		}
		cmd = fmt.Sprintf("%s %s %s", aptGet, verb, q)
	} else {
		opt := ""
		if v, ok := args["install_recommends"]; ok && v != nil {
			opt = map[bool]string{true: " --install-recommends", false: " --no-install-recommends"}[argBool(args, "install_recommends", true)]
		}
		if autoremove {
			opt += " --auto-remove"
		}
		if argBool(args, "allow_downgrade", false) {
			opt += " --allow-downgrades"
		}
		if rel := argString(args, "default_release"); rel != "" {
			opt += " -t " + ShellQuote(rel) // the release packages come from (backports)
		}
		cmd = fmt.Sprintf("%s install%s %s", aptGet, opt, q)
	}
	if env.Check {
		if state != "latest" {
			out["changed"] = true
			out["msg"] = fmt.Sprintf("would %s: %s", map[string]string{"present": "install", "absent": "remove"}[state], strings.Join(todo, ", "))
			return out
		}
		// latest: ask apt-get what it would do.
		r, fr := Exec(ctx, env, strings.Replace(cmd, aptGet, aptGet+" -s", 1), nil)
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
	stdout, query, fr := runThenQuery(ctx, env, mgr, cmd, cmdNames([]string{cmd})[0], names, out)
	if fr != nil {
		return fr
	}
	after := parseQuery(query)
	afterConf := parseConfigOnly(query)
	var changedPkgs []string
	for _, n := range names {
		b := pkgBase(mgr, n)
		if before[b] != after[b] || confOnly[b] != afterConf[b] {
			changedPkgs = append(changedPkgs, b)
		}
	}
	sort.Strings(changedPkgs)
	// apt can change the host without changing a version (a reinstall).
	changed := len(changedPkgs) > 0 || aptDidWork(stdout)
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

// setOutput puts a command's output in a result.
func setOutput(out Result, stdout string, r *ExecResult) {
	out["stdout"] = stdout
	out["stderr"] = string(r.Stderr)
	out["stdout_lines"] = Lines([]byte(stdout))
	out["stderr_lines"] = Lines(r.Stderr)
	out["rc"] = r.ExitCode
}
