package modules

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// contentMarker separates the key=value header of a remote stat from the
// file's content in the output of statScript.
const contentMarker = "__DROVER_CONTENT_7f3a__"

// fileState is what statScript found about one remote path.
type fileState struct {
	Exists, IsDir, IsReg, IsLnk bool
	Type                        string // stat %F: "regular file", "directory", ...
	Mode                        uint32 // permission bits (07777)
	UID, GID                    int
	Owner, Group                string
	Size                        int64
	Mtime, Atime, Ctime         int64
	Inode, Dev, Nlink           int64
	LnkSource                   string // readlink of the path when it is a link
	LnkReal                     string // the link's canonical target (statOpts.Resolve)
	Checksum                    string // sha1 (or the requested algorithm) of a regular file
	DirExists                   bool   // the parent directory exists
	HasContent                  bool
	Content                     []byte
}

// statOpts selects what statScript gathers.
type statOpts struct {
	Follow   bool   // stat the link's target (stat -L) rather than the link
	Checksum string // "", "sha1", "sha256", "md5", ...: checksum of a regular file
	Content  bool   // also send the content of a regular file
	Resolve  bool   // for a link, also its canonical target (readlink -f)
}

// statScript prints the state of path p as key=value lines, then, when
// asked, contentMarker and the file's raw content. POSIX sh + GNU/busybox
// stat only.
func statScript(p string, o statOpts) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "p=%s\n", ShellQuote(p))
	// No command substitution for the parent: a fork that fails under load
	// must not read as "the directory does not exist".
	sb.WriteString(`case $p in */*) d=${p%/*}; d=${d:-/} ;; *) d=. ;; esac
[ -d "$d" ] && echo dir_exists=1
if [ -L "$p" ]; then echo islnk=1; printf 'lnk_source=%s\n' "$(readlink -- "$p")"; fi
if [ -e "$p" ] || [ -L "$p" ]; then
echo exists=1
`)
	if o.Resolve {
		sb.WriteString(`if [ -L "$p" ]; then printf 'lnk_real=%s\n' "$(readlink -f -- "$p")"; fi
`)
	}
	f := `'mode=%a
uid=%u
gid=%g
pw_name=%U
gr_name=%G
size=%s
mtime=%Y
atime=%X
ctime=%Z
inode=%i
dev=%d
nlink=%h
type=%F'`
	if o.Follow {
		fmt.Fprintf(&sb, "stat -L -c %s -- \"$p\" 2>/dev/null || stat -c %s -- \"$p\"\n", f, f)
	} else {
		fmt.Fprintf(&sb, "stat -c %s -- \"$p\"\n", f)
	}
	if o.Checksum != "" {
		// One process: "checksum=<hex>  -" is cut in Go (parseStat).
		fmt.Fprintf(&sb, "if [ -f \"$p\" ] && [ -r \"$p\" ]; then printf 'checksum='; %ssum < \"$p\"; fi\n", o.Checksum)
	}
	if o.Content {
		fmt.Fprintf(&sb, "if [ -f \"$p\" ]; then echo %s; cat -- \"$p\" || exit 3; fi\n", contentMarker)
	}
	sb.WriteString("fi\n")
	return sb.String()
}

// parseStat reads statScript's output.
func parseStat(out []byte) fileState {
	var st fileState
	head := out
	if i := bytes.Index(out, []byte(contentMarker+"\n")); i >= 0 {
		head = out[:i]
		st.HasContent = true
		st.Content = out[i+len(contentMarker)+1:]
	}
	for _, line := range strings.Split(string(head), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		switch k {
		case "dir_exists":
			st.DirExists = true
		case "islnk":
			st.IsLnk = true
		case "lnk_source":
			st.LnkSource = v
		case "lnk_real":
			st.LnkReal = v
		case "exists":
			st.Exists = true
		case "mode":
			m, _ := strconv.ParseUint(v, 8, 32)
			st.Mode = uint32(m)
		case "uid":
			st.UID = int(n)
		case "gid":
			st.GID = int(n)
		case "pw_name":
			st.Owner = v
		case "gr_name":
			st.Group = v
		case "size":
			st.Size = n
		case "mtime":
			st.Mtime = n
		case "atime":
			st.Atime = n
		case "ctime":
			st.Ctime = n
		case "inode":
			st.Inode = n
		case "dev":
			st.Dev = n
		case "nlink":
			st.Nlink = n
		case "type":
			st.Type = v
			st.IsDir = v == "directory"
			st.IsReg = strings.HasPrefix(v, "regular")
		case "checksum":
			st.Checksum, _, _ = strings.Cut(v, " ")
		}
	}
	return st
}

// remoteStat runs statScript for p in one session.
//
// A sha1 of content that is read anyway is computed here, not by a
// sha1sum process on the host.
func remoteStat(ctx context.Context, env *Env, p string, o statOpts) (fileState, Result) {
	sum := o.Content && o.Checksum == "sha1"
	if sum {
		o.Checksum = ""
	}
	res, fr := Exec(ctx, env, statScript(p, o), nil)
	if fr != nil {
		return fileState{}, fr
	}
	if res.ExitCode != 0 {
		return fileState{}, Fail(fmt.Sprintf("could not stat %s: %s", p, strings.TrimSpace(string(res.Stderr))))
	}
	st := parseStat(res.Stdout)
	if sum && st.HasContent {
		st.Checksum = sha1hex(st.Content)
	}
	return st, nil
}

// sha1hex is Ansible's checksum of content.
func sha1hex(b []byte) string {
	h := sha1.Sum(b)
	return hex.EncodeToString(h[:])
}

// fmtMode renders permission bits as Ansible does ("0644").
func fmtMode(m uint32) string { return fmt.Sprintf("%04o", m) }

// fileAttrs are the mode/owner/group arguments shared by the file modules.
type fileAttrs struct {
	Mode  any // nil, an int (the bits), an octal string or a symbolic mode
	Owner string
	Group string
}

func attrsFromArgs(args map[string]any) fileAttrs {
	a := fileAttrs{Owner: argString(args, "owner"), Group: argString(args, "group")}
	if m, ok := args["mode"]; ok && m != nil && argString(args, "mode") != "" {
		a.Mode = m
	}
	return a
}

// wantMode computes the mode the path should get, given its current bits.
// ok is false when no mode was asked for.
func (a fileAttrs) wantMode(cur uint32, isDir bool) (m uint32, ok bool, err error) {
	if a.Mode == nil {
		return 0, false, nil
	}
	m, err = applyModeSpec(a.Mode, cur, isDir)
	return m, err == nil, err
}

// plan returns the sh lines that give "$p" the wanted attributes and whether
// anything differs from st (st.Exists false: everything given is applied).
// A bad mode is an error with Ansible's message.
func (a fileAttrs) plan(st fileState, target string) (cmds []string, changed bool, err error) {
	m, set, err := a.modeChange(st)
	if err != nil {
		return nil, false, err
	}
	if set {
		cmds = append(cmds, fmt.Sprintf("chmod %04o -- %s", m, target))
	}
	oc := a.ownerCmds(st, target)
	return append(cmds, oc...), set || len(oc) > 0, nil
}

// modeChange is the mode the path must get (set true) when a mode is asked
// for and differs from st's (or st does not exist).
func (a fileAttrs) modeChange(st fileState) (m uint32, set bool, err error) {
	cur := st.Mode
	if !st.Exists {
		cur = 0
	}
	m, ok, err := a.wantMode(cur, st.IsDir)
	if err != nil {
		return 0, false, err
	}
	return m, ok && (!st.Exists || m != st.Mode), nil
}

// ownerCmds are the chown/chgrp lines for an owner or group that differs
// from st's (or all given ones when st does not exist).
func (a fileAttrs) ownerCmds(st fileState, target string) []string {
	var cmds []string
	if a.Owner != "" && (!st.Exists || (a.Owner != st.Owner && a.Owner != strconv.Itoa(st.UID))) {
		cmds = append(cmds, fmt.Sprintf("chown %s -- %s", ShellQuote(a.Owner), target))
	}
	if a.Group != "" && (!st.Exists || (a.Group != st.Group && a.Group != strconv.Itoa(st.GID))) {
		cmds = append(cmds, fmt.Sprintf("chgrp %s -- %s", ShellQuote(a.Group), target))
	}
	return cmds
}

// applyModeSpec turns Ansible's mode argument into permission bits: an int
// is the bits themselves (YAML 0644), a string is octal ("0644", "644") or
// symbolic ("u+rwx,g-w,o=r").
func applyModeSpec(spec any, cur uint32, isDir bool) (uint32, error) {
	switch v := spec.(type) {
	case int:
		return uint32(v) & 07777, nil
	case int64:
		return uint32(v) & 07777, nil
	case float64:
		return uint32(v) & 07777, nil
	}
	s := strings.TrimSpace(fmt.Sprint(spec))
	if s != "" && strings.Trim(s, "01234567") == "" {
		m, err := strconv.ParseUint(s, 8, 32)
		if err != nil || m > 07777 {
			return 0, fmt.Errorf("mode must be in octal or symbolic form: %q", s)
		}
		return uint32(m), nil
	}
	return applySymbolic(s, cur, isDir)
}

// applySymbolic applies a chmod(1) symbolic mode to cur.
func applySymbolic(s string, cur uint32, isDir bool) (uint32, error) {
	bad := fmt.Errorf("mode must be in octal or symbolic form: %q", s)
	if s == "" {
		return 0, bad
	}
	m := cur
	for _, clause := range strings.Split(s, ",") {
		i := 0
		var who uint32
		for i < len(clause) && strings.IndexByte("ugoa", clause[i]) >= 0 {
			who |= map[byte]uint32{'u': 04700, 'g': 02070, 'o': 01007, 'a': 07777}[clause[i]]
			i++
		}
		if who == 0 {
			who = 07777
		}
		if i >= len(clause) {
			return 0, bad
		}
		for i < len(clause) {
			op := clause[i]
			if strings.IndexByte("+-=", op) < 0 {
				return 0, bad
			}
			i++
			var perm uint32
			for i < len(clause) && strings.IndexByte("rwxXst", clause[i]) >= 0 {
				switch clause[i] {
				case 'r':
					perm |= 0444
				case 'w':
					perm |= 0222
				case 'x':
					perm |= 0111
				case 'X':
					if isDir || m&0111 != 0 {
						perm |= 0111
					}
				case 's':
					perm |= 06000
				case 't':
					perm |= 01000
				}
				i++
			}
			perm &= who
			switch op {
			case '+':
				m |= perm
			case '-':
				m &^= perm
			case '=':
				m = m&^who | perm
			}
		}
	}
	return m, nil
}

// remoteTemp is a fresh temporary path on the host for uploads.
func remoteTemp() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "/tmp/.drover-tmp-" + hex.EncodeToString(b[:])
}

// newFile is what the file installScript puts in place gets besides its
// content.
type newFile struct {
	// Mode is the new file's permission bits when HasMode (the task's mode,
	// or the mode of the file it replaces); otherwise it gets the umask's
	// default, as a new file does.
	Mode    uint32
	HasMode bool
	// Keep is "UID:GID" of the file it replaces ("" for a new file): the new
	// file keeps them.
	Keep string
	// Owner are chown/chgrp lines on "$p" for the task's owner and group.
	Owner []string
}

// installScript puts new content into place at dest, atomically: write
// (a command that fills "$t", a fresh file next to dest: printf of inline
// content, or a copy of the uploaded file "$tmp"), set attributes, rename.
// validate (with %s) checks the new file before it replaces dest; backup
// keeps the old file and prints backup_file=PATH.
//
// Every process counts on the host (a fork and an exec each): a mode that
// needs no execute or special bit is given by the umask the file is
// created with, not by chmod; the owner is only changed when the file it
// replaces is not already ours (test -O/-G are shell builtins); nothing is
// removed that is not there.
func installScript(tmp, dest, write string, nf newFile, validate string, backup bool) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "tmp=%s; p=%s\n", ShellQuote(tmp), ShellQuote(dest))
	sb.WriteString(`case $p in */*) d=${p%/*}; d=${d:-/} ;; *) d=. ;; esac
t="$d/.drover.$$.${p##*/}"
trap '[ -z "$tmp" ] || rm -f -- "$tmp"; [ ! -e "$t" ] || rm -f -- "$t"' EXIT
[ ! -e "$t" ] && [ ! -L "$t" ] || rm -f -- "$t" || exit 1
`)
	// The umask gives the mode only to a file it creates, and validate
	// must run under the user's umask.
	byUmask := nf.HasMode && nf.Mode&^0o666 == 0 && validate == ""
	if byUmask {
		fmt.Fprintf(&sb, "umask %04o\n", ^nf.Mode&0o777)
	}
	sb.WriteString(write + "\n")
	if nf.HasMode && !byUmask {
		fmt.Fprintf(&sb, "chmod %04o -- \"$t\" || exit 1\n", nf.Mode)
	}
	if nf.Keep != "" {
		fmt.Fprintf(&sb, "[ -O \"$p\" ] && [ -G \"$p\" ] && [ -G \"$t\" ] || chown %s -- \"$t\" 2>/dev/null\n", nf.Keep)
	}
	for _, c := range nf.Owner {
		fmt.Fprintf(&sb, "%s || exit 1\n", strings.ReplaceAll(c, `"$p"`, `"$t"`))
	}
	if validate != "" {
		fmt.Fprintf(&sb, "%s || { echo 'failed to validate' >&2; exit 2; }\n", strings.ReplaceAll(validate, "%s", `"$t"`))
	}
	if backup {
		sb.WriteString(backupSnippet)
	}
	sb.WriteString("mv -f -- \"$t\" \"$p\" || exit 1\n")
	return sb.String()
}

// inlineContent is the largest file content sent inside a script rather
// than uploaded first.
const inlineContent = 32 << 10

// backupSnippet copies "$p" aside as Ansible names backups
// (dest.PID.YYYY-MM-DD@HH:MM:SS~) and prints backup_file=PATH.
const backupSnippet = `if [ -e "$p" ]; then b="$p.$$.$(date +%Y-%m-%d@%H:%M:%S)~"; cp -p -- "$p" "$b" && echo "backup_file=$b"; fi
`

// runScript runs a small sh script in one session; a non-zero exit is a
// failure carrying stderr.
func runScript(ctx context.Context, env *Env, script string, what string) (*ExecResult, Result) {
	res, fr := Exec(ctx, env, script, nil)
	if fr != nil {
		return nil, fr
	}
	if res.ExitCode != 0 {
		msg := strings.TrimSpace(string(res.Stderr))
		if msg == "" {
			msg = fmt.Sprintf("exit status %d", res.ExitCode)
		}
		return res, Result{"failed": true, "changed": false, "msg": what + ": " + msg, "rc": res.ExitCode}
	}
	return res, nil
}

// fileResult fills the attribute fields Ansible returns for a path.
func fileResult(r Result, st fileState) Result {
	if !st.Exists {
		return r
	}
	r["mode"] = fmtMode(st.Mode)
	r["uid"] = st.UID
	r["gid"] = st.GID
	r["owner"] = st.Owner
	r["group"] = st.Group
	r["size"] = st.Size
	switch {
	case st.IsLnk:
		r["state"] = "link"
	case st.IsDir:
		r["state"] = "directory"
	case st.Nlink > 1 && st.IsReg:
		r["state"] = "hard"
	default:
		r["state"] = "file"
	}
	return r
}

// toJSON renders v as JSON (content given as a dict or a list).
func toJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// isBinary reports whether content should not be diffed.
func isBinary(b []byte) bool { return bytes.IndexByte(b, 0) >= 0 }

// maxDiffSize is Ansible's default max_diff_size.
const maxDiffSize = 104448

// contentDiff builds Ansible's diff dict for a content change of dest.
func contentDiff(dest string, before, after []byte) map[string]any {
	d := map[string]any{"before_header": dest, "after_header": dest}
	switch {
	case isBinary(before) || isBinary(after):
		d["before"], d["after"] = "", ""
		d["dst_binary"] = 1
	case len(before) > maxDiffSize || len(after) > maxDiffSize:
		d["before"], d["after"] = "", ""
		d["dst_larger"] = maxDiffSize
	default:
		d["before"], d["after"] = string(before), string(after)
	}
	return d
}

// localPath resolves a controller-side src against the role's and the
// playbook's directory (hidden args _role_dir and _playbook_dir), trying
// the `sub` subdirectory (files, templates) first, as Ansible does.
func localPath(args map[string]any, src, sub string) []string {
	if path.IsAbs(src) {
		return []string{src}
	}
	var c []string
	for _, base := range []string{argString(args, "_role_dir"), argString(args, "_playbook_dir")} {
		if base == "" {
			continue
		}
		c = append(c, path.Join(base, sub, src), path.Join(base, src))
	}
	return append(c, src)
}
