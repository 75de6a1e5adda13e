package modules

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
)

func init() {
	Register(groupModule{}, "ansible.builtin.group", "ansible.legacy.group")
}

// groupModule is Ansible's group on Linux: getent reads the group, groupadd,
// groupmod and groupdel (shadow-utils) change it.
type groupModule struct{}

func (groupModule) Name() string { return "group" }

func (groupModule) Schema() Schema {
	return Schema{
		Args: map[string]Arg{
			"name":       {Type: TypeString, Required: true},
			"state":      {Type: TypeString, Default: "present", Choices: []string{"absent", "present"}},
			"gid":        {Type: TypeInt},
			"system":     {Type: TypeBool, Default: false},
			"non_unique": {Type: TypeBool, Default: false},
		},
		Unsupported: map[string]string{
			"local": "drover manages groups with groupadd/groupmod/groupdel; libuser's lgroupadd/lgroupmod/lgroupdel are not supported",
		},
	}
}

func (groupModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	name := argString(args, "name")
	if name == "" {
		return Fail("missing required arguments: name")
	}
	state, err := acctChoice(args, "state", "present", "absent", "present")
	if err != nil {
		return Fail(err.Error())
	}
	gid, gidSet, err := acctInt(args, "gid")
	if err != nil {
		return Fail(err.Error())
	}
	system := argBool(args, "system", false)
	nonUnique := argBool(args, "non_unique", false)
	if nonUnique && !gidSet {
		return Fail("non_unique is True but all of the following are missing: gid")
	}

	q := ShellQuote(name)
	res, fr := Exec(ctx, env, acctGetentCheck+"echo @@drover:group\ngetent group "+q+"\nexit 0\n", nil)
	if fr != nil {
		return fr
	}
	if res.ExitCode != 0 {
		return Fail(fmt.Sprintf("reading group %s failed (rc=%d): %s", name, res.ExitCode, strings.TrimSpace(string(res.Stderr))))
	}
	cur, exists := acctFindGroupByName(acctSections(string(res.Stdout))["group"], name)

	out := Result{"name": name, "state": state}
	var argv []string
	switch {
	case state == "absent" && !exists:
	case state == "absent":
		argv = []string{"groupdel", name}
	case !exists:
		argv = []string{"groupadd"}
		if gidSet {
			argv = append(argv, "-g", strconv.Itoa(gid))
			if nonUnique {
				argv = append(argv, "-o")
			}
		}
		if system {
			argv = append(argv, "-r")
		}
		argv = append(argv, name)
	case gidSet && cur.gid != gid:
		argv = []string{"groupmod", "-g", strconv.Itoa(gid)}
		if nonUnique {
			argv = append(argv, "-o")
		}
		argv = append(argv, name)
	}

	if argv == nil {
		out["changed"] = false
		if exists {
			out["system"], out["gid"] = system, cur.gid
		}
		return out
	}
	if env.Check {
		if !exists || state == "absent" {
			// Ansible exits here with changed alone.
			return Result{"changed": true}
		}
		out["changed"] = true
		out["system"], out["gid"] = system, cur.gid
		return out
	}
	tail := ""
	if state == "present" {
		tail = "echo @@drover:group\ngetent group " + q + "\n"
	}
	o, fr := acctAction(ctx, env, acctArgv(argv), tail, nil)
	if fr != nil {
		return fr
	}
	if o.rc != 0 {
		return acctFail(name, argv[0], o)
	}
	out["changed"] = true
	o.addOutput(out)
	if g, ok := acctFindGroupByName(o.sections["group"], name); ok {
		out["system"], out["gid"] = system, g.gid
	}
	return out
}

// The helpers below are shared by the group and user modules.

// acctGetentCheck starts every script that reads the account databases.
const acctGetentCheck = "command -v getent >/dev/null 2>&1 || { echo 'getent: command not found on the host' >&2; exit 127; }\n"

// acctGroup is one group(5) entry.
type acctGroup struct {
	name    string
	gid     int
	members []string
}

func acctParseGroup(line string) (acctGroup, bool) {
	f := strings.SplitN(line, ":", 4)
	if len(f) < 3 {
		return acctGroup{}, false
	}
	gid, err := strconv.Atoi(f[2])
	if err != nil {
		return acctGroup{}, false
	}
	g := acctGroup{name: f[0], gid: gid}
	if len(f) == 4 {
		for _, m := range strings.Split(f[3], ",") {
			if m != "" {
				g.members = append(g.members, m)
			}
		}
	}
	return g, true
}

func acctParseGroups(lines []string) []acctGroup {
	var out []acctGroup
	for _, l := range lines {
		if g, ok := acctParseGroup(l); ok {
			out = append(out, g)
		}
	}
	return out
}

// acctFindGroupByName returns the entry of lines named name (getent with a
// numeric key looks a gid up, which is not the group named so).
func acctFindGroupByName(lines []string, name string) (acctGroup, bool) {
	for _, g := range acctParseGroups(lines) {
		if g.name == name {
			return g, true
		}
	}
	return acctGroup{}, false
}

// acctSections splits output into the sections that "@@drover:KEY" lines
// start.
func acctSections(out string) map[string][]string {
	m := map[string][]string{}
	key := ""
	for _, l := range strings.Split(out, "\n") {
		if k, ok := strings.CutPrefix(l, "@@drover:"); ok {
			key = k
			m[key] = []string{}
			continue
		}
		if key != "" && l != "" {
			m[key] = append(m[key], l)
		}
	}
	return m
}

// acctPasswordWord stands in an argv for the password, which the action
// script reads from its stdin into $p: the hash is never part of the
// command text.
const acctPasswordWord = "\x00password"

// acctArgv quotes argv for sh.
func acctArgv(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		if a == acctPasswordWord {
			q[i] = `"$p"`
		} else {
			q[i] = ShellQuote(a)
		}
	}
	return strings.Join(q, " ")
}

// acctOutcome is what an action script did: the command's own output and
// status, and the sections printed after it.
type acctOutcome struct {
	stdout, stderr string
	rc             int
	sections       map[string][]string
}

// addOutput sets stdout and stderr when not empty, as Ansible's modules do.
func (o acctOutcome) addOutput(r Result) {
	if o.stdout != "" {
		r["stdout"] = o.stdout
	}
	if o.stderr != "" {
		r["stderr"] = o.stderr
	}
}

// acctAction runs cmd (a command line; with stdin, its first line is read
// into $p first), then, when it succeeded, tail, whose output comes back
// as sections.
func acctAction(ctx context.Context, env *Env, cmd, tail string, stdin []byte) (acctOutcome, Result) {
	var b strings.Builder
	if stdin != nil {
		b.WriteString("IFS= read -r p\n")
	}
	b.WriteString(cmd + "\nrc=$?\nprintf '\\n@@drover:rc\\n%d\\n' \"$rc\"\n[ \"$rc\" -eq 0 ] || exit 0\n" + tail + "exit 0\n")
	res, fr := Exec(ctx, env, b.String(), stdin)
	if fr != nil {
		return acctOutcome{}, fr
	}
	out := string(res.Stdout)
	o := acctOutcome{stderr: string(res.Stderr), rc: res.ExitCode}
	i := strings.LastIndex(out, "\n@@drover:rc\n")
	if i < 0 {
		if o.rc == 0 {
			o.rc = 1
		}
		o.stdout = out
		return o, nil
	}
	o.stdout = out[:i]
	rest := out[i+len("\n@@drover:rc\n"):]
	line, rest, _ := strings.Cut(rest, "\n")
	if n, err := strconv.Atoi(line); err == nil {
		o.rc = n
	}
	o.sections = acctSections(rest)
	return o, nil
}

// acctFail is Ansible's fail_json(name=..., msg=err, rc=rc) after a failed
// command.
func acctFail(name, cmd string, o acctOutcome) Result {
	msg := o.stderr
	if strings.TrimSpace(msg) == "" {
		msg = fmt.Sprintf("%s failed (rc=%d)", cmd, o.rc)
	}
	r := Fail(msg)
	r["name"], r["rc"] = name, o.rc
	if o.stdout != "" {
		r["stdout"] = o.stdout
	}
	return r
}

// acctInt reads an integer argument: whether it was given, and an error
// when it is not an integer.
func acctInt(args map[string]any, k string) (int, bool, error) {
	v, ok := args[k]
	if !ok || v == nil {
		return 0, false, nil
	}
	switch x := v.(type) {
	case int:
		return x, true, nil
	case int64:
		return int(x), true, nil
	case float64:
		if x == math.Trunc(x) {
			return int(x), true, nil
		}
	}
	n, err := strconv.Atoi(strings.TrimSpace(fmt.Sprint(v)))
	if err != nil {
		return 0, true, fmt.Errorf("argument '%s' must be an integer, got %q", k, fmt.Sprint(v))
	}
	return n, true, nil
}

// acctChoice reads a string argument with a default that must be one of
// choices (a templated value is only checked here).
func acctChoice(args map[string]any, k, def string, choices ...string) (string, error) {
	s := argString(args, k)
	if s == "" {
		s = def
	}
	for _, c := range choices {
		if s == c {
			return s, nil
		}
	}
	return "", fmt.Errorf("value of %s must be one of: %s, got: %s", k, strings.Join(choices, ", "), s)
}
