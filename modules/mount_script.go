package modules

import (
	"fmt"
	"strings"
)

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
	return QuoteArgv(argv)
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
		QuoteArgv(argv), special, ShellQuote(s.a.name), s.mountCmd(), undo, kind, undo, kind)
}
