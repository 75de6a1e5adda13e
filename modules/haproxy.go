package modules

import (
	"context"
	"encoding/csv"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

func init() {
	Register(haproxyModule{}, "community.general.haproxy")
}

// haproxyModule is community.general.haproxy: enable, disable or drain a
// server of HAProxy backends through HAProxy's admin socket.
//
// It follows plugins/modules/haproxy.py of ansible-collections/
// community.general as of commit 02f3e04703f3c44d30383b68f25d093e4df404da:
// the same arguments and defaults, the same socket commands (one line of
// `;`-separated commands per backend, starting with `get weight`), backend
// auto-detection (every BACKEND row of `show stat`, in order), the same
// not-found handling (fail_on_not_found fails at the first backend without
// the host, after acting on the backends before it), the same wait loop
// (wait_retries-1 polls of `show stat`, each followed by a sleep when the
// status does not contain the wanted one, and with drain also scur == 0),
// the drain path only on HAProxy >= 1.5 (`show info` Version), and the same
// result: command, output, state_before, state_after and changed when the
// host's (status, weight, scur) rows differ before and after.
//
// The Python module writes to the unix socket itself; drover talks to it
// from sh on the host with socat, else `nc -U`. Two sessions: one reads
// `show info` (drain only) and `show stat`, the other sends the commands,
// polls `show stat` in a sh loop when wait is set, and prints the final
// `show stat`. The CSV is parsed here.
type haproxyModule struct{}

func (haproxyModule) Name() string { return "haproxy" }

func (haproxyModule) Schema() Schema {
	return Schema{Args: map[string]Arg{
		"state":             {Type: TypeString, Required: true, Choices: []string{"enabled", "disabled", "drain"}},
		"host":              {Type: TypeString, Required: true},
		"backend":           {Type: TypeString},
		"weight":            {Type: TypeString},
		"socket":            {Type: TypePath, Default: haproxyDefaultSocket},
		"shutdown_sessions": {Type: TypeBool, Default: false},
		"fail_on_not_found": {Type: TypeBool, Default: false},
		"health":            {Type: TypeBool, Default: false},
		"agent":             {Type: TypeBool, Default: false},
		"wait":              {Type: TypeBool, Default: false},
		"wait_retries":      {Type: TypeInt, Default: 25},
		"wait_interval":     {Type: TypeInt, Default: 5},
		"drain":             {Type: TypeBool, Default: false},
	}}
}

const (
	haproxyDefaultSocket = "/var/run/haproxy.sock"
	haproxyMark          = "@@DROVER-HAPROXY "
)

type haproxyArgs struct {
	state, host, backend, weight, socket string
	hasBackend                           bool
	shutdown, failNotFound, health       bool
	agent, wait, drain                   bool
	retries, interval                    int
}

func haproxyParse(args map[string]any) (haproxyArgs, error) {
	a := haproxyArgs{
		state:        argString(args, "state"),
		host:         argString(args, "host"),
		backend:      argString(args, "backend"),
		weight:       argString(args, "weight"),
		socket:       argString(args, "socket"),
		shutdown:     argBool(args, "shutdown_sessions", false),
		failNotFound: argBool(args, "fail_on_not_found", false),
		health:       argBool(args, "health", false),
		agent:        argBool(args, "agent", false),
		wait:         argBool(args, "wait", false),
		drain:        argBool(args, "drain", false),
	}
	_, a.hasBackend = args["backend"]
	a.hasBackend = a.hasBackend && args["backend"] != nil
	if _, ok := args["socket"]; !ok || args["socket"] == nil {
		a.socket = haproxyDefaultSocket
	}
	switch a.state {
	case "enabled", "disabled", "drain":
	default:
		return a, fmt.Errorf("value of state must be one of: enabled, disabled, drain, got: %s", a.state)
	}
	if a.host == "" {
		return a, fmt.Errorf("missing required arguments: host")
	}
	for k, v := range map[string]string{"host": a.host, "backend": a.backend, "weight": a.weight} {
		if strings.ContainsAny(v, "\n\r;") {
			return a, fmt.Errorf("argument '%s' must not contain a newline or ';' (it is sent as an HAProxy socket command)", k)
		}
	}
	var err error
	if a.retries, err = haproxyInt(args, "wait_retries", 25); err != nil {
		return a, err
	}
	if a.interval, err = haproxyInt(args, "wait_interval", 5); err != nil {
		return a, err
	}
	if a.interval < 0 {
		return a, fmt.Errorf("wait_interval must not be negative")
	}
	return a, nil
}

func haproxyInt(args map[string]any, k string, def int) (int, error) {
	n, given, err := acctInt(args, k)
	if err != nil {
		return 0, err
	}
	if !given {
		return def, nil
	}
	return n, nil
}

// haproxyPrelude defines hq CMD: send one command line to the socket and
// print the answer, with socat, else nc -U.
func haproxyPrelude(sock string) string {
	return `sock=` + ShellQuote(sock) + `
if command -v socat >/dev/null 2>&1; then
  via=socat; hx() { printf '%s\n' "$1" | socat stdio "UNIX-CONNECT:$sock"; }
elif command -v nc >/dev/null 2>&1; then
  via='nc -U'; hx() { printf '%s\n' "$1" | nc -U "$sock"; }
else
  echo "haproxy: neither socat nor nc (nc -U) is installed on this host: one of them is needed to talk to the HAProxy socket $sock" >&2; exit 3
fi
hq() {
  _o=$(hx "$1") || { echo "haproxy: sending '$1' to the HAProxy socket $sock with $via failed" >&2; exit 4; }
  printf '%s\n' "$_o"
}
`
}

// haproxyRow is one `show stat` row by column name.
type haproxyRow map[string]string

type haproxyStat struct {
	header []string
	rows   []haproxyRow
}

// haproxyParseStat parses `show stat` as the module does
// (csv.DictReader over the answer without its leading "# ").
func haproxyParseStat(s string) (haproxyStat, error) {
	var st haproxyStat
	s = strings.TrimLeft(s, "# ")
	r := csv.NewReader(strings.NewReader(s))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	recs, err := r.ReadAll()
	if err != nil || len(recs) == 0 {
		first, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
		return st, fmt.Errorf("unexpected answer to 'show stat': %q", first)
	}
	st.header = recs[0]
	for _, need := range []string{"pxname", "svname", "status", "weight", "scur"} {
		if haproxyCol(st.header, need) < 0 {
			first, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
			return st, fmt.Errorf("unexpected answer to 'show stat' (no %s column): %q", need, first)
		}
	}
	for _, rec := range recs[1:] {
		row := haproxyRow{}
		for i, h := range st.header {
			if i < len(rec) {
				row[h] = rec[i]
			}
		}
		st.rows = append(st.rows, row)
	}
	return st, nil
}

func haproxyCol(header []string, name string) int {
	for i, h := range header {
		if h == name {
			return i
		}
	}
	return -1
}

// state is get_state_for: the (status, weight, scur) of every row of
// server svname in pxname (any proxy when pxname is nil), or nil.
func (st haproxyStat) state(pxname *string, svname string) any {
	var out []any
	for _, r := range st.rows {
		if (pxname == nil || r["pxname"] == *pxname) && r["svname"] == svname {
			out = append(out, map[string]any{"status": r["status"], "weight": r["weight"], "scur": r["scur"]})
		}
	}
	if out == nil {
		return nil
	}
	return out
}

// backends is discover_all_backends.
func (st haproxyStat) backends() []string {
	var out []string
	for _, r := range st.rows {
		if r["svname"] == "BACKEND" {
			out = append(out, r["pxname"])
		}
	}
	return out
}

// haproxyVersion is discover_version: (major, minor) from the first line
// of `show info` holding "Version:", or false.
func haproxyVersion(info string) (int, int, bool) {
	for _, l := range strings.Split(info, "\n") {
		if !strings.Contains(l, "Version:") {
			continue
		}
		_, v, _ := strings.Cut(l, ":")
		parts := strings.SplitN(strings.TrimSpace(v), ".", 4)
		if len(parts) < 2 {
			return 0, 0, false
		}
		maj, err1 := strconv.Atoi(strings.TrimSpace(parts[0]))
		mnr, err2 := strconv.Atoi(strings.TrimSpace(parts[1]))
		return maj, mnr, err1 == nil && err2 == nil
	}
	return 0, 0, false
}

// haproxySections splits a script's output at the marker lines.
type haproxySection struct{ name, body string }

func haproxySections(out string) []haproxySection {
	var secs []haproxySection
	for _, l := range strings.SplitAfter(out, "\n") {
		if strings.HasPrefix(l, haproxyMark) {
			secs = append(secs, haproxySection{name: strings.TrimSpace(strings.TrimPrefix(l, haproxyMark))})
			continue
		}
		if len(secs) > 0 {
			secs[len(secs)-1].body += l
		}
	}
	return secs
}

// haproxyStep is one execute_for_backends iteration: a command line for one
// backend, and the status to wait for.
type haproxyStep struct {
	px, cmd, status string
}

func (m haproxyModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	a, err := haproxyParse(args)
	if err != nil {
		return Fail(err.Error())
	}
	if env.Check {
		// check_mode support: none, as the Python module.
		return Result{"changed": false, "skipped": true, "msg": "remote module (community.general.haproxy) does not support check mode"}
	}
	drainPath := a.state == "drain" || (a.state == "disabled" && a.drain)

	// Session 1: show info (for the drain path's version check) and show stat.
	var sb strings.Builder
	sb.WriteString(haproxyPrelude(a.socket))
	if drainPath {
		sb.WriteString("echo '" + haproxyMark + "info'; hq 'show info'\n")
	}
	sb.WriteString("echo '" + haproxyMark + "stat'; hq 'show stat'\n")
	res, fr := Exec(ctx, env, sb.String(), nil)
	if fr != nil {
		return fr
	}
	if res.ExitCode != 0 {
		return haproxyScriptFail(res)
	}
	var info, statText string
	for _, s := range haproxySections(string(res.Stdout)) {
		switch s.name {
		case "info":
			info = s.body
		case "stat":
			statText = s.body
		}
	}
	st, err := haproxyParseStat(statText)
	if err != nil {
		return Fail(fmt.Sprintf("haproxy: %v from %s", err, a.socket))
	}
	var pxname *string
	if a.hasBackend {
		pxname = &a.backend
	}
	before := st.state(pxname, a.host)
	backends := []string{a.backend}
	if !a.hasBackend {
		backends = st.backends()
	}

	// The commands, as enabled()/disabled()/drain() build them.
	enabledCmd := "get weight $pxname/$svname; enable server $pxname/$svname"
	if a.agent {
		enabledCmd += "; enable agent $pxname/$svname"
	}
	if a.health {
		enabledCmd += "; enable health $pxname/$svname"
	}
	if a.weight != "" {
		enabledCmd += "; set weight $pxname/$svname " + a.weight
	}
	disabledCmd := "get weight $pxname/$svname"
	if a.agent {
		disabledCmd += "; disable agent $pxname/$svname"
	}
	if a.health {
		disabledCmd += "; disable health $pxname/$svname"
	}
	disabledCmd += "; disable server $pxname/$svname"
	if a.shutdown {
		disabledCmd += "; shutdown sessions server $pxname/$svname"
	}
	drainCmd := "set server $pxname/$svname state drain"

	type pass struct{ cmd, status string }
	var passes []pass
	switch {
	case a.state == "enabled":
		passes = []pass{{enabledCmd, "UP"}}
	case drainPath:
		// drain() does nothing before HAProxy 1.5 (or when the version is
		// unknown), as the module.
		if maj, mnr, ok := haproxyVersion(info); ok && (maj > 1 || maj == 1 && mnr >= 5) {
			passes = []pass{{drainCmd, "DRAIN"}}
			if a.state == "disabled" {
				passes = append(passes, pass{disabledCmd, "MAINT"})
			}
		}
	default:
		passes = []pass{{disabledCmd, "MAINT"}}
	}
	var steps []haproxyStep
	notFound := ""
plan:
	for _, p := range passes {
		for _, b := range backends {
			if st.state(&b, a.host) == nil {
				if a.failNotFound {
					notFound = fmt.Sprintf("The specified backend '%s/%s' was not found!", b, a.host)
					break plan
				}
				continue
			}
			cmd := strings.NewReplacer("$pxname", b, "$svname", a.host).Replace(p.cmd)
			steps = append(steps, haproxyStep{px: b, cmd: cmd, status: p.status})
		}
	}
	if len(steps) == 0 {
		if notFound != "" {
			return Fail(notFound)
		}
		return Result{"changed": false, "state_before": before, "state_after": before}
	}

	// Session 2: the commands, the waits, the final show stat.
	sb.Reset()
	sb.WriteString(haproxyPrelude(a.socket))
	if a.wait {
		sb.WriteString(haproxyWaitFuncs(st.header, a.retries, a.interval, a.drain))
	}
	for i, s := range steps {
		sb.WriteString("echo '" + haproxyMark + "out'; hq " + ShellQuote(s.cmd) + "\n")
		if a.wait {
			fmt.Fprintf(&sb, "wt %s %s %s || { echo '%swaitfail %d'; exit 0; }\n",
				ShellQuote(s.px), ShellQuote(a.host), ShellQuote(s.status), haproxyMark, i)
		}
	}
	sb.WriteString("echo '" + haproxyMark + "stat'; hq 'show stat'\n")
	res, fr = Exec(ctx, env, sb.String(), nil)
	if fr != nil {
		return fr
	}
	if res.ExitCode != 0 {
		return haproxyScriptFail(res)
	}
	var cmds, outs []string
	statText = ""
	for _, s := range haproxySections(string(res.Stdout)) {
		switch {
		case s.name == "out":
			if len(cmds) < len(steps) {
				cmds = append(cmds, steps[len(cmds)].cmd)
				outs = append(outs, strings.TrimSpace(s.body))
			}
		case strings.HasPrefix(s.name, "waitfail "):
			i, _ := strconv.Atoi(strings.TrimPrefix(s.name, "waitfail "))
			if i < 0 || i >= len(steps) {
				i = 0
			}
			return Fail(fmt.Sprintf("server %s/%s not status '%s' after %d retries. Aborting.", steps[i].px, a.host, steps[i].status, a.retries))
		case s.name == "stat":
			statText = s.body
		}
	}
	if notFound != "" {
		return Fail(notFound)
	}
	st2, err := haproxyParseStat(statText)
	if err != nil {
		return Fail(fmt.Sprintf("haproxy: %v from %s", err, a.socket))
	}
	after := st2.state(pxname, a.host)
	return Result{
		"changed":      !reflect.DeepEqual(before, after),
		"state_before": before,
		"state_after":  after,
		"command":      cmds,
		"output":       outs,
	}
}

// haproxyWaitFuncs defines wt PX SV STATUS: wait_until_status, polling
// `show stat` (retries-1 times, sleeping interval seconds after each miss)
// until the first row of PX/SV has STATUS in its status (and, with drain,
// scur 0). The row is split with read at the header's column positions:
// pxname, svname, scur, status come before HAProxy's quoted text columns.
func haproxyWaitFuncs(header []string, retries, interval int, drain bool) string {
	px, sv := haproxyCol(header, "pxname"), haproxyCol(header, "svname")
	status, scur := haproxyCol(header, "status"), haproxyCol(header, "scur")
	n := max(px, sv, status, scur) + 1
	vars := make([]string, n)
	for i := range vars {
		vars[i] = fmt.Sprintf("c%d", i)
	}
	d := "0"
	if drain {
		d = "1"
	}
	return fmt.Sprintf(`chk() {
  while IFS=, read -r %s _rest; do
    [ "$c%d" = "$1" ] && [ "$c%d" = "$2" ] || continue
    case "$c%d" in *"$3"*) [ %s = 0 ] || [ "$c%d" = 0 ]; return;; esac
    return 1
  done
  return 1
}
wt() {
  _i=1
  while [ "$_i" -lt %d ]; do
    _s=$(hq 'show stat') || exit 4
    if printf '%%s\n' "$_s" | chk "$1" "$2" "$3"; then return 0; fi
    sleep %d
    _i=$((_i + 1))
  done
  return 1
}
`, strings.Join(vars, " "), px, sv, status, d, scur, retries, interval)
}

func haproxyScriptFail(res *ExecResult) Result {
	msg := strings.TrimSpace(string(res.Stderr))
	if msg == "" {
		msg = fmt.Sprintf("haproxy: the socket script failed (rc=%d)", res.ExitCode)
	}
	r := Fail(msg)
	r["rc"] = res.ExitCode
	return r
}
