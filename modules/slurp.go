package modules

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
)

func init() {
	Register(slurpModule{}, "ansible.builtin.slurp", "ansible.legacy.slurp")
}

// slurpModule is Ansible's slurp: a remote file's content, base64-encoded.
type slurpModule struct{}

func (slurpModule) Name() string { return "slurp" }

func (slurpModule) Schema() Schema {
	return Schema{Args: map[string]Arg{"src": {Type: TypePath, Required: true, Aliases: []string{"path"}}}}
}

// readRemote reads a regular file in one session. missing is true when the
// file does not exist; other problems are a failed result.
func readRemote(ctx context.Context, env *Env, p string) (content []byte, missing bool, fr Result) {
	script := fmt.Sprintf("p=%s\nif [ ! -e \"$p\" ]; then echo missing; exit 0; fi\nif [ -d \"$p\" ]; then echo 'source is a directory and must be a file' >&2; exit 1; fi\n"+
		"if [ ! -r \"$p\" ]; then echo 'file is not readable' >&2; exit 1; fi\necho %s; exec cat -- \"$p\"\n", ShellQuote(p), contentMarker)
	res, fr := runScript(ctx, env, script, p)
	if fr != nil {
		fr["msg"] = strings.TrimPrefix(fr.Msg(), p+": ")
		return nil, false, fr
	}
	if string(res.Stdout) == "missing\n" {
		return nil, true, nil
	}
	return parseStat(res.Stdout).Content, false, nil
}

func (slurpModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	src := argString(args, "src")
	if src == "" {
		src = argString(args, "path")
	}
	b, missing, fr := readRemote(ctx, env, src)
	if fr != nil {
		return fr
	}
	if missing {
		return Fail(fmt.Sprintf("file not found: %s", src))
	}
	return Result{"changed": false, "failed": false, "content": base64.StdEncoding.EncodeToString(b), "encoding": "base64", "source": src}
}
