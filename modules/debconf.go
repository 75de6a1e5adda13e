package modules

import (
	"context"
	"fmt"
	"strings"
)

func init() {
	Register(debconfModule{}, "ansible.builtin.debconf", "ansible.legacy.debconf")
}

// debconfModule is Ansible's debconf: it reads a package's debconf answers
// with `debconf-show NAME` and preseeds one with debconf-set-selections
// (stdin), as ansible-core 2.14's module does. Without a question it only
// returns the current answers.
//
// A password value never leaves the controller in a result: for vtype
// password every occurrence of the value in the result (current, diff,
// messages, debconf-set-selections' stderr, which quotes bad lines) is
// replaced by ********, as Ansible's no_log masking does, and the value
// reaches the host only on stdin, never on a command line.
type debconfModule struct{}

func (debconfModule) Name() string { return "debconf" }

var debconfVtypes = []string{"boolean", "error", "multiselect", "note", "password", "seen", "select", "string", "text", "title"}

func (debconfModule) Schema() Schema {
	return Schema{Args: map[string]Arg{
		"name":     {Type: TypeString, Required: true, Aliases: []string{"pkg"}},
		"question": {Type: TypeString, Aliases: []string{"selection", "setting"}},
		"vtype":    {Type: TypeString, Choices: debconfVtypes},
		"value":    {Type: TypeString, Aliases: []string{"answer"}},
		"unseen":   {Type: TypeBool, Default: false},
	}}
}

// debconfNeed fails the script as Ansible's get_bin_path does when a
// command is missing (PATH plus the sbin directories it also searches).
func debconfNeed(cmd string) string {
	return `for d in /sbin /usr/sbin /usr/local/sbin; do case :$PATH: in *:$d:*) ;; *) [ -d $d ] && PATH=$PATH:$d ;; esac; done
command -v ` + cmd + ` >/dev/null 2>&1 || { printf 'Failed to find required executable "%s" in paths: %s\n' ` + cmd + ` "$PATH" >&2; exit 127; }
`
}

func (debconfModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	get := func(k string, aliases ...string) (string, bool) {
		v, ok := argAlias(args, k, aliases...)
		return pyStrArg(v), ok
	}
	pkg, _ := get("name", "pkg")
	question, hasQ := get("question", "selection", "setting")
	vtype, hasT := get("vtype")
	value, hasV := get("value", "answer")
	unseen := argBool(args, "unseen", false)

	secret := ""
	if vtype == "password" && value != "" {
		secret = value
	}
	mask := func(r Result) Result {
		if secret == "" {
			return r
		}
		return debconfMask(r, secret).(Result)
	}

	// required_together (question, vtype, value): all or none.
	if (hasQ || hasT || hasV) && !(hasQ && hasT && hasV) {
		return mask(Fail("parameters are required together: question, vtype, value"))
	}
	if hasT {
		ok := false
		for _, c := range debconfVtypes {
			ok = ok || c == vtype
		}
		if !ok {
			return mask(Fail(fmt.Sprintf("value of vtype must be one of: %s, got: %s", strings.Join(debconfVtypes, ", "), vtype)))
		}
	}

	res, fr := Exec(ctx, env, debconfNeed("debconf-show")+"debconf-show "+ShellQuote(pkg), nil)
	if fr != nil {
		return mask(fr)
	}
	if res.ExitCode != 0 {
		return mask(Fail(string(res.Stderr)))
	}
	prev := map[string]any{}
	for _, line := range strings.Split(strings.ReplaceAll(string(res.Stdout), "\r\n", "\n"), "\n") {
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		prev[strings.TrimSpace(strings.Trim(key, "*"))] = strings.TrimSpace(val)
	}

	changed := false
	if hasQ {
		if existing, ok := prev[question]; !ok {
			changed = true
		} else {
			ex := existing.(string)
			// debconf shows booleans as the strings true/false.
			if vtype == "boolean" {
				value = strings.ToLower(value)
				ex = strings.ToLower(ex)
			}
			changed = value != ex
		}
	}
	if !changed {
		return mask(Result{"changed": false, "failed": false, "msg": "", "current": prev})
	}

	msg := ""
	if !env.Check {
		set := "debconf-set-selections"
		if unseen {
			set += " -u"
		}
		v := value
		if vtype == "boolean" {
			switch v {
			case "True":
				v = "true"
			case "False":
				v = "false"
			}
		}
		data := strings.Join([]string{pkg, question, vtype, v}, " ") + "\n"
		res, fr := Exec(ctx, env, debconfNeed("debconf-set-selections")+set, []byte(data))
		if fr != nil {
			return mask(fr)
		}
		if res.ExitCode != 0 {
			return mask(Fail(string(res.Stderr)))
		}
		msg = string(res.Stdout)
	}
	curr := map[string]any{question: value}
	previous := prev
	if p, ok := prev[question]; ok {
		previous = map[string]any{question: p}
	} else {
		previous[question] = ""
	}
	diff := map[string]any{}
	if env.Diff {
		after := map[string]any{}
		for k, v := range previous {
			after[k] = v
		}
		after[question] = value
		before := map[string]any{}
		for k, v := range previous {
			before[k] = v
		}
		diff = map[string]any{"before": before, "after": after}
	}
	return mask(Result{"changed": true, "failed": false, "msg": msg, "current": curr, "previous": previous, "diff": diff})
}

// debconfMask hides secret in v's strings as Ansible's remove_values does
// for no_log values: a string equal to it becomes
// VALUE_SPECIFIED_IN_NO_LOG_PARAMETER, every occurrence inside another
// ********. Map keys are kept.
func debconfMask(v any, secret string) any {
	switch x := v.(type) {
	case string:
		if x == secret {
			return "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
		}
		return strings.ReplaceAll(x, secret, "********")
	case Result:
		out := Result{}
		for k, e := range x {
			out[k] = debconfMask(e, secret)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = debconfMask(e, secret)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = debconfMask(e, secret)
		}
		return out
	case []string:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = debconfMask(e, secret).(string)
		}
		return out
	}
	return v
}
