package fleet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unicode"

	"mvdan.cc/sh/v3/interp"
)

// The external commands drover's modules run most, in Go, for InterpShell
// hosts. RULE: a Go command handles only the argument forms it fully
// understands, with GNU coreutils' exact output and exit status (checked
// against the real programs by interp_coreutils_test.go); for any other
// option or form it reports handled=false before doing anything, and the
// real program runs. File commands are here; text commands in
// interp_textutils.go.

// goCommand runs args (args[0] is the bare command name). handled=false:
// not a form it knows, nothing was done.
type goCommand func(ctx context.Context, hc interp.HandlerContext, args []string) (handled bool, err error)

// goCommandTable maps command names to their Go implementation.
var goCommandTable map[string]goCommand

func init() {
	goCommandTable = map[string]goCommand{
		"stat": cmdStat, "chmod": cmdChmod, "chown": cmdChown, "mv": cmdMv,
		"rm": cmdRm, "mkdir": cmdMkdir, "mktemp": cmdMktemp, "touch": cmdTouch,
		"readlink": cmdReadlink,
		"cat":      cmdCat, "sha1sum": cmdSum, "sha256sum": cmdSum, "md5sum": cmdSum,
		"grep": cmdGrep, "dirname": cmdDirname, "basename": cmdBasename,
		"uname": cmdUname, "date": cmdDate, "sleep": cmdSleep, "whoami": cmdWhoami,
	}
}

// goCommands is the exec middleware running the Go commands. A command
// named by path counts when the path is /bin/NAME or /usr/bin/NAME.
func (h *host) goCommands(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
	return func(ctx context.Context, args []string) error {
		name := args[0]
		if rest, ok := strings.CutPrefix(name, "/usr/bin/"); ok {
			name = rest
		} else if rest, ok := strings.CutPrefix(name, "/bin/"); ok {
			name = rest
		}
		if cmd := goCommandTable[name]; cmd != nil {
			a := append([]string{name}, args[1:]...)
			if handled, err := cmd(ctx, interp.HandlerCtx(ctx), a); handled {
				h.goHandled.Add(1)
				return err
			}
		}
		return next(ctx, args)
	}
}

// operands splits args (without the command name) into the options
// before the operands and the operands, honouring "--". Options must be
// in allowed (whole words, such as "-f" or "-L"); optsWithValue take the
// next word. ok is false for anything else.
func operands(args []string, allowed string, optsWithValue string) (opts map[string]string, ops []string, ok bool) {
	opts = map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return opts, args[i+1:], true
		}
		if len(a) < 2 || a[0] != '-' {
			// GNU permutes options after operands: only allow none.
			for _, b := range args[i:] {
				if len(b) > 1 && b[0] == '-' {
					return nil, nil, false
				}
			}
			return opts, args[i:], true
		}
		if strings.Contains(" "+optsWithValue+" ", " "+a+" ") {
			if i+1 >= len(args) {
				return nil, nil, false
			}
			opts[a] = args[i+1]
			i++
			continue
		}
		if !strings.Contains(" "+allowed+" ", " "+a+" ") {
			return nil, nil, false
		}
		opts[a] = ""
	}
	return opts, nil, true
}

// safeName reports whether GNU prints s unchanged in its messages (no
// quoting or escaping needed): we only handle such names.
func safeName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("._/@%+:,-", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func allSafe(names []string) bool {
	for _, n := range names {
		if !safeName(n) {
			return false
		}
	}
	return true
}

// errText is the C library's message for err's errno ("No such file or
// directory").
func errText(err error) string {
	var errno syscall.Errno
	s := err.Error()
	if errors.As(err, &errno) {
		s = errno.Error()
	}
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// hostPath is name relative to the command's directory.
func hostPath(hc interp.HandlerContext, name string) string {
	if strings.HasPrefix(name, "/") {
		return name
	}
	return hc.Dir + "/" + name
}

// failf prints "CMD: MSG" on stderr.
func failf(hc interp.HandlerContext, format string, args ...any) {
	fmt.Fprintf(hc.Stderr, format+"\n", args...)
}

// parseOctalMode parses a 1 to 4 digit octal mode.
func parseOctalMode(s string) (uint32, bool) {
	if len(s) < 1 || len(s) > 4 {
		return 0, false
	}
	m, err := strconv.ParseUint(s, 8, 32)
	return uint32(m), err == nil
}

// cmdChmod: chmod OCTAL [--] FILE... (no symbolic link operands).
func cmdChmod(_ context.Context, hc interp.HandlerContext, args []string) (bool, error) {
	_, ops, ok := operands(args[1:], "", "")
	if !ok || len(ops) < 2 || !allSafe(ops[1:]) {
		return false, nil
	}
	mode, ok := parseOctalMode(ops[0])
	if !ok {
		return false, nil
	}
	files := ops[1:]
	for _, f := range files {
		if fi, err := os.Lstat(hostPath(hc, f)); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			return false, nil
		}
	}
	rc := 0
	for _, f := range files {
		p := hostPath(hc, f)
		var st syscall.Stat_t
		if err := syscall.Stat(p, &st); err != nil {
			failf(hc, "chmod: cannot access '%s': %s", f, errText(err))
			rc = 1
			continue
		}
		m := mode
		if st.Mode&syscall.S_IFMT == syscall.S_IFDIR && mode&0o6000 == 0 {
			// GNU keeps a directory's set-id bits for a numeric mode
			// without them (unless given with 5 digits).
			m |= st.Mode & 0o6000
		}
		if err := syscall.Chmod(p, m); err != nil {
			failf(hc, "chmod: changing permissions of '%s': %s", f, errText(err))
			rc = 1
		}
	}
	return true, exitErr(rc)
}

// cmdChown: chown UID[:GID] [--] FILE..., numeric ids only, no symbolic
// link operands.
func cmdChown(_ context.Context, hc interp.HandlerContext, args []string) (bool, error) {
	_, ops, ok := operands(args[1:], "", "")
	if !ok || len(ops) < 2 || !allSafe(ops[1:]) {
		return false, nil
	}
	us, gs, hasG := strings.Cut(ops[0], ":")
	uid, err1 := strconv.ParseUint(us, 10, 31)
	gid, err2 := uint64(0), error(nil)
	if hasG {
		gid, err2 = strconv.ParseUint(gs, 10, 31)
	}
	if err1 != nil || err2 != nil {
		return false, nil
	}
	files := ops[1:]
	for _, f := range files {
		if fi, err := os.Lstat(hostPath(hc, f)); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			return false, nil
		}
	}
	g := -1
	if hasG {
		g = int(gid)
	}
	rc := 0
	for _, f := range files {
		p := hostPath(hc, f)
		if _, err := os.Stat(p); err != nil {
			failf(hc, "chown: cannot access '%s': %s", f, errText(err))
			rc = 1
			continue
		}
		if err := os.Chown(p, int(uid), g); err != nil {
			failf(hc, "chown: changing ownership of '%s': %s", f, errText(err))
			rc = 1
		}
	}
	return true, exitErr(rc)
}

// cmdMv: mv [-f] [--] SRC DST, a rename of a non-directory onto a path
// that is not a directory, on one file system.
func cmdMv(_ context.Context, hc interp.HandlerContext, args []string) (bool, error) {
	_, ops, ok := operands(args[1:], "-f", "")
	if !ok || len(ops) != 2 || !allSafe(ops) {
		return false, nil
	}
	src, dst := hostPath(hc, ops[0]), hostPath(hc, ops[1])
	sfi, err := os.Lstat(src)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			failf(hc, "mv: cannot stat '%s': %s", ops[0], errText(err))
			return true, exitErr(1)
		}
		return false, nil
	}
	if sfi.IsDir() || strings.HasSuffix(ops[1], "/") {
		return false, nil
	}
	if dfi, err := os.Stat(dst); err == nil && (dfi.IsDir() || os.SameFile(sfi, dfi)) {
		return false, nil
	}
	if dfi, err := os.Lstat(dst); err == nil && os.SameFile(sfi, dfi) {
		return false, nil
	}
	if err := os.Rename(src, dst); err != nil {
		var errno syscall.Errno
		if errors.As(err, &errno) && (errno == syscall.ENOENT || errno == syscall.ENOTDIR) {
			failf(hc, "mv: cannot move '%s' to '%s': %s", ops[0], ops[1], errText(err))
			return true, exitErr(1)
		}
		return false, nil // EXDEV, permissions, ...: the real mv
	}
	return true, nil
}

// cmdRm: rm [-f] [--] FILE..., none of them a directory.
func cmdRm(_ context.Context, hc interp.HandlerContext, args []string) (bool, error) {
	opts, files, ok := operands(args[1:], "-f", "")
	if !ok || len(files) == 0 || !allSafe(files) {
		return false, nil
	}
	_, force := opts["-f"]
	for _, f := range files {
		if fi, err := os.Lstat(hostPath(hc, f)); err == nil && fi.IsDir() {
			return false, nil
		} else if err != nil && !errors.Is(err, os.ErrNotExist) {
			return false, nil
		}
		if strings.HasSuffix(f, "/") || strings.HasSuffix(f, "/.") || f == "." || f == ".." || strings.HasSuffix(f, "/..") {
			return false, nil
		}
	}
	rc := 0
	for _, f := range files {
		err := os.Remove(hostPath(hc, f))
		if err == nil || (force && errors.Is(err, os.ErrNotExist)) {
			continue
		}
		failf(hc, "rm: cannot remove '%s': %s", f, errText(err))
		rc = 1
	}
	return true, exitErr(rc)
}

// cmdMkdir: mkdir [-p] [-m OCTAL] [--] DIR....
func cmdMkdir(_ context.Context, hc interp.HandlerContext, args []string) (bool, error) {
	opts, dirs, ok := operands(args[1:], "-p", "-m")
	if !ok || len(dirs) == 0 || !allSafe(dirs) || shellUmask(hc.Env) != procUmask() {
		return false, nil
	}
	_, parents := opts["-p"]
	modeText, hasMode := opts["-m"]
	var mode uint32
	if hasMode {
		if mode, ok = parseOctalMode(modeText); !ok {
			return false, nil
		}
	}
	if parents && processUmask()&0o300 != 0 {
		return false, nil // GNU gives parents u+wx whatever the umask
	}
	rc := 0
	for _, d := range dirs {
		p := hostPath(hc, d)
		if parents {
			if fi, err := os.Stat(p); err == nil && fi.IsDir() {
				continue
			}
			if err := os.MkdirAll(p, 0o777); err != nil {
				// mkdir -p again on every operand reports it; what was
				// made here, it would have made too.
				return false, nil
			}
		} else if err := os.Mkdir(p, 0o777); err != nil {
			failf(hc, "mkdir: cannot create directory ‘%s’: %s", d, errText(err))
			rc = 1
			continue
		}
		if hasMode {
			if err := os.Chmod(p, os.FileMode(mode&0o777)|modeBits(mode)); err != nil {
				failf(hc, "mkdir: cannot set permissions of ‘%s’: %s", d, errText(err))
				rc = 1
			}
		}
	}
	return true, exitErr(rc)
}

// modeBits converts the set-id and sticky bits of an octal mode.
func modeBits(m uint32) os.FileMode {
	var fm os.FileMode
	if m&0o4000 != 0 {
		fm |= os.ModeSetuid
	}
	if m&0o2000 != 0 {
		fm |= os.ModeSetgid
	}
	if m&0o1000 != 0 {
		fm |= os.ModeSticky
	}
	return fm
}

// processUmask is the process's umask, read from /proc (reading it with
// umask(2) would change it for a moment).
func processUmask() uint32 {
	b, err := os.ReadFile("/proc/self/status")
	if err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "Umask:"); ok {
				if m, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32); err == nil {
					return uint32(m)
				}
			}
		}
	}
	return 0o777 // unknown: mkdir -p is left to the real program
}

// cmdMktemp: mktemp TEMPLATE (a file; at least 3 trailing X's).
func cmdMktemp(_ context.Context, hc interp.HandlerContext, args []string) (bool, error) {
	if len(args) != 2 || !safeName(args[1]) || shellUmask(hc.Env) != procUmask() {
		return false, nil
	}
	tmpl := args[1]
	base := tmpl[strings.LastIndexByte(tmpl, '/')+1:]
	n := len(base) - len(strings.TrimRight(base, "X"))
	if n < 3 {
		return false, nil
	}
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	for try := 0; try < 100; try++ {
		b := []byte(tmpl)
		rnd := newUUID()
		for i := len(b) - n; i < len(b); i++ {
			b[i] = letters[int(rnd[i%len(rnd)]+byte(try*7+i))%len(letters)]
		}
		name := string(b)
		f, err := os.OpenFile(hostPath(hc, name), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return false, nil
		}
		f.Close()
		fmt.Fprintln(hc.Stdout, name)
		return true, nil
	}
	return false, nil
}

// cmdTouch: touch [--] FILE..., creating missing files.
func cmdTouch(_ context.Context, hc interp.HandlerContext, args []string) (bool, error) {
	_, files, ok := operands(args[1:], "", "")
	if !ok || len(files) == 0 || !allSafe(files) || shellUmask(hc.Env) != procUmask() {
		return false, nil
	}
	rc := 0
	for _, f := range files {
		p := hostPath(hc, f)
		fd, err := syscall.Open(p, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_NOCTTY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0o666)
		if err == nil {
			syscall.Close(fd)
		} else if !errors.Is(err, syscall.EISDIR) {
			failf(hc, "touch: cannot touch '%s': %s", f, errText(err))
			rc = 1
			continue
		}
		// utimensat(path, NULL): both times now.
		if err := syscall.UtimesNano(p, []syscall.Timespec{{Nsec: utimeNow}, {Nsec: utimeNow}}); err != nil {
			failf(hc, "touch: setting times of '%s': %s", f, errText(err))
			rc = 1
		}
	}
	return true, exitErr(rc)
}

// utimeNow is UTIME_NOW.
const utimeNow = (1 << 30) - 1

// cmdReadlink: readlink [--] FILE (no options: silent failure, exit 1).
func cmdReadlink(_ context.Context, hc interp.HandlerContext, args []string) (bool, error) {
	_, files, ok := operands(args[1:], "", "")
	if !ok || len(files) != 1 {
		return false, nil
	}
	target, err := os.Readlink(hostPath(hc, files[0]))
	if err != nil {
		return true, exitErr(1)
	}
	fmt.Fprintln(hc.Stdout, target)
	return true, nil
}
