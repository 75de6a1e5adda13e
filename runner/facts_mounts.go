package runner

import (
	"path"
	"regexp"
	"strconv"
	"strings"
)

var octalEscape = regexp.MustCompile(`\\[0-9]{3}`)

// unescapeOctal is Ansible's _replace_octal_escapes: every \NNN (three
// digits) is the character of that octal number.
func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	return octalEscape.ReplaceAllStringFunc(s, func(m string) string {
		n, err := strconv.ParseInt(m[1:], 8, 32)
		if err != nil { // an 8 or 9: Python's int(x, 8) raises; keep it
			return m
		}
		return string(rune(n))
	})
}

// mountFacts is Ansible's ansible_mounts (ansible-core 2.14 LinuxHardware
// get_mount_facts) from the sections factsScriptHost gathers:
//
//   - mtab: the mount table's lines ("device mount fstype options rest");
//     a line of fewer than four fields is skipped, as is a device that
//     does not start with / or \ and has no ":/" (after the octal escapes
//     are replaced), and fstype none. A mount point listed twice keeps the
//     place of the first and the values of the last (Ansible's dict).
//   - bind: the mount points with a filesystem root other than / (what
//     findmnt shows as SOURCE[ROOT]); their options get ",bind" unless
//     they say bind already.
//   - statfs: `stat -f -c '%S %s %b %a %c %d %n'` (statvfs's f_frsize,
//     f_bsize, f_blocks, f_bavail, f_files, f_favail), and statfsrc its
//     exit status: a mount point stat could not read has no size keys (as
//     when statvfs fails), or, when stat timed out (124), the note
//     Ansible gives on its timeout.
//   - uuid: `ls -l /dev/disk/by-uuid` (the uuids lsblk reports), dm:
//     "dm-N NAME" for /dev/mapper/NAME; "N/A" without one.
//
// dump and passno (the mount table's fifth and sixth fields, ints) are
// ansible-core 2.15's additions, given here too.
func mountFacts(sec map[string][]string) []any {
	uuids := map[string]string{} // device basename -> uuid
	for _, l := range sec["uuid"] {
		left, target, ok := strings.Cut(l, " -> ")
		if !ok {
			continue
		}
		f := strings.Fields(left)
		if len(f) == 0 {
			continue
		}
		uuids[path.Base(target)] = f[len(f)-1]
	}
	dmNames := map[string]string{} // mapper name -> dm-N
	for _, l := range sec["dm"] {
		if dm, name, ok := strings.Cut(l, " "); ok {
			dmNames[name] = dm
		}
	}
	uuidOf := func(dev string) string {
		if name, ok := strings.CutPrefix(dev, "/dev/mapper/"); ok {
			if dm, ok := dmNames[name]; ok {
				if u, ok := uuids[dm]; ok {
					return u
				}
			}
		}
		if strings.HasPrefix(dev, "/dev/") && !strings.Contains(dev[5:], "/") {
			if u, ok := uuids[dev[5:]]; ok {
				return u
			}
		}
		return "N/A"
	}
	bind := map[string]bool{}
	for _, l := range sec["bind"] {
		bind[unescapeOctal(l)] = true
	}
	sizes := map[string]map[string]any{}
	for _, l := range sec["statfs"] {
		f := strings.SplitN(l, " ", 7)
		if len(f) < 7 {
			continue
		}
		var n [6]int64
		ok := true
		for i := range n {
			v, err := strconv.ParseInt(f[i], 10, 64)
			if err != nil {
				ok = false
			}
			n[i] = v
		}
		if !ok {
			continue
		}
		sizes[f[6]] = map[string]any{
			"size_total": n[0] * n[2], "size_available": n[0] * n[3],
			"block_size": n[1], "block_total": n[2], "block_available": n[3], "block_used": n[2] - n[3],
			"inode_total": n[4], "inode_available": n[5], "inode_used": n[4] - n[5],
		}
	}
	timedOut := len(sec["statfsrc"]) > 0 && strings.TrimSpace(sec["statfsrc"][0]) == "124"

	var order []string
	byMount := map[string]map[string]any{}
	for _, l := range sec["mtab"] {
		fields := strings.Fields(l)
		if len(fields) < 4 {
			continue
		}
		for i := range fields {
			fields[i] = unescapeOctal(fields[i])
		}
		device, mount, fstype, options := fields[0], fields[1], fields[2], fields[3]
		if !strings.HasPrefix(device, "/") && !strings.HasPrefix(device, `\`) && !strings.Contains(device, ":/") || fstype == "none" {
			continue
		}
		if bind[mount] && !strings.Contains(options, "bind") {
			options += ",bind"
		}
		m := map[string]any{"mount": mount, "device": device, "fstype": fstype, "options": options,
			"dump": 0, "passno": 0}
		if len(fields) > 4 {
			m["dump"] = atoi(fields[4])
		}
		if len(fields) > 5 {
			m["passno"] = atoi(fields[5])
		}
		if sz, ok := sizes[mount]; ok {
			for k, v := range sz {
				m[k] = v
			}
			m["uuid"] = uuidOf(device)
		} else if timedOut {
			m["note"] = "Could not get extra information due to timeout"
		} else {
			m["uuid"] = uuidOf(device)
		}
		if _, seen := byMount[mount]; !seen {
			order = append(order, mount)
		}
		byMount[mount] = m
	}
	out := make([]any, 0, len(order))
	for _, mnt := range order {
		out = append(out, byMount[mnt])
	}
	return out
}
