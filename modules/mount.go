package modules

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

func init() {
	Register(mountModule{}, "ansible.posix.mount")
}

// mountModule is ansible.posix.mount on Linux, following
// ansible-collections/ansible.posix plugins/modules/mount.py at commit
// 01ee2fa3a35c8801072da8e6375283524b9b6c1d and its module_utils/mount.py
// (ismount, a copy of Python's os.path.ismount): the same arguments,
// defaults and required_if, the same fstab editing line by line
// (_set_mount_save_old, unset_mount: escaping of space, & and \ as \040,
// \046, \134; 4 to 6 fields, dump and passno defaulting to 0 so that a
// shorter entry is rewritten; matching by mount point, or by src for
// swap; comments, blank and foreign lines kept), the same test of whether
// the path is mounted (ismount: lstat of the path and of its real parent;
// or an entry of /proc/self/mountinfo as get_linux_mounts reads it, with
// the mount -l fallback when it cannot be read), the same mount, umount
// and remount command lines (-T fstab for another fstab, mount -o remount
// with the umount+mount fallback) and the same restoring of fstab and
// created directories when mounting fails. Result: changed and the
// module's args (name, src, fstype, opts, dump, passno, fstab, boot,
// backup_file).
//
// One session reads (fstab, the path's mount state, mountinfo; for
// ephemeral also mount -v), one acts.
type mountModule struct{}

func (mountModule) Name() string { return "mount" }

func (mountModule) Schema() Schema {
	return Schema{Args: map[string]Arg{
		"path":        {Type: TypePath, Required: true, Aliases: []string{"name"}},
		"src":         {Type: TypePath},
		"fstype":      {Type: TypeString},
		"opts":        {Type: TypeString},
		"opts_no_log": {Type: TypeBool, Default: false},
		"dump":        {Type: TypeString, Default: "0"},
		"passno":      {Type: TypeString, Default: "0"},
		"state": {Type: TypeString, Required: true, Choices: []string{"absent", "absent_from_fstab", "absent_mount",
			"mounted", "present", "unmounted", "remounted", "ephemeral"}},
		"fstab":  {Type: TypeString},
		"boot":   {Type: TypeBool, Default: true},
		"backup": {Type: TypeBool, Default: false},
	}}
}

// mountinfoPath is the file get_linux_mounts reads (tests replace it).
var mountinfoPath = "/proc/self/mountinfo"

const mountMark = "@@drover-mount:"

// mountEscape is _escape_fstab.
func mountEscape(v string) string {
	return strings.NewReplacer(`\`, `\134`, " ", `\040`, "&", `\046`).Replace(v)
}

// mountArgs is the module's args dict (Linux).
type mountArgs struct {
	name, src, fstype, opts, dump, passno, fstab, boot string
	hasSrc, hasFstype                                  bool
}

func (a *mountArgs) line(src, name, fstype, opts, dump, passno string) string {
	return fmt.Sprintf("%s %s %s %s %s %s\n", src, name, fstype, opts, dump, passno)
}

// pyLines is readlines() of a file opened in text mode (universal
// newlines).
func pyLines(content string) []string {
	content = strings.ReplaceAll(strings.ReplaceAll(content, "\r\n", "\n"), "\r", "\n")
	return splitKeepEnds([]byte(content))
}

func pyFields(s string) []string { return strings.FieldsFunc(s, isPySpace) }

// mountSet is _set_mount_save_old: the new fstab lines, the old ones (each
// ending in a newline) and changed.
func mountSet(a *mountArgs, content string) (toWrite, oldLines []string, changed bool) {
	e := map[string]string{"src": mountEscape(a.src), "name": mountEscape(a.name), "fstype": mountEscape(a.fstype),
		"opts": mountEscape(a.opts), "dump": mountEscape(a.dump), "passno": mountEscape(a.passno)}
	exists := false
	for _, line := range pyLines(content) {
		if !strings.HasSuffix(line, "\n") {
			line += "\n"
		}
		oldLines = append(oldLines, line)
		t := strings.TrimFunc(line, isPySpace)
		if t == "" || strings.HasPrefix(t, "#") {
			toWrite = append(toWrite, line)
			continue
		}
		before, _, _ := strings.Cut(line, "#")
		fields := pyFields(before)
		if len(fields) < 4 || len(fields) > 6 {
			toWrite = append(toWrite, line)
			continue
		}
		labels := []string{"src", "name", "fstype", "opts", "dump", "passno"}
		// dump and passno default to the int 0, which never equals a
		// string: a 4- or 5-field entry is always rewritten.
		ld := map[string]string{"dump": "\x00int0", "passno": "\x00int0"}
		for i, f := range fields {
			ld[labels[i]] = f
		}
		if ld["name"] != e["name"] || (a.hasSrc && ld["name"] == "none" && ld["fstype"] == "swap" && ld["src"] != a.src) {
			toWrite = append(toWrite, line)
			continue
		}
		exists = true
		for _, k := range []string{"src", "fstype", "opts", "dump", "passno"} {
			if ld[k] != e[k] {
				ld[k] = e[k]
				changed = true
			}
		}
		if changed {
			toWrite = append(toWrite, a.line(ld["src"], ld["name"], ld["fstype"], ld["opts"], ld["dump"], ld["passno"]))
		} else {
			toWrite = append(toWrite, line)
		}
	}
	if !exists {
		toWrite = append(toWrite, a.line(e["src"], e["name"], e["fstype"], e["opts"], e["dump"], e["passno"]))
		changed = true
	}
	return toWrite, oldLines, changed
}

// mountUnset is unset_mount: only 6-field entries are matched.
func mountUnset(a *mountArgs, content string) (toWrite []string, changed bool) {
	name := mountEscape(a.name)
	for _, line := range pyLines(content) {
		t := strings.TrimFunc(line, isPySpace)
		if t == "" || strings.HasPrefix(t, "#") {
			toWrite = append(toWrite, line)
			continue
		}
		f := pyFields(line)
		if len(f) != 6 {
			toWrite = append(toWrite, line)
			continue
		}
		if f[1] != name || (a.hasSrc && f[1] == "none" && f[2] == "swap" && f[0] != a.src) {
			toWrite = append(toWrite, line)
			continue
		}
		changed = true
	}
	return toWrite, changed
}

// linuxMount is one record of get_linux_mounts.
type linuxMount struct{ dst, src, opts, fs string }

// mountParseMountinfo is get_linux_mounts: records keyed by mount point
// (the last mount on a point wins), the src of a mount under another being
// its root (relative to the parent's root, under the parent's mount
// point), as the module computes it, parents' roots updated in place.
func mountParseMountinfo(s string) map[string]linuxMount {
	type rec struct {
		id, parent          int
		root, dst, opts, fs string
		src                 string
	}
	var order []*rec
	byID := map[int]*rec{}
	for _, line := range strings.Split(s, "\n") {
		f := pyFields(line)
		if len(f) < 6 {
			continue
		}
		id, err1 := strconv.Atoi(f[0])
		parent, err2 := strconv.Atoi(f[1])
		if err1 != nil || err2 != nil {
			continue
		}
		r := &rec{id: id, parent: parent, root: f[3], dst: f[4], opts: f[5], fs: f[len(f)-3], src: f[len(f)-2]}
		if old, ok := byID[id]; ok {
			*old = *r
			continue
		}
		byID[id] = r
		order = append(order, r)
	}
	mounts := map[string]linuxMount{}
	for _, mnt := range order {
		src := mnt.src
		if m, ok := byID[mnt.parent]; mnt.parent != 1 && ok {
			if len(m.root) > 1 && strings.HasPrefix(mnt.root, m.root+"/") {
				mnt.root = mnt.root[len(m.root):]
			}
			if m.dst != "/" {
				mnt.root = m.dst + mnt.root
			}
			src = mnt.root
		}
		mounts[mnt.dst] = linuxMount{dst: mnt.dst, src: src, opts: mnt.opts, fs: mnt.fs}
	}
	return mounts
}

// mountState is what the read session found.
type mountState struct {
	fstabExists, pathExists, isMount bool
	fstab                            string
	linux                            map[string]linuxMount // nil: mountinfo unreadable
	mountL, mountV                   []string
	mountBin                         string
}

// isBindMounted is is_bind_mounted.
func (st *mountState) isBindMounted(dest string, src, fstype *string) bool {
	if st.linux != nil {
		m, ok := st.linux[dest]
		if src == nil {
			return ok
		}
		return ok && m.src == *src
	}
	for _, l := range st.mountL {
		a := pyFields(l)
		if len(a) < 5 {
			continue
		}
		if (src == nil || a[0] == *src) && a[2] == dest && (fstype == nil || a[4] == *fstype) {
			return true
		}
	}
	return false
}

// sameMountSrc is _is_same_mount_src; msg is its failure.
func (st *mountState) sameMountSrc(src, mountpoint string) (bool, string) {
	if !st.isMount && !st.isBindMounted(mountpoint, nil, nil) {
		return false, ""
	}
	if st.linux != nil && st.isBindMounted(mountpoint, &src, nil) {
		return true, ""
	}
	if len(st.mountV) == 0 {
		return false, fmt.Sprintf("Unable to retrieve mount info with command '%s -v'", st.mountBin)
	}
	for _, l := range st.mountV {
		f := pyFields(l)
		if len(f) >= 3 && f[0] == src && f[2] == mountpoint {
			return true, ""
		}
	}
	return false, ""
}

func mountRead(ctx context.Context, env *Env, a *mountArgs, ephemeral bool) (*mountState, Result) {
	var sb strings.Builder
	fmt.Fprintf(&sb, "f=%s\np=%s\nM=%s\n", ShellQuote(a.fstab), ShellQuote(a.name), mountMark)
	sb.WriteString(`[ -e "$f" ] && echo "${M}fstab_exists"
if [ -e "$p" ] || [ -L "$p" ]; then
[ -e "$p" ] && echo "${M}path_exists"
if [ ! -L "$p" ]; then
r=$(readlink -f -- "$p") && { d=${r%/*}; d=${d:-/}; printf '%sismount %s\n' "$M" "$(stat -c '%d:%i' -- "$p" "$d" | tr '\n' ' ')"; }
fi
fi
`)
	fmt.Fprintf(&sb, "if [ -r %s ]; then echo \"${M}mountinfo\"; cat %s; else echo \"${M}mountl\"; mount -l; fi\n", ShellQuote(mountinfoPath), ShellQuote(mountinfoPath))
	if ephemeral {
		sb.WriteString("echo \"${M}mountv $(command -v mount)\"; mount -v 2>/dev/null\n")
	}
	sb.WriteString("if [ -f \"$f\" ]; then echo \"${M}fstab\"; cat -- \"$f\" || exit 3; fi\n")
	res, fr := Exec(ctx, env, sb.String(), nil)
	if fr != nil {
		return nil, fr
	}
	if res.ExitCode != 0 {
		return nil, Fail(fmt.Sprintf("could not read %s: %s", a.fstab, strings.TrimSpace(string(res.Stderr))))
	}
	out := string(res.Stdout)
	st := &mountState{}
	if i := strings.Index(out, mountMark+"fstab\n"); i >= 0 {
		st.fstab = out[i+len(mountMark)+6:]
		out = out[:i]
	}
	section := ""
	var mi strings.Builder
	for _, l := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(l, mountMark); ok {
			section = rest
			switch {
			case rest == "fstab_exists":
				st.fstabExists = true
			case rest == "path_exists":
				st.pathExists = true
			case strings.HasPrefix(rest, "ismount "):
				// path/.. on another device, or the same i-node as path.
				f := strings.Fields(strings.TrimPrefix(rest, "ismount "))
				if len(f) == 2 {
					d1, i1, _ := strings.Cut(f[0], ":")
					d2, i2, _ := strings.Cut(f[1], ":")
					st.isMount = d1 != d2 || i1 == i2
				}
			case rest == "mountinfo":
				st.linux = map[string]linuxMount{}
			case strings.HasPrefix(rest, "mountv "):
				st.mountBin = strings.TrimPrefix(rest, "mountv ")
				section = "mountv"
			}
			continue
		}
		switch section {
		case "mountinfo":
			mi.WriteString(l + "\n")
		case "mountl":
			if strings.TrimSpace(l) != "" {
				st.mountL = append(st.mountL, l)
			}
		case "mountv":
			if strings.TrimSpace(l) != "" {
				st.mountV = append(st.mountV, l)
			}
		}
	}
	if st.linux != nil {
		st.linux = mountParseMountinfo(mi.String())
	}
	return st, nil
}

func (mountModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	state := argString(args, "state")
	name := argString(args, "path")
	if name == "" {
		name = argString(args, "name")
	}
	if name == "" {
		return Fail("missing required arguments: path")
	}
	given := func(k string) (string, bool) {
		v, ok := args[k]
		if !ok || v == nil {
			return "", false
		}
		return argString(args, k), true
	}
	if state == "mounted" || state == "present" || state == "ephemeral" {
		var missing []string
		for _, k := range []string{"src", "fstype"} {
			if _, ok := given(k); !ok {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			return Fail(fmt.Sprintf("state is %s but all of the following are missing: %s", state, strings.Join(missing, ", ")))
		}
	}
	a := &mountArgs{name: name, opts: "defaults", dump: "0", passno: "0", fstab: "/etc/fstab", boot: "yes"}
	for _, k := range []string{"src", "fstype", "passno", "opts", "dump", "fstab"} {
		v, ok := given(k)
		if !ok {
			continue
		}
		switch k {
		case "src":
			a.src, a.hasSrc = v, true
		case "fstype":
			a.fstype, a.hasFstype = v, true
		case "passno":
			a.passno = v
		case "opts":
			a.opts = v
		case "dump":
			a.dump = v
		case "fstab":
			a.fstab = v
		}
	}
	var warnings []string
	boot := argBool(args, "boot", true)
	opts := strings.Split(a.opts, ",")
	if boot && containsStr(opts, "noauto") {
		warnings = append(warnings, "Ignore the 'boot' due to 'opts' contains 'noauto'.")
	} else if !boot {
		a.boot = "no"
		a.opts = strings.Join(append(opts, "noauto"), ",")
	}
	backup := argBool(args, "backup", false)

	st, fr := mountRead(ctx, env, a, state == "ephemeral")
	if fr != nil {
		return fr
	}
	if st.linux == nil {
		warnings = append(warnings, "Cannot open file /proc/self/mountinfo. Bind mounts might be misinterpreted.")
	}
	backupFile := ""
	finish := func(r Result) Result {
		if len(warnings) > 0 {
			r["warnings"] = warnings
		}
		if v, ok := given("opts"); ok && v != "" && argBool(args, "opts_no_log", false) {
			for k, x := range r {
				if s, ok := x.(string); ok {
					r[k] = strings.ReplaceAll(s, v, "********")
				}
			}
		}
		return r
	}
	result := func(changed bool) Result {
		r := Result{"failed": false, "changed": changed, "name": a.name, "opts": a.opts, "dump": a.dump,
			"passno": a.passno, "fstab": a.fstab, "boot": a.boot, "backup_file": backupFile}
		if a.hasSrc {
			r["src"] = a.src
		}
		if a.hasFstype {
			r["fstype"] = a.fstype
		}
		return finish(r)
	}
	fail := func(msg string) Result { return finish(Fail(msg)) }

	// The act session, built as the module would go.
	s := &mountScript{a: a, state: state, backup: backup}
	if state != "ephemeral" && !st.fstabExists && !env.Check {
		s.createFstab()
	}
	mounted := func(src, fstype *string) bool { return st.isMount || st.isBindMounted(a.name, src, fstype) }
	changed := false
	switch state {
	case "absent_from_fstab", "absent", "absent_mount":
		var lines []string
		lines, changed = mountUnset(a, st.fstab)
		if changed && !env.Check {
			s.writeFstab(lines, false)
			if state != "absent_from_fstab" {
				if mounted(nil, nil) {
					s.umount("unmount")
				}
				if state == "absent" {
					s.rmdirMountpoint()
				}
			}
		}
	case "unmounted":
		if mounted(nil, nil) {
			if !env.Check {
				s.umount("unmount")
			}
			changed = true
		}
	case "mounted", "ephemeral":
		if !st.pathExists && !env.Check {
			s.mkdirs()
		}
		var old []string
		if state != "ephemeral" {
			var lines []string
			lines, old, changed = mountSet(a, st.fstab)
			if changed && !env.Check {
				s.writeFstab(lines, true)
			}
		}
		s.restore, s.hasRestore = old, state != "ephemeral"
		if mounted(&a.src, &a.fstype) {
			if changed && !env.Check {
				s.remount("mount")
				changed = true
			}
			if state == "ephemeral" {
				same, msg := st.sameMountSrc(a.src, a.name)
				if msg != "" {
					return fail(msg)
				}
				if !same {
					return fail("Ephemeral mount point is already mounted with a different source than the specified one. " +
						"Failing in order to prevent an unwanted unmount or override operation. Try replacing this command with " +
						"a \"state: unmounted\" followed by a \"state: ephemeral\", or use a different destination path.")
				}
				changed = true
				if !env.Check {
					s.remount("mount")
				}
			}
		} else {
			changed = true
			if !env.Check {
				s.mount("mount")
			}
		}
	case "present":
		var lines []string
		lines, _, changed = mountSet(a, st.fstab)
		if changed && !env.Check {
			s.writeFstab(lines, true)
		}
	case "remounted":
		if !env.Check {
			s.remount("remount")
		}
		changed = true
	default:
		return fail("Unexpected position reached")
	}
	if s.empty() {
		return result(changed)
	}
	res, fr := Exec(ctx, env, s.String(), nil)
	if fr != nil {
		return fr
	}
	out := string(res.Stdout)
	if res.ExitCode != 0 {
		return fail(fmt.Sprintf("could not update %s: %s", a.fstab, strings.TrimSpace(string(res.Stderr))))
	}
	head, failOut, failed := strings.Cut(out, mountMark+"fail ")
	for _, l := range strings.Split(head, "\n") {
		if b, ok := strings.CutPrefix(l, mountMark+"backup "); ok {
			backupFile = b
		}
	}
	if failed {
		kind, msg, _ := strings.Cut(failOut, "\n")
		switch kind {
		case "mount":
			return fail(fmt.Sprintf("Error mounting %s: %s", a.name, msg))
		case "unmount":
			return fail(fmt.Sprintf("Error unmounting %s: %s", a.name, msg))
		case "remount":
			return fail(fmt.Sprintf("Error remounting %s: %s", a.name, msg))
		case "remountopts":
			return fail("Options were specified with remounted, but the remount command failed. Failing in order to " +
				"prevent an unexpected mount result. Try replacing this command with a \"state: unmounted\" followed by " +
				"a \"state: mounted\" using the full desired mount options instead.")
		case "rmdir":
			return fail(fmt.Sprintf("Error rmdir %s: %s", a.name, strings.TrimSpace(msg)))
		case "mkdir":
			return fail(fmt.Sprintf("Error making dir %s: %s", a.name, strings.TrimSpace(msg)))
		case "fstab":
			if strings.Contains(msg, "ermission denied") {
				return fail(fmt.Sprintf("Failed to open %s due to permission issue", a.fstab))
			}
			return fail(fmt.Sprintf("Failed to open %s due to %s", a.fstab, strings.TrimSpace(msg)))
		}
		return fail(strings.TrimSpace(failOut))
	}
	return result(changed)
}

func containsStr(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// mountScript builds the act session. Commands run through r, which keeps
// their stdout and stderr; a failure prints "<mark>fail KIND" and then
// stdout+stderr of the command (the module's out + err) and stops.
type mountScript struct {
	a       *mountArgs
	state   string
	backup  bool
	body    []string
	created []string // directories mkdirs may create, outermost first
	restore []string // fstab's old lines, written back when mounting fails
	// hasRestore: restore is set (mounted).
	hasRestore bool
}

func (s *mountScript) empty() bool { return len(s.body) == 0 }

func (s *mountScript) add(f string, a ...any) { s.body = append(s.body, fmt.Sprintf(f, a...)) }

func (s *mountScript) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "f=%s\np=%s\nM=%s\n", ShellQuote(s.a.fstab), ShellQuote(s.a.name), mountMark)
	sb.WriteString(`_o=$(mktemp) && _e=$(mktemp) || exit 1
trap 'rm -f -- "$_o" "$_e"' EXIT
r() { "$@" >"$_o" 2>"$_e"; }
fail() { printf '%sfail %s\n' "$M" "$1"; cat -- "$_o" "$_e"; exit 0; }
`)
	// Undo for a failed mount: the old fstab (state != ephemeral), then the
	// created directories, innermost first, stopping at the first error.
	sb.WriteString("undo() {\n")
	if s.hasRestore && s.state != "ephemeral" {
		if s.backup {
			sb.WriteString(mountBackup(false))
		}
		fmt.Fprintf(&sb, "printf '%%b' %s > \"$f\" 2>/dev/null\n", PrintfEscape([]byte(strings.Join(s.restore, ""))))
	}
	if len(s.created) > 0 {
		var undo []string
		for i := len(s.created) - 1; i >= 0; i-- {
			undo = append(undo, fmt.Sprintf("{ [ -z \"$_m%d\" ] || rmdir -- %s 2>/dev/null; }", i, ShellQuote(s.created[i])))
		}
		sb.WriteString(strings.Join(undo, " && ") + "\n")
	}
	sb.WriteString(":\n}\n")
	sb.WriteString(strings.Join(s.body, "\n") + "\n")
	return sb.String()
}

// mountBackup is backup_local (shutil.copy2 to PATH.PID.TIMESTAMP~); print
// reports the name as backup_file.
func mountBackup(print bool) string {
	echo := ""
	if print {
		echo = ` && echo "${M}backup $b"`
	}
	return `if [ -e "$f" ]; then b="$f.$$.$(date +%Y-%m-%d@%H:%M:%S)~"; cp -p -- "$f" "$b"` + echo + "; fi\n"
}

func (s *mountScript) createFstab() {
	s.add(`if [ ! -e "$f" ]; then
case $f in */*) d=${f%%/*}; d=${d:-/} ;; *) d=. ;; esac
{ [ -e "$d" ] || mkdir -p -- "$d"; } 2>"$_e" || fail fstab
: 2>"$_e" >>"$f" || fail fstab
fi`)
}

// writeFstab is write_fstab (opened for writing in place: the file keeps
// its inode, mode and owner).
func (s *mountScript) writeFstab(lines []string, report bool) {
	b := ""
	if s.backup {
		b = mountBackup(report)
	}
	s.add("%sprintf '%%b' %s 2>\"$_e\" > \"$f\" || fail fstab", b, PrintfEscape([]byte(strings.Join(lines, ""))))
}

func (s *mountScript) umount(kind string) {
	s.add("r umount %s || fail %s", ShellQuote(s.a.name), kind)
}

func (s *mountScript) rmdirMountpoint() {
	s.add(`if [ -e "$p" ]; then rmdir -- "$p" 2>"$_e" >"$_o" || fail rmdir; fi`)
}

// mkdirs is the module's mkdir -p that records what it created.
func (s *mountScript) mkdirs() {
	name := s.a.name
	cur := ""
	abs := strings.HasPrefix(name, "/")
	for _, d := range strings.Split(strings.Trim(name, "/"), "/") {
		cur = cur + "/" + d
		if !abs {
			cur = strings.TrimLeft(cur, "/")
		}
		i := len(s.created)
		s.created = append(s.created, cur)
		s.add("if [ ! -e %[1]s ]; then if mkdir -- %[1]s 2>\"$_e\"; then _m%[2]d=1; elif [ ! -d %[1]s ]; then : >\"$_o\"; fail mkdir; fi; fi", ShellQuote(cur), i)
	}
}

// fstabArgs is _set_fstab_args.
func (s *mountScript) fstabArgs() []string {
	if s.state == "ephemeral" || s.a.fstab == "" || s.a.fstab == "/etc/fstab" {
		return nil
	}
	return []string{"-T", s.a.fstab}
}

// ephemeralArgs is _set_ephemeral_args.
func (s *mountScript) ephemeralArgs() []string {
	if s.state != "ephemeral" {
		return nil
	}
	r := []string{"-t", s.a.fstype}
	if s.a.opts != "defaults" {
		r = append(r, "-o", s.a.opts)
	}
	return append(r, s.a.src)
}

func (s *mountScript) mountCmd() string {
	argv := append(append(append([]string{"mount"}, s.fstabArgs()...), s.ephemeralArgs()...), s.a.name)
	return shellJoin(argv)
}

// mount runs mount(); a failure undoes what the task did first.
func (s *mountScript) mount(kind string) {
	s.add("r %s || { undo; fail %s; }", s.mountCmd(), kind)
}

// remount is remount(): mount -o remount, else umount and mount.
func (s *mountScript) remount(kind string) {
	o := "remount"
	if s.state == "remounted" && s.a.opts != "defaults" {
		o = "remount," + s.a.opts
	}
	argv := append(append(append([]string{"mount", "-o", o}, s.fstabArgs()...), s.ephemeralArgs()...), s.a.name)
	special := ""
	if s.state == "remounted" && s.a.opts != "defaults" {
		special = "fail remountopts; "
	}
	undo := ""
	if kind == "mount" {
		undo = "undo; "
	}
	s.add("if ! r %s; then %sif r umount %s; then r %s || { %sfail %s; }; else %sfail %s; fi; fi",
		shellJoin(argv), special, ShellQuote(s.a.name), s.mountCmd(), undo, kind, undo, kind)
}

func shellJoin(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = ShellQuote(a)
	}
	return strings.Join(q, " ")
}
