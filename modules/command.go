package modules

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"
)

// skipMarker is printed by the guard of creates/removes when the command is
// skipped; it never reaches a result. The guard writes it with printf's
// octal escapes (skipMarkerFormat): the command line itself must not hold a
// NUL byte, which OpenSSH's sshd refuses in an exec request.
const (
	skipMarker       = "\x00drover-skip\x00"
	skipMarkerFormat = `\000drover-skip\000`
)

func init() {
	Register(commandModule{shell: false}, "ansible.builtin.command", "ansible.legacy.command")
	Register(commandModule{shell: true}, "ansible.builtin.shell", "ansible.legacy.shell")
}

// commandModule is both `command` (argv, no shell features) and `shell`.
type commandModule struct{ shell bool }

func (m commandModule) Name() string {
	if m.shell {
		return "shell"
	}
	return "command"
}

func (m commandModule) Schema() Schema {
	s := Schema{
		FreeForm: true,
		Args: map[string]Arg{
			"_raw_params":       {Type: TypeRaw},
			"cmd":               {Type: TypeString},
			"chdir":             {Type: TypePath},
			"creates":           {Type: TypePath},
			"removes":           {Type: TypePath},
			"stdin":             {Type: TypeString},
			"stdin_add_newline": {Type: TypeBool, Default: true},
			"strip_empty_ends":  {Type: TypeBool, Default: true},
		},
		Unsupported: map[string]string{"warn": "removed from Ansible in 2.14"},
	}
	if m.shell {
		s.Args["executable"] = Arg{Type: TypePath}
		s.RequiredOneOf = [][]string{{"_raw_params", "cmd"}}
		s.MutuallyExclusive = [][]string{{"_raw_params", "cmd"}}
	} else {
		s.Args["argv"] = Arg{Type: TypeList}
		s.Args["expand_argument_vars"] = Arg{Type: TypeBool, Default: true}
		s.RequiredOneOf = [][]string{{"_raw_params", "cmd", "argv"}}
		s.MutuallyExclusive = [][]string{{"_raw_params", "cmd", "argv"}}
	}
	return s
}

func argString(args map[string]any, k string) string {
	switch v := args[k].(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}

func argBool(args map[string]any, k string, def bool) bool {
	switch v := args[k].(type) {
	case bool:
		return v
	case string:
		switch strings.ToLower(v) {
		case "yes", "true", "on", "1", "y", "t":
			return true
		case "no", "false", "off", "0", "n", "f":
			return false
		}
	case int:
		return v != 0
	}
	return def
}

// script builds the sh command line for the task and the value of `cmd`
// in the result.
func (m commandModule) script(args map[string]any) (string, any, error) {
	raw := argString(args, "_raw_params")
	if raw == "" {
		raw = argString(args, "cmd")
	}
	if m.shell {
		if exe := argString(args, "executable"); exe != "" {
			return ShellQuote(exe) + " -c " + ShellQuote(raw), raw, nil
		}
		return raw, raw, nil
	}
	var argv []string
	if list, ok := args["argv"].([]any); ok {
		for _, a := range list {
			argv = append(argv, fmt.Sprint(a))
		}
	} else {
		var err error
		if argv, err = SplitArgs(raw); err != nil {
			return "", nil, err
		}
	}
	if len(argv) == 0 {
		return "", nil, fmt.Errorf("no command given")
	}
	anyArgv := make([]any, len(argv))
	for i, a := range argv {
		anyArgv[i] = a
	}
	return "exec " + QuoteArgv(argv), anyArgv, nil
}

func (m commandModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	body, cmdVal, err := m.script(args)
	if err != nil {
		return Fail(err.Error())
	}
	var sb strings.Builder
	if dir := argString(args, "chdir"); dir != "" {
		fmt.Fprintf(&sb, "cd %s || exit 1\n", ShellQuote(dir))
	}
	if c := argString(args, "creates"); c != "" {
		fmt.Fprintf(&sb, "if %s; then printf '%s'; exit 0; fi\n", globExists(c), skipMarkerFormat)
	}
	if r := argString(args, "removes"); r != "" {
		fmt.Fprintf(&sb, "if ! %s; then printf '%s'; exit 0; fi\n", globExists(r), skipMarkerFormat)
	}
	guarded := sb.Len() > 0
	if env.Check {
		if !guarded {
			return Result{"changed": false, "skipped": true, "msg": "skipped, running in check mode"}
		}
		sb.WriteString("exit 0\n")
	} else {
		sb.WriteString(body)
	}
	var stdin []byte
	if s, ok := args["stdin"]; ok && s != nil {
		stdin = []byte(fmt.Sprint(s))
		if argBool(args, "stdin_add_newline", true) {
			stdin = append(stdin, '\n')
		}
	}
	start := env.now()
	res, failRes := Exec(ctx, env, sb.String(), stdin)
	end := env.now()
	if failRes != nil {
		return failRes
	}
	if guarded && bytes.HasPrefix(res.Stdout, []byte(skipMarker)) {
		which := "creates"
		if argString(args, "creates") == "" {
			which = "removes"
		}
		msg := fmt.Sprintf("Did not run command since '%s' exists", argString(args, "creates"))
		if which == "removes" {
			msg = fmt.Sprintf("Did not run command since '%s' does not exist", argString(args, "removes"))
		}
		return Result{"changed": false, "cmd": cmdVal, "rc": 0, "stdout": msg, "stderr": "",
			"stdout_lines": []string{msg}, "stderr_lines": []string{}, "msg": msg, "failed": false}
	}
	if env.Check {
		return Result{"changed": true, "msg": "command would have run if not in check mode", "skipped": false}
	}
	r := CommandResult(cmdVal, res)
	r["start"] = start.Format("2006-01-02 15:04:05.000000")
	r["end"] = end.Format("2006-01-02 15:04:05.000000")
	r["delta"] = fmtDelta(end.Sub(start))
	return r
}

// globExists is an sh condition that holds when p, a glob pattern as
// Ansible's command module reads creates and removes (Python's glob.glob),
// matches anything, broken symbolic links included. A pattern keeps *, ?,
// [, ] and ! unquoted for the shell's pathname expansion; every other
// character is escaped.
func globExists(p string) string {
	if !strings.ContainsAny(p, "*?[") {
		q := ShellQuote(p)
		return fmt.Sprintf("{ [ -e %s ] || [ -L %s ]; }", q, q)
	}
	var sb strings.Builder
	for _, r := range p {
		switch {
		case strings.ContainsRune("*?[]!/", r), r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			sb.WriteRune(r)
		case r == '\n':
			sb.WriteString("'\n'")
		default:
			sb.WriteByte('\\')
			sb.WriteRune(r)
		}
	}
	return fmt.Sprintf(`( set -- %s; [ -e "$1" ] || [ -L "$1" ] )`, sb.String())
}

func fmtDelta(d time.Duration) string {
	h := int(d.Hours())
	mnt := int(d.Minutes()) % 60
	s := d.Seconds() - float64(h*3600+mnt*60)
	return fmt.Sprintf("%d:%02d:%09.6f", h, mnt, s)
}
