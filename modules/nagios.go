package modules

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

func init() {
	Register(nagiosModule{}, "community.general.nagios")
}

// nagiosModule is community.general.nagios: downtime, notifications and
// raw external commands written to Nagios' command file (a FIFO).
//
// It follows plugins/modules/nagios.py of ansible-collections/
// community.general as of commit 1aa857f5b5528b2240ef36b535d655c06536294e:
// the same arguments, defaults and required_if rules, the command file
// found in the first nagios.cfg/icinga.cfg of the module's list that has a
// command_file line, the same checks (exists, is a FIFO) and messages, and
// byte for byte the same external command lines ("[TIMESTAMP] COMMAND;...",
// one open-write-close per line), with the timestamps from the host's
// `date +%s`. Returns nagios_commands (the lines written) and changed:
// true, as the module. One session.
type nagiosModule struct{}

func (nagiosModule) Name() string { return "nagios" }

var nagiosActions = []string{
	"downtime", "delete_downtime", "enable_alerts", "disable_alerts", "silence", "unsilence",
	"silence_nagios", "unsilence_nagios", "command", "servicegroup_service_downtime",
	"servicegroup_host_downtime", "acknowledge", "forced_check",
}

func (nagiosModule) Schema() Schema {
	return Schema{Args: map[string]Arg{
		"action":       {Type: TypeString, Required: true, Choices: nagiosActions},
		"host":         {Type: TypeString},
		"cmdfile":      {Type: TypeString},
		"author":       {Type: TypeString, Default: "Ansible"},
		"comment":      {Type: TypeString, Default: "Scheduling downtime"},
		"start":        {Type: TypeString},
		"minutes":      {Type: TypeInt, Default: 30},
		"services":     {Type: TypeString, Aliases: []string{"service"}},
		"servicegroup": {Type: TypeString},
		"command":      {Type: TypeString},
	}}
}

// nagiosCfgLocations is which_cmdfile's list, searched in order on the host.
var nagiosCfgLocations = []string{
	"/etc/nagios/nagios.cfg",
	"/etc/nagios3/nagios.cfg",
	"/etc/nagios2/nagios.cfg",
	"/usr/local/etc/nagios/nagios.cfg",
	"/usr/local/groundwork/nagios/etc/nagios.cfg",
	"/omd/sites/oppy/tmp/nagios/nagios.cfg",
	"/usr/local/nagios/etc/nagios.cfg",
	"/usr/local/nagios/nagios.cfg",
	"/opt/nagios/etc/nagios.cfg",
	"/opt/nagios/nagios.cfg",
	"/etc/icinga/icinga.cfg",
	"/usr/local/icinga/etc/icinga.cfg",
}

// nagiosRequiredIf is the module's required_if.
var nagiosRequiredIf = map[string][]string{
	"downtime":                      {"host", "services"},
	"delete_downtime":               {"host", "services"},
	"silence":                       {"host"},
	"unsilence":                     {"host"},
	"enable_alerts":                 {"host", "services"},
	"disable_alerts":                {"host", "services"},
	"command":                       {"command"},
	"servicegroup_host_downtime":    {"host", "servicegroup"},
	"servicegroup_service_downtime": {"host", "servicegroup"},
	"acknowledge":                   {"host", "services"},
	"forced_check":                  {"host", "services"},
}

// nagiosTime is a timestamp in a command line: the host's now (read once)
// plus off, or a fixed value when abs.
type nagiosTime struct {
	abs   bool
	value int64
}

func (t nagiosTime) plus(d int64) nagiosTime { return nagiosTime{abs: t.abs, value: t.value + d} }

// nagiosLine is one external command line: literal text and timestamps.
type nagiosLine []any // string or nagiosTime

// sh renders the line as one sh word ($now is the host's time).
func (l nagiosLine) sh() string {
	var b strings.Builder
	for _, p := range l {
		switch x := p.(type) {
		case string:
			b.WriteString(ShellQuote(x))
		case nagiosTime:
			if x.abs {
				b.WriteString(strconv.FormatInt(x.value, 10))
			} else {
				fmt.Fprintf(&b, `"$((now + %d))"`, x.value)
			}
		}
	}
	return b.String()
}

// text renders the line with the host's time now.
func (l nagiosLine) text(now int64) string {
	var b strings.Builder
	for _, p := range l {
		switch x := p.(type) {
		case string:
			b.WriteString(x)
		case nagiosTime:
			if x.abs {
				b.WriteString(strconv.FormatInt(x.value, 10))
			} else {
				b.WriteString(strconv.FormatInt(now+x.value, 10))
			}
		}
	}
	return b.String()
}

type nagiosCmds struct {
	author, comment string
	start           *int64
	minutes         int64
	lines           []nagiosLine
}

var nagiosNow = nagiosTime{}

func (n *nagiosCmds) add(parts ...any) { n.lines = append(n.lines, nagiosLine(parts)) }

// dt is _fmt_dt_str: "[now] CMD;host;[svc;]start;end;1;0;duration;author;comment".
func (n *nagiosCmds) dt(cmd, host string, svc *string) {
	start := nagiosNow
	if n.start != nil {
		start = nagiosTime{abs: true, value: *n.start}
	}
	dur := n.minutes * 60
	parts := []any{"[", nagiosNow, "] " + cmd + ";" + host + ";"}
	if svc != nil {
		parts = append(parts, *svc+";")
	}
	parts = append(parts, start, ";", start.plus(dur), fmt.Sprintf(";1;0;%d;%s;%s", dur, n.author, n.comment))
	n.add(parts...)
}

// ack is _fmt_ack_str: "[now] CMD;host;[svc;]0;1;0;author;comment".
func (n *nagiosCmds) ack(cmd, host string, svc *string) {
	s := cmd + ";" + host + ";"
	if svc != nil {
		s += *svc + ";"
	}
	n.add("[", nagiosNow, "] "+s+"0;1;0;"+n.author+";"+n.comment)
}

// dtDel is _fmt_dt_del_str: "[now] CMD;host;svc;;comment".
func (n *nagiosCmds) dtDel(cmd, host, svc, comment string) {
	n.add("[", nagiosNow, "] "+cmd+";"+host+";"+svc+";;"+comment)
}

// chk is _fmt_chk_str: "[now] CMD;host;[svc;]now+3".
func (n *nagiosCmds) chk(cmd, host string, svc *string) {
	s := cmd + ";" + host + ";"
	if svc != nil {
		s += *svc + ";"
	}
	n.add("[", nagiosNow, "] "+s, nagiosNow.plus(3))
}

// notif is _fmt_notif_str: "[now] CMD[;host[;svc]]".
func (n *nagiosCmds) notif(cmd string, host, svc *string) {
	s := "] " + cmd
	if host != nil {
		s += ";" + *host
		if svc != nil {
			s += ";" + *svc
		}
	}
	n.add("[", nagiosNow, s)
}

func nagiosGiven(args map[string]any, k string) bool {
	v, ok := args[k]
	return ok && v != nil
}

func (m nagiosModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	if v, ok := argAlias(args, "services", "service"); ok {
		args = withArg(args, "services", v)
	}
	action := argString(args, "action")
	req, known := nagiosRequiredIf[action]
	if !known && action != "silence_nagios" && action != "unsilence_nagios" {
		return Fail(fmt.Sprintf("value of action must be one of: %s, got: %s", strings.Join(nagiosActions, ", "), action))
	}
	var missing []string
	for _, k := range req {
		if !nagiosGiven(args, k) {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return Fail(fmt.Sprintf("action is %s but all of the following are missing: %s", action, strings.Join(missing, ", ")))
	}
	n := &nagiosCmds{author: "Ansible", comment: "Scheduling downtime", minutes: 30}
	if nagiosGiven(args, "author") {
		n.author = argString(args, "author")
	}
	if nagiosGiven(args, "comment") {
		n.comment = argString(args, "comment")
	}
	if mins, given, err := acctInt(args, "minutes"); err != nil {
		return Fail(err.Error())
	} else if given {
		n.minutes = int64(mins)
	}
	if nagiosGiven(args, "start") {
		s, err := strconv.ParseInt(strings.TrimSpace(argString(args, "start")), 10, 64)
		if err != nil {
			return Fail(fmt.Sprintf("start must be a time_t (epoch seconds), got %q", argString(args, "start")))
		}
		n.start = &s
	}
	if env.Check {
		// check_mode support: none, as the Python module.
		return Result{"changed": false, "skipped": true, "msg": "remote module (community.general.nagios) does not support check mode"}
	}
	host := argString(args, "host")
	hostp := &host
	var services []string // nil: "host" or "all"
	svcKw := ""
	if nagiosGiven(args, "services") {
		s := argString(args, "services")
		if s == "host" || s == "all" {
			svcKw = s
		} else {
			services = strings.Split(s, ",") // no trimming, as the module
		}
	}
	switch action {
	case "downtime":
		switch svcKw {
		case "host":
			n.dt("SCHEDULE_HOST_DOWNTIME", host, nil)
		case "all":
			n.dt("SCHEDULE_HOST_SVC_DOWNTIME", host, nil)
		default:
			for _, s := range services {
				n.dt("SCHEDULE_SVC_DOWNTIME", host, &s)
			}
		}
	case "acknowledge":
		switch svcKw {
		case "host":
			n.ack("ACKNOWLEDGE_HOST_PROBLEM", host, nil)
		case "all":
			// The Python module iterates over the letters of "all" here.
			return Fail("services: all is not supported with action: acknowledge (community.general's module would acknowledge services named 'a', 'l', 'l'); list the services, or use services: host")
		default:
			for _, s := range services {
				n.ack("ACKNOWLEDGE_SVC_PROBLEM", host, &s)
			}
		}
	case "delete_downtime":
		switch svcKw {
		case "host":
			n.dtDel("DEL_DOWNTIME_BY_HOST_NAME", host, "", n.comment)
		case "all":
			n.dtDel("DEL_DOWNTIME_BY_HOST_NAME", host, "", "")
		default:
			for _, s := range services {
				n.dtDel("DEL_DOWNTIME_BY_HOST_NAME", host, s, n.comment)
			}
		}
	case "forced_check":
		switch svcKw {
		case "host":
			n.chk("SCHEDULE_FORCED_HOST_CHECK", host, nil)
		case "all":
			n.chk("SCHEDULE_FORCED_HOST_SVC_CHECKS", host, nil)
		default:
			for _, s := range services {
				n.chk("SCHEDULE_FORCED_SVC_CHECK", host, &s)
			}
		}
	case "servicegroup_host_downtime":
		if sg := argString(args, "servicegroup"); sg != "" {
			n.dt("SCHEDULE_SERVICEGROUP_HOST_DOWNTIME", sg, nil)
		}
	case "servicegroup_service_downtime":
		if sg := argString(args, "servicegroup"); sg != "" {
			n.dt("SCHEDULE_SERVICEGROUP_SVC_DOWNTIME", sg, nil)
		}
	case "silence":
		n.notif("DISABLE_HOST_SVC_NOTIFICATIONS", hostp, nil)
		n.notif("DISABLE_HOST_NOTIFICATIONS", hostp, nil)
	case "unsilence":
		n.notif("ENABLE_HOST_SVC_NOTIFICATIONS", hostp, nil)
		n.notif("ENABLE_HOST_NOTIFICATIONS", hostp, nil)
	case "enable_alerts", "disable_alerts":
		verb := "ENABLE"
		if action == "disable_alerts" {
			verb = "DISABLE"
		}
		switch svcKw {
		case "host":
			n.notif(verb+"_HOST_NOTIFICATIONS", hostp, nil)
		case "all":
			n.notif(verb+"_HOST_SVC_NOTIFICATIONS", hostp, nil)
		default:
			for _, s := range services {
				n.notif(verb+"_SVC_NOTIFICATIONS", hostp, &s)
			}
		}
	case "silence_nagios":
		n.notif("DISABLE_NOTIFICATIONS", nil, nil)
	case "unsilence_nagios":
		n.notif("ENABLE_NOTIFICATIONS", nil, nil)
	case "command":
		n.add("[", nagiosNow, "] "+argString(args, "command"))
	}

	res, fr := Exec(ctx, env, nagiosScript(args, n.lines), nil)
	if fr != nil {
		return fr
	}
	out := string(res.Stdout)
	cmdfile, now := "", int64(0)
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, "cmdfile="); ok {
			cmdfile = v
		} else if v, ok := strings.CutPrefix(l, "now="); ok {
			now, _ = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
	fail := func(msg string) Result {
		r := Fail(msg)
		r["cmdfile"] = cmdfile
		return r
	}
	switch res.ExitCode {
	case 0:
	case 3:
		return Fail("unable to locate nagios.cfg")
	case 4:
		return fail("nagios command file does not exist")
	case 5:
		return fail("nagios command file is not a fifo file")
	case 6:
		return fail("unable to write to nagios command file")
	default:
		msg := strings.TrimSpace(string(res.Stderr))
		if msg == "" {
			msg = fmt.Sprintf("nagios: the command script failed (rc=%d)", res.ExitCode)
		}
		return fail(msg)
	}
	written := make([]string, 0, len(n.lines))
	for _, l := range n.lines {
		written = append(written, strings.TrimSpace(l.text(now)))
	}
	return Result{"changed": true, "nagios_commands": written}
}

// nagiosScript finds the command file (cmdfile, else which_cmdfile on the
// host), checks it when there is something to write, reads the host's time
// and writes each line (its own open, as the module). Exit codes: 3 no
// command file found, 4 it does not exist, 5 not a FIFO, 6 write failed.
func nagiosScript(args map[string]any, lines []nagiosLine) string {
	var b strings.Builder
	if nagiosGiven(args, "cmdfile") {
		b.WriteString("cf=" + ShellQuote(argString(args, "cmdfile")) + "\n")
	} else {
		locs := make([]string, len(nagiosCfgLocations))
		for i, l := range nagiosCfgLocations {
			locs[i] = ShellQuote(l)
		}
		// First file that exists and has a line starting with
		// command_file: the text between its first and second '=',
		// stripped.
		b.WriteString(`cf=
for p in ` + strings.Join(locs, " ") + `; do
  [ -e "$p" ] || continue
  found=; v=
  while IFS= read -r l || [ -n "$l" ]; do
    case $l in command_file*)
      found=1
      case $l in *=*) v=${l#*=}; v=${v%%=*};; esac
      break;;
    esac
  done < "$p"
  [ -n "$found" ] || continue
  while :; do case $v in [[:space:]]*) v=${v#?};; *) break;; esac; done
  while :; do case $v in *[[:space:]]) v=${v%?};; *) break;; esac; done
  cf=$v; break
done
`)
	}
	b.WriteString(`[ -n "$cf" ] || exit 3
printf 'cmdfile=%s\n' "$cf"
`)
	if len(lines) == 0 {
		return b.String()
	}
	b.WriteString(`[ -e "$cf" ] || exit 4
[ -p "$cf" ] || exit 5
now=$(date +%s) || exit 7
printf 'now=%s\n' "$now"
`)
	for _, l := range lines {
		b.WriteString("printf '%s\\n' " + l.sh() + ` > "$cf" || exit 6` + "\n")
	}
	return b.String()
}
