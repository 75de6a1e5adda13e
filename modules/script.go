package modules

import (
	"context"
	"fmt"
	"os"
	"strings"
)

func init() {
	Register(scriptModule{}, "ansible.builtin.script", "ansible.legacy.script")
}

// scriptModule is Ansible's script: upload a controller-side script to a
// temporary file on the host, run it with its arguments, remove it.
type scriptModule struct{}

func (scriptModule) Name() string { return "script" }

func (scriptModule) Schema() Schema {
	return Schema{
		FreeForm: true,
		Args: map[string]Arg{
			"_raw_params": {Type: TypeRaw},
			"cmd":         {Type: TypeString},
			"chdir":       {Type: TypePath},
			"creates":     {Type: TypePath},
			"removes":     {Type: TypePath},
			"executable":  {Type: TypePath},
		},
		RequiredOneOf:     [][]string{{"_raw_params", "cmd"}},
		MutuallyExclusive: [][]string{{"_raw_params", "cmd"}},
		Unsupported:       map[string]string{"decrypt": "vault-encrypted scripts are not supported"},
	}
}

// splitScript separates "path args" into the script path and its
// arguments (left as written: the host's shell parses them).
func splitScript(raw string) (string, string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", "", fmt.Errorf("no script given")
	}
	if raw[0] == '"' || raw[0] == '\'' {
		w, err := SplitArgs(raw)
		if err != nil || len(w) == 0 {
			return "", "", fmt.Errorf("cannot parse %q", raw)
		}
		end := strings.IndexByte(raw[1:], raw[0]) + 2
		return w[0], strings.TrimSpace(raw[end:]), nil
	}
	p, rest, _ := strings.Cut(raw, " ")
	return p, strings.TrimSpace(rest), nil
}

func (scriptModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	raw := argString(args, "_raw_params")
	if raw == "" {
		raw = argString(args, "cmd")
	}
	src, rest, err := splitScript(raw)
	if err != nil {
		return Fail(err.Error())
	}
	local, fi, err := findLocal(args, src, "files")
	if err != nil || fi.IsDir() {
		return Fail(fmt.Sprintf("Could not find or access '%s' on the Ansible Controller.", src))
	}
	// creates/removes first, so nothing is uploaded for nothing.
	if c, r := argString(args, "creates"), argString(args, "removes"); c != "" || r != "" {
		sc := ""
		if d := argString(args, "chdir"); d != "" {
			sc = fmt.Sprintf("cd %s || exit 1\n", ShellQuote(d))
		}
		if c != "" {
			sc += fmt.Sprintf("[ -e %s ] && echo skip=creates\n", ShellQuote(c))
		}
		if r != "" {
			sc += fmt.Sprintf("[ -e %s ] || echo skip=removes\n", ShellQuote(r))
		}
		res, fr := Exec(ctx, env, sc+"exit 0\n", nil)
		if fr != nil {
			return fr
		}
		switch kvLines(res.Stdout)["skip"] {
		case "creates":
			return Result{"changed": false, "failed": false, "rc": 0, "stdout": "", "stderr": "", "stdout_lines": []string{}, "stderr_lines": []string{},
				"msg": fmt.Sprintf("%s exists, matching creates option", c), "skipped": true}
		case "removes":
			return Result{"changed": false, "failed": false, "rc": 0, "stdout": "", "stderr": "", "stdout_lines": []string{}, "stderr_lines": []string{},
				"msg": fmt.Sprintf("%s does not exist, matching removes option", r), "skipped": true}
		}
	}
	if env.Check {
		return Result{"changed": false, "skipped": true, "msg": "skipped, running in check mode"}
	}
	tmp, fr := uploadTemp(ctx, env, local, 0o755)
	if fr != nil {
		return fr
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "t=%s\ntrap 'rm -f -- \"$t\"' EXIT\n", ShellQuote(tmp))
	if d := argString(args, "chdir"); d != "" {
		fmt.Fprintf(&sb, "cd %s || exit 1\n", ShellQuote(d))
	}
	run := `"$t"`
	if exe := argString(args, "executable"); exe != "" {
		run = ShellQuote(exe) + ` "$t"`
	}
	// Not exec: the trap must remove the script afterwards.
	sb.WriteString(run + " " + rest + "\n")
	res, fr := Exec(ctx, env, sb.String(), nil)
	if fr != nil {
		return fr
	}
	r := CommandResult(raw, res)
	delete(r, "cmd")
	if res.ExitCode != 0 {
		r["msg"] = "non-zero return code"
	}
	return r
}

// uploadTemp uploads controller file local to a new temporary path on the
// host (the caller removes it) and returns that path.
func uploadTemp(ctx context.Context, env *Env, local string, mode os.FileMode) (string, Result) {
	f, err := os.Open(local)
	if err != nil {
		return "", Fail(fmt.Sprintf("could not read %s: %v", local, err))
	}
	defer f.Close()
	tmp := remoteTemp()
	if err := env.Conn.Upload(ctx, tmp, f, mode); err != nil {
		if IsUnreachable(err) {
			return "", UnreachableResult(err)
		}
		return "", Fail(fmt.Sprintf("could not upload %s: %v", local, err))
	}
	return tmp, nil
}
