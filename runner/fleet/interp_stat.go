package fleet

import (
	"context"
	"io"
	"os/user"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"mvdan.cc/sh/v3/interp"
)

// stat(1) for InterpShell hosts, in Go (see interp_coreutils.go for the
// rule it follows).

// cmdStat: stat [-L] -c FORMAT [--] FILE..., FORMAT with the directives
// of statDirective and no width or flags.
func cmdStat(_ context.Context, hc interp.HandlerContext, args []string) (bool, error) {
	opts, files, ok := operands(args[1:], "-L", "-c")
	format, hasFmt := opts["-c"]
	if !ok || !hasFmt || len(files) == 0 || !allSafe(files) || !statFormatOK(format) {
		return false, nil
	}
	_, follow := opts["-L"]
	rc := 0
	var out strings.Builder
	for _, name := range files {
		var st syscall.Stat_t
		var err error
		if follow {
			err = syscall.Stat(hostPath(hc, name), &st)
		} else {
			err = syscall.Lstat(hostPath(hc, name), &st)
		}
		if err != nil {
			io.WriteString(hc.Stdout, out.String())
			out.Reset()
			failf(hc, "stat: cannot statx '%s': %s", name, errText(err))
			rc = 1
			continue
		}
		expandStat(&out, format, name, &st)
		out.WriteByte('\n')
	}
	io.WriteString(hc.Stdout, out.String())
	return true, exitErr(rc)
}

// statFormatOK reports whether every % directive of format is one
// expandStat knows.
func statFormatOK(format string) bool {
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		if i >= len(format) || !strings.ContainsRune("%augUGsYXZidhFn", rune(format[i])) {
			return false
		}
	}
	return true
}

// expandStat writes format with its directives expanded for st.
func expandStat(out *strings.Builder, format, name string, st *syscall.Stat_t) {
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			out.WriteByte(c)
			continue
		}
		i++
		switch format[i] {
		case '%':
			out.WriteByte('%')
		case 'a':
			out.WriteString(strconv.FormatUint(uint64(st.Mode&0o7777), 8))
		case 'u':
			out.WriteString(strconv.FormatUint(uint64(st.Uid), 10))
		case 'g':
			out.WriteString(strconv.FormatUint(uint64(st.Gid), 10))
		case 'U':
			out.WriteString(userName(st.Uid))
		case 'G':
			out.WriteString(groupName(st.Gid))
		case 's':
			out.WriteString(strconv.FormatInt(st.Size, 10))
		case 'Y':
			out.WriteString(strconv.FormatInt(st.Mtim.Sec, 10))
		case 'X':
			out.WriteString(strconv.FormatInt(st.Atim.Sec, 10))
		case 'Z':
			out.WriteString(strconv.FormatInt(st.Ctim.Sec, 10))
		case 'i':
			out.WriteString(strconv.FormatUint(st.Ino, 10))
		case 'd':
			out.WriteString(strconv.FormatUint(st.Dev, 10))
		case 'h':
			out.WriteString(strconv.FormatUint(uint64(st.Nlink), 10))
		case 'F':
			out.WriteString(fileType(st))
		case 'n':
			out.WriteString(name)
		}
	}
}

// fileType is stat's %F.
func fileType(st *syscall.Stat_t) string {
	switch st.Mode & syscall.S_IFMT {
	case syscall.S_IFREG:
		if st.Size == 0 {
			return "regular empty file"
		}
		return "regular file"
	case syscall.S_IFDIR:
		return "directory"
	case syscall.S_IFLNK:
		return "symbolic link"
	case syscall.S_IFIFO:
		return "fifo"
	case syscall.S_IFSOCK:
		return "socket"
	case syscall.S_IFCHR:
		return "character special file"
	case syscall.S_IFBLK:
		return "block special file"
	}
	return "weird file"
}

var (
	namesMu sync.Mutex
	names   = map[string]string{}
)

// userName is the user's name, "UNKNOWN" as stat prints it when none.
func userName(uid uint32) string {
	return cachedName("u", uid, func(id string) (string, error) {
		u, err := user.LookupId(id)
		if err != nil {
			return "", err
		}
		return u.Username, nil
	})
}

// groupName is the group's name, "UNKNOWN" when none.
func groupName(gid uint32) string {
	return cachedName("g", gid, func(id string) (string, error) {
		g, err := user.LookupGroupId(id)
		if err != nil {
			return "", err
		}
		return g.Name, nil
	})
}

func cachedName(kind string, id uint32, lookup func(string) (string, error)) string {
	key := kind + strconv.FormatUint(uint64(id), 10)
	namesMu.Lock()
	n, ok := names[key]
	namesMu.Unlock()
	if ok {
		return n
	}
	n, err := lookup(strconv.FormatUint(uint64(id), 10))
	if err != nil {
		n = "UNKNOWN"
	}
	namesMu.Lock()
	names[key] = n
	namesMu.Unlock()
	return n
}
