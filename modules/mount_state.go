package modules

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// What the mount module reads: mountinfo and whether a path is mounted.

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
