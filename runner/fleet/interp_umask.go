package fleet

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// The umask of InterpShell hosts. interp has no umask builtin, and the
// process umask is the whole fleet's: each shell keeps its own in the
// shell variable umaskVar (so that subshells inherit it and their changes
// stay theirs, as with a real shell's umask). `umask OCTAL` is rewritten
// to an assignment of it; files the shell creates (redirections), the Go
// commands and the forked programs honour it.

const umaskVar = "DROVER_FLEET_UMASK"

var (
	procUmaskOnce sync.Once
	procUmaskVal  uint32
)

// procUmask is the fleet process's umask (read once: the fleet never
// changes it), which forked programs inherit.
func procUmask() uint32 {
	procUmaskOnce.Do(func() { procUmaskVal = processUmask() })
	return procUmaskVal
}

// umaskArg matches the octal umask arguments rewritten to an assignment.
var umaskArg = regexp.MustCompile(`^[0-7]{1,4}$`)

// rewriteUmask turns `umask OCTAL` (a literal) into `umaskVar=OCTAL`.
func rewriteUmask(n syntax.Node) {
	syntax.Walk(n, func(n syntax.Node) bool {
		ce, ok := n.(*syntax.CallExpr)
		if !ok || len(ce.Args) != 2 || ce.Args[0].Lit() != "umask" || !umaskArg.MatchString(ce.Args[1].Lit()) {
			return true
		}
		ce.Assigns = append(ce.Assigns, &syntax.Assign{
			Name:  &syntax.Lit{ValuePos: ce.Args[0].Pos(), ValueEnd: ce.Args[0].End(), Value: umaskVar},
			Value: ce.Args[1],
		})
		ce.Args = nil
		return true
	})
}

// shellUmask is the shell's umask.
func shellUmask(env expand.Environ) uint32 {
	if v := env.Get(umaskVar).String(); v != "" {
		if m, err := strconv.ParseUint(v, 8, 32); err == nil {
			return uint32(m) & 0o777
		}
	}
	return procUmask()
}

// umaskCall answers `umask` and `umask -S` (printing the shell's umask as
// dash does); other forms are left to interp (unsupported, exit 2).
func umaskCall(hc interp.HandlerContext, args []string) []string {
	m := shellUmask(hc.Env)
	switch {
	case len(args) == 1:
		return []string{"printf", "%04o\n", strconv.FormatUint(uint64(m), 10)}
	case len(args) == 2 && args[1] == "-S":
		return []string{"printf", "%s\n", symbolicUmask(m)}
	}
	return args
}

// symbolicUmask is umask -S's output for m.
func symbolicUmask(m uint32) string {
	allowed := ^m & 0o777
	part := func(who string, shift uint) string {
		s := who + "="
		b := allowed >> shift & 7
		if b&4 != 0 {
			s += "r"
		}
		if b&2 != 0 {
			s += "w"
		}
		if b&1 != 0 {
			s += "x"
		}
		return s
	}
	return part("u", 6) + "," + part("g", 3) + "," + part("o", 0)
}

// openHandler opens the files of redirections: a file it creates gets
// 0666 less the shell's umask, as with a real shell.
func openHandler(ctx context.Context, path string, flag int, perm os.FileMode) (io.ReadWriteCloser, error) {
	hc := interp.HandlerCtx(ctx)
	if path != "" && !filepath.IsAbs(path) {
		path = filepath.Join(hc.Dir, path)
	}
	if flag&os.O_CREATE == 0 {
		return os.OpenFile(path, flag, perm)
	}
	um := shellUmask(hc.Env)
	if um == procUmask() {
		return os.OpenFile(path, flag, 0o666)
	}
	f, err := os.OpenFile(path, flag|os.O_EXCL, 0o600)
	if err == nil {
		if err := f.Chmod(os.FileMode(0o666 &^ um)); err != nil {
			f.Close()
			return nil, err
		}
		return f, nil
	}
	if errors.Is(err, os.ErrExist) && flag&os.O_EXCL == 0 {
		return os.OpenFile(path, flag&^os.O_CREATE, perm)
	}
	return nil, err
}
