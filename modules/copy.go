package modules

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

func init() {
	Register(copyModule{}, "ansible.builtin.copy", "ansible.legacy.copy")
}

// copyModule is Ansible's copy: a controller file, a controller directory
// (recursively) or inline content to a path on the host.
type copyModule struct{}

func (copyModule) Name() string { return "copy" }

// fileArgs are the attribute arguments every file-writing module takes.
func fileArgs() map[string]Arg {
	return map[string]Arg{
		"mode":  {Type: TypeAny},
		"owner": {Type: TypeString},
		"group": {Type: TypeString},
	}
}

// unsupportedFileArgs are Ansible's file-common arguments drover refuses.
func unsupportedFileArgs() map[string]string {
	const sel = "SELinux contexts are not supported"
	return map[string]string{
		"seuser": sel, "serole": sel, "setype": sel, "selevel": sel,
		"attributes":    "chattr attributes are not supported",
		"unsafe_writes": "writes are always atomic (temporary file + rename)",
	}
}

func (copyModule) Schema() Schema {
	a := fileArgs()
	a["src"] = Arg{Type: TypePath}
	a["content"] = Arg{Type: TypeString}
	a["dest"] = Arg{Type: TypePath, Required: true}
	a["backup"] = Arg{Type: TypeBool, Default: false}
	a["force"] = Arg{Type: TypeBool, Default: true, Aliases: []string{"thirsty"}}
	a["validate"] = Arg{Type: TypeString}
	a["directory_mode"] = Arg{Type: TypeAny}
	a["local_follow"] = Arg{Type: TypeBool, Default: true}
	u := unsupportedFileArgs()
	a["remote_src"] = Arg{Type: TypeBool, Default: false}
	u["decrypt"] = "vault-encrypted source files are not supported"
	a["follow"] = Arg{Type: TypeBool, Default: false}
	u["checksum"] = "drover always compares SHA-1 checksums on the host"
	return Schema{
		Args:              a,
		MutuallyExclusive: [][]string{{"src", "content"}},
		RequiredOneOf:     [][]string{{"src", "content"}},
		Unsupported:       u,
	}
}

func (copyModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	dest := argString(args, "dest")
	if dest == "" {
		return Fail("dest is required")
	}
	if _, ok := args["content"]; ok && args["content"] != nil {
		content := []byte(contentString(args["content"]))
		if strings.HasSuffix(dest, "/") {
			return Fail("can not use content with a dir as dest")
		}
		return putFile(ctx, env, args, dest, content, "", false)
	}
	src := argString(args, "src")
	if argBool(args, "remote_src", false) {
		return copyRemoteSrc(ctx, env, args, src, dest)
	}
	local, fi, err := findLocal(args, src, "files")
	if err != nil {
		return Fail(fmt.Sprintf("Could not find or access '%s' on the Ansible Controller.", src))
	}
	if !fi.IsDir() {
		mkdirs := strings.HasSuffix(dest, "/")
		if mkdirs {
			dest = path.Join(dest, filepath.Base(local))
		}
		b, err := os.ReadFile(local)
		if err != nil {
			return Fail(fmt.Sprintf("could not read %s: %v", local, err))
		}
		if args["mode"] == "preserve" {
			args = withArg(args, "mode", int(fi.Mode().Perm()))
		}
		r := putFile(ctx, env, args, dest, b, local, mkdirs)
		if r["msg"] == "dest is a directory" {
			return putFile(ctx, env, args, path.Join(dest, filepath.Base(local)), b, local, false)
		}
		return r
	}
	return copyDir(ctx, env, args, local, src, dest)
}

// remoteSrcMax bounds a remote_src file: it is read back through the
// controller so that the write is the same atomic, checked, diffed one as
// for any content.
const remoteSrcMax = 64 << 20

// copyRemoteSrc copies a file that is already on the host (remote_src):
// its content is read back, then written to dest like any content (mode,
// owner, backup, validate, check mode and diff as usual; mode: preserve
// takes the source's).
func copyRemoteSrc(ctx context.Context, env *Env, args map[string]any, src, dest string) Result {
	q := ShellQuote(src)
	res, fr := Exec(ctx, env, "if [ -d "+q+" ]; then echo dir; elif [ -f "+q+" ]; then stat -L -c 'size=%s mode=%a' -- "+q+"; else echo missing; fi", nil)
	if fr != nil {
		return fr
	}
	out := strings.TrimSpace(string(res.Stdout))
	switch {
	case out == "dir":
		return Fail(fmt.Sprintf("remote_src: %s is a directory; drover copies a single file on the host (use command: cp -a for a tree)", src))
	case out == "missing" || res.ExitCode != 0:
		return Fail(fmt.Sprintf("Source %s not found", src))
	}
	kv := map[string]string{}
	for _, f := range strings.Fields(out) {
		if k, v, ok := strings.Cut(f, "="); ok {
			kv[k] = v
		}
	}
	var size int64
	fmt.Sscan(kv["size"], &size)
	if size > remoteSrcMax {
		return Fail(fmt.Sprintf("remote_src: %s is %d bytes; drover copies files up to %d MiB this way (use command: cp)", src, size, remoteSrcMax>>20))
	}
	b, missing, fr := readRemote(ctx, env, src)
	if fr != nil {
		return fr
	}
	if missing {
		return Fail(fmt.Sprintf("Source %s not found", src))
	}
	if args["mode"] == "preserve" {
		var m int
		fmt.Sscanf(kv["mode"], "%o", &m)
		args = withArg(args, "mode", m)
	}
	if strings.HasSuffix(dest, "/") {
		dest = path.Join(dest, path.Base(src))
	}
	r := putFile(ctx, env, args, dest, b, "", false)
	if r["msg"] == "dest is a directory" {
		return putFile(ctx, env, args, path.Join(dest, path.Base(src)), b, "", false)
	}
	return r
}

// copyDir copies a controller directory: "dir/" copies its content into
// dest, "dir" copies the directory itself into dest.
func copyDir(ctx context.Context, env *Env, args map[string]any, local, src, dest string) Result {
	base := dest
	if !strings.HasSuffix(src, "/") {
		base = path.Join(dest, filepath.Base(local))
	}
	var files []string
	err := filepath.WalkDir(local, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() || d.Type()&fs.ModeSymlink != 0 && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return Fail(fmt.Sprintf("could not read %s: %v", local, err))
	}
	sort.Strings(files)
	changed := false
	diffs := []any{}
	for _, f := range files {
		rel, _ := filepath.Rel(local, f)
		b, err := os.ReadFile(f)
		if err != nil {
			return Fail(fmt.Sprintf("could not read %s: %v", f, err))
		}
		r := putFile(ctx, env, args, path.Join(base, filepath.ToSlash(rel)), b, f, true)
		if r.Failed() || r.Unreachable() {
			return r
		}
		changed = changed || r.Changed()
		if d, ok := r["diff"]; ok && r.Changed() {
			diffs = append(diffs, d)
		}
	}
	res := Result{"changed": changed, "failed": false, "dest": base, "src": local}
	if env.Diff && len(diffs) > 0 {
		res["diff"] = diffs
	}
	return res
}

// putFile makes dest hold content with the task's mode/owner/group, in at
// most one stat session, one upload and one install session; nothing is
// uploaded when the checksums match. mkdirs creates missing parents (with
// directory_mode). srcLabel is the controller path reported as src.
func putFile(ctx context.Context, env *Env, args map[string]any, dest string, content []byte, srcLabel string, mkdirs bool) Result {
	follow := argBool(args, "follow", false)
	st, fr := remoteStat(ctx, env, dest, statOpts{Follow: true, Checksum: "sha1", Content: env.Diff, Resolve: follow})
	if fr != nil {
		return fr
	}
	if follow && st.IsLnk && st.Exists && st.LnkReal != "" && st.Type != "symbolic link" {
		// follow: write through the link to the file it names (Ansible's
		// realpath); without it the link is replaced by the file.
		dest = st.LnkReal
	}
	if st.IsDir {
		return Fail("dest is a directory")
	}
	if !st.DirExists && !mkdirs {
		return Fail(fmt.Sprintf("Destination directory %s does not exist", path.Dir(dest)))
	}
	sum := sha1hex(content)
	res := Result{"failed": false, "dest": dest, "checksum": sum, "size": int64(len(content))}
	if srcLabel != "" {
		res["src"] = srcLabel
	}
	contentChanged := !st.Exists || st.Checksum != sum
	if st.Exists && !argBool(args, "force", true) {
		contentChanged = false
		res["checksum"] = st.Checksum
	}
	return applyFile(ctx, env, args, dest, st, content, contentChanged, mkdirs, res)
}

// applyFile brings dest (whose state is st) to content (when
// contentChanged) and to the task's attributes, reporting into res; in
// check mode it only reports.
func applyFile(ctx context.Context, env *Env, args map[string]any, dest string, st fileState, content []byte, contentChanged, mkdirs bool, res Result) Result {
	attrs := attrsFromArgs(args)
	cmds, attrChanged, err := attrs.plan(st, `"$p"`)
	if err != nil {
		return Fail(err.Error())
	}
	changed := contentChanged || attrChanged
	res["changed"] = changed
	if env.Diff && contentChanged {
		if _, ok := res["diff"]; !ok {
			res["diff"] = contentDiff(dest, st.Content, content)
		}
	}
	if !changed {
		return fileResult(res, st)
	}
	if env.Check {
		if st.Exists {
			fileResult(res, st)
		}
		if m, ok, _ := attrs.wantMode(st.Mode, false); ok {
			res["mode"] = fmtMode(m)
		}
		return res
	}
	var out []byte
	if contentChanged {
		var pre []string
		if mkdirs && !st.DirExists {
			pre = append(pre, mkdirCmd(path.Dir(dest), args["directory_mode"]))
		}
		nf, err := newFileAttrs(attrs, st)
		if err != nil {
			return Fail(err.Error())
		}
		var r Result
		out, r = writeContentThen(ctx, env, dest, content, pre, nf, argString(args, "validate"), argBool(args, "backup", false))
		if r != nil {
			return r
		}
	} else {
		script := fmt.Sprintf("p=%s\n%s\n%s", ShellQuote(dest), strings.Join(cmds, " || exit 1\n")+" || exit 1", statScript(dest, statOpts{Follow: true}))
		eres, r := runScript(ctx, env, script, "could not set attributes of "+dest)
		if r != nil {
			return r
		}
		out = eres.Stdout
	}
	for _, l := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(l, "backup_file="); ok {
			res["backup_file"] = v
		}
	}
	return fileResult(res, parseStat(out))
}

// writeContentThen is writeContent with pre commands run before the install
// and a stat of dest printed after it.
func writeContentThen(ctx context.Context, env *Env, dest string, content []byte, pre []string, nf newFile, validate string, backup bool) ([]byte, Result) {
	var write, tmp string
	if len(content) <= inlineContent {
		// Small content travels inside the install script itself: one
		// round trip, written by printf (a shell builtin).
		write = "printf '%b' " + PrintfEscape(content) + ` > "$t" || exit 1`
	} else {
		tmp = remoteTemp()
		if err := env.Conn.Upload(ctx, tmp, strings.NewReader(string(content)), 0o600); err != nil {
			if IsUnreachable(err) {
				return nil, UnreachableResult(err)
			}
			return nil, Fail(fmt.Sprintf("could not upload to %s: %v", dest, err))
		}
		// Not cp: a file the redirection creates gets the umask's mode.
		write = `cat -- "$tmp" > "$t" || exit 1`
	}
	script := strings.Join(append(pre, installScript(tmp, dest, write, nf, validate, backup), statScript(dest, statOpts{Follow: true})), "\n")
	res, fr := Exec(ctx, env, script, nil)
	if fr != nil {
		return nil, fr
	}
	if res.ExitCode == 2 {
		return nil, Result{"failed": true, "changed": false, "msg": "failed to validate",
			"stderr": strings.TrimSpace(string(res.Stderr)), "stdout": strings.TrimSpace(string(res.Stdout)), "exit_status": 1}
	}
	if res.ExitCode != 0 {
		return nil, Fail(fmt.Sprintf("could not write %s: %s", dest, strings.TrimSpace(string(res.Stderr))))
	}
	return res.Stdout, nil
}

// newFileAttrs is what the file replacing dest (whose state is st) gets:
// the task's mode or the old file's, the old file's owner, then the task's.
func newFileAttrs(a fileAttrs, st fileState) (newFile, error) {
	var nf newFile
	cur := uint32(0)
	if st.Exists {
		cur = st.Mode
		nf.Mode, nf.HasMode = st.Mode, true
		nf.Keep = fmt.Sprintf("%d:%d", st.UID, st.GID)
	}
	m, ok, err := a.wantMode(cur, false)
	if err != nil {
		return nf, err
	}
	if ok {
		nf.Mode, nf.HasMode = m, true
	}
	nf.Owner = a.ownerCmds(st, `"$p"`)
	return nf, nil
}

// mkdirCmd creates dir and its parents, with mode when given.
func mkdirCmd(dir string, mode any) string {
	c := "mkdir -p -- " + ShellQuote(dir)
	if mode != nil && fmt.Sprint(mode) != "" {
		if m, err := applyModeSpec(mode, 0o755, true); err == nil {
			c = fmt.Sprintf("mkdir -p -m %04o -- %s", m, ShellQuote(dir))
		}
	}
	return c + " || exit 1"
}

// findLocal finds a controller-side file (see localPath).
func findLocal(args map[string]any, src, sub string) (string, fs.FileInfo, error) {
	if src == "" {
		return "", nil, fmt.Errorf("src is empty")
	}
	var last error
	for _, c := range localPath(args, src, sub) {
		fi, err := os.Stat(c)
		if err == nil {
			return c, fi, nil
		}
		last = err
	}
	return "", nil, last
}

// contentString renders the content argument: strings as they are, other
// values (a dict or list after templating) as JSON, as Ansible does.
func contentString(v any) string {
	switch c := v.(type) {
	case string:
		return c
	case map[string]any, []any:
		return toJSON(c)
	default:
		return fmt.Sprint(c)
	}
}

// withArg returns a copy of args with k set to v.
func withArg(args map[string]any, k string, v any) map[string]any {
	n := make(map[string]any, len(args)+1)
	for a, b := range args {
		n[a] = b
	}
	n[k] = v
	return n
}
