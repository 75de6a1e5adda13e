package modules

import (
	"context"
	"encoding/base64"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
)

func init() {
	Register(sysvinitModule{}, "ansible.builtin.sysvinit", "ansible.legacy.sysvinit")
}

// Where the sysvinit module looks on the host; tests point these into a
// temp dir (never the real /etc/init.d).
var (
	sysvInitDir = "/etc/init.d"
	sysvEtcDir  = "/etc"
	// sysvBinDirs are get_bin_path's opt_dirs: searched before PATH.
	sysvBinDirs = []string{"/sbin", "/usr/sbin", "/bin", "/usr/bin"}
	// sysvSearchPath is the rest of get_bin_path's search (PATH, then the
	// sbin dirs), as a sh word; tests replace it.
	sysvSearchPath = `"$PATH":/sbin:/usr/sbin:/usr/local/sbin`
)

// sysvinitModule is ansible.builtin.sysvinit (ansible-core 2.14): one
// session reads (script, rc?.d links, binaries, status command or ps), at
// most one session acts (enable/disable, then the state's script calls).
type sysvinitModule struct{}

func (sysvinitModule) Name() string { return "sysvinit" }

func (sysvinitModule) Schema() Schema {
	return Schema{
		Args: map[string]Arg{
			"name":      {Type: TypeString, Required: true, Aliases: []string{"service"}},
			"state":     {Type: TypeString, Choices: []string{"started", "stopped", "restarted", "reloaded"}},
			"enabled":   {Type: TypeBool},
			"sleep":     {Type: TypeInt, Default: 1},
			"pattern":   {Type: TypeString},
			"arguments": {Type: TypeString, Aliases: []string{"args"}},
			"runlevels": {Type: TypeList},
			"daemonize": {Type: TypeBool, Default: false},
		},
		RequiredOneOf: [][]string{{"state", "enabled"}},
	}
}

// sysvStepHelper runs "$@" as run_command does (no shell, stdin from
// /dev/null) and prints step=N,RC,B64OUT,B64ERR; a missing or
// non-executable program prints step=N,E2 / E13 (Python's OSError).
const sysvStepHelper = `t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT
step() { n=$1; shift
case $1 in */*) if [ ! -e "$1" ]; then echo "step=$n,E2"; return 1; elif [ -d "$1" ] || [ ! -x "$1" ]; then echo "step=$n,E13"; return 1; fi;; esac
"$@" </dev/null >"$t/o" 2>"$t/e"; rc=$?
echo "step=$n,$rc,$(base64 <"$t/o" | tr -d '\n'),$(base64 <"$t/e" | tr -d '\n')"; return 0; }
lookup() { loc=; o=$IFS; IFS=:; for p in $2; do if [ -n "$p" ] && [ -f "$p/$1" ] && [ -x "$p/$1" ]; then loc=$p/$1; break; fi; done; IFS=$o; echo "bin_$1=$loc"; }
`

type sysvStep struct {
	rc       int
	out, err string
	errno    int // 2 or 13 when the program could not be executed
}

func sysvSteps(b []byte) map[string]sysvStep {
	m := map[string]sysvStep{}
	for _, l := range strings.Split(string(b), "\n") {
		v, ok := strings.CutPrefix(l, "step=")
		if !ok {
			continue
		}
		f := strings.Split(v, ",")
		switch {
		case len(f) == 2 && f[1] == "E2":
			m[f[0]] = sysvStep{errno: 2}
		case len(f) == 2 && f[1] == "E13":
			m[f[0]] = sysvStep{errno: 13}
		case len(f) == 4:
			rc, _ := strconv.Atoi(f[1])
			o, _ := base64.StdEncoding.DecodeString(f[2])
			e, _ := base64.StdEncoding.DecodeString(f[3])
			m[f[0]] = sysvStep{rc: rc, out: string(o), err: string(e)}
		}
	}
	return m
}

// sysvOSError is run_command's failure when the program cannot be run.
func sysvOSError(st sysvStep, argv []string, cmd string) Result {
	msg := "[Errno 2] No such file or directory"
	if st.errno == 13 {
		msg = "[Errno 13] Permission denied"
	}
	return Result{"failed": true, "changed": false, "rc": st.errno, "stdout": "", "stderr": "", "cmd": cmd,
		"msg": fmt.Sprintf("%s: '%s'", msg, argv[0])}
}

// sysvGlob is Python's glob (fnmatch) for the rc?.d/S??NAME checks.
func sysvGlob(pattern string, entries []string) bool {
	pattern = strings.ReplaceAll(pattern, "[!", "[^")
	for _, e := range entries {
		if ok, err := path.Match(pattern, e); err == nil && ok {
			return true
		} else if err != nil && e == pattern {
			return true
		}
	}
	return false
}

var sysvActionRe = regexp.MustCompile(`p?ed$`)

func (sysvinitModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	name := strArg(args, "name", argString(args, "service"))
	state := argString(args, "state")
	var enabled *bool
	if v, ok := args["enabled"]; ok && v != nil {
		b := argBool(args, "enabled", false)
		enabled = &b
	}
	runlevels := argList(args, "runlevels")
	pattern := argString(args, "pattern")
	arguments, hasArgs := args["arguments"]
	if !hasArgs || arguments == nil {
		arguments, hasArgs = args["args"]
	}
	hasArgs = hasArgs && arguments != nil
	sleepFor := 1
	if v, ok := args["sleep"]; ok && v != nil {
		n, err := strconv.Atoi(fmt.Sprint(v))
		if err != nil {
			return Fail(fmt.Sprintf("argument 'sleep' is of type %T and we were unable to convert to int", v))
		}
		sleepFor = n
	}
	if argBool(args, "daemonize", false) {
		return Fail("sysvinit: daemonize is not supported by drover (Ansible double-forks the init script " +
			"into its own session, which POSIX sh and coreutils cannot reproduce); run without daemonize")
	}
	if state == "" && enabled == nil {
		return Fail("one of the following is required: state, enabled")
	}
	script := sysvInitDir + "/" + name
	if strings.HasPrefix(name, "/") {
		script = name
	}

	// The status command, as run_command splits it.
	var statusSvc, statusScript []string
	if pattern == "" {
		var err1, err2 error
		statusSvc, err1 = SplitArgs("SVC " + name + " status")
		statusScript, err2 = SplitArgs(script + " status")
		if err1 != nil || err2 != nil {
			return Fail("No closing quotation")
		}
	}

	// Read: one session.
	var sb strings.Builder
	sb.WriteString(sysvStepHelper)
	fmt.Fprintf(&sb, "[ -e %s ] && echo exists=1\n", ShellQuote(script))
	fmt.Fprintf(&sb, "if [ -d %s ]; then b=%s; else b=%s; fi\n", ShellQuote(sysvEtcDir+"/rc0.d/"), ShellQuote(sysvEtcDir), ShellQuote(sysvInitDir))
	sb.WriteString(`for f in "$b"/rc?.d/S??*; do if [ -e "$f" ] || [ -L "$f" ]; then echo "rc=${f#"$b"/}"; fi; done
`)
	dirs := strings.Join(sysvBinDirs, ":")
	for _, bin := range []string{"chkconfig", "update-rc.d", "insserv", "service"} {
		fmt.Fprintf(&sb, "lookup %s %s%s\n", bin, ShellQuote(dirs+":"), sysvSearchPath)
	}
	fmt.Fprintf(&sb, "bin_service=$loc\nlookup ps %s\nbin_ps=$loc\necho pspath=%s\n", sysvSearchPath, sysvSearchPath)
	sb.WriteString("[ -e " + ShellQuote(script) + " ] || exit 0\n")
	if pattern == "" {
		fmt.Fprintf(&sb, "if [ -n \"$bin_service\" ]; then step status \"$bin_service\" %s; else step status %s; fi\n",
			QuoteArgv(statusSvc[1:]), QuoteArgv(statusScript))
	}
	// ps auxww, read as get_ps reads it (run for pattern, and for the
	// module's last-resort name match).
	sb.WriteString("if [ -n \"$bin_ps\" ]; then step ps \"$bin_ps\" auxww; fi\n")
	sb.WriteString("exit 0\n")
	// bin_* are echoed by lookup; capture them in shell variables too.
	res, fr := Exec(ctx, env, "/bin/sh -s", []byte(sb.String()))
	if fr != nil {
		return fr
	}
	if res.ExitCode != 0 {
		return Fail("could not inspect service " + name + ": " + strings.TrimSpace(string(res.Stderr)))
	}
	kv := kvLines(res.Stdout)
	if kv["exists"] == "" {
		return Fail(fmt.Sprintf("Could not find the requested service %s: ", name))
	}
	var rcEntries []string
	for _, l := range strings.Split(string(res.Stdout), "\n") {
		if v, ok := strings.CutPrefix(l, "rc="); ok {
			rcEntries = append(rcEntries, v)
		}
	}
	steps := sysvSteps(res.Stdout)
	loc := func(b string) string { return kv["bin_"+b] }

	var warnings []string
	getPS := func(pat string) (bool, Result) {
		if loc("ps") == "" {
			return false, Fail(fmt.Sprintf("Failed to find required executable \"ps\" in paths: %s", kv["pspath"]))
		}
		st := steps["ps"]
		if st.errno != 0 || st.rc != 0 {
			return false, nil
		}
		for _, l := range pySplitlines(st.out) {
			if strings.Contains(l, pat) {
				return true, nil
			}
		}
		return false, nil
	}

	// Enable status.
	rlEnabled := map[string]bool{}
	anyEnabled := false
	if len(runlevels) > 0 {
		for _, rl := range runlevels {
			rlEnabled[rl] = sysvGlob("rc"+rl+".d/S??"+name, rcEntries)
		}
	} else {
		anyEnabled = sysvGlob("rc?.d/S??"+name, rcEntries)
	}

	// Started status.
	isStarted, worked := false, false
	var rc any = 0
	var out, errs any = "", ""
	if pattern != "" {
		f, fr := getPS(pattern)
		if fr != nil {
			return fr
		}
		worked, isStarted = f, f
	} else {
		argv := statusScript
		if loc("service") != "" {
			argv = append([]string{loc("service")}, statusSvc[1:]...)
		}
		st := steps["status"]
		if st.errno != 0 {
			return sysvOSError(st, argv, strings.Join(argv, " "))
		}
		rc, out, errs = st.rc, st.out, st.err
		if name == "iptables" && strings.Contains(st.out, "ACCEPT") {
			worked, isStarted = true, true
		}
		if !worked && strings.Count(st.out, "\n") <= 1 {
			clean := strings.ReplaceAll(strings.ToLower(st.out), strings.ToLower(name), "")
			for _, s := range []string{"stop", "is dead ", "dead but ", "could not access pid file", "inactive"} {
				if strings.Contains(clean, s) {
					worked = true
					break
				}
			}
			if !worked {
				for _, s := range []string{"run", "start", "active"} {
					if strings.Contains(clean, s) && !strings.Contains(clean, "not ") {
						worked, isStarted = true, true
						break
					}
				}
			}
		}
		if !worked && (st.rc == 1 || st.rc == 2 || st.rc == 3 || st.rc == 4 || st.rc == 69) {
			worked = true
		}
		if !worked {
			if st.rc == 0 {
				worked, isStarted = true, true
			} else {
				f, fr := getPS(name)
				if fr != nil {
					return fr
				}
				if f {
					worked, isStarted = true, true
					warnings = append(warnings, "Used ps output to match service name and determine it is up, this is very unreliable")
				}
			}
		}
	}
	if !worked {
		warnings = append(warnings, "Unable to determine if service is up, assuming it is down")
	}

	changed := false
	enStatus := map[string]any{"changed": false, "rc": nil, "stdout": nil, "stderr": nil}
	var enableCmd string
	if len(runlevels) > 0 {
		rls := make([]any, len(runlevels))
		for i, r := range runlevels {
			rls[i] = r
		}
		enStatus["runlevels"] = rls
		for _, rl := range runlevels {
			// enabled unset compares None != bool: always a change.
			if enabled == nil || *enabled != rlEnabled[rl] {
				changed = true
				enStatus["changed"] = true
			}
		}
		if changed {
			on := enabled != nil && *enabled
			switch {
			case loc("update-rc.d") != "" && on:
				enableCmd = fmt.Sprintf("%s %s enable %s", loc("update-rc.d"), name, strings.Join(runlevels, " "))
			case loc("chkconfig") != "" && on:
				enableCmd = fmt.Sprintf("%s --level %s %s on", loc("chkconfig"), strings.Join(runlevels, ""), name)
			case loc("update-rc.d") != "":
				enableCmd = fmt.Sprintf("%s %s disable %s", loc("update-rc.d"), name, strings.Join(runlevels, " "))
			case loc("chkconfig") != "":
				enableCmd = fmt.Sprintf("%s --level %s %s off", loc("chkconfig"), strings.Join(runlevels, ""), name)
			}
		}
	} else if enabled != nil && *enabled != anyEnabled {
		changed = true
		enStatus["changed"] = true
		switch {
		case loc("update-rc.d") != "" && *enabled:
			enableCmd = fmt.Sprintf("%s %s defaults", loc("update-rc.d"), name)
		case loc("chkconfig") != "" && *enabled:
			enableCmd = fmt.Sprintf("%s %s on", loc("chkconfig"), name)
		case loc("update-rc.d") != "":
			enableCmd = fmt.Sprintf("%s %s disable", loc("update-rc.d"), name)
		case loc("chkconfig") != "":
			enableCmd = fmt.Sprintf("%s %s off", loc("chkconfig"), name)
		}
	}

	stateKey := state
	if state == "" {
		stateKey = "null" // Python's None key, as JSON writes it
	}
	stStatus := map[string]any{"changed": false, "rc": nil, "stdout": nil, "stderr": nil}
	action := ""
	var doits []string
	if state != "" {
		action = sysvActionRe.ReplaceAllString(strings.ToLower(state), "")
		switch {
		case action == "restart":
			doits = []string{"stop", "start"}
		case isStarted != (action == "start"):
			doits = []string{action}
		case isStarted == (action == "stop"):
			doits = []string{action}
		}
		if len(doits) > 0 {
			changed = true
			stStatus["changed"] = true
		}
	}
	status := map[string]any{"enabled": enStatus, stateKey: stStatus}
	result := Result{"name": name, "changed": changed, "failed": false, "status": status}
	if len(warnings) > 0 {
		result["warnings"] = warnings
	}
	if env.Check || (enStatus["changed"] == false && len(doits) == 0) {
		return result
	}

	// Act: one session.
	var ab strings.Builder
	ab.WriteString(sysvStepHelper)
	var enableArgv []string
	if enStatus["changed"] == true && enableCmd != "" {
		var err error
		if enableArgv, err = SplitArgs(enableCmd); err != nil {
			return Fail("No closing quotation")
		}
		fmt.Fprintf(&ab, "step enable %s || exit 0\n", QuoteArgv(enableArgv))
		ab.WriteString("case $(cat \"$t/e\") in *'illegal runlevel specified'*) exit 0;; esac\n")
	}
	if sleepFor < 0 && action == "restart" {
		return Fail("sleep length must be non-negative")
	}
	runArgv := make([][]string, len(doits))
	for i, d := range doits {
		extra := ""
		if hasArgs {
			extra = fmt.Sprint(arguments)
		}
		argv, err := SplitArgs(fmt.Sprintf("%s %s %s", script, d, extra))
		if err != nil {
			return Fail("No closing quotation")
		}
		runArgv[i] = argv
		fmt.Fprintf(&ab, "step run%d %s || exit 0\n[ \"$rc\" = 0 ] || exit 0\n", i, QuoteArgv(argv))
		if action == "restart" && sleepFor != 0 {
			fmt.Fprintf(&ab, "sleep %d\n", sleepFor)
		}
	}
	ab.WriteString("exit 0\n")
	ares, fr := Exec(ctx, env, "/bin/sh -s", []byte(ab.String()))
	if fr != nil {
		fr["name"] = name
		return fr
	}
	if ares.ExitCode != 0 {
		return Fail("Unable to change service " + name + ": " + strings.TrimSpace(string(ares.Stderr)))
	}
	asteps := sysvSteps(ares.Stdout)
	if enStatus["changed"] == true {
		if enableArgv != nil {
			st, ok := asteps["enable"]
			if !ok {
				return Fail("Unable to change service " + name + ": no result from " + enableCmd)
			}
			if st.errno != 0 {
				return sysvOSError(st, enableArgv, enableCmd)
			}
			rc, out, errs = st.rc, st.out, st.err
		}
		enStatus["rc"], enStatus["stdout"], enStatus["stderr"] = rc, out, errs
		if e, _ := errs.(string); strings.Contains(e, "illegal runlevel specified") {
			result["failed"] = true
			result["msg"] = fmt.Sprintf("Illegal runlevel specified for enable operation on service %s", name)
			return result
		}
	}
	for i := range doits {
		st, ok := asteps[fmt.Sprintf("run%d", i)]
		if !ok {
			return Fail("Unable to change service " + name + ": no result from " + strings.Join(runArgv[i], " "))
		}
		if st.errno != 0 {
			return sysvOSError(st, runArgv[i], strings.Join(runArgv[i], " "))
		}
		if st.rc != 0 {
			return Result{"failed": true, "changed": false, "msg": fmt.Sprintf("Failed to %s service: %s", action, name),
				"rc": st.rc, "stdout": st.out, "stderr": st.err}
		}
		stStatus["rc"], stStatus["stdout"], stStatus["stderr"] = st.rc, st.out, st.err
	}
	return result
}
