package modules

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
)

func init() {
	Register(tempfileModule{}, "ansible.builtin.tempfile", "ansible.legacy.tempfile")
}

// tempfileModule is Ansible's tempfile: a new temporary file (0600) or
// directory (0700) named PATH/PREFIXrandomSUFFIX, made with mktemp on the
// host, in one command that also stats it (Ansible adds the path's
// attributes to a result with a path). Ansible's module does not support
// check mode: the task is skipped.
type tempfileModule struct{}

func (tempfileModule) Name() string { return "tempfile" }

func (tempfileModule) Schema() Schema {
	return Schema{Args: map[string]Arg{
		"state":  {Type: TypeString, Default: "file", Choices: []string{"file", "directory"}},
		"path":   {Type: TypePath},
		"prefix": {Type: TypeString, Default: "ansible."},
		"suffix": {Type: TypeString, Default: ""},
	}}
}

// tempfileChars are Python's tempfile name characters.
const tempfileChars = "abcdefghijklmnopqrstuvwxyz0123456789_"

func tempfileName() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = tempfileChars[int(b[i])%len(tempfileChars)]
	}
	return string(b[:])
}

func (tempfileModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	if env.Check {
		return Result{"changed": false, "skipped": true, "msg": "remote module (tempfile) does not support check mode"}
	}
	dir := `d=${TMPDIR:-${TEMP:-${TMP:-/tmp}}}` // Python's tempfile.gettempdir()
	if p := argString(args, "path"); p != "" {
		dir = "d=" + ShellQuote(p)
	}
	prefix := "ansible."
	if _, ok := args["prefix"]; ok {
		prefix = argString(args, "prefix")
	}
	suffix := argString(args, "suffix")
	mk, create := "mktemp", `(set -C; umask 077; : > "$f")`
	if argString(args, "state") == "directory" {
		mk, create = "mktemp -d", `mkdir -m 0700 -- "$f"`
	}
	var sb strings.Builder
	sb.WriteString(dir + "\ntpl=\"$d\"/" + ShellQuote(prefix) + "XXXXXXXX\n")
	if suffix == "" {
		fmt.Fprintf(&sb, "f=$(%s \"$tpl\") || exit 1\n", mk)
	} else {
		// GNU mktemp takes --suffix; others (busybox) do not: then a
		// random name is created exclusively (noclobber, mkdir).
		fmt.Fprintf(&sb, "if ! f=$(%s --suffix=%s \"$tpl\" 2>/dev/null); then\n", mk, ShellQuote(suffix))
		sb.WriteString("\tok=\n\tfor n in")
		for i := 0; i < 4; i++ {
			sb.WriteString(" " + tempfileName())
		}
		fmt.Fprintf(&sb, "; do\n\t\tf=\"$d\"/%s\"$n\"%s\n\t\t%s 2>/dev/null && { ok=1; break; }\n\tdone\n", ShellQuote(prefix), ShellQuote(suffix), create)
		fmt.Fprintf(&sb, "\t[ -n \"$ok\" ] || %s || exit 1\nfi\n", create)
	}
	sb.WriteString("echo \"tempfile=$f\"\n")
	st := statScript("", statOpts{})
	sb.WriteString("p=$f\n" + st[strings.Index(st, "\n")+1:])
	res, fr := Exec(ctx, env, sb.String(), nil)
	if fr != nil {
		return fr
	}
	if res.ExitCode != 0 {
		msg := strings.TrimSpace(string(res.Stderr))
		if msg == "" {
			msg = fmt.Sprintf("could not create the temporary %s (exit status %d)", argString(args, "state"), res.ExitCode)
		}
		return Fail(msg)
	}
	var path string
	for _, l := range strings.Split(string(res.Stdout), "\n") {
		if v, ok := strings.CutPrefix(l, "tempfile="); ok {
			path = v
			break
		}
	}
	return fileResult(Result{"changed": true, "path": path}, parseStat(res.Stdout))
}
