package runner

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/drover-sh/drover/modules"
	"github.com/drover-sh/drover/playbooks"
)

// factsScript gathers drover's fact set in one command: hostname, boot
// id, uptime, ... one value a line, then (factsScriptMore) the inputs of
// date_time, lsb and the virtualization facts, ... and (factsScriptDist)
// of the distribution facts. POSIX sh and coreutils only.
const factsScript = `hostname 2>/dev/null || uname -n
cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo
cut -d' ' -f1 /proc/uptime 2>/dev/null || echo 0
uname -s; uname -r; uname -m
for p in apt-get dnf yum zypper apk pacman; do if command -v $p >/dev/null 2>&1; then echo $p; break; fi; done | grep . || echo unknown
if [ -d /run/systemd/system ]; then echo systemd; elif command -v openrc >/dev/null 2>&1; then echo openrc; else echo sysvinit; fi
nproc 2>/dev/null || echo 0
while read -r k v _; do if [ "$k" = MemTotal: ]; then echo "$v"; break; fi; done < /proc/meminfo 2>/dev/null || echo 0
r=$(while read -r i d g _; do if [ "$d" = 00000000 ]; then echo "$i $g"; break; fi; done < /proc/net/route 2>/dev/null)
echo "$r"
echo
` + factsScriptMore + factsScriptHost + factsScriptHW + factsScriptDist

// defaultIPv4 is Ansible's ansible_default_ipv4 from the default route
// ("IFACE GATEWAY-HEX" of /proc/net/route) and the interface's address:
// {interface, gateway, address}, or {} without a default route.
func defaultIPv4(route, addr string) map[string]any {
	iface, gwHex, ok := strings.Cut(strings.TrimSpace(route), " ")
	if !ok || iface == "" {
		return map[string]any{}
	}
	out := map[string]any{"interface": iface, "address": strings.TrimSpace(addr)}
	if n, err := strconv.ParseUint(gwHex, 16, 32); err == nil && len(gwHex) == 8 {
		// /proc/net/route holds the address in host (little-endian) order.
		out["gateway"] = fmt.Sprintf("%d.%d.%d.%d", n&0xff, n>>8&0xff, n>>16&0xff, n>>24&0xff)
	}
	return out
}

// gatherFacts runs the fact command when the play asks for facts
// (gather_facts: true) and sets ansible_facts and the ansible_* names.
// defaultGatherTimeout bounds the facts command when the play sets no
// gather_timeout (Ansible gives each of its collectors 10 s; drover's one
// command gets this).
const defaultGatherTimeout = 30 * time.Second

// collectFacts runs the facts command (bounded by timeout), records the
// facts on the host (ansible_facts and the ansible_* names) and returns
// the result: ansible_facts, or why it failed.
func (h *hostRun) collectFacts(ctx context.Context, timeout time.Duration) modules.Result {
	opts := setupOpts{factPath: h.pr.play.FactPath}
	if sub := h.pr.play.GatherSubset; sub != nil {
		// The play's gather_subset and fact_path, as the setup module's.
		c, err := collectorsFor(sub)
		if err != nil {
			return modules.Fail(err.Error())
		}
		if len(c) < len(validCollectors()) {
			opts.collectors = c
		}
	}
	conn, err := h.connect(ctx)
	return h.gatherOn(ctx, conn, err, timeout, h.host.Name, opts)
}

// gatherOn runs the facts command over conn (err: why there is none) and
// records the facts as those of host target.
// opts: the setup module's gather_subset, filter and fact_path (a
// restricted set is merged into the host's facts, as Ansible merges).
func (h *hostRun) gatherOn(ctx context.Context, conn modules.Conn, err error, timeout time.Duration, target string, opts setupOpts) modules.Result {
	start := time.Now()
	res := modules.Result{"changed": false}
	var out *modules.ExecResult
	if err == nil {
		fctx, cancel := context.WithTimeout(ctx, timeout)
		out, err = conn.Run(fctx, factsCommand(opts.factPath), nil)
		if err != nil && fctx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
			err = nil
			res = modules.Fail(fmt.Sprintf("gathering facts did not finish within %s (gather_timeout)", timeout))
		}
		cancel()
	}
	switch {
	case res.Failed():
	case err != nil:
		res = modules.UnreachableResult(err)
	case out.ExitCode != 0:
		res = modules.Fail("gathering facts failed: " + strings.TrimSpace(string(out.Stderr)))
	default:
		facts := parseFacts(string(out.Stdout))
		facts["drover_facts_gathered_at_utc"] = start.UTC().Format(time.RFC3339)
		if opts.restricted() {
			facts = selectFacts(facts, opts)
			h.addFacts(target, facts)
			res["ansible_facts"] = facts
			break
		}
		for k, v := range facts {
			h.pr.facts.set(target, "ansible_"+k, v)
		}
		h.pr.facts.set(target, "ansible_facts", facts)
		res["ansible_facts"] = facts
	}
	return res
}

// parseFacts is the facts of factsScript's output (without
// drover_facts_gathered_at_utc).
func parseFacts(stdout string) map[string]any {
	lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	var more []string
	if i := slices.Index(lines, factsMark); i >= 0 {
		lines, more = lines[:i], lines[i+1:]
	}
	for len(lines) < 12 {
		lines = append(lines, "")
	}
	vcpus, _ := strconv.Atoi(lines[8])
	memKB, _ := strconv.Atoi(lines[9])
	pkgMgr := lines[6]
	if pkgMgr == "apt-get" {
		pkgMgr = "apt"
	}
	serviceMgr := "sysvinit"
	if lines[7] != "" {
		serviceMgr = lines[7]
	}
	up, _ := strconv.ParseFloat(lines[2], 64)
	host := lines[0]
	facts := map[string]any{
		"hostname":        strings.SplitN(host, ".", 2)[0],
		"nodename":        host,
		"fqdn":            host,
		"pkg_mgr":         pkgMgr,
		"service_mgr":     serviceMgr,
		"processor_vcpus": vcpus,
		"processor_nproc": vcpus,
		"memtotal_mb":     memKB / 1024,
		"default_ipv4":    defaultIPv4(lines[10], lines[11]),
		"boot_id":         lines[1],
		"uptime_seconds":  int(up),
		"system":          lines[3],
		"kernel":          lines[4],
		"architecture":    lines[5],
	}
	var hostOut []string
	if i := slices.Index(more, hostMark); i >= 0 {
		more, hostOut = more[:i], more[i+1:]
	}
	maps.Copy(facts, moreFacts(more, lines[3]))
	for k, v := range hostFacts(hostOut, lines[3]) {
		facts[factName(k)] = v
	}
	tags := parseTagged(more)
	sec, order := hostSections(hostOut)
	maps.Copy(facts, distributionFacts(distInputOf(tags, sec, order), lines[3], lines[4], kv(sec["platform"])["version"]))
	if lines[3] == "Linux" {
		if _, ok := sec["meminfo"]; ok {
			// Ansible's processor_vcpus and _nproc (not nproc's count for
			// both), absent where its collector gives none.
			delete(facts, "processor_vcpus")
			delete(facts, "processor_nproc")
			maps.Copy(facts, hwFacts(tags, sec, order, lines[5], lines[8]))
		}
	}
	return facts
}

func (h *hostRun) gatherFacts(ctx context.Context) outcome {
	start := time.Now()
	ev := &Event{Type: EvTaskResult, Host: h.host.Name, Task: "Gathering Facts", Node: -1, Pos: h.pr.play.Pos.String()}
	res := h.pr.withSlot(ctx, func() modules.Result {
		return h.collectFacts(ctx, cmp.Or(h.pr.play.GatherTimeout, defaultGatherTimeout))
	})
	ev.Duration = time.Since(start).Seconds()
	ev.Msg = res.Msg()
	ev.Result = map[string]any(res)
	switch {
	case res.Unreachable():
		ev.Status = StatusUnreachable
		h.stats.Unreachable++
		h.msg = res.Msg()
		h.pr.emit(ev)
		return outUnreachable
	case res.Failed():
		ev.Status = StatusFailed
		h.stats.Failed++
		h.msg = res.Msg()
		h.pr.emit(ev)
		return outFailed
	}
	ev.Status = StatusOK
	h.stats.OK++
	h.pr.emit(ev)
	return outOK
}

// actSetup is the setup module (and gather_facts) as a task: the play's
// fact gathering, again (after a reboot: the new kernel, boot id, uptime).
func actSetup(ctx context.Context, h *hostRun, n *playbooks.Node, vars map[string]any) modules.Result {
	timeout := cmp.Or(h.pr.play.GatherTimeout, defaultGatherTimeout)
	if v, ok := n.Task.Args["gather_timeout"]; ok {
		r, err := h.render(v, vars)
		if err != nil {
			return modules.Fail(fmt.Sprintf("gather_timeout: %v", err))
		}
		s, err := strconv.Atoi(fmt.Sprint(r))
		if err != nil || s <= 0 {
			return modules.Fail(fmt.Sprintf("gather_timeout must be a positive number of seconds, got %v", r))
		}
		timeout = time.Duration(s) * time.Second
	}
	opts, fail := h.setupArgs(n, vars)
	if fail != nil {
		return fail
	}
	d, fail := h.delegationFor(n.Scope, vars)
	if fail != nil {
		return fail
	}
	if d == nil {
		conn, err := h.connect(ctx)
		return h.gatherOn(ctx, conn, err, timeout, h.host.Name, opts)
	}
	// Delegated: the delegate's facts, recorded as the host's (Ansible's
	// default) or, with delegate_facts, as the delegate's.
	conn, err := d.connect(ctx)
	return h.gatherOn(ctx, conn, err, timeout, h.factsHost(n, d), opts)
}

// factsHost is the host whose facts a task's gathered or set facts are:
// the delegate under delegate_facts, else the host itself.
func (h *hostRun) factsHost(n *playbooks.Node, d *delegation) string {
	if d != nil && n.Scope.DelegateFacts {
		return d.name
	}
	return h.host.Name
}

// addModuleFacts merges the facts a module returned (its ansible_facts)
// into target's as Ansible does (namespace_facts, clean_facts): in
// ansible_facts without their ansible_ prefix (ansible_hostname →
// ansible_facts.hostname; getent_passwd stays), and as variables named as
// returned (ansible_hostname, getent_passwd, packages). A returned name
// that would override a connection variable (ansible_host, ansible_user,
// ansible_ssh_*, ansible_*_interpreter, ...) is dropped, as Ansible drops
// it.
func (h *hostRun) addModuleFacts(target string, af map[string]any) {
	merged := map[string]any{}
	if cur, ok := h.pr.facts.of(target)["ansible_facts"].(map[string]any); ok {
		maps.Copy(merged, cur)
	}
	for k, v := range af {
		if restrictedFact(k) {
			continue
		}
		name := k
		if s, ok := strings.CutPrefix(k, "ansible_"); ok && k != "ansible_local" {
			name = s
		}
		merged[name] = v
		h.pr.facts.set(target, k, v)
	}
	h.pr.facts.set(target, "ansible_facts", merged)
}

// restrictedFact reports whether a module may not set fact k: a
// connection or privilege-escalation variable, or an interpreter
// (Ansible's clean_facts; its ansible_ssh_host_key_* facts are allowed).
func restrictedFact(k string) bool {
	if strings.HasPrefix(k, "ansible_ssh_host_key_") {
		return false
	}
	switch k {
	case "ansible_host", "ansible_port", "ansible_user", "ansible_connection", "ansible_password",
		"ansible_shell_type", "ansible_shell_executable", "ansible_module_compression", "ansible_pipelining",
		"ansible_timeout", "ansible_private_key_file", "inventory_hostname", "hostvars", "groups", "group_names":
		return true
	}
	return strings.HasPrefix(k, "ansible_ssh_") || strings.HasPrefix(k, "ansible_become") ||
		strings.HasPrefix(k, "ansible_sudo") || (strings.HasPrefix(k, "ansible_") && strings.HasSuffix(k, "_interpreter"))
}

// addFacts merges facts drover gathered (named without the ansible_
// prefix) into target's: in ansible_facts, and as ansible_NAME.
func (h *hostRun) addFacts(target string, af map[string]any) {
	merged := map[string]any{}
	if cur, ok := h.pr.facts.of(target)["ansible_facts"].(map[string]any); ok {
		maps.Copy(merged, cur)
	}
	for k, v := range af {
		merged[k] = v
		h.pr.facts.set(target, "ansible_"+k, v)
	}
	h.pr.facts.set(target, "ansible_facts", merged)
}
