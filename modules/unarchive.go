package modules

import (
	"context"
	"fmt"
	"strings"
)

func init() {
	Register(unarchiveModule{}, "ansible.builtin.unarchive", "ansible.legacy.unarchive")
}

// unarchiveModule is Ansible's unarchive for tar archives (plain, gzip,
// bzip2, xz: GNU tar detects the compression) and zip files (unzip on the
// host). src is on the controller (uploaded) unless remote_src. A tar
// archive whose content dest already holds (GNU tar --compare) is not
// extracted again; a zip is extracted every time unless creates.
type unarchiveModule struct{}

func (unarchiveModule) Name() string { return "unarchive" }

func (unarchiveModule) Schema() Schema {
	return Schema{
		MutuallyExclusive: [][]string{{"copy", "remote_src"}},
		Args: map[string]Arg{
			"src":        {Type: TypePath, Required: true},
			"dest":       {Type: TypePath, Required: true},
			"remote_src": {Type: TypeBool, Default: false},
			// copy is remote_src's old, inverted name (copy: no = remote_src: yes).
			"copy":       {Type: TypeBool},
			"creates":    {Type: TypePath},
			"list_files": {Type: TypeBool, Default: false},
			"extra_opts": {},
			"exclude":    {},
			"include":    {},
			"keep_newer": {Type: TypeBool, Default: false},
		},
		Unsupported: map[string]string{
			"mode": "set it with the file module (recurse: true) after unarchive", "owner": "set it with the file module (recurse: true) after unarchive",
			"group":   "set it with the file module (recurse: true) after unarchive",
			"decrypt": "not supported", "validate_certs": "download with get_url first", "io_buffer_size": "not supported",
			"seuser": "not supported", "serole": "not supported", "setype": "not supported", "selevel": "not supported", "attributes": "not supported",
		},
	}
}

func (unarchiveModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	src, dest := argString(args, "src"), argString(args, "dest")
	if strings.Contains(src, "://") {
		return Fail(fmt.Sprintf("src %q is a URL: download it with get_url first, then unarchive with remote_src", src))
	}
	if c := argString(args, "creates"); c != "" {
		res, fr := Exec(ctx, env, "[ -e "+ShellQuote(c)+" ] && echo exists; exit 0", nil)
		if fr != nil {
			return fr
		}
		if strings.TrimSpace(string(res.Stdout)) == "exists" {
			return Result{"changed": false, "failed": false, "skipped": true, "msg": fmt.Sprintf("skipped, since %s exists", c), "dest": dest, "src": src}
		}
	}
	archive, cleanup := src, ""
	remote := argBool(args, "remote_src", false)
	if v, ok := args["copy"]; ok && v != nil {
		remote = !argBool(args, "copy", true)
	}
	if !remote {
		local, fi, err := findLocal(args, src, "files")
		if err != nil || !fi.Mode().IsRegular() {
			return Fail(fmt.Sprintf("Source '%s' not found on the controller", src))
		}
		var fr Result
		if archive, fr = uploadTemp(ctx, env, local, 0o644); fr != nil {
			return fr
		}
		cleanup = "trap 'rm -f -- \"$a\"' EXIT\n"
	}
	extra := QuoteArgv(argList(args, "extra_opts"))
	var excl, incl []string
	for _, e := range argList(args, "exclude") {
		excl = append(excl, "--exclude="+e)
	}
	incl = argList(args, "include")
	zip := strings.HasSuffix(strings.ToLower(src), ".zip")
	var sb strings.Builder
	fmt.Fprintf(&sb, "a=%s\nd=%s\n%s", ShellQuote(archive), ShellQuote(dest), cleanup)
	sb.WriteString(`[ -d "$d" ] || { echo "dest '$d' must be an existing dir" >&2; exit 2; }
[ -r "$a" ] || { echo "Source '$a' does not exist or is not readable" >&2; exit 2; }
`)
	if zip {
		zx := argList(args, "exclude")
		xarg := ""
		if len(zx) > 0 {
			xarg = " -x " + QuoteArgv(zx)
		}
		sb.WriteString("command -v unzip >/dev/null 2>&1 || { echo 'unarchive: a zip file needs unzip on the host' >&2; exit 3; }\n")
		if env.Check {
			sb.WriteString("echo would\n")
		} else {
			fmt.Fprintf(&sb, "unzip -o -q %s \"$a\" %s%s -d \"$d\" || exit $?\necho changed\n", extra, QuoteArgv(incl), xarg)
		}
		if argBool(args, "list_files", false) {
			sb.WriteString("echo '#files'; unzip -Z1 \"$a\"\n")
		}
	} else {
		members := QuoteArgv(incl)
		opts := strings.TrimSpace(extra + " " + QuoteArgv(excl))
		fmt.Fprintf(&sb, "if tar -d -f \"$a\" -C \"$d\" %s %s >/dev/null 2>&1; then echo same\n", opts, members)
		if env.Check {
			sb.WriteString("else echo would\nfi\n")
		} else {
			keep := ""
			if argBool(args, "keep_newer", false) {
				keep = " --keep-newer-files"
			}
			fmt.Fprintf(&sb, "else tar -x -f \"$a\" -C \"$d\"%s %s %s || exit $?\necho changed\nfi\n", keep, opts, members)
		}
		if argBool(args, "list_files", false) {
			fmt.Fprintf(&sb, "echo '#files'; tar -t -f \"$a\" %s %s\n", opts, members)
		}
	}
	res, fr := runScript(ctx, env, sb.String(), "unarchive")
	if fr != nil {
		return fr
	}
	head, files, _ := strings.Cut(string(res.Stdout), "#files\n")
	r := Result{"changed": false, "failed": false, "dest": dest, "src": src}
	switch strings.TrimSpace(head) {
	case "changed", "would":
		r["changed"] = true
	}
	if argBool(args, "list_files", false) {
		r["files"] = Lines([]byte(files))
	}
	return r
}
