package fleet

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"os/user"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"mvdan.cc/sh/v3/interp"
)

// Text commands of InterpShell hosts, in Go (see interp_coreutils.go for
// the rule they follow).

// openInput opens an operand for reading ("-": stdin). A directory is an
// error, as read(2) on it would be.
func openInput(hc interp.HandlerContext, name string) (io.Reader, func(), error) {
	if name == "-" {
		if in := stdinOf(hc); in != nil {
			return in, func() {}, nil
		}
		return bytes.NewReader(nil), func() {}, nil
	}
	f, err := os.Open(hostPath(hc, name))
	if err != nil {
		return nil, nil, err
	}
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		f.Close()
		return nil, nil, syscall.EISDIR
	}
	return f, func() { f.Close() }, nil
}

// inputsOK checks cat/sum/grep operands: "-" or names GNU prints as is.
func inputsOK(files []string) bool {
	for _, f := range files {
		if f != "-" && !safeName(f) {
			return false
		}
	}
	return true
}

// cmdCat: cat [--] [FILE|-]....
func cmdCat(_ context.Context, hc interp.HandlerContext, args []string) (bool, error) {
	_, files, ok := operands(args[1:], "", "")
	if !ok || !inputsOK(files) {
		return false, nil
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	rc := 0
	for _, name := range files {
		r, done, err := openInput(hc, name)
		if err != nil {
			failf(hc, "cat: %s: %s", name, errText(err))
			rc = 1
			continue
		}
		_, err = io.Copy(hc.Stdout, r)
		done()
		if err != nil {
			failf(hc, "cat: %s: %s", name, errText(err))
			rc = 1
		}
	}
	return true, exitErr(rc)
}

// cmdSum: sha1sum, sha256sum, md5sum [--] [FILE|-]....
func cmdSum(_ context.Context, hc interp.HandlerContext, args []string) (bool, error) {
	_, files, ok := operands(args[1:], "", "")
	if !ok || !inputsOK(files) {
		return false, nil
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	newHash := map[string]func() hash.Hash{"sha1sum": sha1.New, "sha256sum": sha256.New, "md5sum": md5.New}[args[0]]
	rc := 0
	for _, name := range files {
		r, done, err := openInput(hc, name)
		if err != nil {
			failf(hc, "%s: %s: %s", args[0], name, errText(err))
			rc = 1
			continue
		}
		h := newHash()
		_, err = io.Copy(h, r)
		done()
		if err != nil {
			failf(hc, "%s: %s: %s", args[0], name, errText(err))
			rc = 1
			continue
		}
		fmt.Fprintf(hc.Stdout, "%s  %s\n", hex.EncodeToString(h.Sum(nil)), name)
	}
	return true, exitErr(rc)
}

// grepMeta are the characters that make a pattern more than a literal
// string (BRE and ERE).
const grepMeta = `\.[]*^$+?(){}|`

// cmdGrep: grep [-c|-q] [-s] [-v] [-x] [-F|-E] [--] PATTERN [FILE], the
// pattern a literal string (or any string with -F) of one line. Printing
// the lines is done only for a file holding valid UTF-8 text (GNU grep
// reports other files as binary).
func cmdGrep(_ context.Context, hc interp.HandlerContext, args []string) (bool, error) {
	var flags string
	i := 1
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		for _, c := range a[1:] {
			if !strings.ContainsRune("cqsvxFE", c) {
				return false, nil
			}
		}
		flags += a[1:]
	}
	ops := args[i:]
	if len(ops) < 1 || len(ops) > 2 || !inputsOK(ops[1:]) {
		return false, nil
	}
	for _, o := range ops[1:] {
		if strings.HasPrefix(o, "-") && o != "-" {
			return false, nil
		}
	}
	has := func(c string) bool { return strings.Contains(flags, c) }
	pat := ops[0]
	if strings.ContainsAny(pat, "\n\x00") || !utf8.ValidString(pat) || (!has("F") && strings.ContainsAny(pat, grepMeta)) {
		return false, nil
	}
	count, quiet, silent, invert, whole := has("c"), has("q"), has("s"), has("v"), has("x")
	name := "-"
	if len(ops) == 2 {
		name = ops[1]
	}
	if !count && !quiet && name == "-" {
		return false, nil // stdin might be binary: cannot fall through after reading
	}
	r, done, err := openInput(hc, name)
	if err != nil {
		if !silent {
			failf(hc, "grep: %s: %s", name, errText(err))
		}
		if count && errors.Is(err, syscall.EISDIR) {
			fmt.Fprintln(hc.Stdout, 0) // GNU counts a directory's lines
		}
		return true, exitErr(2)
	}
	defer done()
	match := func(line []byte) bool {
		var m bool
		if whole {
			m = string(line) == pat
		} else {
			m = bytes.Contains(line, []byte(pat))
		}
		return m != invert
	}
	if !count && !quiet {
		data, err := io.ReadAll(r)
		if err != nil || bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
			return false, nil
		}
		var out bytes.Buffer
		n := 0
		for _, line := range splitLines(data) {
			if match(line) {
				out.Write(line)
				out.WriteByte('\n')
				n++
			}
		}
		hc.Stdout.Write(out.Bytes())
		if n == 0 {
			return true, exitErr(1)
		}
		return true, nil
	}
	br := bufio.NewReaderSize(r, 64<<10)
	n := 0
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			if match(bytes.TrimSuffix(line, []byte("\n"))) {
				n++
				if quiet {
					return true, nil
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			if !silent {
				failf(hc, "grep: %s: %s", name, errText(err))
			}
			return true, exitErr(2)
		}
	}
	if count {
		fmt.Fprintf(hc.Stdout, "%d\n", n)
	}
	if n == 0 {
		return true, exitErr(1)
	}
	return true, nil
}

// splitLines splits data into lines without their newline (a last line
// without newline counts).
func splitLines(data []byte) [][]byte {
	if len(data) == 0 {
		return nil
	}
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	return lines
}

// cmdDirname: dirname [--] NAME....
func cmdDirname(_ context.Context, hc interp.HandlerContext, args []string) (bool, error) {
	_, ops, ok := operands(args[1:], "", "")
	if !ok || len(ops) == 0 {
		return false, nil
	}
	var sb strings.Builder
	for _, s := range ops {
		sb.WriteString(dirname(s))
		sb.WriteByte('\n')
	}
	io.WriteString(hc.Stdout, sb.String())
	return true, nil
}

// dirname is GNU dirname's answer for s.
func dirname(s string) string {
	i := len(s)
	for i > 1 && s[i-1] == '/' {
		i--
	}
	j := strings.LastIndexByte(s[:i], '/')
	if j < 0 {
		return "."
	}
	for j > 0 && s[j-1] == '/' {
		j--
	}
	if j == 0 {
		return "/"
	}
	return s[:j]
}

// cmdBasename: basename [--] NAME [SUFFIX].
func cmdBasename(_ context.Context, hc interp.HandlerContext, args []string) (bool, error) {
	_, ops, ok := operands(args[1:], "", "")
	if !ok || len(ops) < 1 || len(ops) > 2 {
		return false, nil
	}
	b := basename(ops[0])
	if len(ops) == 2 && ops[1] != b && strings.HasSuffix(b, ops[1]) {
		b = strings.TrimSuffix(b, ops[1])
	}
	fmt.Fprintln(hc.Stdout, b)
	return true, nil
}

// basename is GNU basename's answer for s (before suffix removal).
func basename(s string) string {
	if s == "" {
		return ""
	}
	t := strings.TrimRight(s, "/")
	if t == "" {
		return "/"
	}
	return t[strings.LastIndexByte(t, '/')+1:]
}

// cmdUname: uname [-s|-n|-r|-v|-m].
func cmdUname(_ context.Context, hc interp.HandlerContext, args []string) (bool, error) {
	opt := "-s"
	switch {
	case len(args) == 1:
	case len(args) == 2 && len(args[1]) == 2 && strings.ContainsRune("snrvm", rune(args[1][1])) && args[1][0] == '-':
		opt = args[1]
	default:
		return false, nil
	}
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return false, nil
	}
	field := map[string]*[65]int8{"-s": &u.Sysname, "-n": &u.Nodename, "-r": &u.Release, "-v": &u.Version, "-m": &u.Machine}[opt]
	var sb strings.Builder
	for _, c := range field {
		if c == 0 {
			break
		}
		sb.WriteByte(byte(c))
	}
	fmt.Fprintln(hc.Stdout, sb.String())
	return true, nil
}

// cmdDate: date +%s.
func cmdDate(_ context.Context, hc interp.HandlerContext, args []string) (bool, error) {
	if len(args) != 2 || args[1] != "+%s" {
		return false, nil
	}
	fmt.Fprintln(hc.Stdout, time.Now().Unix())
	return true, nil
}

// sleepArg is one GNU sleep operand: a decimal number with an optional
// unit.
var sleepArg = regexp.MustCompile(`^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)([smhd]?)$`)

// cmdSleep: sleep N[smhd]... (the durations add up).
func cmdSleep(ctx context.Context, hc interp.HandlerContext, args []string) (bool, error) {
	if len(args) < 2 {
		return false, nil
	}
	var total time.Duration
	for _, a := range args[1:] {
		m := sleepArg.FindStringSubmatch(a)
		if m == nil {
			return false, nil
		}
		f, err := strconv.ParseFloat(m[1], 64)
		if err != nil || f > 1e7 {
			return false, nil
		}
		unit := map[string]float64{"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m[2]]
		total += time.Duration(f * unit * float64(time.Second))
	}
	t := time.NewTimer(total)
	defer t.Stop()
	select {
	case <-t.C:
		return true, nil
	case <-ctx.Done():
		return true, ctx.Err()
	}
}

// cmdWhoami: whoami.
func cmdWhoami(_ context.Context, hc interp.HandlerContext, args []string) (bool, error) {
	if len(args) != 1 {
		return false, nil
	}
	u, err := user.LookupId(strconv.Itoa(os.Geteuid()))
	if err != nil {
		return false, nil
	}
	fmt.Fprintln(hc.Stdout, u.Username)
	return true, nil
}
