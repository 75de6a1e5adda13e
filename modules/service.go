package modules

import (
	"context"
	"fmt"
	"strings"
)

func init() {
	Register(serviceModule{systemd: false}, "ansible.builtin.service", "ansible.legacy.service")
	Register(serviceModule{systemd: true}, "ansible.builtin.systemd", "ansible.legacy.systemd",
		"systemd_service", "ansible.builtin.systemd_service", "ansible.legacy.systemd_service")
}

// serviceModule is Ansible's service (init system detected on the host:
// systemctl present means systemd, else service(8) / /etc/init.d) and
// systemd. One session inspects, one session acts.
type serviceModule struct{ systemd bool }

func (m serviceModule) Name() string {
	if m.systemd {
		return "systemd"
	}
	return "service"
}

func (m serviceModule) Schema() Schema {
	a := map[string]Arg{
		"name":    {Type: TypeString, Aliases: []string{"service", "unit"}},
		"state":   {Type: TypeString, Choices: []string{"started", "stopped", "restarted", "reloaded"}},
		"enabled": {Type: TypeBool},
	}
	u := map[string]string{}
	if m.systemd {
		a["daemon_reload"] = Arg{Type: TypeBool, Default: false, Aliases: []string{"daemon-reload"}}
		a["daemon_reexec"] = Arg{Type: TypeBool, Default: false, Aliases: []string{"daemon-reexec"}}
		a["masked"] = Arg{Type: TypeBool}
		a["no_block"] = Arg{Type: TypeBool, Default: false}
		a["force"] = Arg{Type: TypeBool}
		a["scope"] = Arg{Type: TypeString, Default: "system", Choices: []string{"system", "user"}}
		u["user"] = "removed from Ansible; use scope"
	} else {
		a["use"] = Arg{Type: TypeString, Default: "auto", Choices: []string{"auto", "systemd", "sysvinit", "service"}}
		a["arguments"] = Arg{Type: TypeString, Aliases: []string{"args"}}
		a["sleep"] = Arg{Type: TypeInt}
		u["pattern"] = "process-table matching is not supported"
		u["runlevel"] = "OpenRC runlevels are not supported"
	}
	s := Schema{Args: a, Unsupported: u}
	if m.systemd {
		s.RequiredOneOf = [][]string{{"name", "daemon_reload", "daemon_reexec"}}
	} else {
		s.RequiredOneOf = [][]string{{"name"}, {"state", "enabled"}}
	}
	return s
}

// systemdEnabled are the UnitFileState values systemctl is-enabled treats
// as enabled.
var systemdEnabled = map[string]bool{"enabled": true, "enabled-runtime": true, "static": true, "alias": true,
	"indirect": true, "generated": true, "linked": true, "linked-runtime": true}

func (m serviceModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	name := strArg(args, "name", strArg(args, "service", argString(args, "unit")))
	state := argString(args, "state")
	_, hasEnabled := args["enabled"]
	hasEnabled = hasEnabled && args["enabled"] != nil
	enabled := argBool(args, "enabled", false)
	use := argString(args, "use")
	reload := argBool(args, "daemon_reload", false) || argBool(args, "daemon-reload", false)
	reexec := argBool(args, "daemon_reexec", false) || argBool(args, "daemon-reexec", false)
	// systemctl is the command with its scope: scope: user talks to the
	// connecting (or become) user's manager, found as Ansible finds it
	// (XDG_RUNTIME_DIR, else /run/user/UID).
	systemctl := "systemctl"
	var sb strings.Builder
	if m.systemd && argString(args, "scope") == "user" {
		systemctl = "systemctl --user"
		sb.WriteString(": \"${XDG_RUNTIME_DIR:=/run/user/$(id -u)}\"; export XDG_RUNTIME_DIR\n")
	}
	if m.systemd || use == "systemd" {
		sb.WriteString("init=systemd\n")
	} else if use == "sysvinit" || use == "service" {
		sb.WriteString("init=sysv\n")
	} else {
		sb.WriteString("if command -v systemctl >/dev/null 2>&1; then init=systemd; else init=sysv; fi\n")
	}
	sb.WriteString("echo init=$init\n")
	if !env.Check {
		if reexec {
			fmt.Fprintf(&sb, "if command -v systemctl >/dev/null 2>&1; then %s daemon-reexec || exit 1; fi\n", systemctl)
		}
		if reload {
			fmt.Fprintf(&sb, "if command -v systemctl >/dev/null 2>&1; then %s daemon-reload || exit 1; fi\n", systemctl)
		}
	}
	if name != "" {
		q := ShellQuote(name)
		fmt.Fprintf(&sb, `if [ "$init" = systemd ]; then %s show --no-pager %s | sed 's/^/S_/'; exit 0; fi
if command -v service >/dev/null 2>&1; then service %s status >/dev/null 2>&1; echo sysv_status=$?; elif [ -x /etc/init.d/%s ]; then /etc/init.d/%s status >/dev/null 2>&1; echo sysv_status=$?; fi
[ -e /etc/init.d/%s ] && echo sysv_script=1
ls /etc/rc[2345].d/S[0-9][0-9]%s >/dev/null 2>&1 && echo sysv_enabled=1
exit 0
`, systemctl, q, q, name, name, name, name)
	}
	res, fr := runScript(ctx, env, sb.String(), "could not inspect service "+name)
	if fr != nil {
		return fr
	}
	kv := kvLines(res.Stdout)
	if name == "" {
		return Result{"changed": false, "failed": false}
	}
	status := map[string]any{}
	for k, v := range kv {
		if p, ok := strings.CutPrefix(k, "S_"); ok {
			status[p] = v
		}
	}
	systemd := kv["init"] == "systemd"
	var running, isEnabled, masked bool
	if systemd {
		if kv["S_LoadState"] == "not-found" || kv["S_LoadState"] == "" {
			return Fail(fmt.Sprintf("Could not find the requested service %s: host", name))
		}
		as := kv["S_ActiveState"]
		running = as == "active" || as == "activating" || as == "reloading"
		isEnabled = systemdEnabled[kv["S_UnitFileState"]]
		masked = kv["S_LoadState"] == "masked"
	} else {
		if kv["sysv_status"] == "" && kv["sysv_script"] == "" {
			return Fail(fmt.Sprintf("cannot find 'service' binary or init script for service, possible typo in service name?, aborting: %s", name))
		}
		running = kv["sysv_status"] == "0"
		isEnabled = kv["sysv_enabled"] != ""
	}
	q := ShellQuote(name)
	var cmds []string
	ctl := func(verb string) string {
		if systemd {
			nb := ""
			if argBool(args, "no_block", false) {
				nb = "--no-block "
			}
			return fmt.Sprintf("%s %s%s %s", systemctl, nb, verb, q)
		}
		extra := ""
		if a := strArg(args, "arguments", argString(args, "args")); a != "" {
			extra = " " + a
		}
		return fmt.Sprintf("if command -v service >/dev/null 2>&1; then service %s %s%s; else /etc/init.d/%s %s%s; fi", q, verb, extra, name, verb, extra)
	}
	if v, ok := args["masked"]; ok && v != nil && systemd {
		want := argBool(args, "masked", false)
		if want != masked {
			cmds = append(cmds, ctl(map[bool]string{true: "mask", false: "unmask"}[want]))
		}
	}
	if hasEnabled && enabled != isEnabled {
		switch {
		case systemd:
			cmds = append(cmds, ctl(map[bool]string{true: "enable", false: "disable"}[enabled]))
		case enabled:
			cmds = append(cmds, fmt.Sprintf("if command -v update-rc.d >/dev/null 2>&1; then update-rc.d %s defaults && update-rc.d %s enable; else chkconfig %s on; fi", q, q, q))
		default:
			cmds = append(cmds, fmt.Sprintf("if command -v update-rc.d >/dev/null 2>&1; then update-rc.d %s disable; else chkconfig %s off; fi", q, q))
		}
	}
	switch state {
	case "started":
		if !running {
			cmds = append(cmds, ctl("start"))
		}
	case "stopped":
		if running {
			cmds = append(cmds, ctl("stop"))
		}
	case "restarted":
		cmds = append(cmds, ctl("restart"))
	case "reloaded":
		if running {
			cmds = append(cmds, ctl("reload"))
		} else {
			cmds = append(cmds, ctl("start"))
		}
	}
	out := Result{"changed": len(cmds) > 0, "failed": false, "name": name}
	if state != "" {
		out["state"] = state
	}
	if hasEnabled {
		out["enabled"] = enabled
	}
	if systemd {
		out["status"] = status
	}
	if len(cmds) == 0 || env.Check {
		return out
	}
	script := strings.Join(cmds, " || exit 1\n") + " || exit 1\n"
	if sl := argString(args, "sleep"); sl != "" && state == "restarted" && !systemd {
		script = strings.Replace(script, ctl("restart"), ctl("stop")+"; sleep "+ShellQuote(sl)+"; "+ctl("start"), 1)
	}
	r, fr := runScript(ctx, env, script, "Unable to change service "+name)
	if fr != nil {
		fr["name"] = name
		return fr
	}
	_ = r
	return out
}
