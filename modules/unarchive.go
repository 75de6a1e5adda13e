package modules

import (
	"context"
	"fmt"
	"path"
	"strings"
)

func init() {
	Register(unarchiveModule{}, "ansible.builtin.unarchive", "ansible.legacy.unarchive")
}

// unarchiveModule is Ansible's unarchive for tar archives (plain, gzip,
// bzip2, xz: GNU tar detects the compression) and zip files (unzip on the
// host). src is on the controller (uploaded) unless remote_src. A tar
// archive whose content dest already holds (GNU tar --compare) is not
// extracted again; a zip is extracted every time unless creates. owner,
// group and mode are given to every member of the archive and to each
// member's top directory, as Ansible does, after the extraction or when
// there was nothing to extract.
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
			"owner":      {Type: TypeString},
			"group":      {Type: TypeString},
			"mode":       {},
		},
		Unsupported: map[string]string{
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
	attrs := attrsFromArgs(args)
	if attrs.Mode != nil {
		if _, err := applyModeSpec(attrs.Mode, 0, false); err != nil {
			return Fail(err.Error())
		}
	}
	setAttrs := !env.Check && (attrs.Mode != nil || attrs.Owner != "" || attrs.Group != "")
	listFiles := argBool(args, "list_files", false) || setAttrs
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
		if listFiles {
			sb.WriteString("echo '#files'; unzip -Z1 \"$a\"\n")
		}
	} else {
		members := QuoteArgv(incl)
		opts := strings.TrimSpace(extra + " " + QuoteArgv(excl))
		fmt.Fprintf(&sb, "if o=$(LC_ALL=C tar -d -f \"$a\" -C \"$d\" %s %s 2>&1); then echo same\n", opts, members)
		if ign := tarDiffIgnored(attrs); ign != "" {
			// Differences in what the task sets anyway are not a reason
			// to extract again (Ansible's is_unarchived).
			fmt.Fprintf(&sb, "elif ! printf '%%s\\n' \"$o\" | grep -v %s | grep -q .; then echo same\n", ign)
		}
		if env.Check {
			sb.WriteString("else echo would\nfi\n")
		} else {
			keep := ""
			if argBool(args, "keep_newer", false) {
				keep = " --keep-newer-files"
			}
			fmt.Fprintf(&sb, "else tar -x -f \"$a\" -C \"$d\"%s %s %s || exit $?\necho changed\nfi\n", keep, opts, members)
		}
		if listFiles {
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
	members := Lines([]byte(files))
	if argBool(args, "list_files", false) {
		r["files"] = members
	}
	if setAttrs {
		changed, fr := setMemberAttrs(ctx, env, dest, members, attrs)
		if fr != nil {
			fr["dest"], fr["src"] = dest, src
			return fr
		}
		if changed {
			r["changed"] = true
		}
	}
	return r
}

// tarDiffIgnored is the grep -e options that drop tar --diff's lines about
// the attributes the task sets (Ansible's OWNER_DIFF_RE, GROUP_DIFF_RE,
// MODE_DIFF_RE): "" when it sets none.
func tarDiffIgnored(a fileAttrs) string {
	var e []string
	if a.Owner != "" {
		e = append(e, "-e ': Uid differs$'")
	}
	if a.Group != "" {
		e = append(e, "-e ': Gid differs$'")
	}
	if a.Mode != nil {
		e = append(e, "-e ': Mode differs$'")
	}
	return strings.Join(e, " ")
}

// memberPaths are the paths under dest that unarchive's owner, group and
// mode apply to: every member, then each member's top directory (Ansible
// #35426: an archive without directory entries), each once.
func memberPaths(dest string, members []string) []string {
	seen := map[string]bool{}
	var out, tops []string
	for _, m := range members {
		if m == "" {
			continue
		}
		if p := path.Join(dest, m); !seen[p] {
			seen[p] = true
			out = append(out, dest+"/"+strings.TrimSuffix(m, "/"))
		}
		if top, _, ok := strings.Cut(m, "/"); ok {
			tops = append(tops, top)
		}
	}
	for _, top := range tops {
		if p := path.Join(dest, top); !seen[p] {
			seen[p] = true
			out = append(out, dest+"/"+top)
		}
	}
	return out
}

// setMemberAttrs gives the archive's members (and their top directories)
// the owner, group and mode asked for, in one session: the paths go on
// stdin, chown/chmod run on a few hundred at a time and report (-c) what
// they changed. Symbolic links keep their own (link) ownership and are
// never chmod-ed (that would change their targets).
func setMemberAttrs(ctx context.Context, env *Env, dest string, members []string, a fileAttrs) (bool, Result) {
	own := a.Owner
	if a.Group != "" {
		own += ":" + a.Group
	}
	mode := ""
	if a.Mode != nil {
		mode = fmt.Sprint(a.Mode)
		if strings.Trim(mode, "01234567") == "" || isNumber(a.Mode) {
			m, _ := applyModeSpec(a.Mode, 0, false)
			mode = fmt.Sprintf("%04o", m)
		}
	}
	script := fmt.Sprintf(`own=%s mode=%s
apply() {
  if [ -n "$own" ]; then chown -h -c "$own" -- "$@" || exit 1; fi
  if [ -n "$mode" ]; then
    for p; do shift; [ -L "$p" ] || set -- "$@" "$p"; done
    if [ $# -gt 0 ]; then chmod -c "$mode" -- "$@" || exit 1; fi
  fi
}
n=0
set --
while IFS= read -r p; do
  set -- "$@" "$p"; n=$((n+1))
  if [ $n -ge 256 ]; then apply "$@"; set --; n=0; fi
done
if [ $# -gt 0 ]; then apply "$@"; fi
`, ShellQuote(own), ShellQuote(mode))
	paths := memberPaths(dest, members)
	if len(paths) == 0 {
		return false, nil
	}
	res, fr := Exec(ctx, env, script, []byte(strings.Join(paths, "\n")+"\n"))
	if fr != nil {
		return false, fr
	}
	if res.ExitCode != 0 {
		return false, Fail(fmt.Sprintf("Unexpected error when accessing exploded file: %s", strings.TrimSpace(string(res.Stderr))))
	}
	return len(strings.TrimSpace(string(res.Stdout))) > 0, nil
}

// isNumber reports whether v is a YAML number (mode: 0644 unquoted).
func isNumber(v any) bool {
	switch v.(type) {
	case int, int64, float64:
		return true
	}
	return false
}
