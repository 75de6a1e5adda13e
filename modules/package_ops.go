package modules

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// Whole-system package operations of apt, dnf and yum (the upgrades,
// autoremove, autoclean), run in one session by pkgSession. Whether the
// host changed is decided on the host: a checksum of every installed
// package's name, version and status before and after, plus apt-get's own
// account (its summary line for reinstalls, its "Del" lines for autoclean).
// Check mode simulates: apt-get -s, dnf/yum check-update or --assumeno.

// pkgCmd is one command of a package session: the sh, and its short name
// for messages ("apt-get autoclean", "dnf autoremove").
type pkgCmd struct{ sh, what string }

// pendingMarker is the line a check-mode dnf/yum simulation prints when
// the command would change the host.
const pendingMarker = "updates=pending"

// aptCleaned matches the lines apt-get autoclean prints for each file it
// deletes (or would delete, simulated): "Del python3-q 2.4-1 [24 kB]", as
// Ansible's apt decides autoclean's changed.
var aptCleaned = regexp.MustCompile(`(?m)^Del `)

// pkgSession runs cmds in order in one session, stopping at the first that
// fails: a cache refresh first when update (not in check mode), and the
// checksum of the installed packages before and after.
func pkgSession(ctx context.Context, env *Env, mgr string, cmds []pkgCmd, update bool, args map[string]any) Result {
	var sb strings.Builder
	if update && !env.Check {
		sb.WriteString(cacheRefresh(mgr, args))
	}
	sum := installedSum(mgr)
	sb.WriteString(sum)
	var what []string
	for _, c := range cmds {
		sb.WriteString(c.sh + " || exit $?\n")
		what = append(what, c.what)
	}
	sb.WriteString(sum)
	r, fr := Exec(ctx, env, sb.String(), nil)
	if fr != nil {
		return fr
	}
	stdout := string(r.Stdout)
	var sums, stderr []string
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
	names := strings.Join(what, " && ")
	if r.ExitCode != 0 {
		out["failed"] = true
		msg := strings.TrimSpace(strings.Join(stderr, "\n"))
		if msg == "" {
			msg = fmt.Sprintf("exit status %d", r.ExitCode)
		}
		out["msg"] = fmt.Sprintf("%s failed: %s", names, msg)
		return out
	}
	changed := len(sums) == 2 && sums[0] != sums[1]
	if mgr == "apt" && (aptDidWork(stdout) || aptCleaned.MatchString(stdout)) {
		changed = true // a reinstall, a cleaned archive, or what a simulation would do
	}
	if env.Check && mgr != "apt" {
		changed = strings.Contains(stdout, pendingMarker)
	}
	out["changed"] = changed
	switch s := aptSummaries(stdout); {
	case s != "":
		out["msg"] = names + ": " + s
	case changed:
		out["msg"] = names + ": packages changed"
	default:
		out["msg"] = names + ": nothing to do"
	}
	return out
}

// aptSystem is apt's whole-system work: upgrade (yes/safe →
// `apt-get upgrade --with-new-pkgs`, Ansible's command when aptitude is
// absent; full/dist → `apt-get dist-upgrade`), name "*" with state latest
// (as upgrade: yes), then autoremove, then autoclean.
func aptSystem(ctx context.Context, env *Env, upgrade string, all, update, autoremove, autoclean bool, args map[string]any) Result {
	base := aptGet
	if env.Check {
		base += " -s"
	}
	var cmds []pkgCmd
	switch {
	case upgrade == "dist":
		cmds = append(cmds, pkgCmd{base + " dist-upgrade", "apt-get dist-upgrade"})
	case upgrade == "safe" || all:
		cmds = append(cmds, pkgCmd{base + " upgrade --with-new-pkgs", "apt-get upgrade"})
	}
	if autoremove {
		verb := " autoremove"
		if argBool(args, "purge", false) {
			verb += " --purge"
		}
		cmds = append(cmds, pkgCmd{base + verb, "apt-get autoremove"})
	}
	if autoclean {
		cmds = append(cmds, aptAutoclean(env))
	}
	return pkgSession(ctx, env, "apt", cmds, update, args)
}

// aptAutoclean removes the downloaded package files that can no longer be
// downloaded (simulated in check mode, as Ansible's --simulate).
func aptAutoclean(env *Env) pkgCmd {
	sh := aptGet + " autoclean"
	if env.Check {
		sh = aptGet + " -s autoclean"
	}
	return pkgCmd{sh, "apt-get autoclean"}
}

// aptCacheOnly is an apt task that only refreshes the cache (update_cache
// or cache_valid_time, nothing else): changed when the cache was
// refreshed, as in Ansible; in check mode, when it would be (always
// without cache_valid_time, else when the cache is older).
func aptCacheOnly(ctx context.Context, env *Env, args map[string]any) Result {
	script := cacheRefresh("apt", args)
	if env.Check {
		valid, _ := argSeconds(args, "cache_valid_time", 0)
		if valid <= 0 {
			return Result{"changed": true, "failed": false, "cache_updated": true, "msg": "would update the apt cache"}
		}
		script = fmt.Sprintf(`s=/var/lib/apt/periodic/update-success-stamp; [ -e "$s" ] || s=/var/lib/apt/lists
if t=$(stat -c %%Y "$s" 2>/dev/null) && [ $(( $(date +%%s) - t )) -lt %d ]; then :; else echo %s >&2; fi
`, valid, cacheUpdatedMarker)
	}
	r, fr := runScript(ctx, env, script, "apt-get update failed")
	if fr != nil {
		return fr
	}
	updated := strings.Contains(string(r.Stderr), cacheUpdatedMarker)
	out := Result{"changed": updated, "failed": false, "cache_updated": updated}
	switch {
	case !updated:
		out["msg"] = "the apt cache is recent enough (cache_valid_time)"
	case env.Check:
		out["msg"] = "would update the apt cache"
	default:
		out["msg"] = "apt cache updated"
	}
	return out
}

// mergeResults is the result of a task that ran a, then b.
func mergeResults(a, b Result) Result {
	if b.Failed() || b.Unreachable() {
		return b
	}
	out := Result{}
	for k, v := range a {
		out[k] = v
	}
	out["changed"] = a.Changed() || b.Changed()
	out["msg"] = strings.TrimPrefix(a.Msg()+"; "+b.Msg(), "; ")
	as, _ := a["stdout"].(string)
	bs, _ := b["stdout"].(string)
	out["stdout"] = as + bs
	out["stdout_lines"] = Lines([]byte(as + bs))
	ae, _ := a["stderr"].(string)
	be, _ := b["stderr"].(string)
	stderr := strings.Trim(ae+"\n"+be, "\n")
	out["stderr"] = stderr
	out["stderr_lines"] = Lines([]byte(stderr))
	if _, ok := a["rc"]; !ok {
		out["rc"] = b["rc"]
	}
	return out
}
